"""Determinism: the same input gives the same bits whatever the path and layout.

For every function and dtype:

* each available kernel path gives, for every element, the bits it gives for
  that element alone (a 1-element call): whatever the array length (0..100
  and 10007), the alignment (offset 0..7 elements into a larger buffer, and a
  byte-misaligned buffer), the stride (1, 2, -1, 3) of input and output, or
  the element's position;
* all available paths return identical bits (compared as uint32/uint64).

With a single available path the first part still checks the layout
independence of that path.
"""
import functools

from operator import attrgetter

import numpy as np
import pytest

import gelu_c
from gelu_c import registry
from gelu_c.accuracy import zeros

DTYPES = (np.float32, np.float64)
DTYPE_IDS = ("float32", "float64")
UINT = {np.dtype(np.float32): np.uint32, np.dtype(np.float64): np.uint64}
LONG = 10007
POOL = LONG + 64
LENGTHS = range(0, 101)
OFFSETS = range(0, 8)
STRIDES = (1, 2, -1, 3)
PATHS = tuple(gelu_c.available_kernel_paths())


def _ufunc(name):
    return attrgetter(name)(gelu_c)


def _bits(a):
    a = np.ascontiguousarray(a)
    return a.view(UINT[a.dtype])


@functools.lru_cache(maxsize=None)
def _pool(dtype_name, which):
    """Inputs: specials, subnormals, tails, huge values, derivative zeros,
    random bit patterns and plain normal samples, shuffled (seeded)."""
    dtype = np.dtype(dtype_name)
    fi = np.finfo(dtype)
    rng = np.random.default_rng([11, dtype.itemsize, which])
    specials = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0,
                float(fi.max), -float(fi.max), float(fi.smallest_normal),
                -float(fi.smallest_normal), float(fi.smallest_subnormal),
                -float(fi.smallest_subnormal), 3 * float(fi.smallest_subnormal),
                1e-30, -1e-30, 1e10, -1e10, 1e30, -1e30]
    derivative_zeros = [float(z) for n in registry.names("grad", tier=None)
                        for z in zeros.derivative_zeros(n)]
    parts = [
        np.array(specials * 8),
        np.array(derivative_zeros * 16) + rng.uniform(-1e-3, 1e-3, 16 * len(derivative_zeros)),
        rng.normal(0, 2, POOL // 3),
        rng.uniform(-40, 10, POOL // 6),
        -np.geomspace(3, 800, POOL // 10),
        np.geomspace(1e-40, 1e-3, POOL // 20) * rng.choice([-1, 1], POOL // 20),
    ]
    with np.errstate(all="ignore"):
        x = np.concatenate(parts).astype(dtype)
        if dtype == np.float32:
            bits = rng.integers(0, 2 ** 32, POOL, dtype=np.uint64).astype(np.uint32)
        else:
            bits = rng.integers(0, 2 ** 64 - 1, POOL, dtype=np.uint64)
        x = np.concatenate([x, bits.view(dtype)[: max(0, POOL - x.size)]])[:POOL]
    x = x.copy()
    rng.shuffle(x)
    return x


def _args(name, dtype):
    x = _pool(np.dtype(dtype).name, 0)
    if registry.get(name).nin == 2:
        dy = _pool(np.dtype(dtype).name, 1)
        return (dy, x)
    return (x,)


@functools.lru_cache(maxsize=None)
def _elementwise(name, dtype_name, path):
    """Each element computed alone (1-element arrays) on ``path``."""
    dtype = np.dtype(dtype_name)
    args = _args(name, dtype)
    f = _ufunc(name)
    prev = gelu_c.get_kernel_path()
    gelu_c.set_kernel_path(path)
    try:
        out = np.empty(POOL, dtype=dtype)
        with np.errstate(all="ignore"):
            for i in range(POOL):
                out[i] = f(*[a[i:i + 1] for a in args])[0]
    finally:
        gelu_c.set_kernel_path(prev)
    out.setflags(write=False)
    return out


def _fail_msg(name, dtype, path, what, got, want, xs):
    diff = np.flatnonzero(_bits(got) != _bits(want))
    i = diff[0]
    return (f"{name} [{np.dtype(dtype).name}, path={path}] {what}: {diff.size} elements "
            f"differ; first at index {i}: input(s) {[a[i] for a in xs]!r} gave {got[i]!r}, "
            f"alone it gives {want[i]!r}")


def _check(name, dtype, path, what, got, want, xs):
    if got.size and np.any(_bits(got) != _bits(want)):
        pytest.fail(_fail_msg(name, dtype, path, what, got, want, xs), pytrace=False)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", registry.names(tier=None))
def test_layout_independence(name, dtype, kernel_path):
    f = _ufunc(name)
    args = _args(name, dtype)
    ref = _elementwise(name, np.dtype(dtype).name, kernel_path)
    index = np.arange(POOL)
    with np.errstate(all="ignore"):
        # the whole pool, contiguous
        _check(name, dtype, kernel_path, "whole array", f(*args), ref, args)
        for stride in STRIDES:
            for off in OFFSETS:
                if stride > 0:
                    sel = index[off:][::stride]
                else:
                    sel = index[::stride][off:]
                views = [a[off:][::stride] if stride > 0 else a[::stride][off:]
                         for a in args]
                for n in list(LENGTHS) + [LONG]:
                    if n > sel.size:
                        n = sel.size
                    vs = [v[:n] for v in views]
                    want = ref[sel[:n]]
                    xs = [a[sel[:n]] for a in args]
                    got = f(*vs)
                    _check(name, dtype, kernel_path,
                           f"length {n}, offset {off}, stride {stride}", got, want, xs)
                    # output at another alignment / stride
                    if n <= 100 and (n + off) % 3 == 0:
                        obuf = np.zeros(3 * n + 8, dtype=dtype)
                        o = (5 * off + 1) % 8
                        out = obuf[o:o + n] if stride != 3 else obuf[o::3][:n]
                        f(*vs, out=out)
                        _check(name, dtype, kernel_path,
                               f"length {n}, offset {off}, stride {stride}, out offset {o}",
                               out, want, xs)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", registry.names(tier=None))
def test_misaligned_buffer(name, dtype, kernel_path):
    """Arrays not aligned to their element size (a byte offset of 1)."""
    f = _ufunc(name)
    args = _args(name, dtype)
    ref = _elementwise(name, np.dtype(dtype).name, kernel_path)
    n = 203
    views = []
    for a in args:
        raw = np.zeros(n * a.itemsize + 1, dtype=np.uint8)
        v = raw[1:].view(dtype)
        v[:] = a[:n]
        assert not v.flags.aligned
        views.append(v)
    with np.errstate(all="ignore"):
        got = f(*views)
    _check(name, dtype, kernel_path, "byte-misaligned input", got, ref[:n], args)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", registry.names(tier=None))
def test_all_paths_identical(name, dtype):
    """Every available path returns the same bits as the scalar path."""
    args = _args(name, dtype)
    f = _ufunc(name)
    results = {}
    prev = gelu_c.get_kernel_path()
    try:
        for p in PATHS:
            gelu_c.set_kernel_path(p)
            with np.errstate(all="ignore"):
                results[p] = (f(*args), f(*[a[::-1] for a in args])[::-1],
                              f(*[a[3:3 + 37] for a in args]))
    finally:
        gelu_c.set_kernel_path(prev)
    base = results["scalar"]
    for p in PATHS:
        for k, what in enumerate(("contiguous", "reversed", "short unaligned")):
            got, want = results[p][k], base[k]
            xs = args if k < 2 else [a[3:3 + 37] for a in args]
            if np.any(_bits(got) != _bits(want)):
                pytest.fail(_fail_msg(name, dtype, p, f"{what}: differs from path scalar",
                                      got, want, xs), pytrace=False)
    # also elementwise: each path's single-element results agree with scalar's
    ref = _elementwise(name, np.dtype(dtype).name, "scalar")
    for p in PATHS:
        if p != "scalar":
            other = _elementwise(name, np.dtype(dtype).name, p)
            if np.any(_bits(other) != _bits(ref)):
                pytest.fail(_fail_msg(name, dtype, p, "1-element calls differ from path scalar",
                                      other, ref, args), pytrace=False)
