"""A float64 evaluation of every function, from SciPy's ``ndtr`` and ``expit``.

Independent of the mpmath definitions (:mod:`gelu_c.accuracy.definitions`) and of
gelu_c's kernels: the cross-check of the former, the reference of the exhaustive
float32 sweep, and the formulas the decimal-place table compares.  SciPy is not a
dependency of gelu_c; it is imported lazily, and without it NumPy/standard-library
stand-ins are used (:func:`float64_special`).
"""
import math

import numpy as np

from .. import registry

__all__ = ["float64_special", "scipy_reference"]


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


def _float64(key, x, ndtr, expit):
    """The definition ``key`` (an oracle name of the registry) in float64."""
    k = math.sqrt(2 / math.pi)
    c = 0.044715
    a = 1.702
    if key == "norm_cdf":
        return ndtr(x)
    if key == "gelu":
        return x * ndtr(x)
    if key == "gelu_grad":
        return ndtr(x) + x * (np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi))
    if key == "silu":
        return x * expit(x)
    if key == "silu_grad":
        s = expit(x)
        return s * (1 + x * expit(-x))
    if key == "gelu_sigmoid":
        return x * expit(a * x)
    if key == "gelu_sigmoid_grad":
        s = expit(a * x)
        return s + a * x * s * expit(-a * x)
    u2 = 2 * k * (x + c * x ** 3)
    if key == "gelu_tanh":
        return x * expit(u2)
    if key == "gelu_tanh_grad":
        s = expit(u2)
        return s + 2 * x * s * expit(-u2) * k * (1 + 3 * c * x * x)
    raise LookupError(f"no float64 formula for the definition {key!r} in "
                      "gelu_c/accuracy/scipy_reference.py")


def scipy_reference(name, x, dy=None):
    """A float64 reference from :mod:`scipy.special` (independent double-check).

    Without SciPy installed, the stand-ins of :func:`float64_special` are used.

    Only as accurate as float64 evaluation allows: good to about ``1e-13``
    relative for ``norm_cdf``/``gelu``/``gelu_grad`` on ``[-37, 8]`` and the
    sigmoid family where the exponent argument is moderate, worse near the
    zeros of the derivatives (absolute error about ``1e-16`` there).  Used to
    cross-check the mpmath definitions and for the exhaustive float32 sweep;
    never for float64 outputs.

    Parameters
    ----------
    name : str
        A gelu_c function name (a backward one is ``dy`` times the formula of
        the definition its registry entry names).
    x, dy : array_like
        Arguments (converted to float64).

    Returns
    -------
    numpy.ndarray of float64
    """
    ndtr, expit = float64_special()

    f = registry.get(name)
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        if f.nin == 2:
            if dy is None:
                raise TypeError(f"{name} needs dy")
            return np.asarray(dy, dtype=np.float64) * _float64(f.oracle, x, ndtr, expit)
        if dy is not None:
            raise TypeError(f"{name} takes no dy")
        return _float64(f.oracle, x, ndtr, expit)
