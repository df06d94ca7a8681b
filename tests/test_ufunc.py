"""gelu_c's functions behave as real NumPy ufuncs, and the package API works.

Covers: ufunc identity (nin/nout/types/names/pickling), broadcasting, ``out=``
(in place too), ``where=``, strides, 0-d and Python scalars, empty arrays,
dtype promotion and ``dtype=``, TypeErrors for unsupported inputs, the version
and ``show_config()``, the kernel-path API and ``$GELU_C_KERNEL_PATH``.
Values are checked bit for bit against the same ufunc on a plain contiguous
array (behaviour, not accuracy) and, where useful, against the oracle.
"""
import importlib
import os
import pickle
import subprocess
import sys

from operator import attrgetter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gelu_c
from gelu_c import registry
from gelu_c.accuracy import ulps

DTYPES = (np.float16, np.float32, np.float64)
DTYPE_IDS = ("float16", "float32", "float64")
UINT = {np.dtype(np.float16): np.uint16, np.dtype(np.float32): np.uint32,
        np.dtype(np.float64): np.uint64}


def _ufunc(name):
    return attrgetter(name)(gelu_c)


def _bits(a):
    a = np.ascontiguousarray(a)
    return a.view(UINT[a.dtype])


def assert_same_bits(got, want, what=""):
    got = np.asarray(got)
    want = np.asarray(want)
    assert got.dtype == want.dtype, (what, got.dtype, want.dtype)
    assert got.shape == want.shape, (what, got.shape, want.shape)
    if got.size:
        diff = _bits(got) != _bits(want)
        assert not diff.any(), (
            f"{what}: {diff.sum()} elements differ, first at "
            f"{np.argwhere(diff)[0].tolist()}: {got[diff][0]!r} vs {want[diff][0]!r}")


def _sample(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 3, size=shape)
    flat = x.reshape(-1)
    if flat.size > 10:
        flat[:6] = [np.nan, np.inf, -np.inf, 0.0, -0.0, -12.0]
    return x.astype(dtype)


def _call(name, x, dy=None, **kw):
    """Call a ufunc on x (binary ones with dy, default ones like x)."""
    f = _ufunc(name)
    with np.errstate(all="ignore"):
        if registry.get(name).nin == 2:
            return f(np.ones_like(x) if dy is None else dy, x, **kw)
        return f(x, **kw)


# ---------------------------------------------------------------------------
# Identity of the ufuncs
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", registry.names(tier=None))
def test_is_a_ufunc_with_float_loops(name):
    f = _ufunc(name)
    assert isinstance(f, np.ufunc)
    if registry.get(name).nin == 2:
        assert (f.nin, f.nout) == (2, 1)
        assert "ff->f" in f.types and "dd->d" in f.types, f.types
    else:
        assert (f.nin, f.nout) == (1, 1)
        assert "f->f" in f.types and "d->d" in f.types, f.types


@pytest.mark.parametrize("name", registry.names(tier=None))
def test_name_module_and_pickle(name):
    """Each ufunc is named as in its tier's module and pickles by that name."""
    f = _ufunc(name)
    spec = registry.get(name)
    assert f.__name__ == spec.name
    assert getattr(importlib.import_module(spec.module), spec.name) is f
    if hasattr(np.exp, "__module__"):       # ufunc.__module__ exists from NumPy 2.2 on
        assert f.__module__ == spec.module
    for proto in range(2, pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(f, protocol=proto)) is f


@pytest.mark.parametrize("tier", list(registry.TIERS))
def test_every_function_exported(tier):
    """Each tier's module exports a ufunc for every function of the registry in that
    tier, and no other."""
    module = importlib.import_module(registry.TIERS[tier][0])
    want = {registry.get(q).name for q in registry.names(tier=tier, params=None)}
    exported = {n for n in module.__all__ if isinstance(getattr(module, n), np.ufunc)}
    assert exported == want
    for name in want:
        assert isinstance(getattr(module, name, None), np.ufunc), name


def test_tiers_are_different_objects():
    for q in registry.names(tier="fast"):
        assert attrgetter(q)(gelu_c) is not getattr(gelu_c, registry.get(q).name), q


@pytest.mark.parametrize("name", registry.names(tier=None))
def test_has_docstring(name):
    doc = _ufunc(name).__doc__
    assert isinstance(doc, str) and len(doc) > 20


