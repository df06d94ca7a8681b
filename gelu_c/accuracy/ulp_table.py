"""ULP errors of an implementation against the mpmath definitions, per function, dtype and range.

The error of one result is ``|computed - exact| / ulp(exact)`` in the output dtype
(:func:`gelu_c.accuracy.ulps.ulp_error`: mpmath at 50 digits, ULPs floored at the
smallest subnormal). Each function is held to its bound in :mod:`gelu_c.registry`
(:func:`bound`: its ``accuracy.ulps``). Where that bound has a zero band (the
derivatives and backward functions), within :func:`~gelu_c.accuracy.zeros.zero_band`
of a zero of the derivative the bound is absolute,
:func:`~gelu_c.accuracy.zeros.zero_band_allowance` (ULPs of 0.5; for a backward
function times ``|dy|``, plus the final product's rounding: the rule the tests apply),
so there a result's error is the smaller of its ULP error and
``bound * |computed - exact| / allowance``, which meets the bound exactly when the
absolute error is within the allowance. With that, every function's error is held to
one number.

A result is *correctly rounded* when its error is at most 0.5.
"""
from dataclasses import dataclass

from operator import attrgetter

import numpy as np

from .. import registry
from .definitions import exact
from .ulps import abs_error, ulp_error
from .zeros import near_derivative_zero, zero_band, zero_band_allowance

__all__ = ["KINDS", "names_by_kind", "Sample", "bound", "spec_errors", "ulp_stats",
           "make_samples", "error_rows", "gelu_c_call"]

#: The kinds of function, in the order the tables list them.
KINDS = ("value", "grad", "backward")
#: Magnitudes of the upstream gradient ``dy`` for the backward functions: 2**[-4, 4].
DY_EXPONENTS = (-4.0, 4.0)
#: Label of the row that pools every range of a (function, dtype).
ALL = "all ranges"


def names_by_kind(names=None, tier="exact"):
    """Function names grouped by kind (values, then derivatives, then backward
    functions), in registry order within a kind: the order of the tables. The
    position of a name's exact-tier function among them also seeds its samples
    (:func:`make_samples`), so both tiers are measured on the same inputs.

    Parameters
    ----------
    names : iterable of str, optional
        The names to order (default: every function of ``tier`` in the registry).
    tier : {"exact", "fast", None}, optional
        The tier listed when ``names`` is None (None: both, exact first).

    Returns
    -------
    tuple of str
    """
    everything = sum((registry.names(kind, tier=None) for kind in KINDS), ())
    if names is None:
        return tuple(n for n in everything if tier is None or registry.get(n).tier == tier)
    wanted = set(names)
    return tuple(n for n in everything if n in wanted)


def bound(name):
    """The bound, in ULPs (the units of :func:`spec_errors`), of a function name."""
    return registry.get(name).accuracy.ulps


def spec_errors(name, computed, x, dy=None, exact_values=None):
    """Error of every result in ULPs, with the absolute rule near derivative zeros.

    Parameters
    ----------
    name : str
        A gelu_c function name.
    computed : numpy.ndarray of float32 or float64
        The results under test.
    x, dy : numpy.ndarray
        Their arguments (``dy`` for the backward functions only).
    exact_values : numpy.ndarray of mpf, optional
        ``definitions.exact(name, x, dy)`` if already computed.

    Returns
    -------
    numpy.ndarray of float64
        See the module docstring (``inf`` for a NaN or infinity where the exact
        value is finite).
    """
    computed = np.asarray(computed)
    x = np.asarray(x)
    if exact_values is None:
        exact_values = exact(name, x, dy)
    err = ulp_error(name, computed, x, dy, exact_values=exact_values)
    if not zero_band(name):
        return err
    idx = np.flatnonzero(near_derivative_zero(name, x) & (err > 0.5))
    if idx.size:
        d = None if dy is None else np.asarray(dy)[idx]
        aerr = abs_error(name, computed[idx], x[idx], d, exact_values=exact_values[idx])
        allow = zero_band_allowance(name, computed.dtype, x[idx], d)
        for j, i in enumerate(idx):
            err[i] = min(err[i], float(bound(name) * aerr[j] / allow[j]))
    return err


