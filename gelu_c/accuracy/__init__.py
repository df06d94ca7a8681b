"""The accuracy harness: how much accuracy each function gives up, and where.

Three measurements, all against references independent of gelu_c's kernels:

* **Decimal places** (:mod:`.decimal_places`): each approximation
  (``gelu_tanh``, ``gelu_sigmoid``, ``silu`` and their derivatives) as a
  *formula* against exact GELU: the share of inputs agreeing to k = 1...8
  decimal places, the first decimal place where they part, and the largest
  absolute and relative errors with their location, over named input ranges.
* **ULPs** (:mod:`.ulp_table`): each gelu_c kernel, per function, dtype,
  kernel path and range, against mpmath at 50 digits: max and mean error in
  ULPs and the share of correctly rounded results; the same for the other
  implementations installed (:mod:`.others`: PyTorch, JAX, SciPy, the
  textbook one-liners).
* **Exhaustive float32** (:mod:`.exhaustive`): all 2**32 inputs of the
  functions the registry marks ``exhaustive`` (``gelu`` and ``norm_cdf``)
  against SciPy's ``ndtr`` in float64, per kernel path.

The references: :mod:`.definitions` (every function in mpmath, the oracle),
:mod:`.ulps` (errors in ULPs of the output type), :mod:`.zeros` (derivative
zeros, the absolute bound around them, underflow thresholds) and
:mod:`.scipy_reference` (a float64 evaluation through SciPy). Each function's
bound, definition and approximated function are read from :mod:`gelu_c.registry`.

Command line: ``python -m gelu_c.accuracy --help``.  From Python::

    from gelu_c import accuracy
    report = accuracy.measure(n_ulp=200)          # plain data (dicts and lists)
    print(accuracy.format_report(report))
    accuracy.save_json(report, "accuracy.json")
"""
try:
    import mpmath  # noqa: F401  (the oracle; an extra, not a dependency of gelu_c)
except ImportError:
    raise ImportError("gelu_c.accuracy needs mpmath, its oracle: "
                      "pip install 'gelu_c[accuracy]' (or pip install mpmath)") from None

from . import exhaustive
from .decimal_places import (APPROXIMATIONS, PLACES, approximation_rows, decimal_place_stats,
                             first_differing_place)
from .measurement import DTYPES, kernel_rows_over_bound, measure
from .others import OTHERS, Implementation, find_implementations
from .plotting import plot
from .ranges import RANGES, Range, select_ranges
from .report import (format_compact, format_decimal_places, format_headline, format_others,
                     format_report, format_ulp_tables, load_json, save_json)
from .ulp_table import bound, names_by_kind, spec_errors, ulp_stats
from .zeros import zero_band

__all__ = [
    "APPROXIMATIONS", "DTYPES", "Implementation", "OTHERS", "PLACES", "RANGES", "Range",
    "approximation_rows", "bound", "decimal_place_stats", "exhaustive",
    "find_implementations", "first_differing_place", "format_compact", "format_decimal_places",
    "format_headline", "format_others", "format_report", "format_ulp_tables",
    "kernel_rows_over_bound", "load_json", "measure", "names_by_kind", "plot", "save_json",
    "select_ranges", "spec_errors", "ulp_stats", "zero_band",
]

