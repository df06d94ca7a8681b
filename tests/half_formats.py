"""Shared helpers of the float16 / bfloat16 tests (not a test module).

* ``ml_dtypes`` (None when it is not installed), ``BFLOAT16`` (its dtype, or None) and
  ``needs_ml_dtypes``, a skip mark for the bfloat16 cases.
* ``dtype_params()``: pytest params of float16, float32, float64 and bfloat16 (skipped
  without ml_dtypes), with ids "float16", ... .
* ``finfo(dtype)``: ``np.finfo``, or ``ml_dtypes.finfo`` for bfloat16 (np.finfo does not
  know it); ``uint_of(dtype)``: the unsigned integer type of the same size.
* ``round_bits(value, dtype)``: the oracle's rounding. The bits of an exact value (a
  Python float or an mpmath.mpf, taken exactly) rounded ONCE to a half format, to
  nearest, ties to even, overflowing to infinity. It works in exact rational arithmetic
  (fractions.Fraction), so it does not rely on NumPy's or ml_dtypes' conversions, and it
  is itself checked against them (tests/test_half_dtypes.py).
"""
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest

try:
    import ml_dtypes
except ImportError:
    ml_dtypes = None

BFLOAT16 = np.dtype(ml_dtypes.bfloat16) if ml_dtypes is not None else None
needs_ml_dtypes = pytest.mark.skipif(ml_dtypes is None,
                                     reason="ml_dtypes is not installed (no bfloat16)")

#: name -> (fraction bits, least normal exponent) of each half format
FORMATS = {"float16": (10, -14), "bfloat16": (7, -126)}


def dtype_params(*names):
    """pytest params of the named dtypes (default: float16, float32, float64, bfloat16),
    ids as the names; bfloat16 is skipped without ml_dtypes."""
    out = []
    for name in names or ("float16", "float32", "float64", "bfloat16"):
        if name == "bfloat16":
            out.append(pytest.param(BFLOAT16, id=name, marks=needs_ml_dtypes))
        else:
            out.append(pytest.param(np.dtype(name), id=name))
    return out


def is_half(dtype):
    return np.dtype(dtype).name in FORMATS


def finfo(dtype):
    if np.dtype(dtype).name == "bfloat16":
        return ml_dtypes.finfo(dtype)
    return np.finfo(dtype)


def uint_of(dtype):
    return {2: np.uint16, 4: np.uint32, 8: np.uint64}[np.dtype(dtype).itemsize]


def bits(a):
    """The array's elements as unsigned integers of their width (a contiguous copy)."""
    a = np.ascontiguousarray(a)
    return a.view(uint_of(a.dtype))


def outputs(r):
    """A ufunc's result as a tuple of its outputs."""
    return r if isinstance(r, tuple) else (r,)


def inf_bits(dtype):
    mbits, _ = FORMATS[np.dtype(dtype).name]
    return ((1 << (15 - mbits)) - 1) << mbits


def _fraction(value):
    if isinstance(value, mpmath.mpf):
        man, exp = value.man_exp             # |value| = man * 2**exp (no sign)
        q = Fraction(man) * Fraction(2) ** exp
        return -q if value < 0 else q
    return Fraction(float(value))


def round_bits(value, dtype):
    """Bits (an int) of ``value`` rounded once to the half format ``dtype``.

    ``value`` is a float or an mpmath.mpf. A NaN gives the format's default quiet NaN
    (callers test NaN-ness, not its payload, through this); an infinity the infinity;
    a zero +0 unless it is the float -0.0 (mpf zeros carry no sign).
    """
    mbits, emin = FORMATS[np.dtype(dtype).name]
    inf = inf_bits(dtype)
    if isinstance(value, mpmath.mpf):
        if mpmath.isnan(value):
            return inf | (1 << (mbits - 1))
        if mpmath.isinf(value):
            return inf | (0x8000 if value < 0 else 0)
    else:
        value = float(value)
        if math.isnan(value):
            return inf | (1 << (mbits - 1))
        if math.isinf(value):
            return inf | (0x8000 if value < 0 else 0)
        if value == 0:
            return 0x8000 if math.copysign(1.0, value) < 0 else 0
    q = _fraction(value)
    sign = 0x8000 if q < 0 else 0
    a = abs(q)
    if a == 0:
        return 0
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1                               # now 2**e <= a < 2**(e + 1)
    eq = max(e, emin)                        # the result's exponent (emin: subnormal)
    n = a / Fraction(2) ** (eq - mbits)      # a in units of the result's ULP
    r = n.numerator // n.denominator
    rem = n - r
    if rem > Fraction(1, 2) or (rem == Fraction(1, 2) and r % 2 == 1):
        r += 1
    # a normal r carries the implicit bit (r >= 2**mbits), which adds the 1 of the biased
    # exponent eq - emin + 1; rounding up past 2**(mbits + 1) carries into the exponent
    bits = ((eq - emin) << mbits) + r
    return sign | min(bits, inf)


def round_to(value, dtype):
    """``value`` rounded once to the half format, as a 0-d array of ``dtype``."""
    return np.array(round_bits(value, dtype), dtype=np.uint16).view(dtype)


def round_array(values, dtype):
    """Every element of ``values`` (floats or mpfs) rounded once to the half format."""
    values = np.asarray(values, dtype=object)
    bits = np.array([round_bits(v, dtype) for v in values.reshape(-1)], dtype=np.uint16)
    return bits.view(dtype).reshape(values.shape)
