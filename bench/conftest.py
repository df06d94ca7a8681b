"""pytest-benchmark configuration of the gelu_c benchmark suite (``bench/``).

* ``--bench-huge``: also run the 2^26-element cases (256 MiB per float32 array,
  beyond every cache; slow, and several GiB with the naive float64 expression),
  which carry the ``huge`` marker and are skipped otherwise.
* ``bench_data``: a fixture returning ``(x, dy, out)`` for an input kind, size and
  dtype, cached for the few cases in a row that share them (the parameter lists
  put the implementation innermost), so every implementation times the same data.
* ``run_impl``: a fixture that builds the callable of one implementation,
  switching gelu_c's kernel path for the test and restoring it afterwards.

Peers run on one thread: torch via ``torch.set_num_threads(1)``; XLA's flags are
set here, before anything can import JAX, because XLA reads them only once.
"""
import functools
import os

import numpy as np
import pytest

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import inputs
import naive
import peers

import gelu_c

HUGE = 1 << 26


def size_label(n, sep="^"):
    """``2^20`` for large powers of two, the number otherwise (group names stay short).

    Test ids use ``sep="_"`` (``n2_20``): ``-k`` expressions cannot contain ``^``.
    """
    return f"2{sep}{n.bit_length() - 1}" if n & (n - 1) == 0 and n > 1024 else str(n)


def pytest_addoption(parser):
    parser.addoption("--bench-huge", action="store_true", default=False,
                     help="also run the 2^26-element (beyond-cache) benchmarks")


def pytest_configure(config):
    config.addinivalue_line("markers", "huge: 2^26-element benchmark, run only with --bench-huge")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--bench-huge"):
        return
    skip = pytest.mark.skip(reason="2^26-element case: run with --bench-huge")
    for item in items:
        if "huge" in item.keywords:
            item.add_marker(skip)


def pytest_report_header(config):
    paths = ", ".join(gelu_c.available_kernel_paths())
    return [f"gelu_c {gelu_c.__version__}: kernel paths {paths} (default {gelu_c.get_kernel_path()})",
            f"peers: {peers.torch_info()}"]


def importorskip(name):
    """``pytest.importorskip`` that also skips a peer whose import fails (a broken
    install is as absent as a missing one for a benchmark); pytest < 8.2 has no
    ``exc_type`` and skips only a missing module."""
    try:
        return pytest.importorskip(name, exc_type=ImportError)
    except TypeError:
        return pytest.importorskip(name)


@functools.lru_cache(maxsize=3)
def _data(kind, n, dtype, name):
    x = inputs.make_x(kind, n, dtype, name=name)
    dy = inputs.make_dy(n, dtype) if name in naive.BINARY else None
    out = np.empty(n, dtype)
    out.fill(0)         # touch the pages now, not inside the first timed call
    return x, dy, out


@pytest.fixture
def bench_data():
    """``bench_data(kind, n, dtype, name) -> (x, dy or None, out)``, shared across implementations."""
    return lambda kind, n, dtype, name: _data(kind, n, np.dtype(dtype).name, name)


@pytest.fixture
def run_impl():
    """``run_impl(impl, name, x, dy, out) -> (callable, result getter)``.

    ``impl`` is ``gelu_c-<path>``, ``torch``, ``jax``, ``naive``, ``copyto`` or
    ``negative``. Missing peers skip the test. The result getter returns what the last
    call produced, for the smoke check that the right function was wired.
    """
    last = {}

    def make(impl, name, x, dy, out):
        args = (dy, x) if dy is not None else (x,)
        if impl.startswith("gelu_c-"):
            gelu_c.set_kernel_path(impl.split("-", 1)[1])
            f = getattr(gelu_c, name)
            return (lambda: f(*args, out=out)), (lambda: out)
        if impl == "naive":
            importorskip("scipy")
            g = naive.NAIVE[name]

            def call():
                last["r"] = g(*args)
            return call, (lambda: last["r"])
        if impl == "copyto":
            return (lambda: np.copyto(out, x)), (lambda: out)
        if impl == "negative":
            return (lambda: np.negative(x, out=out)), (lambda: out)
        if impl == "torch":
            importorskip("torch")
            fn = peers.torch_call(name, x, out, dy)
            if fn is None:
                pytest.skip(f"torch has no counterpart of {name}")
            return fn, (lambda: out)
        if impl == "jax":
            importorskip("jax")
            fn = peers.jax_call(name, x, dy)
            if fn is None:
                pytest.skip(f"no JAX counterpart of {name}")

            def call():
                last["r"] = fn()
            return call, (lambda: np.asarray(last["r"]))
        raise ValueError(f"unknown implementation {impl!r}")

    # make() switches paths; the context restores the one in use before
    with gelu_c.kernel_path(gelu_c.get_kernel_path()):
        yield make
