"""A NaN input gives a quiet NaN (as IEEE operations and np.exp do), keeping a quiet
NaN's payload; a signaling NaN raises NumPy's 'invalid' warning, as np.exp does, and
a quiet NaN raises none, as np.add does. A signaling NaN becomes quiet with the rest of
its payload and its sign kept (the quiet bit set), as the hardware's conversions and
arithmetic do.

In float32, float64, float16 and bfloat16 (ml_dtypes'; skipped without it). Every
operand is built from its bit pattern (never through a float conversion, which would
quiet a signaling NaN on the way in)."""
import os
import sys
import warnings

from operator import attrgetter

import numpy as np
import pytest

import gelu_c
from gelu_c import registry

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import half_formats  # noqa: E402
from half_formats import finfo, uint_of  # noqa: E402

#: dtype name -> (signaling NaNs, quiet NaNs, the quiet bit), as bit patterns
CASES = {
    "float32": ([0x7F800001, 0xFFA00000], [0x7FC12345, 0xFFC00001], 0x00400000),
    "float64": ([0x7FF0000000000001, 0xFFF4000000000000],
                [0x7FF8000000012345, 0xFFF8000000000001], 0x0008000000000000),
    "float16": ([0x7D00, 0xFC01, 0x7DFF], [0x7E45, 0xFE01], 0x0200),
    "bfloat16": ([0x7F81, 0xFFA0, 0x7FBF], [0x7FC5, 0xFFC1], 0x0040),
}
DTYPES = half_formats.dtype_params("float32", "float64", "float16", "bfloat16")


def _case(dtype):
    """(unsigned type, signaling NaNs, quiet NaNs, quiet bit) of a dtype; checks that the
    patterns are what they claim to be."""
    ut = uint_of(dtype)
    snans, qnans, qbit = CASES[np.dtype(dtype).name]
    inf = int(np.array(np.inf, dtype=dtype).view(ut))
    fraction = ((1 << (8 * np.dtype(dtype).itemsize - 1)) - 1) & ~inf
    for b in snans + qnans:
        assert b & inf == inf and b & fraction, hex(b)          # a NaN
        assert bool(b & qbit) == (b in qnans), hex(b)           # of the kind claimed
    return ut, snans, qnans, qbit


def _from_bits(bits, dtype):
    return np.array(bits, dtype=uint_of(dtype)).view(dtype)


def _quiet(bits, qbit):
    return (bits & qbit) != 0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", registry.names(tier=None))
def test_nan_in_quiet_nan_out(name, dtype, kernel_path):
    """Every NaN gives a quiet NaN: a quiet one keeps its bits, a signaling one gets
    the quiet bit and keeps the rest (payload and sign)."""
    ut, snans, qnans, qbit = _case(dtype)
    x = _from_bits(snans + qnans, dtype)
    f = attrgetter(name)(gelu_c)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = f(x) if f.nin == 1 else f(np.ones_like(x), x)
    bits = out.view(ut)
    case = (name, np.dtype(dtype).name, kernel_path, [hex(int(b)) for b in bits])
    assert np.all(np.isnan(out)), case
    assert np.all(_quiet(bits, qbit)), case
    # quiet NaNs keep their payload and sign; signaling ones too, with the quiet bit set
    assert [int(b) for b in bits] == [b | qbit for b in snans] + qnans, case


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", registry.names(nin=1, tier=None))
def test_unary_signaling_nan_raises_invalid(name, dtype, kernel_path):
    """f(signaling NaN) raises "invalid" (and no other flag), alone and in any lane of a
    vector; f(quiet NaN) raises nothing. The result's bits as in test_nan_in_quiet_nan_out."""
    ut, snans, qnans, qbit = _case(dtype)
    f = attrgetter(name)(gelu_c)
    for b in snans + qnans:
        for where, raised, got in _flags_and_bits(f, (b,), dtype):
            case = (name, np.dtype(dtype).name, kernel_path, hex(b), where)
            if b in snans:
                assert raised == "invalid", ("no invalid flag", raised) + case
            else:
                assert raised is None, ("spurious flag", raised) + case
            assert got == b | qbit, ("payload", hex(got)) + case


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", registry.names(tier=None))
def test_quiet_nan_raises_no_warning(name, dtype, kernel_path):
    """Quiet NaNs, alone and among ordinary values (both inputs of the backward
    functions, at several lane positions), set no floating-point flag: a kernel that
    let one reach an x86 min/max or a signaling compare would warn 'invalid'."""
    ut, snans, qnans, qbit = _case(dtype)
    x = np.array([0.5, -3.0, 20.0, -20.0, 0.0, 1e-3, -40.0, 2.0] * 5, dtype=dtype)
    nan = _from_bits(qnans, dtype)
    x[::3] = nan[0]
    x[1::7] = nan[1]
    f = attrgetter(name)(gelu_c)
    # underflow is not tracked (README): -20 and -40 have results below float32's
    # normal range for some functions, where IEEE arithmetic would raise it too
    with np.errstate(all="raise", under="ignore"):
        if f.nin == 1:
            out = f(x)
            assert np.isnan(out[::3]).all() and np.isnan(out[1::7]).all()
        else:
            dy = np.linspace(-2.0, 2.0, x.size).astype(dtype)
            assert np.isnan(f(dy, x)[::3]).all()
            assert np.isnan(f(x, dy)[::3]).all()
            assert np.isnan(f(x, x)[::3]).all()


