"""``python -m gelu_c``: a short report of accuracy and speed on this machine.

Accuracy: a small run of the accuracy harness (:mod:`gelu_c.accuracy`): how many
decimal places each approximation keeps against exact GELU, and the worst error in
ULPs of every ufunc against mpmath (50 digits) on the active kernel path.
Speed: throughput of each float32 ufunc, exact and fast tier, on 2^20 elements with a
preallocated output, and the exact one's time as a ratio to ``np.copyto`` (the memory
bound) and to the naive NumPy/SciPy expression, all measured in the same run.
"""
import argparse
import time

import numpy as np

import gelu_c


def accuracy_report(n_ulp=60, n_grid=200_001, seed=0):
    """A small run of the accuracy harness on the active kernel path (no other libraries)."""
    from gelu_c import accuracy

    return accuracy.measure(paths=[gelu_c.get_kernel_path()], others=False, n_ulp=n_ulp,
                            n_grid=n_grid, seed=seed)


def print_accuracy(report):
    from gelu_c import accuracy

    meta = report["meta"]
    print("Accuracy (full report: python -m gelu_c.accuracy; all 2**32 float32 inputs: "
          "python -m gelu_c.accuracy --exhaustive)")
    print(f"  approximations vs exact GELU ({meta['n_grid']:,} points per range, "
          "float64 formulas):")
    for line in accuracy.format_headline(report).splitlines():
        print("    " + line)
    n = meta["n_ulp"] * len(meta["ranges"])
    print(f"  worst error in ULPs vs mpmath ({meta['oracle_dps']} digits), path "
          f"{meta['paths'][0]}, {n} points per function and dtype over "
          f"{len(meta['ranges'])} ranges (bound: 1 ulp; derivatives 2 ulp)")
    print(f"    {'function':22s}" + "".join(f"{d:>10s}" for d in meta["dtypes"]))
    for name in meta["functions"]:
        cells = []
        for d in meta["dtypes"]:
            (r,) = [r for r in report["ulp"] if r["function"] == name and r["dtype"] == d
                    and r["range_key"] == "all"]
            cells.append(f"{r['max_ulp']:10.3f}" + ("!" if not r["within_bound"] else ""))
        print(f"    {name:22s}" + "".join(cells))
    over = accuracy.kernel_rows_over_bound(report)
    if over:
        print(f"  ! {len(over)} row(s) over the bound: run python -m gelu_c.accuracy for details")


def _best(fn, repeat=7):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


#: the functions the speed summary times (the values, and GELU's derivative)
SPEED_FUNCTIONS = ("gelu", "norm_cdf", "gelu_tanh", "gelu_sigmoid", "silu", "gelu_grad")


def speed_rows(n=1 << 20, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n).astype(np.float32)
    out = np.empty_like(x)
    copy = _best(lambda: np.copyto(out, x))
    naive = {
        "gelu_tanh": lambda: 0.5 * x * (1 + np.tanh(0.7978845608 * (x + 0.044715 * x * x * x))),
    }
    try:   # the naive forms of the others are SciPy's ufuncs (not a dependency of gelu_c)
        from scipy.special import expit, ndtr
        naive.update({
            "gelu": lambda: x * ndtr(x),
            "norm_cdf": lambda: ndtr(x),
            "silu": lambda: x * expit(x),
            "gelu_sigmoid": lambda: x * expit(1.702 * x),
        })
    except ImportError:
        pass
    rows = []
    for name in SPEED_FUNCTIONS:
        f, ff = getattr(gelu_c, name), getattr(gelu_c.fast, name)
        t = _best(lambda: f(x, out=out))
        tf = _best(lambda: ff(x, out=out))
        tn = _best(naive[name]) if name in naive else float("nan")
        rows.append((name, n / t / 1e9, n / tf / 1e9, t / copy, tn / t))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m gelu_c", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller samples")
    args = ap.parse_args(argv)
    gelu_c.show_config()
    print()
    try:
        report = accuracy_report(n_ulp=20 if args.quick else 60,
                                 n_grid=100_001 if args.quick else 200_001)
    except ImportError as exc:   # mpmath is the harness's extra, not a dependency
        print(f"Accuracy: not measured: {exc}")
    else:
        print_accuracy(report)
    print()
    print(f"Speed, float32, 2^20 elements, out= preallocated, kernel path {gelu_c.get_kernel_path()}")
    print(f"  {'function':14s} {'G elem/s':>9s} {'fast G/s':>9s} {'x copyto time':>14s} "
          f"{'speed-up vs naive':>18s}")
    for name, gps, fast_gps, vs_copy, vs_naive in speed_rows():
        naive = f"{vs_naive:17.1f}x" if vs_naive == vs_naive else f"{'-':>18s}"
        print(f"  {name:14s} {gps:9.3f} {fast_gps:9.3f} {vs_copy:13.1f}x {naive}")
    print("  G elem/s: gelu_c (1 ULP); fast: gelu_c.fast (4 ULP); naive = x*scipy.special.ndtr(x) "
          "and friends (- : SciPy not installed); copyto = the memory bound")


if __name__ == "__main__":
    main()
