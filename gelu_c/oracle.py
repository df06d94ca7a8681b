"""High-precision reference values for the functions of :mod:`gelu_c`.

This module is the *independent* oracle the test-suite measures the compiled
kernels against.  It evaluates the true real-valued functions with
:mod:`mpmath` (50 significant digits by default, plus guard digits) and
measures errors in units in the last place (ULPs) of the output dtype.

It imports nothing from the compiled part of :mod:`gelu_c` (only the standard
library, :mod:`numpy` and :mod:`mpmath`; :mod:`scipy` lazily and optionally,
for :func:`float64_special` only), so it can also be loaded standalone from its
file path::

    import importlib.util
    spec = importlib.util.spec_from_file_location("oracle", "gelu_c/oracle.py")
    oracle = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(oracle)

Definitions (see ``SPEC.md``), with ``s = sigma(.)`` the logistic function
``1 / (1 + exp(-t))``:

========================  ===================================================
``norm_cdf(x)``           ``Phi(x) = erfc(-x / sqrt(2)) / 2``
``gelu(x)``               ``x * Phi(x)``
``gelu_tanh(x)``          ``x * sigma(2 u)``, ``u = sqrt(2/pi) (x + 0.044715 x**3)``
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

Infinite arguments use the limits: ``f(+inf) = +inf`` and ``f(-inf) = 0``
for the four GELU-like functions, ``Phi(-inf) = 0``, ``Phi(+inf) = 1``, and
every derivative tends to 1 at ``+inf`` and to 0 at ``-inf``.  NaN gives NaN.

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

__all__ = [
    "NAMES",
    "UNARY",
    "BINARY",
    "PRIMAL",
    "GRADS",
    "BACKWARD",
    "GRAD_OF",
    "PRIMAL_OF",
    "exact",
    "exact_scalar",
    "reference",
    "scipy_reference",
    "float64_special",
    "ulp",
    "ulp_error",
    "abs_error",
    "derivative_zeros",
    "ZERO_BAND",
    "near_derivative_zero",
    "zero_band_allowance",
    "underflow_threshold",
]

#: The five primal functions.
PRIMAL = ("norm_cdf", "gelu", "gelu_tanh", "gelu_sigmoid", "silu")
#: The four derivatives (one argument).
GRADS = ("gelu_grad", "gelu_tanh_grad", "gelu_sigmoid_grad", "silu_grad")
#: The four backward functions ``f(dy, x) = dy * f'(x)`` (two arguments).
BACKWARD = ("gelu_backward", "gelu_tanh_backward", "gelu_sigmoid_backward",
            "silu_backward")
#: Every one-argument function.
UNARY = PRIMAL + GRADS
#: Every two-argument function.
BINARY = BACKWARD
#: All 13 names accepted by the oracle (the ufunc names of :mod:`gelu_c`).
NAMES = UNARY + BINARY

#: Name of the derivative a grad / backward function evaluates, by family.
GRAD_OF = {
    "gelu": "gelu_grad", "gelu_tanh": "gelu_tanh_grad",
    "gelu_sigmoid": "gelu_sigmoid_grad", "silu": "silu_grad",
    "gelu_grad": "gelu_grad", "gelu_tanh_grad": "gelu_tanh_grad",
    "gelu_sigmoid_grad": "gelu_sigmoid_grad", "silu_grad": "silu_grad",
    "gelu_backward": "gelu_grad", "gelu_tanh_backward": "gelu_tanh_grad",
    "gelu_sigmoid_backward": "gelu_sigmoid_grad",
    "silu_backward": "silu_grad",
}
#: The primal function a grad / backward function differentiates.
PRIMAL_OF = {
    "gelu_grad": "gelu", "gelu_tanh_grad": "gelu_tanh",
    "gelu_sigmoid_grad": "gelu_sigmoid", "silu_grad": "silu",
    "gelu_backward": "gelu", "gelu_tanh_backward": "gelu_tanh",
    "gelu_sigmoid_backward": "gelu_sigmoid", "silu_backward": "silu",
}

DEFAULT_DPS = 50
#: Guard digits added to the requested precision inside every evaluation.
GUARD_DPS = 25

_MPF = mpmath.mpf


def _check_name(name):
    if name not in NAMES:
        raise ValueError(f"unknown function name {name!r}; expected one of "
                         f"{', '.join(NAMES)}")


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


_FINITE = {
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

# Limits at (-inf, +inf) of each one-argument function.
_LIMITS = {
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


@functools.lru_cache(maxsize=1 << 18)
def _unary_cached(name, xf, dps):
    with mpmath.workdps(dps + GUARD_DPS):
        return _FINITE[name](_MPF(xf))


def exact_scalar(name, x, dy=None, dps=DEFAULT_DPS):
    """Exact value of one function at one point.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
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
    _check_name(name)
    if name in BACKWARD:
        if dy is None:
            raise TypeError(f"{name} needs dy")
        g = exact_scalar(GRAD_OF[name], x, dps=dps)
        with mpmath.workdps(dps + GUARD_DPS):
            return _MPF(dy) * g
    if dy is not None:
        raise TypeError(f"{name} takes no dy")
    if isinstance(x, mpmath.mpf):
        if mpmath.isnan(x):
            return _MPF("nan")
        if mpmath.isinf(x):
            return _MPF(_LIMITS[name][1 if x > 0 else 0])
        with mpmath.workdps(dps + GUARD_DPS):
            return _FINITE[name](x)
    xf = float(x)
    if math.isnan(xf):
        return _MPF("nan")
    if math.isinf(xf):
        return _MPF(_LIMITS[name][1 if xf > 0 else 0])
    return _unary_cached(name, xf, int(dps))


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
        One of :data:`NAMES` (the 13 ufunc names of :mod:`gelu_c`).
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
    _check_name(name)
    x = _as_float_array(x)
    if name in BACKWARD:
        if dy is None:
            raise TypeError(f"{name} needs dy")
        dy = _as_float_array(dy)
        xb, dyb = np.broadcast_arrays(x, dy)
        out = np.empty(xb.shape, dtype=object)
        gname = GRAD_OF[name]
        with mpmath.workdps(dps + GUARD_DPS):
            for idx in np.ndindex(xb.shape):
                g = exact_scalar(gname, float(xb[idx]), dps=dps)
                out[idx] = _MPF(float(dyb[idx])) * g
        return out
    if dy is not None:
        raise TypeError(f"{name} takes no dy")
    out = np.empty(x.shape, dtype=object)
    for idx in np.ndindex(x.shape):
        out[idx] = exact_scalar(name, float(x[idx]), dps=dps)
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