def _plain(dtype):
    """Bit patterns for the other operand of a backward function: finite values on
    both sides of every clamp (1e30 where the format holds it, 1e4 in float16), the
    largest and the least positive number, signed zeros and infinities."""
    fi = finfo(dtype)
    big = 1e30 if float(fi.max) > 1e30 else 1e4
    plain = np.array([0.0, -0.0, 1.5, -0.75, -20.0, 40.0, big, -big, fi.max,
                      fi.smallest_subnormal, np.inf, -np.inf], dtype=dtype)
    return [int(b) for b in plain.view(uint_of(dtype))]


def _is_nan_bits(b, dtype):
    return bool(np.isnan(_from_bits(b, dtype)))


def _flags_and_bits(f, operands, dtype):
    """(where, flag raised, result bits) for f at the operands (bit patterns: (x,) or
    (dy, x)) alone and at lane positions of a 37-element vector call (the other lanes
    ordinary values: dy = 0.75, x = -1.25), one triple per call. The flag is None, or
    "invalid", "overflow" or "divide" (the first NumPy reports)."""
    ut = uint_of(dtype)
    fills = (0.75, -1.25)[-len(operands):]
    out = []
    for n, pos in ((1, 0), (37, 0), (37, 5), (37, 36)):
        args = []
        for b, fill in zip(operands, fills):
            a = np.full(n, fill, dtype=dtype).view(ut)
            a[pos] = b
            args.append(a.view(dtype))
        with np.errstate(invalid="raise", over="raise", divide="raise"):
            try:
                f(*args)
                raised = None
            except FloatingPointError as exc:
                raised = next((k for k in ("invalid", "overflow", "divide") if k in str(exc)),
                              str(exc))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            with np.errstate(all="ignore"):
                r = f(*args)
        for a, b in zip(args, operands):     # the operands are unchanged
            assert int(a.view(ut)[pos]) == b
        out.append((f"n={n} pos={pos}", raised, int(r.view(ut)[pos])))
    return out


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", registry.names(nin=2, tier=None))
def test_signaling_nan_in_either_operand(name, dtype, kernel_path):
    """A signaling NaN in dy or in x raises "invalid", whatever the other operand
    is (a number, an infinity, a quiet or signaling NaN), on every path, alone and
    in any lane of a vector; a quiet NaN with any non-signaling operand raises
    nothing. The result is a quiet NaN: x's payload where x is a NaN (whatever dy
    is), dy's where only dy is."""
    ut, sn, qn, qbit = _case(dtype)
    plain = _plain(dtype)
    f = attrgetter(name)(gelu_c)
    for s in sn:
        for other in plain + qn + sn:
            for dy, x in ((s, other), (other, s)):
                want = (x if _is_nan_bits(x, dtype) else dy) | qbit
                for where, raised, got in _flags_and_bits(f, (dy, x), dtype):
                    case = (name, np.dtype(dtype).name, kernel_path, hex(dy), hex(x), where)
                    assert raised == "invalid", ("no invalid flag", raised) + case
                    assert got == want, ("payload", hex(got), hex(want)) + case
    for q in qn:
        for other in plain + qn:
            for dy, x in ((q, other), (other, q)):
                want = (x if _is_nan_bits(x, dtype) else dy) | qbit
                for where, raised, got in _flags_and_bits(f, (dy, x), dtype):
                    case = (name, np.dtype(dtype).name, kernel_path, hex(dy), hex(x), where)
                    assert raised is None, ("spurious flag", raised) + case
                    assert got == want, ("payload", hex(got), hex(want)) + case
