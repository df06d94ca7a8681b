"""Value independence: each ufunc on 2^20 elements of every input kind, per kernel path.

One group per function/dtype/path (``values gelu float32 avx2``); inside it the
kinds of ``bench/inputs.py``: standard normal (the baseline), the deep negative tail,
the function's own subnormal-result band, all NaN, all +-1e30, and a stride-2 view.
The target is that tail/subnormal/NaN/huge stay within 1.2x of normal;
the strided case is shown for the non-contiguous loop, not judged.

No time is asserted. The smoke check is that special inputs give the expected
class of result (NaN in, NaN out; no spurious NaN elsewhere).
"""
import inputs
import naive
import numpy as np
import pytest

import gelu_c

N = 1 << 20
PATHS = tuple(gelu_c.available_kernel_paths())


def _cases():
    for dtype in ("float32", "float64"):
        for name in naive.ALL:
            for path in PATHS:
                for kind in inputs.KINDS:
                    yield pytest.param(name, dtype, path, kind, id=f"{name}-{dtype}-{path}-{kind}")


@pytest.mark.parametrize("name,dtype,path,kind", list(_cases()))
def test_values(benchmark, bench_data, run_impl, name, dtype, path, kind):
    x, dy, out = bench_data(kind, N, dtype, name)
    fn, result = run_impl(f"gelu_c-{path}", name, x, dy, out)
    benchmark.group = f"values {name} {dtype} {path}"
    benchmark.extra_info.update(function=name, dtype=dtype, n=N, path=path, kind=kind)
    if kind != "normal" and kind != "strided":
        benchmark.extra_info["target"] = "time <= 1.2 x normal"
    benchmark(fn)
    got = result()
    if kind == "nan":
        assert np.isnan(got).all()
    else:
        assert not np.isnan(got).any()