def float64_special():
    """``(ndtr, expit)`` evaluated in float64: SciPy's, or stand-ins without SciPy.

    SciPy is not a dependency of gelu_c (only of its tests and benchmarks), but the
    report of ``python -m gelu_c`` needs a float64 Phi and sigmoid. Without SciPy,
    ``ndtr(x) = erfc(-x/sqrt 2)/2`` with the standard library's ``math.erfc``
    elementwise (SciPy's ndtr takes the same route, through its own erfc) and
    ``expit(x)`` as ``1/(1 + e)`` or ``e/(1 + e)`` with ``e = exp(-|x|)`` in NumPy: a
    few float64 ulps either way, far below anything the report prints.

    Returns
    -------
    (callable, callable)
        Array -> float64 array functions.
    """
    try:
        from scipy import special as sc
        return sc.ndtr, sc.expit
    except ImportError:
        pass
    erfc = np.frompyfunc(math.erfc, 1, 1)

    def ndtr(x):
        x = np.asarray(x, dtype=np.float64)
        return 0.5 * erfc(x * -math.sqrt(0.5)).astype(np.float64)

    def expit(x):
        # exp(-|x|) never overflows, and for x < 0 the quotient e / (1 + e) keeps
        # the tiny (down to subnormal) values that 1 / (1 + exp(-x)) rounds to 0
        x = np.asarray(x, dtype=np.float64)
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    return ndtr, expit


def scipy_reference(name, x, dy=None):
    """A float64 reference from :mod:`scipy.special` (independent double-check).

    Without SciPy installed, the stand-ins of :func:`float64_special` are used.

    Only as accurate as float64 evaluation allows: good to about ``1e-13``
    relative for ``norm_cdf``/``gelu``/``gelu_grad`` on ``[-37, 8]`` and the
    sigmoid family where the exponent argument is moderate, worse near the
    zeros of the derivatives (absolute error about ``1e-16`` there).  Used to
    cross-check this oracle and for the exhaustive float32 sweep; never for
    float64 outputs.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    x, dy : array_like
        Arguments (converted to float64).

    Returns
    -------
    numpy.ndarray of float64
    """
    ndtr, expit = float64_special()

    _check_name(name)
    x = np.asarray(x, dtype=np.float64)
    k = math.sqrt(2 / math.pi)
    c = 0.044715
    a = 1.702
    with np.errstate(all="ignore"):
        if name in BACKWARD:
            if dy is None:
                raise TypeError(f"{name} needs dy")
            return np.asarray(dy, dtype=np.float64) * scipy_reference(
                GRAD_OF[name], x)
        if name == "norm_cdf":
            return ndtr(x)
        if name == "gelu":
            return x * ndtr(x)
        if name == "gelu_grad":
            return ndtr(x) + x * (np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi))
        if name == "silu":
            return x * expit(x)
        if name == "silu_grad":
            s = expit(x)
            return s * (1 + x * expit(-x))
        if name == "gelu_sigmoid":
            return x * expit(a * x)
        if name == "gelu_sigmoid_grad":
            s = expit(a * x)
            return s + a * x * s * expit(-a * x)
        u2 = 2 * k * (x + c * x ** 3)
        if name == "gelu_tanh":
            return x * expit(u2)
        if name == "gelu_tanh_grad":
            s = expit(u2)
            return s + 2 * x * s * expit(-u2) * k * (1 + 3 * c * x * x)
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------
# ULPs and errors
# ---------------------------------------------------------------------------

