"""The exact functions of :mod:`gelu_c`, evaluated with :mod:`mpmath`: the oracle.

Every accuracy check measures the compiled kernels against these definitions,
evaluated at 50 significant digits by default (plus guard digits).  Each function
of :mod:`gelu_c.registry` names its definition in its ``oracle`` field (a key of
:data:`DEFINITIONS`); a backward function ``f(dy, x)`` is ``dy`` times the
definition its ``oracle`` names, that of its derivative.

This module imports nothing from the compiled part of :mod:`gelu_c` (only the
standard library, :mod:`numpy`, :mod:`mpmath` and the registry, itself standard
library only), so it can also be loaded standalone from its file path, before the
package is built::

    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "definitions", "gelu_c/accuracy/definitions.py")
    definitions = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(definitions)

Definitions, with ``sigma(t) = 1 / (1 + exp(-t))`` the logistic function:

========================  ===================================================
``norm_cdf(x)``           ``Phi(x) = erfc(-x / sqrt(2)) / 2``
``gelu(x)``               ``x * Phi(x)``
``gelu_tanh(x)``          ``x * sigma(2 u)``, ``u = sqrt(2/pi) (x + 0.044715 x**3)``
                          (equal to ``x/2 (1 + tanh(u))``)
``gelu_sigmoid(x)``       ``x * sigma(1.702 x)``
``silu(x)``               ``x * sigma(x)``
``gelu_grad(x)``          ``Phi(x) + x phi(x)``, ``phi(x) = exp(-x**2/2) / sqrt(2 pi)``
``gelu_tanh_grad(x)``     ``s + 2 x s (1 - s) u'``, ``s = sigma(2u)``,
                          ``u' = sqrt(2/pi) (1 + 3 * 0.044715 x**2)``
``gelu_sigmoid_grad(x)``  ``s + 1.702 x s (1 - s)``, ``s = sigma(1.702 x)``
``silu_grad(x)``          ``s (1 + x (1 - s))``, ``s = sigma(x)``
``<f>_backward(dy, x)``   ``dy * <f>_grad(x)``
========================  ===================================================

The constants ``0.044715`` and ``1.702`` are the exact decimal numbers and
``sqrt(2/pi)`` the exact real number (all evaluated at the working precision,
never rounded to binary64 first).

Infinite arguments use the limits (:data:`LIMITS`): ``f(+inf) = +inf`` and
``f(-inf) = 0`` for the four GELU-like functions, ``Phi(-inf) = 0``,
``Phi(+inf) = 1``, and every derivative tends to 1 at ``+inf`` and to 0 at
``-inf``.  NaN gives NaN.

Notes
-----
*Deep underflow.*  When an exponential's argument is below ``-2**64`` the
value ``exp(z)`` (about ``2**-(2.66e19)``) is astronomically below every
binary subnormal; evaluating it to full relative precision would cost
``log2|z|`` extra bits.  Such values are returned as a power of two whose
exponent is ``floor(z / ln 2)`` evaluated at the working precision: correct
sign, and so tiny that every ULP measurement (floored at the smallest
subnormal) treats them as the exact value.  Results that can round to a
non-zero binary64 value are never affected.
"""
import functools
import math

import mpmath
import numpy as np

try:
    from .. import registry
