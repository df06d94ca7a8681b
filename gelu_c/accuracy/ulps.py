"""Errors of computed values against the exact ones, in ULPs of the output type.

The ULP of an exact value ``y`` in a binary format of precision ``p`` is
``2**(floor(log2|y|) - (p - 1))``, floored at the smallest subnormal (also for
``y == 0``); see :func:`ulp`.  The exact values come from
:mod:`gelu_c.accuracy.definitions` unless the caller passes them.
"""
import math

import mpmath
import numpy as np

from .definitions import DEFAULT_DPS, GUARD_DPS, exact

__all__ = ["binary_format", "ulp", "ulp_error", "abs_error"]

_MPF = mpmath.mpf


def binary_format(dtype):
    """``(p, emin, emax)`` of a binary floating dtype: the precision in bits, the
    exponent of the smallest normal and that of the largest finite binade."""
    fi = np.finfo(np.dtype(dtype))
    p = int(fi.nmant) + 1
    emin = int(fi.minexp)
    emax = int(fi.maxexp) - 1
    return p, emin, emax


def ulp(value, dtype):
    """ULP of an exact value in a binary floating dtype.

    Parameters
    ----------
    value : mpmath.mpf or float
        The (exact) value ``y``.
    dtype : numpy dtype-like
        ``float32`` (p = 24) or ``float64`` (p = 53); any binary float works.

    Returns
    -------
    mpmath.mpf
        ``2**(floor(log2|y|) - (p - 1))``, floored at the smallest subnormal
        (``2**-149`` / ``2**-1074``), which is also the value for ``y == 0``
        and for every ``|y|`` below the smallest normal.  The formula is used
        unchanged above the largest finite number.
    """
    p, emin, _ = binary_format(dtype)
    floor_exp = emin - (p - 1)                  # smallest subnormal's exponent
    v = _MPF(value)
    if mpmath.isnan(v) or mpmath.isinf(v):
        raise ValueError("ulp of a non-finite value")
    if v == 0:
        return mpmath.ldexp(_MPF(1), floor_exp)
    _, e = mpmath.frexp(v)                      # |v| = m 2**e, 0.5 <= m < 1
    return mpmath.ldexp(_MPF(1), max(int(e) - 1 - (p - 1), floor_exp))


def _computed_as_mpf(c, emax):
    """mpf value of a computed float; +-inf become +-2**(emax+1)."""
    cf = float(c)
    if math.isinf(cf):
        return mpmath.ldexp(_MPF(1 if cf > 0 else -1), emax + 1)
    return _MPF(cf)


def _prepare(name, computed, x, dy, exact_values):
    computed = np.asarray(computed)
    if computed.dtype.kind != "f":
        raise TypeError("computed must be a floating array")
    if exact_values is None:
        exact_values = exact(name, x, dy)
    exact_values = np.asarray(exact_values, dtype=object)
    comp_b, ex_b = np.broadcast_arrays(computed, exact_values)
    return computed.dtype, comp_b, ex_b


def ulp_error(name, computed, x, dy=None, exact_values=None):
    """Errors of computed values, in ULPs of their dtype, against the exact values.

    Parameters
    ----------
    name : str
        A gelu_c function name.
    computed : numpy.ndarray of float32 or float64
        The values under test; their dtype sets ``p`` and the ULP floor.
    x, dy : array_like
        The arguments that produced ``computed``.
    exact_values : array_like of mpf, optional
        Precomputed ``definitions.exact(name, x, dy)`` (saves recomputation).

    Returns
    -------
    numpy.ndarray of float64
        ``|computed - exact| / ulp(exact, dtype)``, the difference taken in
        mpmath.  Conventions: NaN expected and NaN computed gives 0, a NaN on
        one side only gives ``inf``; an infinite exact value must be matched
        exactly (0, else ``inf``); a computed ``+-inf`` for a finite exact
        value counts as ``+-2**(emax+1)`` (the first power of two past the
        largest finite number), so a correctly rounded overflow has error 0.
        Signed zeros are not distinguished.
    """
    dtype, comp_b, ex_b = _prepare(name, computed, x, dy, exact_values)
    _, _, emax = binary_format(dtype)
    out = np.empty(comp_b.shape, dtype=np.float64)
    with mpmath.workdps(DEFAULT_DPS + GUARD_DPS):
        for idx in np.ndindex(comp_b.shape):
            c = comp_b[idx]
            e = ex_b[idx]
            cnan = bool(np.isnan(c))
            if mpmath.isnan(e):
                out[idx] = 0.0 if cnan else math.inf
                continue
            if cnan:
                out[idx] = math.inf
                continue
            if mpmath.isinf(e):
                out[idx] = 0.0 if float(c) == float(e) else math.inf
                continue
            if np.isinf(c) and (float(c) > 0) != (e > 0):
                out[idx] = math.inf
                continue
            cv = _computed_as_mpf(c, emax)
            if np.isinf(c):
                diff = max(abs(cv) - abs(e), _MPF(0))
            else:
                diff = abs(cv - e)
            out[idx] = float(diff / ulp(e, dtype))
    return out


def abs_error(name, computed, x, dy=None, exact_values=None):
    """Absolute errors ``|computed - exact|`` as mpf values.

    Parameters
    ----------
    name, computed, x, dy, exact_values
        As for :func:`ulp_error`.

    Returns
    -------
    numpy.ndarray of object
        mpf absolute errors (``inf`` for a NaN/inf mismatch, 0 for matching
        NaNs or matching infinities).
    """
    _, comp_b, ex_b = _prepare(name, computed, x, dy, exact_values)
    out = np.empty(comp_b.shape, dtype=object)
    inf = _MPF("inf")
    with mpmath.workdps(DEFAULT_DPS + GUARD_DPS):
        for idx in np.ndindex(comp_b.shape):
            c = comp_b[idx]
            e = ex_b[idx]
            cnan = bool(np.isnan(c))
            if mpmath.isnan(e) or cnan:
                out[idx] = _MPF(0) if (cnan and mpmath.isnan(e)) else inf
            elif mpmath.isinf(e) or np.isinf(c):
                out[idx] = _MPF(0) if float(c) == float(e) else inf
            else:
                out[idx] = abs(_MPF(float(c)) - e)
    return out
