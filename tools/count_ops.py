"""Count the vector operations each kernel executes per vector (8 float32 lanes on AVX2).

The kernels are branch-free and written once over the vector layer, so instantiating
them over a counting layer (tools/vec_count.h) and evaluating each once gives the
exact number of layer operations per vector, by category. Constants and bit casts are
free in a loop and not counted; identical subexpressions the compiler would merge are
written once in the source, so the counts match the machine code up to register moves
and constant loads.

Usage: ``python tools/count_ops.py [--f64] [--json]``; from Python, ``op_counts()``.
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from kernel_tool import run_kernel_tool  # noqa: E402

FMA_CLASS = ("fma", "mul")     # what Zen 2 retires at most two of per cycle


def op_counts(f64=False, cc=None):
    """Per-kernel operation counts for one vector.

    Parameters
    ----------
    f64 : bool
        Count the float64 instantiation instead of float32.
    cc : str, optional
        C compiler (default ``$CC`` or ``cc``).

    Returns
    -------
    dict
        ``{kernel name: {category: count, "fp_fma_class": fma + mul, "total": all}}``.
    """
    text = run_kernel_tool("count_ops.c", ["COUNT_F64"] if f64 else [], opt="-O1", cc=cc)
    counts = {}
    for line in text.splitlines():
        name, *fields = line.split()
        row = {k: int(v) for k, v in (f.split("=") for f in fields)}
        row["fp_fma_class"] = sum(row[k] for k in FMA_CLASS)
        row["total"] = sum(v for k, v in row.items() if k != "fp_fma_class")
        counts[name] = row
    return counts


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--f64", action="store_true", help="count the float64 kernels")
    ap.add_argument("--json", action="store_true", help="print JSON")
    args = ap.parse_args(argv)
    counts = op_counts(args.f64)
    if args.json:
        json.dump(counts, sys.stdout, indent=1)
        print()
        return
    cats = [k for k in next(iter(counts.values())) if k not in ("fp_fma_class", "total")]
    print(f"{'kernel':24s}" + "".join(f"{c:>8s}" for c in cats) + f"{'fma+mul':>9s}{'total':>7s}")
    for name, row in counts.items():
        print(f"{name:24s}" + "".join(f"{row[c]:8d}" for c in cats)
              + f"{row['fp_fma_class']:9d}{row['total']:7d}")


if __name__ == "__main__":
    main()