# ---------------------------------------------------------------------------
# Broadcasting, out=, where=, strides
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", registry.names(nin=2, tier=None))
def test_binary_broadcasting(name, dtype):
    f = _ufunc(name)
    dy = np.array([[1.0], [-2.0], [0.5]], dtype=dtype)
    x = np.array([-3.0, -0.5, 0.0, 2.0], dtype=dtype)
    got = f(dy, x)
    assert got.shape == (3, 4) and got.dtype == dtype
    want = np.empty((3, 4), dtype=dtype)
    for i in range(3):
        for j in range(4):
            want[i, j] = f(dy[i:i + 1, 0], x[j:j + 1])[0]
    assert_same_bits(got, want, f"{name} broadcast")
    # against the oracle too (the function's bound: no x here is near a derivative zero)
    err = ulps.ulp_error(name, got, np.broadcast_to(x, (3, 4)),
                         np.broadcast_to(dy, (3, 4)))
    assert err.max() <= registry.get(name).accuracy.ulps, err
    # scalar dy broadcasts
    assert_same_bits(f(dtype(1.0), x), f(np.ones_like(x), x), f"{name} scalar dy")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", registry.names(tier=None))
def test_out_and_in_place(name, dtype):
    x = _sample(dtype, 101)
    want = _call(name, x.copy())
    out = np.empty_like(x)
    got = _call(name, x, out=out)
    assert got is out
    assert_same_bits(out, want, f"{name} out=")
    # out as a tuple
    out2 = np.empty_like(x)
    got = _call(name, x, out=(out2,))
    assert got is out2
    assert_same_bits(out2, want, f"{name} out=(tuple,)")
    # in place: out=x
    y = x.copy()
    if registry.get(name).nin == 2:
        dy = np.ones_like(y)
        with np.errstate(all="ignore"):
            r = _ufunc(name)(dy, y, out=y)
    else:
        with np.errstate(all="ignore"):
            r = _ufunc(name)(y, out=y)
    assert r is y
    assert_same_bits(y, want, f"{name} in place")
    if registry.get(name).nin == 2:
        # in place on dy as well
        dy = np.ones_like(x)
        with np.errstate(all="ignore"):
            _ufunc(name)(dy, x, out=dy)
        assert_same_bits(dy, want, f"{name} in place on dy")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", registry.names(tier=None))
def test_where_keeps_untouched_elements(name, dtype):
    x = _sample(dtype, 50, seed=1)
    want = _call(name, x)
    mask = np.arange(50) % 3 != 1
    out = np.full_like(x, 123.5)
    _call(name, x, out=out, where=mask)
    assert np.all(out[~mask] == 123.5)
    assert_same_bits(out[mask], want[mask], f"{name} where=")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", registry.names(tier=None))
def test_strided_inputs_and_outputs(name, dtype):
    base = _sample(dtype, 300, seed=2)
    for view in (base[::3], base[::-1], base[5:250:7], base[::-2]):
        want = _call(name, np.ascontiguousarray(view))
        assert_same_bits(_call(name, view), want, f"{name} strided view")
        out_buf = np.zeros(3 * view.size + 1, dtype=dtype)
        out = out_buf[1::3]
        _call(name, view, out=out)
        assert_same_bits(out, want, f"{name} strided out")
    m = _sample(dtype, (17, 13), seed=3)
    t = m.T
    assert not t.flags.c_contiguous
    assert_same_bits(_call(name, t), _call(name, np.ascontiguousarray(t)), f"{name} transposed")
    assert_same_bits(_call(name, m[:, ::-2]), _call(name, np.ascontiguousarray(m[:, ::-2])),
                     f"{name} 2-D negative stride")


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", registry.names(nin=2, tier=None))
def test_binary_mixed_strides(name, dtype):
    f = _ufunc(name)
    x = _sample(dtype, 200, seed=4)
    dy = _sample(dtype, 400, seed=5)[::2] * dtype(0.5)
    want = f(np.ascontiguousarray(dy), x)
    assert_same_bits(f(dy, x), want, f"{name} strided dy")
    assert_same_bits(f(dy[::-1], x[::-1])[::-1], want, f"{name} reversed both")


# ---------------------------------------------------------------------------
# Scalars, 0-d, empty
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", registry.names(tier=None))
def test_scalars_and_0d(name):
    f = _ufunc(name)
    args = (0.75,) if registry.get(name).nin == 1 else (1.5, 0.75)
    r = f(*args)
    assert isinstance(r, np.float64) and np.ndim(r) == 0
    r32 = f(*[np.float32(a) for a in args])
    assert isinstance(r32, np.float32)
    r0d = f(*[np.array(a, dtype=np.float32) for a in args])
    assert isinstance(r0d, np.float32) or (isinstance(r0d, np.ndarray) and r0d.shape == ())
    arr = f(*[np.array([a], dtype=np.float32) for a in args])
    assert np.asarray(r0d).view(np.uint32) == arr.view(np.uint32)[0]
    assert np.float64(r).view(np.uint64) == f(*[np.array([a]) for a in args]).view(np.uint64)[0]
    # value against the oracle
    x = np.array([0.75])
    dy = np.array([1.5]) if registry.get(name).nin == 2 else None
    err = ulps.ulp_error(name, np.array([r]), x, dy)
    assert err[0] <= registry.get(name).accuracy.ulps


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", registry.names(tier=None))
def test_empty_arrays(name, dtype):
    for shape in [(0,), (3, 0), (0, 5)]:
        x = np.empty(shape, dtype=dtype)
        r = _call(name, x)
        assert r.shape == shape and r.dtype == dtype


