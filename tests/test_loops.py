"""The inner loops' memory handling, on every kernel path.

* NumPy's reduce and accumulate hand a binary ufunc an output that overlaps its first
  input (a stride-0 output for reduce, out[i-1] for accumulate): the result must be the
  sequential one, element by element, which a vectorised loop would silently break.
* Strides whose byte offsets do not fit in 32 bits (which an 8-lane gather could not
  address) must give the same bits as a contiguous copy.
* Strided operands of the SIMD paths go through chunk buffers (csrc/loops.h): in place at
  a stride, over several chunks and a partial one, must equal the contiguous result and
  leave the elements between the strided ones alone.
The reference for each element is the same ufunc on a 1-element array (already
checked against the oracle elsewhere), so these tests are about layout, not accuracy.
"""
from operator import attrgetter

import numpy as np
import pytest

import gelu_c
from gelu_c import registry

DTYPES = (np.float32, np.float64)


def _one(f, *args):
    return f(*[np.array([a]) for a in args])[0]


@pytest.mark.parametrize("dtype", DTYPES, ids=("float32", "float64"))
@pytest.mark.parametrize("name", registry.names(nin=2, tier=None))
def test_reduce_and_accumulate_are_sequential(name, dtype, kernel_path):
    f = attrgetter(name)(gelu_c)
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
    f = attrgetter(name)(gelu_c)
    args = (view, view[::-1]) if registry.get(name).nin == 2 else (view,)
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


@pytest.mark.parametrize("dtype", DTYPES, ids=("float32", "float64"))
@pytest.mark.parametrize("name", ("gelu", "gelu_tanh_grad", "silu_backward"))
@pytest.mark.parametrize("step", (2, -3))
def test_in_place_at_a_stride_over_several_chunks(name, dtype, step, kernel_path):
    n = 3 * 256 + 77
    rng = np.random.default_rng(8)
    buf = rng.normal(0, 4, n * abs(step) + 1).astype(dtype)
    view = buf[::step][:n]
    before = buf.copy()
    f = attrgetter(name)(gelu_c)
    dy = rng.normal(0, 2, 2 * n).astype(dtype)[::2][:n] if registry.get(name).nin == 2 else None
    args = (dy, view) if dy is not None else (view,)
    want = f(*[np.ascontiguousarray(a) for a in args])
    got = f(*args, out=view)
    assert got.tobytes() == want.tobytes()
    # the elements between the strided ones are untouched
    mask = np.ones(buf.size, dtype=bool)
    mask[np.arange(buf.size)[::step][:n]] = False
    assert buf[mask].tobytes() == before[mask].tobytes()


def _subnormal_band_inputs(name, dtype, n, rng):
    """n inputs whose results (dy = 1 for a backward) lie below the normal range,
    found on a grid with the function itself: input selection only, nothing is
    asserted from these values."""
    grad = registry.grad_of(name) if registry.get(name).nin == 2 else name
    f = attrgetter(grad)(gelu_c)
    grid = -np.linspace(0.5, 1000.0, 400_001).astype(dtype)
    with np.errstate(all="ignore"):
        y = np.abs(f(grid))
    band = grid[(y > 0) & (y < np.finfo(dtype).tiny)]
    assert band.size, f"{grad} has no subnormal results on the grid"
    return rng.choice(band, n)


@pytest.mark.parametrize("dtype", DTYPES, ids=("float32", "float64"))
@pytest.mark.parametrize("name", registry.names(tier=None))
def test_neighbours_do_not_change_a_result(name, dtype, kernel_path):
    # The final scaling picks one of two recipes per vector (exponent-field shift when
    # every lane's result is normal, integer rounding on the subnormal grid otherwise);
    # both must give the same bits. So the same x must come out the same whether its
    # vector holds only normal results, only subnormal ones, zeros, or a mix.
    f = attrgetter(name)(gelu_c)
    rng = np.random.default_rng(7)
    deep = _subnormal_band_inputs(name, dtype, 64, rng)
    usual = rng.normal(0, 1, 64)
    x = np.concatenate([deep, usual, np.zeros(3)]).astype(dtype)
    dy = None
    if registry.get(name).nin == 2:
        # near 1 for most lanes (subnormal products), down to 2^-60 for a few (dy*m
        # itself far below 1 before the final scaling)
        dy = np.exp2(np.where(rng.random(x.size) < 0.8, rng.uniform(-1, 1, x.size),
                              rng.uniform(-60, 0, x.size)))
        dy = (dy * np.where(rng.random(x.size) < 0.5, -1, 1)).astype(dtype)
    args = (dy, x) if dy is not None else (x,)
    alone = np.array([_one(f, *(a[i] for a in args)) for i in range(x.size)], dtype=dtype)
    whole = f(*args)
    assert whole.tobytes() == alone.tobytes()
    perm = rng.permutation(x.size)        # subnormal and normal results share vectors
    mixed = f(*(a[perm] for a in args))
    assert mixed.tobytes() == alone[perm].tobytes()
    sub = (alone != 0) & (np.abs(alone) < np.finfo(dtype).tiny)
    assert sub.sum() >= 16, "too few subnormal results to exercise the integer rounding"
