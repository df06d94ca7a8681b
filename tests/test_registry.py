"""The registry (gelu_c/registry.py) is the one table of functions: the compiled
extension, the generated files, the docstrings and the stubs all agree with it."""
import importlib.util
import os
import pickle
from operator import attrgetter

import numpy as np
import pytest

import gelu_c
from gelu_c import registry

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


#: the generated files sit next to the registry in a source checkout, not in an installed package
IN_CHECKOUT = os.path.isfile(os.path.join(ROOT, "gelu_c", "registry.py"))
needs_checkout = pytest.mark.skipif(not IN_CHECKOUT, reason="not run from a source checkout")


def _generator():
    path = os.path.join(ROOT, "tools", "generate_registry.py")
    spec = importlib.util.spec_from_file_location("_generate_registry", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@needs_checkout
def test_generated_files_are_fresh():
    """Every file generated from the registry has the content the registry gives
    (run `python tools/generate_registry.py` after editing the registry)."""
    assert _generator().stale_files(ROOT) == []


@needs_checkout
def test_generator_detects_a_stale_file(tmp_path):
    """The freshness check can fail: a copy of the generated files with one line
    changed is reported stale."""
    gen = _generator()
    files = gen.generated_files(gen.load_registry(), ROOT)
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    assert gen.stale_files(str(tmp_path)) == []
    stub = tmp_path / gen.STUB_PATH
    stub.write_text(stub.read_text(encoding="utf-8").replace("gelu: np.ufunc", "gelu: int"),
                    encoding="utf-8")
    assert gen.stale_files(str(tmp_path)) == [gen.STUB_PATH]


def test_every_registry_function_is_a_ufunc():
    for f in registry.FUNCTIONS:
        uf = attrgetter(f.qualname)(gelu_c)
        assert isinstance(uf, np.ufunc), f.name
        assert uf.__name__ == f.name
        assert (uf.nin, uf.nout) == (f.nin, f.nout), f.name
        assert sorted(uf.types) == sorted(c * f.nin + "->" + c * f.nout for c in "efd"), f.name
        assert f.name in importlib.import_module(f.module).__all__
        assert pickle.loads(pickle.dumps(uf)) is uf


def test_docstrings_come_from_the_registry():
    for f in registry.FUNCTIONS:
        doc = attrgetter(f.qualname)(gelu_c).__doc__
        assert f.summary[:-1] in doc, f.name
        assert f.describe_bound() in doc, f.name
        assert f.name in importlib.import_module(f.module).__doc__, f.name


def test_registry_is_consistent():
    """Each derivative and backward function belongs to a family with a value
    function; bounds and approximated functions exist; names are unique."""
    names = registry.names(tier=None, params=None)
    assert len(set(names)) == len(names) == len(registry.FUNCTIONS)
    for f in registry.FUNCTIONS:
        assert f.bound in registry.BOUNDS, f.name
        assert registry.get(f.family).kind == "value", f.name
        if f.kind == "backward":
            assert registry.grad_of(f.name) is not None, f.name
            assert f.name == f.family + "_backward"
        if f.approximates is not None:
            assert registry.get(f.approximates).kind == f.kind, f.name
        assert f.summary and (f.kind == "backward" or f.example), f.name


def test_unknown_name_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown function name 'gelu_fast'"):
        registry.get("gelu_fast")


def test_half_near_zero_premise():
    """The half-precision tables round tiny-x results from x/2 (value) and 1/2
    (derivative) with the sign of the next Taylor term breaking a tie; that holds for a
    function the generator marks near_zero (every sign_of_x one) only if f(x) = x/2 +
    c x^2 + ... with c > 0. Checked against the mpmath definitions, both signs of x."""
    import mpmath
    from gelu_c.accuracy import definitions
    marked = [f for f in registry.FUNCTIONS
              if f.tier == "exact" and f.kind == "value" and f.sign_of_x and not f.params]
    assert marked
    for f in marked:
        value = definitions.definition(f.name)
        grad = definitions.definition(registry.grad_of(f.name))
        with mpmath.workdps(80):
            for x in (mpmath.mpf(2) ** -40, -mpmath.mpf(2) ** -40):
                c = (value(x) - x / 2) / (x * x)
                assert 0 < c < 1, (f.name, x, c)
                assert (grad(x) - mpmath.mpf(0.5)) * x > 0, (f.name, x)