# ---------------------------------------------------------------------------
# dtypes
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", registry.names(tier=None))
@pytest.mark.parametrize("in_dtype, out_dtype", [
    (np.int64, np.float64), (np.int32, np.float64), (np.uint32, np.float64),
    (np.bool_, np.float16), (np.int8, np.float16), (np.uint8, np.float16),
    (np.int16, np.float32), (np.uint16, np.float32),
])
def test_integer_and_bool_promotion(name, in_dtype, out_dtype):
    """Like np.exp: bool and 8-bit ints go to float16, 16-bit to float32, wider to float64."""
    if in_dtype is np.bool_:
        xi = np.array([True, False, True])
    else:
        info = np.iinfo(in_dtype)
        xi = np.array([min(info.max, 3), 0, max(info.min, -2), min(info.max, 100)],
                      dtype=in_dtype)
    got = _call(name, xi)
    assert got.dtype == out_dtype, (name, in_dtype, got.dtype)
    assert_same_bits(got, _call(name, xi.astype(out_dtype)), f"{name} from {in_dtype}")
    assert _call(name, np.int64(2)).dtype == np.float64
    assert isinstance(_ufunc(name)(*([2] * _ufunc(name).nin)), np.float64)


@pytest.mark.parametrize("name", registry.names(nin=2, tier=None))
def test_backward_mixed_float_promotes(name):
    f = _ufunc(name)
    x32 = np.array([-1.0, 0.5, 2.0], dtype=np.float32)
    dy64 = np.array([1.0, -2.0, 0.5])
    r = f(dy64, x32)
    assert r.dtype == np.float64
    assert_same_bits(r, f(dy64, x32.astype(np.float64)), f"{name} f64,f32")
    r = f(dy64.astype(np.float32), x32.astype(np.float64))
    assert r.dtype == np.float64


@pytest.mark.parametrize("name", registry.names(tier=None))
def test_dtype_keyword(name):
    x32 = _sample(np.float32, 40, seed=6)
    got = _call(name, x32, dtype=np.float64)
    assert got.dtype == np.float64
    assert_same_bits(got, _call(name, x32.astype(np.float64)), f"{name} dtype=float64")
    got = _call(name, x32.astype(np.float64), dtype=np.float32, casting="same_kind")
    assert got.dtype == np.float32


@pytest.mark.parametrize("name", registry.names(tier=None))
@pytest.mark.parametrize("bad", [
    np.array([1 + 2j]), np.array([1.0 + 0j], dtype=np.complex64), 1j,
    np.array([1.0], dtype=object), np.array(["a"]), "abc", np.array([b"x"]),
], ids=["complex128", "complex64", "py-complex", "object", "str", "py-str", "bytes"])
def test_unsupported_inputs_raise_typeerror(name, bad):
    f = _ufunc(name)
    with pytest.raises(TypeError):
        f(bad) if f.nin == 1 else f(bad, np.array([1.0]))
    if f.nin == 2:
        with pytest.raises(TypeError):
            f(np.array([1.0]), bad)


# ---------------------------------------------------------------------------
# Hypothesis (light): arbitrary float arrays, strided == contiguous
# ---------------------------------------------------------------------------

@settings(deadline=None, max_examples=25, derandomize=True, database=None)
@given(data=st.data(), dtype=st.sampled_from(DTYPES), name=st.sampled_from(registry.names(tier=None)),
       step=st.sampled_from([1, 2, 3, -1, -2]))
def test_hypothesis_strided_matches_contiguous(data, dtype, name, step):
    width = 32 if dtype is np.float32 else 64
    x = data.draw(hnp.arrays(dtype, st.integers(0, 70),
                             elements=st.floats(allow_nan=True, allow_infinity=True,
                                                allow_subnormal=True, width=width)))
    view = x[::step]
    got = _call(name, view)
    want = np.array([_call(name, np.array([v]))[0] for v in view], dtype=dtype)
    assert_same_bits(got, want, f"{name} step {step}")


# ---------------------------------------------------------------------------
# Package API
# ---------------------------------------------------------------------------

def test_version_is_a_string():
    assert isinstance(gelu_c.__version__, str) and gelu_c.__version__


