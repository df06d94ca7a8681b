"""A NaN input gives a quiet NaN (as IEEE operations and np.exp do), keeping a quiet
NaN's payload; a signaling NaN raises NumPy's 'invalid' warning, as np.exp does, and
a quiet NaN raises none, as np.add does."""
import warnings

from operator import attrgetter

import numpy as np
import pytest

import gelu_c
from gelu_c import registry

CASES = {
    np.float32: (np.uint32, [0x7F800001, 0xFFA00000], [0x7FC12345, 0xFFC00001], 0x00400000),
    np.float64: (np.uint64, [0x7FF0000000000001, 0xFFF4000000000000],
                 [0x7FF8000000012345, 0xFFF8000000000001], 0x0008000000000000),
}


def _quiet(bits, qbit):
    return (bits & qbit) != 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", registry.names(tier=None))
def test_nan_in_quiet_nan_out(name, dtype, kernel_path):
    ut, snans, qnans, qbit = CASES[dtype]
    x = np.array(snans + qnans, dtype=ut).view(dtype)
    f = attrgetter(name)(gelu_c)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = f(x) if f.nin == 1 else f(np.ones_like(x), x)
    bits = out.view(ut)
    assert np.all(np.isnan(out)), (name, kernel_path)
    assert np.all(_quiet(bits, qbit)), (name, dtype, kernel_path, [hex(int(b)) for b in bits])
    # quiet NaNs keep their payload and sign
    assert list(bits[len(snans):]) == qnans, (name, dtype, kernel_path, [hex(int(b)) for b in bits])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", registry.names(tier=None))
def test_quiet_nan_raises_no_warning(name, dtype, kernel_path):
    """Quiet NaNs, alone and among ordinary values (both inputs of the backward
    functions, at several lane positions), set no floating-point flag: a kernel that
    let one reach an x86 min/max or a signaling compare would warn 'invalid'."""
    ut, snans, qnans, qbit = CASES[dtype]
    x = np.array([0.5, -3.0, 20.0, -20.0, 0.0, 1e-3, -40.0, 2.0] * 5, dtype=dtype)
    nan = np.array(qnans, dtype=ut).view(dtype)
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


def _others(dtype, ut, snans, qnans):
    """Values for the other operand of a backward function: finite ones on both
    sides of every clamp, the largest float, infinities and NaNs of both kinds."""
    fi = np.finfo(dtype)
    plain = np.array([0.0, -0.0, 1.5, -0.75, -20.0, 40.0, 1e30, -1e30, fi.max,
                      fi.smallest_subnormal, np.inf, -np.inf], dtype=dtype)
    return plain, np.array(qnans, dtype=ut).view(dtype), np.array(snans, dtype=ut).view(dtype)


def _flags_and_bits(f, dy, x, ut):
    """(raised invalid?, result bits) for f(dy, x) alone and at lane positions of a
    37-element vector call (filled with ordinary values), one pair per call."""
    out = []
    for n, pos in ((1, 0), (37, 0), (37, 5), (37, 36)):
        d = np.full(n, 0.75, dtype=dy.dtype)
        v = np.full(n, -1.25, dtype=x.dtype)
        d[pos], v[pos] = dy, x
        with np.errstate(invalid="raise", over="raise", divide="raise"):
            try:
                f(d, v)
                raised = False
            except FloatingPointError:
                raised = True
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            with np.errstate(all="ignore"):
                r = f(d, v)
        out.append((f"n={n} pos={pos}", raised, int(r.view(ut)[pos])))
    return out


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", registry.names(nin=2, tier=None))
def test_signaling_nan_in_either_operand(name, dtype, kernel_path):
    """A signaling NaN in dy or in x raises "invalid", whatever the other operand
    is (a number, an infinity, a quiet or signaling NaN), on every path, alone and
    in any lane of a vector; a quiet NaN with any non-signaling operand raises
    nothing. The result is a quiet NaN: x's payload where x is a NaN (whatever dy
    is), dy's where only dy is."""
    ut, snans, qnans, qbit = CASES[dtype]
    plain, qn, sn = _others(dtype, ut, snans, qnans)
    f = attrgetter(name)(gelu_c)
    bits = lambda v: int(np.array([v], dtype=dtype).view(ut)[0])
    for s in sn:
        for other in list(plain) + list(qn) + list(sn):
            for dy, x in ((s, other), (other, s)):
                x_nan = bool(np.isnan(x))
                want = (bits(x) if x_nan else bits(dy)) | qbit
                for where, raised, got in _flags_and_bits(f, dy, x, ut):
                    case = (name, np.dtype(dtype).name, kernel_path, hex(bits(dy)), hex(bits(x)), where)
                    assert raised, ("no invalid flag",) + case
                    assert got == want, ("payload", hex(got), hex(want)) + case
    for q in qn:
        for other in list(plain) + list(qn):
            for dy, x in ((q, other), (other, q)):
                want = (bits(x) if np.isnan(x) else bits(dy)) | qbit
                for where, raised, got in _flags_and_bits(f, dy, x, ut):
                    case = (name, np.dtype(dtype).name, kernel_path, hex(bits(dy)), hex(bits(x)), where)
                    assert not raised, ("spurious flag",) + case
                    assert got == want, ("payload", hex(got), hex(want)) + case