def _format(dtype):
    """(p, emin, emax) of a binary floating dtype: precision in bits, the
    exponent of the smallest normal and of the largest finite binade."""
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
    p, emin, _ = _format(dtype)
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
    """Errors of computed values, in ULPs of their dtype, against the oracle.

    Parameters
    ----------
    name : str
        One of :data:`NAMES`.
    computed : numpy.ndarray of float32 or float64
        The values under test; their dtype sets ``p`` and the ULP floor.
    x, dy : array_like
        The arguments that produced ``computed``.
    exact_values : array_like of mpf, optional
        Precomputed ``exact(name, x, dy)`` (saves recomputation).

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
    _, _, emax = _format(dtype)
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


# ---------------------------------------------------------------------------
# Zeros of the derivatives, underflow thresholds
# ---------------------------------------------------------------------------

_ZERO_SCAN = (-12.0, 12.0, 0.01)


@functools.lru_cache(maxsize=None)
def derivative_zeros(name):
    """Zeros (in x) of the derivative of a function's family.

    Parameters
    ----------
    name : str
        Any of :data:`NAMES`; a primal, grad or backward name selects the
        derivative of its family (``gelu``/``gelu_grad``/``gelu_backward``
        all give the zeros of GELU').  ``norm_cdf`` has none (``phi > 0``).

    Returns
    -------
    tuple of mpmath.mpf
        Every zero, found by scanning ``[-12, 12]`` in steps of 0.01 for sign
        changes of the exact derivative and refining with
        :func:`mpmath.findroot` at 50 digits.  (Outside that interval the
        derivatives keep the sign of their limits: they are negative and tend
        to 0 from below as ``x -> -inf`` and exceed ``1/2`` for ``x > 1``.)
    """
    _check_name(name)
    if name == "norm_cdf":
        return ()
    g = _FINITE[GRAD_OF[name]]
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


#: Half-width (in x) of the band around a zero of a derivative where the accuracy
#: bound of the derivative (and of its backward function) is absolute.
ZERO_BAND = 1e-3


def near_derivative_zero(name, x):
    """Mask of the ``x`` within :data:`ZERO_BAND` of a zero of ``name``'s derivative.

    Parameters
    ----------
    name : str
        Any of :data:`NAMES` (see :func:`derivative_zeros`).
    x : array_like
        Arguments.

    Returns
    -------
    numpy.ndarray of bool
    """
    x64 = np.asarray(x).astype(np.float64)
    mask = np.zeros(x64.shape, dtype=bool)
    for z in derivative_zeros(name):
        mask |= np.abs(x64 - float(z)) <= ZERO_BAND
    return mask


def zero_band_allowance(name, dtype, x, dy=None):
    """Absolute error allowed within :data:`ZERO_BAND` of a derivative zero.

    There a derivative's relative error is unbounded (the exact value goes through
    0), so the spec bounds its absolute error instead: one ULP of 0.5 in ``dtype``.
    A backward function ``dy * f'(x)`` carries that allowance times ``|dy|``, plus
    half an ULP of the largest product an in-spec derivative can give,
    ``|dy| * (|f'(x)| + ulp(0.5))`` (the rounding of the final product).

    Parameters
    ----------
    name : str
        A grad or backward name.
    dtype : numpy dtype-like
        float32 or float64.
    x, dy : array_like
        Arguments (``dy`` for a backward name only).

    Returns
    -------
    numpy.ndarray of object
        mpf allowances, one per ``x``.
    """
    if name not in GRADS + BACKWARD:
        raise ValueError(f"{name!r} is not a derivative: no zero band")
    x = np.asarray(x)
    u_half = ulp(_MPF(0.5), dtype)
    if name in GRADS:
        return np.full(x.shape, u_half, dtype=object)
    g = exact(GRAD_OF[name], x)
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
        A one-argument name (primal or grad).
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
    if name not in UNARY:
        raise ValueError("underflow_threshold needs a one-argument name")
    p, emin, _ = _format(dtype)
    target = mpmath.log(_MPF(level)) + (emin - p + 1) * mpmath.log(2)
    f = _FINITE[name]
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
