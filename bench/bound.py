"""The FMA-throughput bound of each float32 kernel, from ``tools/count_ops.py``.

``tools/count_ops.py`` (written with the kernels) exposes ``op_counts()``: kernel name
-> {category: vector operations per vector of 8 float32 lanes}, with at least
``"fp_fma_class"`` (the FMA/multiply-class ops, as that tool classifies them) and
``"total"``. With two such operations issued per cycle (Zen 2; also Intel cores since
Haswell for 256-bit vectors), a kernel cannot run faster than ``fp_fma_class / 2``
cycles per vector, that is ``8 * GHz / (fp_fma_class / 2)`` G elements/s. The target
asks the measured speed to come within 1.3x of that bound.

A second figure is given for information only: every vector operation (adds, logic,
compares, blends, integer and permute ops too) has to issue on one of Zen 2's four
vector pipes, so ``total / 4`` cycles per vector is also a floor; when it is above the
FMA one, the FMA bound cannot be reached whatever the scheduling.

A third, also for information, models an Intel Golden Cove class core (the CI machine
until 2026-11; measured with single-instruction loops; AMD Zen 3 differs, see
``tools/pipe_throughput.c``): every floating-point operation
(add, multiply, FMA, compare, min/max, divide) issues on one of two ports, permutes on
one, and all vector uops on three, a blend (vblendv) being three uops. The largest of
``fp / 2``, ``permute / 1`` and ``uops / 3`` cycles per vector is that core's floor
(loads, stores, loop overhead and the divider's occupancy, at most one division per
vector, are left out, so it is optimistic); the measured speed against it says how much
is left to scheduling rather than to the operation count.

A fourth figure says how busy the core is: the kernel's vector operations per cycle,
``total * (G elem/s / 8) / GHz``. On AMD Zen 3 ``tools/pipe_throughput.c`` finds that no
mix of independent vector operations with floating-point ones in it issues more than
3.0 per cycle (integer and logic operations alone: 4.0), and that a vpermps holds the
core about 1.3 cycles during which little else issues; so a kernel's operation count
over 3 per cycle is the floor there, and the ops/cycle column against 3.0 is how close a
kernel runs to it.

If the module is absent (or fails), ``load_op_counts`` returns None and the report
leaves the bound out.
"""
import importlib.util
import os

FMA_PER_CYCLE = 2
VECTOR_PIPES = 4
# an Intel Golden Cove core's ports (see the module docstring)
FP_CATEGORIES = ("fma", "mul", "add", "div", "cmp", "minmax")
FP_PER_CYCLE = 2
PERMUTE_PER_CYCLE = 1
ALU_PORTS = 3
BLEND_UOPS = 3
LANES = 8
_COUNT_OPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "tools", "count_ops.py")


def load_op_counts(path=_COUNT_OPS, f64=False):
    """``op_counts()`` of ``tools/count_ops.py``, or ``(None, reason)`` if unavailable.

    Returns
    -------
    (dict or None, str)
        The counts and a note (where they came from, or why there are none).
    """
    if not os.path.exists(path):
        return None, "tools/count_ops.py not present"
    try:
        spec = importlib.util.spec_from_file_location("_gelu_c_count_ops", path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return dict(mod.op_counts(f64=f64)), "tools/count_ops.py"
    except Exception as exc:  # noqa: BLE001 -- a tool under construction must not break the report
        return None, f"tools/count_ops.py failed: {type(exc).__name__}: {exc}"


def counts_for(counts, name):
    """The per-category counts of function ``name``'s float32 kernel, or None.

    The kernel may be keyed by the plain name or with a dtype suffix.
    """
    for key in (name, f"{name}_f32", f"{name}_float32", f"{name}.f32", f"{name}_avx2"):
        c = counts.get(key)
        if isinstance(c, dict) and "fp_fma_class" in c:
            return c
    return None


def bound_gps(fp_fma_class, ghz):
    """Bound in G elements/s: 8 lanes per ``fp_fma_class / 2`` cycles at ``ghz``."""
    if not fp_fma_class or not ghz:
        return None
    return LANES * ghz / (fp_fma_class / FMA_PER_CYCLE)


def issue_bound_gps(total, ghz):
    """Issue-width floor in G elements/s: every op on one of ``VECTOR_PIPES`` pipes."""
    if not total or not ghz:
        return None
    return LANES * ghz / (total / VECTOR_PIPES)


def ops_per_cycle(total, gps, ghz):
    """Vector operations issued per cycle by a kernel of ``total`` ops per 8 lanes
    running at ``gps`` G elements/s on a ``ghz`` clock, or None."""
    if not total or not gps or not ghz:
        return None
    return total * gps / LANES / ghz


def port_bound_gps(c, ghz):
    """The Golden Cove port floor in G elements/s for one kernel's counts ``c``, or None.

    ``max(fp / 2, permute / 1, uops / 3)`` cycles per vector of 8 lanes, where ``fp`` is
    the sum of :data:`FP_CATEGORIES` and ``uops`` counts each blend as three.
    """
    if not ghz or c.get("total") is None or any(k not in c for k in FP_CATEGORIES + ("blend", "permute")):
        return None
    fp = sum(c[k] for k in FP_CATEGORIES)
    uops = c["total"] + (BLEND_UOPS - 1) * c["blend"]
    cycles = max(fp / FP_PER_CYCLE, c["permute"] / PERMUTE_PER_CYCLE, uops / ALU_PORTS)
    return LANES * ghz / cycles if cycles else None
