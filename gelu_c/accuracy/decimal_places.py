"""How many decimal places an approximation shares with exact GELU.

The approximations are judged as *formulas*, not as our kernels: both sides are
evaluated in float64 (:func:`.scipy_reference.scipy_reference`: SciPy's
``ndtr``/``expit`` with the published constants); which exact function each one
stands in for is the registry's ``approximates``.  float64 evaluation errs by
about 1e-16 in absolute terms on these ranges, so every absolute difference of
1e-9 or more is exact to many digits, and the decimal-place verdicts (thresholds
down to ``0.5e-8``) are right except for points within ~1e-15 of a threshold.

Definitions
-----------
* A point *agrees to k decimal places* when ``|approx - exact| < 0.5 * 10**-k``.
* The range's *first differing decimal place* is the smallest ``k >= 0`` with
  ``max |approx - exact| >= 0.5 * 10**-k`` (0: they differ before the decimal
  point; ``None``: they agree to every place examined).
* Relative errors are taken where the exact value is a normal float64 number.

Every approximation here satisfies ``f(x) - f(-x) = x``, as GELU does, so its
difference from GELU is even in x (and the derivatives' difference odd): each
extreme occurs at both ``x`` and ``-x``, and the first of the two on the grid is
reported.
"""
import numpy as np

from .. import registry
from .scipy_reference import scipy_reference
from .ulp_table import names_by_kind

__all__ = ["PLACES", "APPROXIMATIONS", "thresholds", "first_differing_place",
           "decimal_place_stats", "approximation_rows"]

#: Decimal places examined (k = 1 ... PLACES).
PLACES = 8

#: Each approximation (and its derivative) and the exact function it stands in for
#: (the registry's ``approximates``), values first.
APPROXIMATIONS = {name: registry.get(name).approximates for name in names_by_kind()
                  if registry.get(name).approximates}

_TINY64 = float(np.finfo(np.float64).tiny)


def thresholds(places=PLACES):
    """``0.5 * 10**-k`` for ``k = 1 ... places`` (float64)."""
    return 0.5 * 10.0 ** -np.arange(1, places + 1)


def first_differing_place(max_abs_error, places=PLACES):
    """The first decimal place at which an error of this size shows.

    Parameters
    ----------
    max_abs_error : float
        The largest absolute difference over a set of inputs.
    places : int, optional
        The last place examined.

    Returns
    -------
    int or None
        The smallest ``k`` in ``0 ... places`` with
        ``max_abs_error >= 0.5 * 10**-k``; ``None`` if there is none.
    """
    for k in range(places + 1):
        if max_abs_error >= 0.5 * 10.0 ** -k:
            return k
    return None


def decimal_place_stats(x, approx, exact, places=PLACES):
    """Agreement of ``approx`` with ``exact`` decimal place by decimal place.

    Parameters
    ----------
    x : array_like
        The inputs (used only to say where the largest errors occur).
    approx, exact : array_like
        Values of the approximation and of the exact function at ``x``.
    places : int, optional
        Decimal places examined (``k = 1 ... places``).

    Returns
    -------
    dict
        ``n``; ``agree_share`` (list: the share of inputs with
        ``|error| < 0.5*10**-k`` for each ``k``); ``first_differing_place``
        (see :func:`first_differing_place`); ``max_abs_error`` and ``x_max_abs``
        (where it occurs; the first such input); ``error_at_max`` (the signed
        ``approx - exact`` there); ``max_rel_error`` and ``x_max_rel``, over the
        inputs whose exact value is a normal float64 (``None`` if there are none).
    """
    x = np.asarray(x, dtype=np.float64)
    err = np.asarray(approx, dtype=np.float64) - np.asarray(exact, dtype=np.float64)
    aerr = np.abs(err)
    if aerr.size == 0 or not np.all(np.isfinite(aerr)):
        raise ValueError("decimal_place_stats needs finite, non-empty values")
    shares = [float(np.count_nonzero(aerr < t)) / aerr.size for t in thresholds(places)]
    i = int(np.argmax(aerr))
    ex = np.abs(np.asarray(exact, dtype=np.float64))
    normal = ex >= _TINY64
    if normal.any():
        rel = aerr[normal] / ex[normal]
        j = int(np.argmax(rel))
        max_rel, x_rel = float(rel[j]), float(x[normal][j])
    else:
        max_rel = x_rel = None
    return {
        "n": int(aerr.size),
        "agree_share": shares,
        "first_differing_place": first_differing_place(float(aerr[i]), places),
        "max_abs_error": float(aerr[i]),
        "x_max_abs": float(x[i]),
        "error_at_max": float(err[i]),
        "max_rel_error": max_rel,
        "x_max_rel": x_rel,
    }


def approximation_rows(ranges, n_grid, places=PLACES, functions=None):
    """The decimal-place table: every approximation over every range.

    Parameters
    ----------
    ranges : sequence of Range
        Where to look (each gets an evenly spaced grid of ``n_grid`` points).
    n_grid : int
        Grid points per range.
    places : int, optional
        Decimal places examined.
    functions : iterable of str, optional
        Approximations to include (keys of :data:`APPROXIMATIONS`; default all).

    Returns
    -------
    list of dict
        One row per (function, range), grouped by function: ``function``, ``reference`` (the exact
        function it is compared with), ``range`` (label), ``range_key``, and
        the fields of :func:`decimal_place_stats`.
    """
    names = [f for f in APPROXIMATIONS if functions is None or f in set(functions)]
    rows = []
    for rng in ranges:
        x = rng.grid(n_grid)
        exact = {ref: scipy_reference(ref, x) for ref in set(APPROXIMATIONS.values())}
        for name in names:
            ref = APPROXIMATIONS[name]
            stats = decimal_place_stats(x, scipy_reference(name, x), exact[ref], places)
            rows.append({"function": name, "reference": ref, "range": rng.label,
                         "range_key": rng.key, **stats})
    rows.sort(key=lambda r: names.index(r["function"]))     # stable: ranges keep their order
    return rows
