"""Find kernel inputs that make an intermediate floating-point result subnormal.

On Intel cores every vector instruction that returns a subnormal takes a microcode
assist (about 100 cycles), so a kernel whose *intermediates* go subnormal runs many
times slower on those inputs although its results are right: the "speed must not
depend on the values" target fails silently. This tool instantiates the kernels over a
checking layer (tools/vec_subnormal.h: one lane, both arms of every select and every
recipe behind a per-vector branch evaluated, as a SIMD path does) and counts, per
kernel, the inputs of a sweep (tools/subnormal_check.c) for which some operation
returned a subnormal. Inputs below 2^-60 in magnitude are outside the sweep: there the
result (or dy * f'(x)) is formed by a multiply into the subnormal range on purpose.

Usage: ``python tools/subnormal_check.py [--f64]``; from Python,
``subnormal_inputs()``. The test suite runs it for both dtypes
(tests/test_value_independence.py).
"""
import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from kernel_tool import run_kernel_tool  # noqa: E402


def subnormal_inputs(f64=False, cc=None):
    """Per-kernel count of swept inputs with a subnormal intermediate.

    Parameters
    ----------
    f64 : bool
        Check the float64 instantiation instead of float32.
    cc : str, optional
        C compiler (default ``$CC`` or ``cc``).

    Returns
    -------
    dict
        ``{kernel name: (count, first x, its dy)}``; dy is 0 for unary kernels.
    """
    text = run_kernel_tool("subnormal_check.c", ["CHECK_F64"] if f64 else [], cc=cc)
    out = {}
    for line in text.splitlines():
        name, count, x, dy = line.split()
        out[name] = (int(count), float.fromhex(x), float.fromhex(dy))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--f64", action="store_true", help="check the float64 kernels")
    args = ap.parse_args(argv)
    res = subnormal_inputs(args.f64)
    for name, (count, x, dy) in res.items():
        where = f"  first at x={x!r}" + (f", dy={dy!r}" if dy else "") if count else ""
        print(f"{name:24s}{count:8d}{where}")
    return 1 if any(c for c, _, _ in res.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
