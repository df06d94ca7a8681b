"""float16 and bfloat16 as ufunc dtypes: availability, promotion, memory layouts.

* Without ml_dtypes the package imports and its float16 / float32 loops work (a child
  process in which ``import ml_dtypes`` fails).
* With ml_dtypes: every ufunc maps bfloat16 to bfloat16; mixed-dtype calls follow
  ``np.result_type`` (float32 + bfloat16 -> float32, float16 + float32 -> float32, ...)
  and give the bits of the same call on operands cast to that dtype first.
* Strided, reversed, 2-D transposed, in-place (``out=`` an input) and overlapping
  ``out=`` views give the bits of the contiguous call, on every kernel path.
* gelu_general and its derivatives (both tiers) on halves: a consistency check against
  the same ufunc on float64, rounded once to the format.
* The tests' rounding oracle (half_formats.round_bits, exact rational arithmetic)
  agrees with NumPy's float64 -> float16 and ml_dtypes' float32 -> bfloat16 casts.
"""
import json
import os
import subprocess
import sys

from operator import attrgetter

import mpmath
import numpy as np
import pytest

import gelu_c
from gelu_c import registry

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import half_formats  # noqa: E402
from half_formats import BFLOAT16, needs_ml_dtypes, uint_of  # noqa: E402

HALVES = half_formats.dtype_params("float16", "bfloat16")


def _ufunc(name):
    return attrgetter(name)(gelu_c)


def _outputs(r):
    return r if isinstance(r, tuple) else (r,)


def assert_same_bits(got, want, what=""):
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype, (what, got.dtype, want.dtype)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    ut = uint_of(got.dtype)
    g = np.ascontiguousarray(got).view(ut)
    w = np.ascontiguousarray(want).view(ut)
    diff = g != w
    assert not diff.any(), (
        f"{what}: {int(diff.sum())} elements differ, first at {np.argwhere(diff)[0].tolist()}: "
        f"{hex(int(g[diff][0]))} vs {hex(int(w[diff][0]))}")


def _every_pattern(dtype, seed=0):
    """All 65,536 bit patterns of a half format (NaNs of both kinds, infinities,
    subnormals, zeros) in a shuffled order."""
    rng = np.random.default_rng(seed)
    return rng.permutation(np.arange(1 << 16, dtype=np.uint32).astype(np.uint16)).view(dtype)


# ---------------------------------------------------------------------------
# Without ml_dtypes
# ---------------------------------------------------------------------------

_CHILD = r"""
import json, sys
sys.modules["ml_dtypes"] = None          # "import ml_dtypes" raises ImportError
try:
    import ml_dtypes
    blocked = False
except ImportError:
    blocked = True
import numpy as np
import gelu_c
x = np.array([-3.0, -0.5, 0.0, 1.0, 2.5, 6e4], dtype=np.float64)
out = {"blocked": blocked, "path": gelu_c.get_kernel_path()}
for name in ("float16", "float32"):
    xs = x.astype(name)
    for f in ("gelu", "fast.gelu", "gelu_backward"):
        u = gelu_c.fast.gelu if f == "fast.gelu" else getattr(gelu_c, f)
        r = u(xs) if u.nin == 1 else u(xs, xs)
        out[f + "/" + name] = [str(r.dtype), r.view("u%d" % r.itemsize).tolist()]
print(json.dumps(out))
"""


