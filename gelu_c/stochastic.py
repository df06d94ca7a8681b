"""Stochastic GELU: x times a Bernoulli(Phi(x)) mask, whose expectation is GELU(x)."""
import numpy as np

from . import fast as _fast

__all__ = ["stochastic_gelu"]

_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def stochastic_gelu(x, rng=None, out=None):
    """Stochastic GELU: ``x * m`` with ``m ~ Bernoulli(Phi(x))`` drawn per element.

    The stochastic regulariser whose expectation is GELU (Hendrycks & Gimpel, 2016):
    each element is kept with probability Phi(x) and set to zero otherwise, so
    ``mean(stochastic_gelu(x))`` over many draws tends to ``gelu(x) = x * Phi(x)``.

    Parameters
    ----------
    x : array_like
        Input, float32 or float64 (integers and bools are promoted to float64, as
        NumPy's float functions do), any shape.
    rng : numpy.random.Generator or int or None, optional
        Source of the uniform draws, or a seed for ``numpy.random.default_rng``;
        None draws from fresh OS entropy. One uniform is drawn per element, in C
        order, whatever the kernel path, so a seeded call is reproducible.
    out : ndarray, optional
        Where to write the result: same shape and dtype as the (promoted) input.

    Returns
    -------
    ndarray
        ``x`` where the mask keeps it, otherwise a zero with x's sign (so -0.0 for a
        negative x, as ``gelu`` gives in its left tail). NaN stays NaN; +inf is kept
        (Phi = 1) and -inf becomes -0.0 (Phi = 0).

    Notes
    -----
    The mask is ``u < Phi(x)`` with ``u`` uniform on [0, 1) in the input's precision and
    Phi from :func:`gelu_c.fast.norm_cdf` (within 4 ULP): a probability error far below
    the sampling noise of any number of draws that fits in memory.

    Examples
    --------
    >>> import numpy as np, gelu_c
    >>> x = np.linspace(-2, 2, 5)
    >>> y = gelu_c.stochastic_gelu(x, rng=0)
    >>> bool(np.all((y == x) | (y == 0)))
    True
    """
    x = np.asarray(x)
    if x.dtype.kind in "biu":
        x = x.astype(np.float64)
    if x.dtype not in _DTYPES:
        raise TypeError(f"stochastic_gelu: float32 or float64 input expected, got {x.dtype}")
    if out is None:
        out = np.empty(x.shape, x.dtype)
    elif not isinstance(out, np.ndarray) or out.shape != x.shape or out.dtype != x.dtype:
        raise ValueError(f"stochastic_gelu: out must be an ndarray of shape {x.shape} and "
                         f"dtype {x.dtype}")
    rng = np.random.default_rng(rng)
    u = rng.random(x.shape, dtype=x.dtype)
    # Phi goes to out, unless out is x itself (in place) or overlaps it
    p = _fast.norm_cdf(x, out=None if np.may_share_memory(x, out) else out)
    keep = np.less(u, p, out=np.empty(x.shape, bool))
    keep |= np.isnan(x)
    # x's bits AND (all ones | sign bit alone): x where kept, a zero with x's sign where
    # not (-inf too, where x * 0 would be NaN); branch-free, where a masked copy
    # (np.copyto(where=)) ran 10x slower on a random mask
    ints = np.int32 if x.dtype == np.float32 else np.int64      # same item size: views
    mask = np.subtract(0, keep, dtype=ints)                    # 0 or -1
    mask |= np.array(np.iinfo(ints).min, ints)                 # and the sign bit
    np.bitwise_and(x.view(ints), mask, out=out.view(ints))
    return out
