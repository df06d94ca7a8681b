"""``measure()``: every figure of the accuracy harness, as plain data."""
import platform

import numpy as np

from .. import registry
from . import decimal_places, ulp_table
from .definitions import DEFAULT_DPS
from .others import find_implementations
from .ranges import select_ranges

__all__ = ["DTYPES", "measure", "kernel_rows_over_bound"]

DTYPES = ("float32", "float64")


def measure(functions=None, dtypes=DTYPES, paths=None, ranges=None, n_grid=1_000_001,
            n_ulp=500, seed=0, others=None, places=decimal_places.PLACES, tier="exact"):
    """Measure the approximations against exact GELU and every kernel against mpmath.

    Parameters
    ----------
    functions : iterable of str, optional
        gelu_c function names for the ULP tables, either tier (``gelu``,
        ``fast.gelu``; default: every one of ``tier``, in the order of
        :func:`gelu_c.accuracy.ulp_table.names_by_kind`); the decimal-place table
        covers the approximations among them.
    dtypes : iterable of str, optional
        ``"float32"`` and/or ``"float64"``.
    paths : iterable of str, optional
        gelu_c kernel paths (default: every available one).  The active path is
        restored afterwards.
    ranges : iterable of str, optional
        Keys of :data:`gelu_c.accuracy.ranges.RANGES` (default: all).
    n_grid : int, optional
        Evenly spaced float64 points per range for the decimal-place table.
    n_ulp : int, optional
        Seeded random points per (function, dtype, range) for the ULP tables
        (each evaluated with mpmath at 50 digits).
    seed : int, optional
        Seed of the ULP samples.
    others : bool or iterable of str, optional
        Other implementations to measure side by side: ``None``/``True`` for
        every one installed, ``False`` for none, or labels from
        :data:`gelu_c.accuracy.others.OTHERS`.
    places : int, optional
        Decimal places examined.
    tier : {"exact", "fast", None}, optional
        The functions measured when ``functions`` is None (None: both tiers).

    Returns
    -------
    dict
        ``meta`` (versions, sizes, seed, paths, implementations measured),
        ``decimal_places`` (rows of
        :func:`gelu_c.accuracy.decimal_places.approximation_rows`) and ``ulp``
        (rows of :func:`gelu_c.accuracy.ulp_table.error_rows`, gelu_c's paths
        first, then the other implementations).  JSON-ready: see
        :func:`gelu_c.accuracy.save_json`.
    """
    import gelu_c

    functions = tuple(ulp_table.names_by_kind(tier=tier) if functions is None else functions)
    for f in functions:
        if f not in registry.names(tier=None):
            raise ValueError(f"unknown function {f!r}; known: {', '.join(registry.names(tier=None))}")
    dtypes = tuple(np.dtype(d).name for d in dtypes)
    paths = tuple(gelu_c.available_kernel_paths() if paths is None else paths)
    rngs = select_ranges(ranges)
    if others is None or others is True:
        impls = find_implementations()
    elif others is False:
        impls = []
    else:
        impls = find_implementations(others)

    dp_rows = decimal_places.approximation_rows(rngs, n_grid, places, functions)
    samples = ulp_table.make_samples(functions, dtypes, rngs, n_ulp, seed)
    rows = []
    previous = gelu_c.get_kernel_path()
    try:
        for p in paths:
            gelu_c.set_kernel_path(p)
            rows += ulp_table.error_rows(samples, "gelu_c", ulp_table.gelu_c_call, path=p)
    finally:
        gelu_c.set_kernel_path(previous)
    for im in impls:
        rows += ulp_table.error_rows(samples, im.label, im.call)
    meta = {
        "gelu_c": gelu_c.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "paths": list(paths),
        "functions": list(functions),
        "dtypes": list(dtypes),
        "ranges": [{"key": r.key, "label": r.label, "lo": r.lo, "hi": r.hi, "log": r.log}
                   for r in rngs],
        "n_grid": int(n_grid),
        "n_ulp": int(n_ulp),
        "seed": int(seed),
        "places": int(places),
        "oracle_dps": DEFAULT_DPS,
        "bounds": _bounds(functions),
        "others": [{"label": im.label, "version": im.version, "functions": list(im.functions)}
                   for im in impls],
    }
    return {"meta": meta, "decimal_places": dp_rows, "ulp": rows}


def _bounds(functions):
    """The bounds of ``functions`` (from the registry), each with the kinds of function
    it applies to among them, in the order of :data:`gelu_c.registry.BOUNDS`."""
    out = []
    for key, b in registry.BOUNDS.items():
        kinds = [k for k in ulp_table.KINDS
                 if any(registry.get(f).bound == key and registry.get(f).kind == k
                        for f in functions)]
        if kinds:
            out.append({"bound": key, "ulps": b.ulps, "zero_band": b.zero_band,
                        "zero_band_ulps_of_half": b.zero_band_ulps_of_half, "kinds": kinds})
    return out


def kernel_rows_over_bound(report):
    """gelu_c's ULP rows that exceed their bound (empty when all are within spec)."""
    return [r for r in report["ulp"] if r["implementation"] == "gelu_c" and not r["within_bound"]]