except ImportError:         # loaded from its file path, outside the package
    def _load_registry():
        import importlib.util
        import os
        import sys

        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir,
                            "registry.py")
        spec = importlib.util.spec_from_file_location("_gelu_c_registry", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        return module

    registry = _load_registry()

__all__ = [
    "DEFAULT_DPS",
    "GUARD_DPS",
    "DEFINITIONS",
    "LIMITS",
    "definition",
    "exact",
    "exact_scalar",
    "reference",
]

#: Significant decimal digits of the exact values (guard digits come on top).
DEFAULT_DPS = 50
#: Guard digits added to the requested precision inside every evaluation.
GUARD_DPS = 25

_MPF = mpmath.mpf


# ---------------------------------------------------------------------------
# Scalar kernels (arguments are mpf, evaluated in the current mpmath context)
# ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _constants(prec):
    """Constants at binary precision ``prec`` (cached per precision)."""
    with mpmath.workprec(prec):
        return {
            "c": _MPF("0.044715"),
            "a": _MPF("1.702"),
            "k": mpmath.sqrt(2 / mpmath.pi),          # sqrt(2/pi)
            "rsqrt2": 1 / mpmath.sqrt(2),
            "rsqrt2pi": 1 / mpmath.sqrt(2 * mpmath.pi),
            "rsqrtpi": 1 / mpmath.sqrt(mpmath.pi),
            "deep": _MPF(2) ** 64,
            "big_erfc": _MPF(10) ** 30,
        }


def _exp(z):
    """``exp(z)``; deep-underflow placeholder below ``-2**64`` (see Notes)."""
    k = _constants(mpmath.mp.prec)
    if z < -k["deep"]:
        e = int(mpmath.floor(z / mpmath.ln2))
        return mpmath.ldexp(_MPF(1), e)
    return mpmath.exp(z)


def _sigmoid(t):
    """Logistic ``1 / (1 + exp(-t))`` without cancellation for either sign."""
    if t >= 0:
        return 1 / (1 + _exp(-t))
    e = _exp(t)
    return e / (1 + e)


def _erfc(t):
    """``erfc(t)``; for ``t > 1e30`` the leading asymptotic term.

    For ``t > 1e30`` the relative size of the first neglected term is
    ``1/(2 t**2) < 1e-60`` and the value is a deep underflow anyway.
    """
    k = _constants(mpmath.mp.prec)
    if t > k["big_erfc"]:
        return _exp(-t * t) * k["rsqrtpi"] / t
    return mpmath.erfc(t)


def _phi(x):
    """Standard normal density."""
    k = _constants(mpmath.mp.prec)
    return _exp(-x * x / 2) * k["rsqrt2pi"]


def _Phi(x):
    """Standard normal CDF ``erfc(-x/sqrt2)/2`` (accurate in both tails)."""
    k = _constants(mpmath.mp.prec)
    t = x * k["rsqrt2"]
    if t <= 0:
        return _erfc(-t) / 2
    return 1 - _erfc(t) / 2


def _u(x):
    k = _constants(mpmath.mp.prec)
    return k["k"] * (x + k["c"] * x * x * x)


def _du(x):
    k = _constants(mpmath.mp.prec)
    return k["k"] * (1 + 3 * k["c"] * x * x)


def _f_norm_cdf(x):
    return _Phi(x)


def _f_gelu(x):
    return x * _Phi(x)


def _f_gelu_tanh(x):
    return x * _sigmoid(2 * _u(x))


def _f_gelu_sigmoid(x):
    k = _constants(mpmath.mp.prec)
    return x * _sigmoid(k["a"] * x)


def _f_silu(x):
    return x * _sigmoid(x)


def _f_gelu_grad(x):
    return _Phi(x) + x * _phi(x)


def _f_gelu_tanh_grad(x):
    u2 = 2 * _u(x)
    s = _sigmoid(u2)
    sm = _sigmoid(-u2)          # 1 - s without cancellation
    return s + 2 * x * s * sm * _du(x)


def _f_gelu_sigmoid_grad(x):
    k = _constants(mpmath.mp.prec)
    t = k["a"] * x
    s = _sigmoid(t)
    sm = _sigmoid(-t)
    return s + t * s * sm


def _f_silu_grad(x):
    s = _sigmoid(x)
    sm = _sigmoid(-x)
    return s * (1 + x * sm)


#: The definitions of finite arguments, by oracle name (``registry.get(name).oracle``):
#: functions of one mpf evaluated in the current mpmath context.
DEFINITIONS = {
    "norm_cdf": _f_norm_cdf,
    "gelu": _f_gelu,
    "gelu_tanh": _f_gelu_tanh,
    "gelu_sigmoid": _f_gelu_sigmoid,
    "silu": _f_silu,
    "gelu_grad": _f_gelu_grad,
    "gelu_tanh_grad": _f_gelu_tanh_grad,
    "gelu_sigmoid_grad": _f_gelu_sigmoid_grad,
    "silu_grad": _f_silu_grad,
}

#: The limits at (-inf, +inf) of each definition, by oracle name.
LIMITS = {
    "norm_cdf": (0, 1),
    "gelu": (0, "inf"),
    "gelu_tanh": (0, "inf"),
    "gelu_sigmoid": (0, "inf"),
    "silu": (0, "inf"),
    "gelu_grad": (0, 1),
    "gelu_tanh_grad": (0, 1),
    "gelu_sigmoid_grad": (0, 1),
    "silu_grad": (0, 1),
}


def _oracle_key(name):
    """The :data:`DEFINITIONS` key of a function name (ValueError for an unknown name)."""
    key = registry.get(name).oracle
    if key not in DEFINITIONS:
        raise LookupError(f"{name}: the registry names the definition {key!r}, which "
                          f"gelu_c/accuracy/definitions.py does not have")
    return key


def definition(name):
    """The definition a function is measured against, as a function of one mpf.

    Parameters
    ----------
    name : str
        A gelu_c function name (see :func:`gelu_c.registry.names`); for a backward
        function, the definition of its derivative (the factor of ``dy``).

    Returns
    -------
    callable
        ``mpf -> mpf`` for finite arguments, in the current mpmath context.
    """
    return DEFINITIONS[_oracle_key(name)]


@functools.lru_cache(maxsize=1 << 18)
def _unary_cached(key, xf, dps):
    with mpmath.workdps(dps + GUARD_DPS):
        return DEFINITIONS[key](_MPF(xf))


def _unary(key, x, dps):
    """The definition ``key`` at one point (a float or an mpf)."""
    if isinstance(x, mpmath.mpf):
        if mpmath.isnan(x):
            return _MPF("nan")
        if mpmath.isinf(x):
            return _MPF(LIMITS[key][1 if x > 0 else 0])
        with mpmath.workdps(dps + GUARD_DPS):
            return DEFINITIONS[key](x)
    xf = float(x)
    if math.isnan(xf):
        return _MPF("nan")
    if math.isinf(xf):
        return _MPF(LIMITS[key][1 if xf > 0 else 0])
    return _unary_cached(key, xf, int(dps))


def exact_scalar(name, x, dy=None, dps=DEFAULT_DPS):
    """Exact value of one function at one point.

    Parameters
    ----------
    name : str
        A gelu_c function name.
    x : float or mpmath.mpf
        The argument (a binary float is converted exactly).
    dy : float or mpmath.mpf, optional
        The upstream gradient; required for the backward functions and
        forbidden otherwise.
    dps : int, optional
        Significant decimal digits wanted (guard digits are added).

    Returns
    -------
    mpmath.mpf
        The true value (``nan`` for a NaN argument; the limit for an infinite
        one).  ``-0.0`` results are returned as an unsigned mpf zero.
    """
    f = registry.get(name)
    key = _oracle_key(name)
    if f.nin == 2:
        if dy is None:
            raise TypeError(f"{name} needs dy")
        g = _unary(key, x, dps)
        with mpmath.workdps(dps + GUARD_DPS):
            return _MPF(dy) * g
    if dy is not None:
        raise TypeError(f"{name} takes no dy")
    return _unary(key, x, dps)


def _as_float_array(a):
    a = np.asarray(a)
    if a.dtype.kind != "f":
        a = a.astype(np.float64)
    return a


def exact(name, x, dy=None, dps=DEFAULT_DPS):
    """Exact values of ``name`` at every element of ``x`` (and ``dy``).

    Parameters
    ----------
    name : str
        A gelu_c function name.
    x : array_like of float
        Arguments; every binary float is converted to mpf exactly.
    dy : array_like of float, optional
        Upstream gradients for the backward functions (broadcast with ``x``).
    dps : int, optional
        Significant decimal digits (at least 40 is recommended; default 50).

    Returns
    -------
    numpy.ndarray of object
        ``mpmath.mpf`` values, shaped like ``broadcast(x, dy)``.
    """
    f = registry.get(name)
    key = _oracle_key(name)
    x = _as_float_array(x)
    if f.nin == 2:
        if dy is None:
            raise TypeError(f"{name} needs dy")
        dy = _as_float_array(dy)
        xb, dyb = np.broadcast_arrays(x, dy)
        out = np.empty(xb.shape, dtype=object)
        with mpmath.workdps(dps + GUARD_DPS):
            for idx in np.ndindex(xb.shape):
                g = _unary(key, float(xb[idx]), dps)
                out[idx] = _MPF(float(dyb[idx])) * g
        return out
    if dy is not None:
        raise TypeError(f"{name} takes no dy")
    out = np.empty(x.shape, dtype=object)
    for idx in np.ndindex(x.shape):
        out[idx] = _unary(key, float(x[idx]), dps)
    return out


def reference(name, x, dy=None, dps=DEFAULT_DPS):
    """Exact values rounded to float64.

    Parameters
    ----------
    name, x, dy, dps
        As for :func:`exact`.

    Returns
    -------
    numpy.ndarray of float64
        The mpmath values rounded to the nearest binary64 number (``inf``
        beyond the binary64 range, signed zero lost).
    """
    ex = exact(name, x, dy, dps=dps)
    out = np.empty(ex.shape, dtype=np.float64)
    for idx in np.ndindex(ex.shape):
        out[idx] = _to_float64(ex[idx])
    return out


def _to_float64(v):
    """Round an mpf to the nearest binary64 (correct also for subnormals)."""
    if mpmath.isnan(v):
        return math.nan
    if mpmath.isinf(v):
        return math.inf if v > 0 else -math.inf
    if v == 0:
        return 0.0
    m, e = mpmath.frexp(v)
    e = int(e)
    if e > 1024:
        return math.copysign(math.inf, float(m))
    # quantum of the binade (floored at the subnormal quantum 2**-1074)
    q = max(e - 53, -1074)
    n = int(mpmath.nint(mpmath.ldexp(v, -q)))   # round half to even
    try:
        return math.ldexp(float(n), q)           # n has <= 53 bits: exact
    except OverflowError:
        return math.copysign(math.inf, n)
