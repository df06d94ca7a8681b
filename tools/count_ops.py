"""Count the vector operations each kernel executes per vector (8 float32 lanes on AVX2).

The kernels are branch-free and written once over the vector layer, so instantiating
them over a counting layer (tools/vec_count.h) and evaluating each once gives the
exact number of layer operations per vector, by category. Constants and bit casts are
free in a loop and not counted; identical subexpressions the compiler would merge are
written once in the source, so the counts match the machine code up to register moves
and constant loads.

A layer operation is one instruction on AVX2 (conversions: three). On NEON (vec_neon.h) a
few cost more, because AArch64 has no quiet vector compare and no minps-like min/max:
``neon_insns`` in the output weighs them (quiet compare up to 3, min/max 2, lookup 2) to
give each kernel's NEON instruction count per vector (4 float32 / 2 float64 lanes, a
pair of them per vec_pair.h vector). It is an upper bound: a compare with a constant
operand folds to 2.

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
#: NEON instructions per layer operation where it is not one (vec_neon.h); conversions:
#: the counting layer charges AVX2's three, NEON's widen/narrow pair is two
NEON_COST = {"cmp": 3, "minmax": 2, "permute": 2, "cvt": 2 / 3}


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
        row["neon_insns"] = round(sum(v * NEON_COST.get(k, 1) for k, v in row.items()
                                      if k not in ("fp_fma_class", "total")))
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
    cats = [k for k in next(iter(counts.values()))
            if k not in ("fp_fma_class", "total", "neon_insns")]
    print(f"{'kernel':24s}" + "".join(f"{c:>8s}" for c in cats)
          + f"{'fma+mul':>9s}{'total':>7s}{'neon':>6s}")
    for name, row in counts.items():
        print(f"{name:24s}" + "".join(f"{row[c]:8d}" for c in cats)
              + f"{row['fp_fma_class']:9d}{row['total']:7d}{row['neon_insns']:6d}")


if __name__ == "__main__":
    main()
