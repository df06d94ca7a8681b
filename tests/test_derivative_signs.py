"""Signs of the derivatives and of dy * f'(x), tested apart from their magnitudes.

Within 1e-3 of a derivative's zero (its registry bound's ``zero_band``) the
accuracy bound is absolute (ULP errors are meaningless where the exact value goes
through 0), and an absolute bound would let a result of the wrong sign through. So
signs get tests of their own:

* every float within ``NEIGHBOURS`` ulps of each derivative zero (both
  dtypes): ``*_grad(x)`` has the sign of the exact f'(x), and
  ``*_backward(dy, x)`` the sign of ``dy * f'(x)`` for dy of both signs,
  +-0 (a zero of the IEEE product's sign), +-inf (an infinity, not NaN),
  the least subnormal (a product that rounds to a signed zero) and the
  largest float; magnitudes stay within the zero-band allowance;
* random floats over the whole range: the same rule, the sign of f' from
  the position of x relative to the zeros that mpmath finds.

The exact f'(x) comes from the mpmath oracle, never from gelu_c.
"""
import functools

import mpmath
from operator import attrgetter

import numpy as np
import pytest

import gelu_c
from gelu_c import registry
from gelu_c.accuracy import definitions, ulps, zeros

DTYPES = (np.float32, np.float64)
DTYPE_IDS = ("float32", "float64")
NEIGHBOURS = 24          # floats either side of each zero
SEED = 0x516E


def _bits_type(dtype):
    return np.uint32 if np.dtype(dtype) == np.float32 else np.uint64


@functools.lru_cache(maxsize=None)
def _around_zeros(grad, dtype_name):
    """The floats within NEIGHBOURS ulps of each zero of ``grad`` and the signs of
    the exact derivative there (+1 / -1; none of them is an exact zero)."""
    dtype = np.dtype(dtype_name)
    ut = _bits_type(dtype)
    xs = []
    for z in zeros.derivative_zeros(grad):
        b = int(np.array([float(z)], dtype=dtype).view(ut)[0])
        xs.extend(b + k for k in range(-NEIGHBOURS, NEIGHBOURS + 1))
    x = np.array(xs, dtype=ut).view(dtype)
    exact = definitions.exact(grad, x)
    assert all(e != 0 for e in exact)
    sign = np.array([1.0 if e > 0 else -1.0 for e in exact])
    return x, sign, exact


def _dys(dtype):
    fi = np.finfo(dtype)
    return [1.0, -1.0, 0.5, -3.0, 0.0, -0.0, np.inf, -np.inf,
            fi.smallest_subnormal, -fi.smallest_subnormal, fi.max, -fi.max]


def _calls(f, *args):
    """f on the whole arrays (vector bodies and a partial vector) and on each
    element alone, so that every kernel shape sees every input."""
    whole = f(*args)
    alone = np.array([f(*(a[i] for a in args)) for i in range(args[0].size)],
                     dtype=whole.dtype)
    return (("array", whole), ("one element", alone))


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("grad", registry.names("grad", tier=None))
def test_grad_sign_beside_its_zero(grad, dtype, kernel_path):
    x, sign, exact = _around_zeros(grad, np.dtype(dtype).name)
    f = attrgetter(grad)(gelu_c)
    with np.errstate(invalid="raise", over="raise", divide="raise"):
        for how, got in _calls(f, x):
            bad = (got == 0) | (np.signbit(got) != (sign < 0))
            assert not bad.any(), (grad, kernel_path, how, x[bad], got[bad])
            err = ulps.abs_error(grad, got, x, exact_values=exact)
            allow = zeros.zero_band_allowance(grad, dtype, x)
            assert all(e <= a for e, a in zip(err, allow)), (grad, kernel_path, how)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", registry.names("backward", tier=None))
def test_backward_sign_beside_the_zero(name, dtype, kernel_path):
    grad = registry.grad_of(name)
    x, sign, exact = _around_zeros(grad, np.dtype(dtype).name)
    f = attrgetter(name)(gelu_c)
    for d in _dys(dtype):
        dy = np.full(x.shape, d, dtype=dtype)
        want_neg = np.signbit(dy) != (sign < 0)
        # underflow is genuine for the least subnormal dy; nothing else may be raised
        with np.errstate(invalid="raise", over="raise", divide="raise", under="ignore"):
            results = _calls(f, dy, x)
        for how, got in results:
            where = f"{name}(dy={d!r}) [{np.dtype(dtype).name}, path={kernel_path}, {how}]"
            assert not np.isnan(got).any(), (where, x[np.isnan(got)])
            bad = np.signbit(got) != want_neg
            assert not bad.any(), (where, x[bad], got[bad])
            if np.isinf(d):
                assert np.isinf(got).all(), (where, got)
                continue
            if d == 0:
                assert (got == 0).all(), (where, got)
                continue
            err = ulps.abs_error(name, got, x, dy)
            allow = zeros.zero_band_allowance(name, dtype, x, dy)
            assert all(e <= a for e, a in zip(err, allow)), where


@functools.lru_cache(maxsize=None)
def _random_floats(dtype_name):
    """Finite floats from random bit patterns, plus a dense set in [-4, 4]."""
    dtype = np.dtype(dtype_name)
    ut = _bits_type(dtype)
    rng = np.random.default_rng([SEED, dtype.itemsize])
    bits = rng.integers(0, np.iinfo(ut).max, size=20000, dtype=ut, endpoint=True)
    x = bits.view(dtype)
    x = np.concatenate([x[np.isfinite(x)], rng.uniform(-4.0, 4.0, 20000).astype(dtype)])
    return x


@functools.lru_cache(maxsize=None)
def _slope_negative(grad, dtype_name):
    """The random floats and f'(x) < 0 there, from the exact zero (each derivative
    is negative left of its one zero and positive right of it: derivative_zeros
    documents the scan)."""
    x = _random_floats(dtype_name)
    (z,) = zeros.derivative_zeros(grad)
    return x, np.array([mpmath.mpf(float(v)) < z for v in x])


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", registry.names("backward", tier=None))
def test_backward_sign_everywhere(name, dtype, kernel_path):
    grad = registry.grad_of(name)
    x, neg = _slope_negative(grad, np.dtype(dtype).name)
    f = attrgetter(name)(gelu_c)
    g = attrgetter(grad)(gelu_c)
    with np.errstate(all="ignore"):
        gx = g(x)
        # -inf's limit is f' = -0: those lanes get the sign rule of the product too
        assert not (np.signbit(gx) != neg).any(), (grad, kernel_path, x[np.signbit(gx) != neg][:5])
        for d in (1.0, -1.0, 0.0, -0.0, np.inf, -np.inf):
            got = f(np.full(x.shape, d, dtype=dtype), x)
            bad = np.isnan(got) | (np.signbit(got) != (neg != np.signbit(d)))
            assert not bad.any(), (name, d, kernel_path, x[bad][:5], got[bad][:5])


def test_one_zero_per_derivative():
    """The sign rule above assumes a single zero per derivative."""
    for grad in registry.names("grad", tier=None):
        assert len(zeros.derivative_zeros(grad)) == 1, grad
