"""The inner loops' memory handling, on every kernel path.

* NumPy's reduce and accumulate hand a binary ufunc an output that overlaps its first
  input (a stride-0 output for reduce, out[i-1] for accumulate): the result must be the
  sequential one, element by element, which a vectorised loop would silently break.
* Strides whose byte offsets do not fit the AVX2 gather's 32-bit indices take the
  lane-by-lane path and must give the same bits as a contiguous copy.
The reference for each element is the same ufunc on a 1-element array (already
checked against the oracle elsewhere), so these tests are about layout, not accuracy.
"""
import numpy as np
import pytest

import gelu_c
from gelu_c import oracle

DTYPES = (np.float32, np.float64)


def _one(f, *args):
    return f(*[np.array([a]) for a in args])[0]


@pytest.mark.parametrize("dtype", DTYPES, ids=("float32", "float64"))
@pytest.mark.parametrize("name", oracle.BINARY)
def test_reduce_and_accumulate_are_sequential(name, dtype, kernel_path):
    f = getattr(gelu_c, name)
    rng = np.random.default_rng(5)
    x = rng.uniform(-3, 3, 37).astype(dtype)
    acc = x[0]
    want_acc = [acc]
    for v in x[1:]:
        acc = _one(f, acc, v)
        want_acc.append(acc)
    want_acc = np.array(want_acc, dtype=dtype)
    got_reduce = f.reduce(x)
    got_acc = f.accumulate(x)
    assert got_reduce.tobytes() == want_acc[-1].tobytes(), (got_reduce, want_acc[-1])
    np.testing.assert_array_equal(got_acc, want_acc)


@pytest.mark.parametrize("dtype", DTYPES, ids=("float32", "float64"))
@pytest.mark.parametrize("name", ("gelu", "silu_grad", "gelu_backward"))
def test_huge_strides(name, dtype, kernel_path):
    # 2**28 + one element: beyond the 32-bit byte offsets of an 8-lane gather. np.zeros
    # maps untouched pages lazily, so only the touched ones cost memory.
    itemsize = np.dtype(dtype).itemsize
    step = 2 ** 28 // itemsize + 1
    n = 11                                  # one full vector and a partial one
    buf = np.zeros(step * (n - 1) + 1, dtype=dtype)
    view = buf[::step]
    rng = np.random.default_rng(6)
    view[:] = rng.normal(0, 3, n)
    f = getattr(gelu_c, name)
    args = (view, view[::-1]) if name in oracle.BINARY else (view,)
    contiguous = [np.ascontiguousarray(a) for a in args]
    want = f(*contiguous)
    out_buf = np.zeros(buf.shape, dtype=dtype)      # calloc: lazily mapped, unlike zeros_like
    got = f(*args, out=out_buf[::step])
    assert got.tobytes() == want.tobytes()
    # nothing written between the elements (the neighbours of each one stay zero)
    touched = np.arange(0, out_buf.size, step)
    for d in (-2, -1, 1, 2):
        near = touched + d
        near = near[(near >= 0) & (near < out_buf.size)]
        assert not np.any(out_buf[near])
