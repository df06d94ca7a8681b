"""``python -m gelu_c.accuracy``: the accuracy tables, JSON, picture and exhaustive sweep.

Without options it prints the decimal-place table of the approximations
(``gelu_tanh``, ``gelu_sigmoid``, ``silu`` and their derivatives against exact
GELU), the ULP table of every gelu_c function per dtype and kernel path, and the
same figures for the other implementations installed (PyTorch, JAX, SciPy, the
textbook one-liners), in well under a minute.  The exit status is 1 when a gelu_c
kernel exceeds its bound (each function's, from :mod:`gelu_c.registry`: 1 ulp
forward, 2 ulp derivatives and backward).
"""
import argparse
import sys

from .. import registry
from . import exhaustive
from .measurement import kernel_rows_over_bound, measure
from .others import OTHERS
from .ranges import RANGES
from .report import format_report, save_json


def _list(text):
    return [t.strip() for t in text.split(",") if t.strip()]


def _parser():
    ap = argparse.ArgumentParser(
        prog="python -m gelu_c.accuracy",
        description="The accuracy harness of gelu_c: the decimal-place table of the "
        "approximations, the ULP tables of every kernel and of the other implementations "
        "installed, as text, JSON and a picture; or the exhaustive float32 sweep; or the "
        "proof that float16 and bfloat16 are correctly rounded (--half).",
        epilog="Reproduce the README figures: python -m gelu_c.accuracy --plot docs/accuracy.png",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", metavar="PATH", help="also write every figure to PATH as JSON")
    ap.add_argument("--plot", metavar="PATH.png",
                    help="draw error against x for each approximation and kernel "
                         "(needs matplotlib: pip install gelu_c[plot])")
    ap.add_argument("--exhaustive", action="store_true",
                    help="instead of the tables: check all 2**32 float32 inputs of "
                         f"{' and '.join(exhaustive.FUNCS)} on each kernel path against "
                         "SciPy's ndtr in float64 (minutes per path; needs scipy)")
    ap.add_argument("--general", action="store_true",
                    help="instead of the tables: gelu_general, its partial derivatives and "
                         "backward pass on --n-ulp samples of (x, mu, sigma) per dtype, each "
                         "tier of --tier and each path, against mpmath")
    ap.add_argument("--half", action="store_true",
                    help="instead of the tables: prove float16 and bfloat16 (with ml_dtypes) "
                         "correctly rounded at every input of every function of --tier "
                         "(backward: a grid of dy; gelu_general: a few mu, sigma) on each "
                         "path, against mpmath (a minute or so)")
    ap.add_argument("--functions", type=_list, metavar="F,G",
                    help=f"gelu_c function names, either tier (gelu, fast.gelu; default: the "
                         f"{len(registry.names())} of --tier; "
                         "with --exhaustive: "
                         f"{','.join(exhaustive.FUNCS)})")
    ap.add_argument("--tier", choices=("exact", "fast", "all"), default="exact",
                    help="the functions measured without --functions: the exact tier "
                         "(default), gelu_c.fast, or both")
    ap.add_argument("--dtypes", type=_list, default=["float32", "float64"], metavar="D,E",
                    help="float32 and/or float64 (default both)")
    ap.add_argument("--paths", type=_list, metavar="P,Q",
                    help="kernel paths (default: every one available here)")
    ap.add_argument("--ranges", type=_list, metavar="R,S",
                    help="input ranges (default all): " + ", ".join(
                        f"{r.key} = {r.label}" for r in RANGES))
    ap.add_argument("--n-grid", type=int, default=1_000_001, metavar="N",
                    help="evenly spaced points per range for the decimal-place table "
                         "(default 1,000,001)")
    ap.add_argument("--n-ulp", type=int, default=500, metavar="N",
                    help="random points per function, dtype and range for the ULP tables, "
                         "each checked with mpmath at 50 digits (default 500)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the ULP samples (default 0)")
    ap.add_argument("--others", type=_list, default=None, metavar="LIB,...",
                    help=f"other implementations to measure ({', '.join(OTHERS)}; "
                         "default: every one installed; 'none' for none)")
    ap.add_argument("--brief", action="store_true",
                    help="ULP tables: only the row pooling all ranges of each function")
    ap.add_argument("--workers", type=int, default=exhaustive.WORKERS,
                    help=f"--exhaustive: worker processes (default {exhaustive.WORKERS})")
    ap.add_argument("--chunks", type=int, default=None, metavar="N",
                    help="--exhaustive: check only N evenly spaced blocks of 2**24 inputs")
    return ap


def _others(arg):
    if arg is None:
        return None
    return False if arg == ["none"] else arg


def _half(args, paths):
    import numpy as np

    import gelu_c
    from . import half

    tiers = ("exact", "fast") if args.tier == "all" else (args.tier,)
    names = args.functions or [n for n in registry.names(tier=None)
                               if registry.get(n).tier in tiers and not registry.get(n).params]
    formats = half.formats_available()
    if "bfloat16" not in formats:
        print("bfloat16 skipped: needs ml_dtypes (pip install gelu_c[bfloat16])")
    total = half.sweep(names, formats, paths)
    for fmt in formats:
        for mu, sigma, dy in half.GENERAL_PARAMS:
            dy = float(half.decode(half.round_f64(dy, fmt), fmt)) or float(
                half.decode(np.uint16(1), fmt))
            for tier in tiers:
                for path in paths:
                    with gelu_c.kernel_path(path):
                        bad = half.check_general(fmt, mu, sigma, dy, tier)
                    word = "correctly rounded" if not bad else f"{len(bad)} NOT correctly rounded"
                    print(f"{'gelu_general (all outputs)':>26} {fmt:>8} {path:>6}: every finite x, "
                          f"mu={mu:g} sigma={sigma:g} dy={dy:.4g}, {tier}: {word}")
                    total += len(bad)
    print("all correctly rounded" if not total else f"{total} inputs NOT correctly rounded")
    return 1 if total else 0


def main(argv=None):
    """Run the command line; returns the exit status."""
    import gelu_c

    args = _parser().parse_args(argv)
    paths = args.paths or list(gelu_c.available_kernel_paths())
    if args.exhaustive:
        funcs = tuple(args.functions or exhaustive.FUNCS)
        bad = [f for f in funcs if f not in exhaustive.FUNCS]
        if bad:
            raise SystemExit(f"--exhaustive covers {', '.join(exhaustive.FUNCS)}, not {bad}")
        results, ok = exhaustive.sweep(paths, funcs, args.workers, args.chunks)
        if args.json:
            save_json({"exhaustive": results}, args.json)
        return 0 if ok else 1
    if args.half:
        return _half(args, paths)
    if args.general:
        from . import general

        tiers = ("exact", "fast") if args.tier == "all" else (args.tier,)
        rows = general.measure(n=args.n_ulp, dtypes=args.dtypes, tiers=tiers, paths=paths,
                               seed=args.seed)
        print(general.table(rows))
        bad = [r for r in rows if r["signs_wrong"] or max(
            v / general.bound(r["tier"], k) for k, v in r.items() if k in general.COLUMNS) > 1]
        for r in bad:
            print(f"OVER BOUND: {r}", file=sys.stderr)
        return 1 if bad else 0
    report = measure(functions=args.functions, dtypes=args.dtypes, paths=paths,
                     ranges=args.ranges, n_grid=args.n_grid, n_ulp=args.n_ulp, seed=args.seed,
                     others=_others(args.others),
                     tier=None if args.tier == "all" else args.tier)
    print(format_report(report, brief=args.brief))
    over = kernel_rows_over_bound(report)
    for r in over:
        print(f"OVER BOUND: {r['function']} {r['dtype']} path {r['path']} {r['range']}: "
              f"{r['max_ulp']:.4g} ulp at x = {r['x_max']!r}"
              + (f", dy = {r['dy_max']!r}" if r["dy_max"] is not None else "")
              + f" (bound {r['bound']:g})", file=sys.stderr)
    if args.json:
        save_json(report, args.json)
        print(f"\nJSON written to {args.json}")
    if args.plot:
        from .plotting import plot

        try:
            plot(args.plot, others=_others(args.others))
        except ImportError as exc:
            raise SystemExit(f"--plot needs matplotlib (pip install matplotlib, or the "
                             f"gelu_c[plot] extra): {exc}") from None
        print(f"Plot written to {args.plot}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
