"""Where the functions go through or down to zero, and the absolute bound there.

* The zeros of each family's derivative (:func:`derivative_zeros`), found in the
  exact definitions.
* The band around them where a function's bound is absolute rather than relative
  (the exact value goes through 0, so ULPs of it mean nothing): its half-width and
  the allowance come from the function's :class:`gelu_c.registry.Bound`
  (``zero_band``, ``zero_band_ulps_of_half``); see :func:`zero_band`,
  :func:`near_derivative_zero` and :func:`zero_band_allowance`.
* Where a value underflows in a given dtype (:func:`underflow_threshold`).
"""
import functools

import mpmath
import numpy as np

from .. import registry
from .definitions import DEFAULT_DPS, GUARD_DPS, definition, exact
from .ulps import binary_format, ulp

__all__ = ["derivative_zeros", "zero_band", "near_derivative_zero", "zero_band_allowance",
           "underflow_threshold"]

_MPF = mpmath.mpf
_ZERO_SCAN = (-12.0, 12.0, 0.01)


@functools.lru_cache(maxsize=None)
def derivative_zeros(name):
    """Zeros (in x) of the derivative of a function's family.

    Parameters
    ----------
    name : str
        A gelu_c function name; a value, grad or backward name selects the
        derivative of its family (``gelu``/``gelu_grad``/``gelu_backward``
        all give the zeros of GELU').  A family without a derivative function
        (``norm_cdf``) has none (and Phi' = phi > 0).

    Returns
    -------
    tuple of mpmath.mpf
        Every zero, found by scanning ``[-12, 12]`` in steps of 0.01 for sign
        changes of the exact derivative and refining with
        :func:`mpmath.findroot` at 50 digits.  (Outside that interval the
        derivatives keep the sign of their limits: they are negative and tend
        to 0 from below as ``x -> -inf`` and exceed ``1/2`` for ``x > 1``.)
    """
    grad = registry.grad_of(name)
    if grad is None:
        return ()
    g = definition(grad)
    lo, hi, step = _ZERO_SCAN
    n = int(round((hi - lo) / step))
    zeros = []
    with mpmath.workdps(DEFAULT_DPS + GUARD_DPS):
        prev_x = _MPF(lo)
        prev_v = g(prev_x)
        for i in range(1, n + 1):
            cx = _MPF(lo) + i * _MPF(step)
            cv = g(cx)
            if prev_v == 0:
                zeros.append(prev_x)
            elif (prev_v < 0) != (cv < 0) and cv != 0:
                r = mpmath.findroot(g, (prev_x, cx), solver="anderson")
                zeros.append(+r)
            prev_x, prev_v = cx, cv
    with mpmath.workdps(DEFAULT_DPS):
        return tuple(+z for z in zeros)


def zero_band(name):
    """Half-width (in x) of the band around a derivative zero where ``name``'s bound
    is absolute: its bound's ``zero_band`` (0: no such band, the bound is relative
    everywhere; values have none)."""
    f = registry.get(name)
    return f.accuracy.zero_band if f.has_zero_band else 0.0


def near_derivative_zero(name, x):
    """Mask of the ``x`` within :func:`zero_band` of a zero of ``name``'s derivative.

    Parameters
    ----------
    name : str
        A gelu_c function name (see :func:`derivative_zeros`).
    x : array_like
        Arguments.

    Returns
    -------
    numpy.ndarray of bool
        All false for a function whose bound has no zero band.
    """
    x64 = np.asarray(x).astype(np.float64)
    mask = np.zeros(x64.shape, dtype=bool)
    band = zero_band(name)
    if not band:
        return mask
    for z in derivative_zeros(name):
        mask |= np.abs(x64 - float(z)) <= band
    return mask


def zero_band_allowance(name, dtype, x, dy=None):
    """Absolute error allowed within :func:`zero_band` of a derivative zero.

    There a derivative's relative error is unbounded (the exact value goes through
    0), so its bound is absolute instead: ``zero_band_ulps_of_half`` ULPs of 0.5 in
    ``dtype`` (the function's :class:`gelu_c.registry.Bound`). A backward function
    ``dy * f'(x)`` carries that allowance times ``|dy|``, plus half an ULP of the
    largest product a derivative within its bound can give,
    ``|dy| * (|f'(x)| + allowance)`` (the rounding of the final product).

    Parameters
    ----------
    name : str
        A function whose bound has a zero band (a grad or backward name).
    dtype : numpy dtype-like
        float32 or float64.
    x, dy : array_like
        Arguments (``dy`` for a backward name only).

    Returns
    -------
    numpy.ndarray of object
        mpf allowances, one per ``x``.
    """
    f = registry.get(name)
    bound = f.accuracy
    if not f.has_zero_band:
        raise ValueError(f"{name!r} has no zero band: its bound is {f.describe_bound()}")
    x = np.asarray(x)
    u_half = bound.zero_band_ulps_of_half * ulp(_MPF(0.5), dtype)
    if f.nin == 1:
        return np.full(x.shape, u_half, dtype=object)
    g = exact(registry.grad_of(name), x)
    dy = np.asarray(dy)
    out = np.empty(x.shape, dtype=object)
    with mpmath.workdps(80):
        for i in np.ndindex(x.shape):
            ady = abs(_MPF(float(dy[i])))
            out[i] = ady * u_half + ulp(ady * (abs(g[i]) + u_half), dtype) / 2
    return out


@functools.lru_cache(maxsize=None)
def underflow_threshold(name, dtype, level=0.5):
    """Negative x where ``|f(x)|`` falls to ``level`` smallest subnormals.

    Parameters
    ----------
    name : str
        A one-argument function name (value or grad).
    dtype : numpy dtype-like
        float32 or float64 (sets the smallest subnormal).
    level : float, optional
        Multiple of the smallest subnormal; 0.5 (default) is the rounding
        boundary below which the correctly rounded result is zero.

    Returns
    -------
    float
        ``x < -1`` with ``|f(x)| = level * 2**(emin - p + 1)`` (bisection on
        ``log|f|``, to float64 accuracy); ``|f|`` decreases monotonically
        below it.
    """
    if registry.get(name).nin != 1:
        raise ValueError("underflow_threshold needs a one-argument name")
    p, emin, _ = binary_format(dtype)
    target = mpmath.log(_MPF(level)) + (emin - p + 1) * mpmath.log(2)
    f = definition(name)
    with mpmath.workdps(DEFAULT_DPS + GUARD_DPS):
        def logabs(v):
            return mpmath.log(abs(f(_MPF(v))))
        lo, hi = -2.0, -1.0      # lo: |f| below target; hi: above
        while logabs(lo) > target:
            lo *= 2
            if lo < -1e6:
                raise RuntimeError("no underflow found")
        for _ in range(200):
            mid = (lo + hi) / 2
            if mid == lo or mid == hi:
                break
            if logabs(mid) > target:
                hi = mid
            else:
                lo = mid
    return hi
