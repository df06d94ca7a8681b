"""Benchmark inputs: the standard-normal case and the value-independence cases.

Kinds
-----
normal
    Standard normal, the typical activation input (the baseline of every ratio).
tail
    Uniform in the deep negative tail: [-14, -10] for float32, [-40, -36] for float64.
    For ``gelu`` this spans normal-tiny, subnormal and zero results; it is the range
    the speed targets name.
subnormal
    Uniform in the band where *this* function's result is subnormal (found on a grid
    with the function itself; for ``silu`` that is near x = -90 in float32, far from
    the gelu tail), so every function gets its own slow-path test.
nan
    All quiet NaN.
huge
    +-1e30 with random signs (finite in both dtypes; overflow-range arguments).
strided
    Standard normal seen through a stride-2 view (``base[::2]``), output contiguous:
    the non-contiguous inner loop rather than special values.
"""
import functools

import numpy as np

KINDS = ("normal", "tail", "subnormal", "nan", "huge", "strided")
#: the kinds the "within 1.2x" target is about (strided is reported, not judged)
VALUE_KINDS = ("tail", "subnormal", "nan", "huge")

_TAIL = {np.dtype(np.float32): (-14.0, -10.0), np.dtype(np.float64): (-40.0, -36.0)}
# How far down to look for the subnormal band: past exp's underflow in each format.
_SEARCH_LO = {np.dtype(np.float32): -200.0, np.dtype(np.float64): -1000.0}


@functools.cache
def subnormal_band(name, dtype):
    """Interval of negative x where ``name``'s result is subnormal (nonzero).

    Parameters
    ----------
    name : str
        A gelu_c function; a backward function uses its derivative (dy = 1).
    dtype : numpy dtype-like
        float32 or float64.

    Returns
    -------
    (float, float)
        ``(lo, hi)``, falling back to the ``tail`` interval if no subnormal result is
        found (a kernel that flushes to zero, say).
    """
    import gelu_c
    from gelu_c import registry
    dtype = np.dtype(dtype)
    fname = registry.grad_of(name) if registry.get(name).nin == 2 else name
    f = getattr(gelu_c, fname)
    # A fine grid: the band is narrow for gelu_tanh (its argument is cubic in x).
    x = np.linspace(_SEARCH_LO[dtype], -1.0, 400_001).astype(dtype)
    with np.errstate(all="ignore"):
        y = np.abs(f(x))
    sub = (y > 0) & (y < np.finfo(dtype).tiny)
    if not sub.any():
        return _TAIL[dtype]
    return float(x[sub].min()), float(x[sub].max())


def make_x(kind, n, dtype, name="gelu", seed=0):
    """The x argument of ``kind`` (see the module docstring), length ``n``.

    Parameters
    ----------
    kind : str
        One of ``KINDS``.
    n : int
        Number of elements.
    dtype : numpy dtype-like
        float32 or float64.
    name : str, optional
        Function name (only ``subnormal`` depends on it).
    seed : int, optional
        Seed of the generator, so every implementation gets the same data.

    Returns
    -------
    numpy.ndarray
        Contiguous, except for ``strided`` (a stride-2 view).
    """
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    if kind == "normal":
        return rng.standard_normal(n).astype(dtype)
    if kind == "tail":
        return rng.uniform(*_TAIL[dtype], n).astype(dtype)
    if kind == "subnormal":
        return rng.uniform(*subnormal_band(name, dtype), n).astype(dtype)
    if kind == "nan":
        return np.full(n, np.nan, dtype)
    if kind == "huge":
        return (rng.choice([-1.0, 1.0], n) * 1e30).astype(dtype)
    if kind == "strided":
        return rng.standard_normal(2 * n).astype(dtype)[::2]
    raise ValueError(f"unknown input kind {kind!r}; known: {', '.join(KINDS)}")


def make_dy(n, dtype, seed=1):
    """Upstream gradient for the ``*_backward`` functions: standard normal."""
    return np.random.default_rng(seed).standard_normal(n).astype(dtype)