def ulp_stats(err, x, dy=None):
    """Summary of a set of errors.

    Parameters
    ----------
    err : array_like of float
        Errors from :func:`spec_errors`.
    x, dy : array_like
        The arguments they belong to (``dy`` optional).

    Returns
    -------
    dict
        ``n``, ``max_ulp``, ``x_max`` (the argument of the first largest error),
        ``dy_max`` (its ``dy``, or ``None``), ``mean_ulp`` and
        ``correctly_rounded`` (the share of errors <= 0.5).
    """
    err = np.asarray(err, dtype=np.float64)
    if err.size == 0:
        raise ValueError("no errors to summarise")
    i = int(np.argmax(err))
    return {
        "n": int(err.size),
        "max_ulp": float(err[i]),
        "x_max": float(np.asarray(x)[i]),
        "dy_max": None if dy is None else float(np.asarray(dy)[i]),
        "mean_ulp": float(np.mean(err)),
        "correctly_rounded": float(np.count_nonzero(err <= 0.5)) / err.size,
    }


@dataclass
class Sample:
    """Inputs of one (function, dtype, range) and their exact results."""

    name: str
    dtype: str
    range: object        # a ranges.Range
    x: np.ndarray
    dy: object           # numpy.ndarray for the backward functions, else None
    exact: np.ndarray    # of mpmath.mpf


def _dy(n, rng, dtype):
    mag = np.exp2(rng.uniform(*DY_EXPONENTS, n))
    return (np.where(rng.random(n) < 0.5, -mag, mag)).astype(dtype)


def make_samples(functions, dtypes, ranges, n, seed=0):
    """Seeded inputs and their exact values for every (function, dtype, range).

    Parameters
    ----------
    functions : iterable of str
        gelu_c function names.
    dtypes : iterable of str
        ``"float32"`` and/or ``"float64"``.
    ranges : sequence of Range
    n : int
        Points per range (both ends of each range included).
    seed : int, optional
        Seed; each (function, dtype, range) gets its own stream from it.

    Returns
    -------
    list of Sample
        ``dy`` is drawn with ``|dy|`` log-uniform in ``2**[-4, 4]`` and a random
        sign for the backward functions.
    """
    order = names_by_kind()
    samples = []
    for name in functions:
        for dtype in dtypes:
            dt = np.dtype(dtype)
            for k, rg in enumerate(ranges):
                rng = np.random.default_rng([seed, order.index(registry.get(name).name), dt.itemsize, k])
                x = rg.sample(n, rng, dt)
                dy = _dy(n, rng, dt) if registry.get(name).nin == 2 else None
                samples.append(Sample(name, dt.name, rg, x, dy, exact(name, x, dy)))
    return samples


def gelu_c_call(name, x, dy=None):
    """Run a gelu_c ufunc on the current kernel path."""
    import gelu_c

    f = attrgetter(name)(gelu_c)                # "fast.gelu" too
    with np.errstate(all="ignore"):
        return f(x) if dy is None else f(dy, x)


def error_rows(samples, implementation, call, path=None):
    """ULP rows of one implementation: one per (function, dtype, range) plus a pooled one.

    Parameters
    ----------
    samples : list of Sample
    implementation : str
        Its label (``"gelu_c"``, ``"torch"``, ...).
    call : callable
        ``call(name, x, dy)`` returns the results, or ``None`` when the
        implementation has no such function (the sample is then skipped).
    path : str, optional
        The gelu_c kernel path the results came from.

    Returns
    -------
    list of dict
        ``implementation``, ``path``, ``function``, ``dtype``, ``range`` (label;
        ``"all ranges"`` for the pooled row), ``range_key`` (``"all"``),
        ``bound``, ``within_bound`` and the fields of :func:`ulp_stats`.
    """
    rows, pooled = [], {}
    for s in samples:
        computed = call(s.name, s.x, s.dy)
        if computed is None:
            continue
        computed = np.asarray(computed)
        if computed.dtype != s.x.dtype:
            raise TypeError(f"{implementation} {s.name}: {computed.dtype} results for "
                            f"{s.x.dtype} inputs")
        err = spec_errors(s.name, computed, s.x, s.dy, exact_values=s.exact)
        key = (s.name, s.dtype)
        pooled.setdefault(key, []).append((err, s.x, s.dy))
        rows.append(_row(implementation, path, s.name, s.dtype, s.range.label, s.range.key,
                         ulp_stats(err, s.x, s.dy)))
    out = []
    for (name, dtype), parts in pooled.items():
        err = np.concatenate([p[0] for p in parts])
        x = np.concatenate([p[1] for p in parts])
        dy = None if parts[0][2] is None else np.concatenate([p[2] for p in parts])
        out.append(_row(implementation, path, name, dtype, ALL, "all", ulp_stats(err, x, dy)))
        out.extend(r for r in rows if r["function"] == name and r["dtype"] == dtype)
    return out


def _row(implementation, path, name, dtype, label, key, stats):
    b = bound(name)
    return {"implementation": implementation, "path": path, "function": name, "dtype": dtype,
            "range": label, "range_key": key, "bound": b,
            "within_bound": bool(stats["max_ulp"] <= b), **stats}
