"""bench/naive.py, the benchmarks' naive NumPy/SciPy expressions, covers the registry.

Every function of :mod:`gelu_c.registry` has its naive formula there (a function
without one makes importing the module fail, naming it), and each formula computes
the function of its name (compared with the ufunc on ordinary inputs, where the naive
forms are accurate).
"""
import importlib.util
import os

import numpy as np
import pytest

import gelu_c
from gelu_c import registry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAIVE_PY = os.path.join(ROOT, "bench", "naive.py")

pytestmark = pytest.mark.skipif(not os.path.exists(NAIVE_PY), reason="no bench/naive.py here")


def _load_naive():
    spec = importlib.util.spec_from_file_location("_gelu_c_bench_naive", NAIVE_PY)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_naive_formula_for_every_function():
    naive = _load_naive()
    assert set(naive.NAIVE) == set(registry.names())
    assert naive.ALL == registry.names()
    assert naive.UNARY == registry.names(nin=1) and naive.BINARY == registry.names(nin=2)


def test_a_missing_formula_is_an_import_error(monkeypatch):
    names = registry.names

    def with_one_more(kind=None, nin=None):
        extra = ("gelu_imaginary",) if kind is None and nin in (None, 1) else ()
        return names(kind, nin) + extra

    monkeypatch.setattr(registry, "names", with_one_more)
    with pytest.raises(ImportError, match="no naive formula for gelu_imaginary"):
        _load_naive()


@pytest.mark.parametrize("name", registry.names())
def test_the_naive_formula_is_the_function(name):
    pytest.importorskip("scipy")
    naive = _load_naive()
    rng = np.random.default_rng(3)
    x = np.concatenate([np.linspace(-5.0, 5.0, 201), rng.normal(0.0, 2.0, 200)])
    args = (rng.uniform(-4.0, 4.0, x.size), x) if registry.get(name).nin == 2 else (x,)
    np.testing.assert_allclose(naive.NAIVE[name](*args), getattr(gelu_c, name)(*args),
                               rtol=1e-9, atol=1e-12, err_msg=name)
