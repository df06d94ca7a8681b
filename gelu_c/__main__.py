"""``python -m gelu_c``: a short report of accuracy and speed on this machine.

Accuracy: the worst error in ULPs of each ufunc against an independent reference
(SciPy's float64 special functions for float32 outputs, mpmath at 50 digits for a
float64 sample). Speed: time per element of each float32 ufunc on 2^20 elements with a
preallocated output, as a ratio to ``np.copyto`` (the memory bound) and to the naive
NumPy/SciPy expression, both measured in the same run.
"""
import argparse
import time

import numpy as np

import gelu_c
from gelu_c import oracle

UNARY = ["norm_cdf", "gelu", "gelu_tanh", "gelu_sigmoid", "silu",
         "gelu_grad", "gelu_tanh_grad", "gelu_sigmoid_grad", "silu_grad"]


def _ulp(ref, dtype):
    fi = np.finfo(dtype)
    a = np.abs(ref)
    e = np.floor(np.log2(np.maximum(a, float(fi.tiny))))
    return np.maximum(2.0 ** (e - (fi.nmant)), float(fi.smallest_subnormal))


def _samples(n, rng):
    body = rng.uniform(-6, 6, n // 2)
    tails = -np.abs(rng.uniform(0, 40, n // 4))
    tiny = rng.choice([-1, 1], n // 4) * 10.0 ** rng.uniform(-40, 1, n // 4)
    return np.concatenate([body, tails, tiny])


def accuracy_rows(n32=200_000, n64=300, seed=0):
    rng = np.random.default_rng(seed)
    x32 = _samples(n32, rng).astype(np.float32)
    x64 = _samples(n64, rng)
    rows = []
    for name in UNARY:
        f = getattr(gelu_c, name)
        ref = oracle.scipy_reference(name, x32.astype(np.float64))
        with np.errstate(all="ignore"):
            out = f(x32).astype(np.float64)
            keep = np.isfinite(ref)
            err32 = np.abs(out - ref)[keep] / _ulp(ref[keep], np.float32)
            # derivatives: the spec's absolute bound applies within 1e-3 of a zero
            zeros = oracle.derivative_zeros(name) if name.endswith("_grad") else ()
            near = np.zeros(keep.sum(), bool)
            for z0 in zeros:
                near |= np.abs(x32.astype(np.float64)[keep] - float(z0)) < 1e-3
            err32 = np.where(near, 0.0, err32)
        err64 = np.nanmax(np.abs(oracle.ulp_error(name, f(x64), x64)))
        rows.append((name, float(err32.max()), float(err64)))
    return rows


def _best(fn, repeat=7):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def speed_rows(n=1 << 20, seed=1):
    from scipy.special import expit, ndtr
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n).astype(np.float32)
    out = np.empty_like(x)
    copy = _best(lambda: np.copyto(out, x))
    naive = {
        "gelu": lambda: x * ndtr(x),
        "norm_cdf": lambda: ndtr(x),
        "silu": lambda: x * expit(x),
        "gelu_sigmoid": lambda: x * expit(1.702 * x),
        "gelu_tanh": lambda: 0.5 * x * (1 + np.tanh(0.7978845608 * (x + 0.044715 * x ** 3))),
    }
    rows = []
    for name in ["gelu", "norm_cdf", "gelu_tanh", "gelu_sigmoid", "silu", "gelu_grad"]:
        f = getattr(gelu_c, name)
        t = _best(lambda: f(x, out=out))
        tn = _best(naive[name]) if name in naive else float("nan")
        rows.append((name, n / t / 1e9, t / copy, tn / t))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m gelu_c", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller samples")
    args = ap.parse_args(argv)
    gelu_c.show_config()
    print()
    print("Accuracy: worst error in ULPs of the output (bound: 1 ulp; derivatives 2 ulp)")
    print(f"  {'function':20s} {'float32':>9s} {'float64':>9s}")
    n32, n64 = (50_000, 100) if args.quick else (200_000, 300)
    for name, e32, e64 in accuracy_rows(n32=n32, n64=n64):
        print(f"  {name:20s} {e32:9.3f} {e64:9.3f}")
    print(f"  float32: {n32} samples vs SciPy float64; float64: {n64} samples vs mpmath (50 digits);")
    print("  derivatives: within 1e-3 of their zero the bound is absolute and not shown here")
    print("  full report: python -m gelu_c.accuracy (planned); exhaustive float32: tests --exhaustive")
    print()
    print(f"Speed, float32, 2^20 elements, out= preallocated, kernel path {gelu_c.get_kernel_path()}")
    print(f"  {'function':14s} {'G elem/s':>9s} {'x copyto time':>14s} {'speed-up vs naive':>18s}")
    for name, gps, vs_copy, vs_naive in speed_rows():
        naive = f"{vs_naive:17.1f}x" if vs_naive == vs_naive else f"{'-':>18s}"
        print(f"  {name:14s} {gps:9.3f} {vs_copy:13.1f}x {naive}")
    print("  naive = x*scipy.special.ndtr(x) and friends; copyto = the memory bound")


if __name__ == "__main__":
    main()