def test_show_config_reports_version_and_path(capsys, kernel_path):
    r = gelu_c.show_config()
    out = capsys.readouterr().out
    assert gelu_c.__version__ in out
    assert kernel_path in out
    assert r is None or isinstance(r, str)


def test_available_paths():
    paths = gelu_c.available_kernel_paths()
    assert isinstance(paths, tuple)
    assert "scalar" in paths
    assert all(isinstance(p, str) for p in paths)
    assert len(set(paths)) == len(paths)


def test_set_and_get_kernel_path(kernel_path):
    assert gelu_c.get_kernel_path() == kernel_path
    for p in gelu_c.available_kernel_paths():
        gelu_c.set_kernel_path(p)
        assert gelu_c.get_kernel_path() == p
    gelu_c.set_kernel_path("auto")
    best = gelu_c.get_kernel_path()
    assert best in gelu_c.available_kernel_paths()
    assert best != "auto"
    if len(gelu_c.available_kernel_paths()) > 1:
        assert best != "scalar"


def test_kernel_path_context_restores_the_previous_path(kernel_path):
    for p in gelu_c.available_kernel_paths():
        with gelu_c.kernel_path(p) as now:
            assert now == p == gelu_c.get_kernel_path()
        assert gelu_c.get_kernel_path() == kernel_path
        with pytest.raises(ZeroDivisionError):
            with gelu_c.kernel_path(p):
                1 / 0
        assert gelu_c.get_kernel_path() == kernel_path
    with pytest.raises(ValueError):
        with gelu_c.kernel_path("no-such-path"):
            pass
    assert gelu_c.get_kernel_path() == kernel_path


def test_internal_names_are_not_public():
    public = {n for n in dir(gelu_c) if not n.startswith("_")}
    assert "select_from_environment" not in public
    assert set(gelu_c.__all__) - {"__version__"} <= public


def test_unknown_kernel_path_raises_valueerror():
    before = gelu_c.get_kernel_path()
    for bad in ("no-such-path", "", "SCALAR ", "avx9000"):
        with pytest.raises(ValueError):
            gelu_c.set_kernel_path(bad)
        assert gelu_c.get_kernel_path() == before


def _known_paths():
    known = getattr(gelu_c, "known_kernel_paths", None)
    return tuple(known()) if known is not None else ("scalar", "avx2")


def test_unavailable_kernel_path_raises_runtimeerror():
    missing = [p for p in _known_paths() if p not in gelu_c.available_kernel_paths()]
    if not missing:
        pytest.skip("every known kernel path is available on this CPU/build")
    before = gelu_c.get_kernel_path()
    for p in missing:
        with pytest.raises(RuntimeError):
            gelu_c.set_kernel_path(p)
        assert gelu_c.get_kernel_path() == before


def _run_child(tmp_path, env_value, code):
    env = dict(os.environ)
    env.pop("GELU_C_KERNEL_PATH", None)
    if env_value is not None:
        env["GELU_C_KERNEL_PATH"] = env_value
    return subprocess.run([sys.executable, "-c", code], env=env, cwd=str(tmp_path),
                          capture_output=True, text=True, timeout=120)


def test_env_var_selects_scalar(tmp_path):
    code = ("import gelu_c, numpy as np; print(gelu_c.get_kernel_path()); "
            "print(gelu_c.gelu(np.arange(-4, 4, dtype=np.float32)).view(np.uint32).tolist())")
    r = _run_child(tmp_path, "scalar", code)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.split("\n")
    assert lines[0].strip() == "scalar", r.stdout
    # the child computes the same bits as this process on the scalar path
    with gelu_c.kernel_path("scalar"):
        here = gelu_c.gelu(np.arange(-4, 4, dtype=np.float32)).view(np.uint32).tolist()
    assert lines[1].strip() == str(here)


@pytest.mark.parametrize("path", gelu_c.available_kernel_paths())
def test_env_var_selects_each_available_path(tmp_path, path):
    r = _run_child(tmp_path, path, "import gelu_c; print(gelu_c.get_kernel_path())")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == path


def test_env_var_unset_or_auto_picks_best(tmp_path):
    with gelu_c.kernel_path("auto") as best:
        pass
    for value in (None, "auto"):
        r = _run_child(tmp_path, value, "import gelu_c; print(gelu_c.get_kernel_path())")
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == best


def test_child_imports_installed_package(tmp_path):
    """The subprocess checks run outside the source tree on the installed package."""
    r = _run_child(tmp_path, None,
                   "import gelu_c, os; print(os.getcwd()); print(gelu_c.__version__)")
    assert r.returncode == 0, r.stderr
    out = r.stdout.split("\n")
    assert os.path.samefile(out[0].strip(), str(tmp_path))
    assert out[1].strip() == gelu_c.__version__