def test_works_without_ml_dtypes(tmp_path):
    """ml_dtypes is optional: with ``import ml_dtypes`` failing, gelu_c imports, and its
    float16 and float32 loops keep their dtypes and give this process's bits."""
    env = dict(os.environ)
    # the child imports the gelu_c this process tests
    root = os.path.dirname(os.path.dirname(os.path.abspath(gelu_c.__file__)))
    env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in [env.get("PYTHONPATH")] if p])
    r = subprocess.run([sys.executable, "-c", _CHILD], env=env, cwd=str(tmp_path),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out.pop("blocked") is True
    with gelu_c.kernel_path(out.pop("path")):
        x = np.array([-3.0, -0.5, 0.0, 1.0, 2.5, 6e4], dtype=np.float64)
        for key, (dtype, bits) in out.items():
            f, name = key.split("/")
            assert dtype == name, (key, dtype)
            xs = x.astype(name)
            u = _ufunc(f)
            here = u(xs) if u.nin == 1 else u(xs, xs)
            assert bits == here.view(uint_of(here.dtype)).tolist(), key
    assert len(out) == 6


# ---------------------------------------------------------------------------
# bfloat16 and promotion
# ---------------------------------------------------------------------------

@needs_ml_dtypes
@pytest.mark.parametrize("name", registry.names(tier=None, params=None))
def test_bfloat16_in_bfloat16_out(name):
    """Every ufunc of every tier (gelu_general's too) returns bfloat16 for bfloat16
    operands, every output, as arrays and as 0-d scalars."""
    f = _ufunc(name)
    x = np.array([-2.0, -0.5, 0.0, 0.75, 3.0], dtype=BFLOAT16)
    ones = np.ones_like(x)
    args = {1: (x,), 2: (ones, x), 3: (x, 0.5 * ones, ones), 4: (ones, x, 0.5 * ones, ones)}[f.nin]
    for call in (args, tuple(a[1] for a in args)):
        for r in _outputs(f(*call)):
            assert np.asarray(r).dtype == BFLOAT16, (name, np.asarray(r).dtype)


_PAIRS = [("float16", "float32"), ("float32", "float16"), ("float16", "float64"),
          ("float32", "bfloat16"), ("bfloat16", "float32"), ("bfloat16", "float64"),
          ("float64", "bfloat16"), ("float16", "bfloat16"), ("bfloat16", "float16")]


@pytest.mark.parametrize("name", ["gelu_backward", "fast.silu_backward"])
@pytest.mark.parametrize("dy_dtype,x_dtype", [
    pytest.param(a, b, id=f"{a}-{b}", marks=needs_ml_dtypes if "bfloat16" in (a, b) else ())
    for a, b in _PAIRS])
def test_mixed_dtypes_follow_result_type(name, dy_dtype, x_dtype, kernel_path):
    """backward(dy, x) with dy and x of different float dtypes returns
    np.result_type(dy, x) (float32 + bfloat16 -> float32, float16 + float32 -> float32,
    float16 + bfloat16 -> float32, ...), with the bits of the call on both operands cast
    to that dtype (every cast here is exact)."""
    def dt(n):
        return BFLOAT16 if n == "bfloat16" else np.dtype(n)
    f = _ufunc(name)
    rng = np.random.default_rng(4)
    dy = rng.normal(0, 2, 40).astype(dt(dy_dtype))
    x = rng.normal(0, 3, 40).astype(dt(x_dtype))
    want_dtype = np.result_type(dy.dtype, x.dtype)
    with np.errstate(all="ignore"):
        got = f(dy, x)
        want = f(dy.astype(want_dtype), x.astype(want_dtype))
    assert got.dtype == want_dtype, (name, dy.dtype, x.dtype, got.dtype)
    assert_same_bits(got, want, f"{name}({dy.dtype}, {x.dtype})")


@pytest.mark.parametrize("dtype", HALVES)
@pytest.mark.parametrize("name", ["gelu_backward", "fast.gelu_tanh_backward"])
def test_python_scalar_keeps_the_half_dtype(name, dtype):
    """A Python float operand is "weak" (NEP 50): backward(1.5, x) and backward(dy, 1.5)
    have x's (dy's) half dtype, as np.result_type(x, 1.5) and NumPy's own binary ufuncs
    (np.arctan2) say, with the bits of the call on an array of 1.5 in that dtype."""
    f = _ufunc(name)
    if np.dtype(dtype).name == "bfloat16":
        # A known gap: NumPy's type resolution for loops registered on a user dtype
        # (PyUFunc_RegisterLoopForType) does not treat the Python float as weak, so
        # the float32 loop is chosen. The day it works, this branch must go.
        xb = np.zeros(3, dtype=dtype)
        assert f(1.5, xb).dtype == np.float32, "Python float with bfloat16 works now"
        pytest.xfail("Python float with bfloat16 resolves to the float32 loop")
    x = np.array([-2.0, -0.5, 0.0, 0.75, 3.0], dtype=dtype)
    assert np.result_type(x, 1.5) == dtype and np.arctan2(1.5, x).dtype == dtype
    full = np.full_like(x, 1.5)
    for got, want in ((f(1.5, x), f(full, x)), (f(x, 1.5), f(x, full))):
        assert got.dtype == dtype, (name, got.dtype)
        assert_same_bits(got, want, name)


# ---------------------------------------------------------------------------
# Memory layouts
# ---------------------------------------------------------------------------

def _layouts(x):
    """(description, x view, out view or None) with the same values as x: strided,
    reversed, transposed, in place, and outputs overlapping the input's memory (NumPy
    must behave as if the input were read first)."""
    n = x.size
    out = []
    buf = np.zeros(3 * n, dtype=x.dtype)
    buf[::3] = x
    out.append(("input stride 3", buf[::3], None))
    out.append(("input stride 3, output stride 2", buf[::3], np.zeros(2 * n, x.dtype)[::2]))
    rev = x[::-1].copy()[::-1]
    out.append(("reversed input", rev, None))
    out.append(("reversed output", x, np.zeros(n, x.dtype)[::-1]))
    sq = x.reshape(256, -1)
    out.append(("transposed 2-D input", sq.T.copy().T, None))
    inplace = x.copy()
    out.append(("in place (out= the input)", inplace, inplace))
    for k in (1, 7, 16, 255):
        b = np.zeros(n + k, dtype=x.dtype)
        b[:n] = x
        out.append((f"output {k} ahead of the input", b[:n], b[k:]))
        b = np.zeros(n + k, dtype=x.dtype)
        b[k:] = x
        out.append((f"output {k} behind the input", b[k:], b[:n]))
    b = np.zeros(2 * n, dtype=x.dtype)
    b[::2] = x
    out.append(("interleaved output (no element shared)", b[::2], b[1::2]))
    b = np.zeros(2 * n, dtype=x.dtype)
    b[::2] = x
    out.append(("output stride 1 over the stride-2 input", b[::2], b[n // 2: n // 2 + n]))
    return out


@pytest.mark.parametrize("dtype", HALVES)
@pytest.mark.parametrize("name", ["gelu", "fast.gelu_tanh", "gelu_backward", "fast.silu_backward"])
def test_layouts_give_the_contiguous_bits(name, dtype, kernel_path):
    """Every bit pattern of the format as x (dy random patterns for the backward
    functions, NaNs and infinities included), in every layout of _layouts (for the
    backward ones also dy in each layout, and dy = x = out): the bits of the contiguous
    call. Every layout is tried; the failure lists those that differ."""
    f = _ufunc(name)
    ut = uint_of(dtype)
    x = _every_pattern(dtype)
    dy = _every_pattern(dtype, seed=1)
    bad = []

    def check(where, got, want):
        n = int((got.reshape(-1).view(ut) != want.view(ut)).sum())
        if n:
            bad.append(f"{where}: {n} elements differ")

    with np.errstate(all="ignore"):
        want = f(x) if f.nin == 1 else f(dy, x)
        for where, xv, ov in _layouts(x):
            assert_same_bits(xv.reshape(-1), x, "the layout's input")
            if f.nin == 1:
                got = f(xv, out=ov) if ov is not None else f(xv)
            else:
                d = dy.reshape(xv.shape)
                got = f(d, xv, out=ov) if ov is not None else f(d, xv)
            assert got.shape == xv.shape and got.dtype == dtype
            check(f"x: {where}", got, want)
        if f.nin == 2:
            for where, dv, ov in _layouts(dy):
                v = x.reshape(dv.shape)
                got = f(dv, v, out=ov) if ov is not None else f(dv, v)
                check(f"dy: {where}", got, want)
            both = x.copy()
            check("dy = x = out", f(both, both, out=both), f(x, x))
    assert not bad, f"{name} [{np.dtype(dtype).name}, path={kernel_path}]: " + "; ".join(bad)


# ---------------------------------------------------------------------------
# gelu_general: consistency with float64
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", HALVES)
@pytest.mark.parametrize("name", registry.names(tier=None, params=True))
def test_gelu_general_is_float64_rounded_once(name, dtype, kernel_path):
    """Consistency check (not an accuracy test: the float64 ufunc is the reference): on
    half operands, gelu_general, gelu_general_grad and gelu_general_backward of both
    tiers return the half dtype (every output) and the bits of the same ufunc on the
    operands converted to float64 (exactly), each output rounded once to the format by
    half_formats.round_bits. A NaN result must be a NaN (its payload is not compared)."""
    f = _ufunc(name)
    rng = np.random.default_rng(21)
    n = 300
    x = np.concatenate([rng.normal(0, 4, n - 12),
                        [np.inf, -np.inf, np.nan, 0.0, -0.0, 3.0, -3.0, 1.0, -1.0, 2.0, 1e-3, 5e4]])
    mu = np.concatenate([rng.normal(0, 2, n - 12), [0.0] * 3 + [0.0, 1.0, 3.0, 0.5, 1.0, -1.0, 2.0, 0.0, 0.0]])
    sigma = np.concatenate([np.exp(rng.uniform(np.log(1e-2), np.log(1e2), n - 12)),
                            [1.0] * 3 + [0.0, 0.0, 0.0, 0.0, np.inf, 1.0, 1e-4, 2.0, 1.0]])
    dy = rng.uniform(-4, 4, n)
    ins = [a.astype(dtype) for a in ((dy,) if f.nin == 4 else ()) + (x, mu, sigma)]
    with np.errstate(all="ignore"):
        got = _outputs(f(*ins))
        ref = _outputs(f(*[a.astype(np.float64) for a in ins]))
    assert len(got) == len(ref) == f.nout
    for k, (g, r) in enumerate(zip(got, ref)):
        assert g.dtype == dtype, (name, k, g.dtype)
        want = half_formats.round_array(r, dtype)
        nan = np.isnan(r)
        assert np.array_equal(np.isnan(g), nan), (name, k, np.nonzero(np.isnan(g) != nan))
        ut = uint_of(dtype)
        bad = (g.view(ut) != want.view(ut)) & ~nan
        i = np.flatnonzero(bad)
        assert not bad.any(), (
            f"{name} output {k} [{np.dtype(dtype).name}, {kernel_path}]: {i.size} differ, first "
            f"at {[float(a[i[0]]) for a in ins]}: got {g[i[0]]!r}, float64 {r[i[0]]!r}, "
            f"rounded {want[i[0]]!r}")


# ---------------------------------------------------------------------------
# The oracle's rounding
# ---------------------------------------------------------------------------

def _ties_and_neighbours(hi_bits, dtype, wide, rng):
    """Values of the wider dtype at, just above and just below midpoints of consecutive
    finite numbers of a format (from the least subnormal up), and the numbers
    themselves, both signs."""
    ut = uint_of(dtype)
    b = rng.integers(0, hi_bits, 3000).astype(ut)
    a = b.view(dtype).astype(wide)
    c = (b + 1).view(dtype).astype(wide)
    mid = a / 2 + c / 2                               # exact in the wider dtype
    v = np.concatenate([mid, np.nextafter(mid, wide(np.inf)), np.nextafter(mid, wide(-np.inf)), a])
    return np.concatenate([v, -v])


def test_oracle_rounding_agrees_with_numpy_float16():
    """round_bits(v, float16) for float64 v is NumPy's float64 -> float16 cast (a single
    rounding, to nearest even): at ties, next to them, subnormals and past the largest
    finite number (-> inf)."""
    rng = np.random.default_rng(8)
    v = np.concatenate([_ties_and_neighbours(0x7BFF, np.float16, np.float64, rng),
                        [65504.0, 65519.99, 65520.0, 1e5, 2.0 ** -25, 2.0 ** -26, 3 * 2.0 ** -26]])
    with np.errstate(over="ignore"):
        want = v.astype(np.float16).view(np.uint16)
    got = np.array([half_formats.round_bits(t, np.float16) for t in v], dtype=np.uint16)
    assert np.array_equal(got, want), v[got != want][:5]
    # an mpf is rounded once from its exact value (float64 would round this tie-breaker away)
    with mpmath.workprec(100):
        e = mpmath.mpf(1) + mpmath.mpf(2) ** -11 + mpmath.mpf(2) ** -80
        minus_e = -e
    assert half_formats.round_bits(e, np.float16) == 0x3C01
    assert half_formats.round_bits(minus_e, np.float16) == 0xBC01


@needs_ml_dtypes
def test_oracle_rounding_agrees_with_ml_dtypes_bfloat16():
    """round_bits(v, bfloat16) for float32 v is ml_dtypes' float32 -> bfloat16 cast (a
    single rounding, to nearest even), subnormals and overflow included."""
    rng = np.random.default_rng(9)
    v = _ties_and_neighbours(0x7F7F, BFLOAT16, np.float32, rng)
    v = np.concatenate([v, np.array([3.389e38, 3.4e38, 2.0 ** -134, 3 * 2.0 ** -135], np.float32)])
    want = v.astype(BFLOAT16).view(np.uint16)
    got = np.array([half_formats.round_bits(float(t), BFLOAT16) for t in v], dtype=np.uint16)
    assert np.array_equal(got, want), v[got != want][:5]
    with mpmath.workprec(100):
        e = mpmath.mpf(1) + mpmath.mpf(2) ** -8 + mpmath.mpf(2) ** -80
    assert half_formats.round_bits(e, BFLOAT16) == 0x3F81
