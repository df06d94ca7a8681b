"""Throughput of every gelu_c ufunc against its peers, one group per function/dtype/size.

Each group (``gelu float32 n=2^20``) holds the ufunc on every kernel path this CPU
has, PyTorch's aten ``.out`` op where one exists, JAX (jitted; allocates its result,
it has no ``out=``), the naive NumPy/SciPy expression, and the two NumPy floors
``np.copyto`` (memory bound) and ``np.negative`` (ufunc-call overhead), all on the
same standard-normal data with a preallocated output where the API allows.

Nothing here asserts a time: after the (timed) calls, the first elements of the
result are compared with the naive expression, so the smoke run
(``--benchmark-disable``) proves each implementation computes the named function.
"""
import naive
import numpy as np
import peers
import pytest
from conftest import HUGE, size_label

import gelu_c

SIZES = (1024, 1 << 20, HUGE)
DTYPES = ("float32", "float64")
PATHS = tuple(gelu_c.available_kernel_paths())
CHECKED = 4096      # elements compared with the naive expression after the benchmark


def _impls(name):
    impls = [f"gelu_c-{p}" for p in PATHS]
    if name in peers.TORCH_EQUIV:
        impls.append("torch")
    return impls + ["jax", "naive", "copyto", "negative"]


def _cases():
    # implementation innermost: consecutive tests share one cached input
    for n in SIZES:
        for dtype in DTYPES:
            for name in naive.ALL:
                for impl in _impls(name):
                    marks = [pytest.mark.huge] if n == HUGE else []
                    yield pytest.param(name, dtype, n, impl, marks=marks,
                                       id=f"{name}-{dtype}-n{size_label(n, '_')}-{impl}")


def _expected(impl, name, x, dy):
    x, dy = x[:CHECKED], (None if dy is None else dy[:CHECKED])
    if impl == "copyto":
        return x
    if impl == "negative":
        return -x
    return naive.NAIVE[name](*((dy, x) if dy is not None else (x,)))


@pytest.mark.parametrize("name,dtype,n,impl", list(_cases()))
def test_speed(benchmark, bench_data, run_impl, name, dtype, n, impl):
    x, dy, out = bench_data("normal", n, dtype, name)
    fn, result = run_impl(impl, name, x, dy, out)
    benchmark.group = f"{name} {dtype} n={size_label(n)}"
    benchmark.extra_info.update(function=name, dtype=dtype, n=n, impl=impl,
                                elements_per_call=n)
    if impl == "torch":
        benchmark.extra_info["torch_op"] = peers.TORCH_EQUIV[name]
    benchmark(fn)
    if impl == "torch" and name in peers.TORCH_STAND_INS:
        return      # a different function by design (torch's silu stands in)
    if not naive.HAVE_SCIPY and impl not in ("copyto", "negative"):
        return      # nothing to check against
    got = np.asarray(result())[:CHECKED]
    assert got.dtype == np.dtype(dtype), f"{impl} changed the dtype to {got.dtype}"
    tol = {"rtol": 2e-3, "atol": 2e-3} if dtype == "float32" else {"rtol": 1e-9, "atol": 1e-9}
    np.testing.assert_allclose(got, _expected(impl, name, x, dy), **tol)
