"""Special values of every gelu_c ufunc, for each dtype and kernel path.

* f(NaN) = NaN for every function (both inputs of the backward functions).
* gelu, gelu_tanh, gelu_sigmoid, silu: f(+inf) = +inf, f(-inf) = -0.0,
  f(+0) = +0, f(-0) = -0 (signs checked with np.signbit).
* norm_cdf: Phi(-inf) = 0, Phi(+inf) = 1, Phi(+-0) = 0.5.
* derivatives: 1 at +inf, 0 (either sign) at -inf, 0.5 at +-0.
* backward(dy, x) = dy * f'(x) at those points.
* subnormal inputs: f(x) ~ x/2 keeps the 1 ULP bound (checked against the
  oracle), so e.g. gelu(3 * smallest subnormal) is not 0 (no flush to zero).

Each value is checked alone (a 1-element array and a 0-d scalar) and embedded
at several positions of a longer array, so that vector bodies and scalar
tails of a SIMD kernel both see it.

The dtypes are float32, float64, float16 and bfloat16 (ml_dtypes'; skipped without
it). The half formats are correctly rounded: where a check compares with the mpmath
oracle, a half result must be the exact value rounded once to the format, bit for bit
(half_formats.round_bits, in exact rational arithmetic). Where a value of the tests does
not fit float16 (1e30, 1e-30) a float16 one plays its part (_big, _tiny).
"""
import mpmath
import os
import sys
from operator import attrgetter

import numpy as np
import pytest

import gelu_c
from gelu_c import registry
from gelu_c.accuracy import definitions, ulps

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import half_formats  # noqa: E402
from half_formats import finfo, is_half  # noqa: E402

DTYPES = half_formats.dtype_params("float32", "float64", "float16", "bfloat16")
#: The values of the form x * (something in (0, 1)): x's sign, f(+inf) = +inf, f(-inf) = -0.
GELU_LIKE = tuple(n for n in registry.names("value", tier=None) if registry.get(n).sign_of_x)
FILLER = 0.375
POSITIONS = (0, 1, 7, 8, 15, 16, 31, 36)   # in an array of 37 elements


def _ufunc(name):
    return attrgetter(name)(gelu_c)


def _big(dtype):
    """1e30 (far beyond every kernel's clamps), or 1e4 where the format ends before
    (float16, max 65504)."""
    return 1e30 if float(finfo(dtype).max) > 1e30 else 1e4


def _tiny(dtype):
    """1e-30, or 1e-7 (two least subnormals) where that is below the format's least
    subnormal (float16, 2**-24)."""
    return 1e-30 if float(finfo(dtype).smallest_subnormal) < 1e-30 else 1e-7


def _in(dtype, v):
    """v as the dtype's value, as a float (what the kernels see, for the oracle)."""
    return float(np.dtype(dtype).type(v))


def _everywhere(name, dtype, x, dy=None):
    """Evaluate at x (and dy) alone, as a 0-d scalar and embedded in an array.

    Returns a list of (description, result) pairs, results as ``dtype`` scalars.
    """
    f = _ufunc(name)
    dtype = np.dtype(dtype)
    x = dtype.type(x)
    args = (x,) if dy is None else (dtype.type(dy), x)
    out = []
    with np.errstate(all="ignore"):
        r = f(*args)
        out.append(("0-d scalar", r))
        r = f(*[np.array([a]) for a in args])
        out.append(("1-element array", r[0]))
        for pos in POSITIONS:
            arrays = []
            for a in args:
                buf = np.full(37, FILLER, dtype=dtype)
                buf[pos] = a
                arrays.append(buf)
            r = f(*arrays)
            out.append((f"position {pos} of 37", r[pos]))
            # the neighbours are untouched by the special value
            others = np.delete(r, pos)
            assert np.all(others == others[0]), (name, dtype, x, pos, r)
    for where, r in out:
        assert np.asarray(r).dtype == dtype, (name, where, np.asarray(r).dtype)
    return out


def _check(name, dtype, path, x, pred, what, dy=None):
    bad = [(w, r) for w, r in _everywhere(name, dtype, x, dy) if not pred(r)]
    assert not bad, (
        f"{name}({'' if dy is None else repr(dy) + ', '}{x!r}) [{np.dtype(dtype).name}, "
        f"path={path}] should be {what}; got " + ", ".join(f"{r!r} ({w})" for w, r in bad))


def _is_nan(r):
    return bool(np.isnan(r))


def _is(v, sign=None):
    def pred(r):
        if not r == v:
            return False
        if sign is not None and bool(np.signbit(r)) != sign:
            return False
        return True
    return pred


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", registry.names(nin=1, tier=None))
def test_nan_propagates(name, dtype, kernel_path):
    _check(name, dtype, kernel_path, np.nan, _is_nan, "NaN")
    _check(name, dtype, kernel_path, -np.nan, _is_nan, "NaN")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", registry.names("backward", tier=None))
def test_backward_nan_in_either_input(name, dtype, kernel_path):
    big, tiny = _big(dtype), _tiny(dtype)
    for x in (0.0, -0.0, 1.5, -0.75, -20.0, big, np.inf, -np.inf):
        _check(name, dtype, kernel_path, x, _is_nan, "NaN", dy=np.nan)
    for dy in (0.0, 1.0, -2.5, tiny, big, np.inf, -np.inf):
        _check(name, dtype, kernel_path, np.nan, _is_nan, "NaN", dy=dy)
    _check(name, dtype, kernel_path, np.nan, _is_nan, "NaN", dy=np.nan)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", GELU_LIKE)
def test_gelu_like_limits_and_signed_zeros(name, dtype, kernel_path):
    _check(name, dtype, kernel_path, np.inf, _is(np.inf), "+inf")
    _check(name, dtype, kernel_path, -np.inf, _is(0.0, sign=True), "-0.0")
    _check(name, dtype, kernel_path, 0.0, _is(0.0, sign=False), "+0.0")
    _check(name, dtype, kernel_path, -0.0, _is(0.0, sign=True), "-0.0")


@pytest.mark.parametrize("dtype", DTYPES)
def test_norm_cdf_limits(dtype, kernel_path):
    _check("norm_cdf", dtype, kernel_path, -np.inf, _is(0.0), "0")
    _check("norm_cdf", dtype, kernel_path, np.inf, _is(1.0), "1")
    _check("norm_cdf", dtype, kernel_path, 0.0, _is(0.5), "0.5")
    _check("norm_cdf", dtype, kernel_path, -0.0, _is(0.5), "0.5")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", registry.names("grad", tier=None))
def test_grad_limits(name, dtype, kernel_path):
    _check(name, dtype, kernel_path, np.inf, _is(1.0), "1")
    _check(name, dtype, kernel_path, -np.inf, _is(0.0), "0")
    _check(name, dtype, kernel_path, 0.0, _is(0.5), "0.5")
    _check(name, dtype, kernel_path, -0.0, _is(0.5), "0.5")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", registry.names("backward", tier=None))
def test_backward_limits(name, dtype, kernel_path):
    for dy in (1.0, 2.5, -3.0, 0.0):
        _check(name, dtype, kernel_path, np.inf, _is(dy), f"{dy}", dy=dy)
        _check(name, dtype, kernel_path, -np.inf, _is(0.0), "0", dy=dy)
        _check(name, dtype, kernel_path, 0.0, _is(dy / 2), f"{dy / 2}", dy=dy)
        _check(name, dtype, kernel_path, -0.0, _is(dy / 2), f"{dy / 2}", dy=dy)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", registry.names("backward", tier=None))
def test_backward_infinite_dy(name, dtype, kernel_path):
    """dy = +-inf times a finite non-zero f'(x) is an infinity of the product's sign.

    Also past the kernels' clamps, where f'(x) itself is below the least subnormal
    (x = -30 for float32 GELU', x = -1e30 for every function and dtype but float16,
    x = -1e4 there; f'(-1e4) is below float64's least subnormal too): f'(x) is
    still not zero there, so the product is infinite, not inf * 0 = NaN. No "invalid" or "overflow" flag is raised, in any lane of a
    vector (x = -inf, where f' = 0 exactly, is in test_backward_limits).
    """
    big, tiny = _big(dtype), _tiny(dtype)
    xs = (1.0, -2.0, 0.0, 30.0, -30.0, -200.0, big, -big, tiny, -tiny)
    for x in xs:
        slope_positive = definitions.exact_scalar(registry.grad_of(name), _in(dtype, x)) > 0
        for dy in (np.inf, -np.inf):
            want = dy if slope_positive else -dy
            _check(name, dtype, kernel_path, x, _is(want), repr(want), dy=dy)
    f = _ufunc(name)
    xa = np.array(xs * 4, dtype=dtype)
    for dy in (np.inf, -np.inf):
        with np.errstate(invalid="raise", over="raise", divide="raise"):
            for n in (1, 3, len(xa)):
                f(np.full(n, dy, dtype=dtype), xa[:n])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", registry.names("backward", tier=None))
def test_backward_zero_dy_gives_signed_zero(name, dtype, kernel_path):
    """dy = +-0 gives the zero IEEE multiplication gives: sign(dy) * sign(f'(x)).

    f'(x)'s sign comes from the mpmath oracle; the points cover both signs of
    f' (f' < 0 in the negative tail of every form), f' = 0.5 at +-0 and f' = 1
    far right, and both halves of the kernels' tables.
    """
    for x in (-30.0, -9.0, -5.0, -2.5, -0.5, -_tiny(dtype), 0.0, -0.0, 0.3, 2.0, 7.0, _big(dtype)):
        slope_negative = definitions.exact_scalar(registry.grad_of(name), _in(dtype, x)) < 0
        for dy in (0.0, -0.0):
            want_sign = bool(np.signbit(dy)) != slope_negative
            _check(name, dtype, kernel_path, x, _is(0.0, sign=want_sign),
                   "-0.0" if want_sign else "+0.0", dy=dy)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", registry.names(tier=None))
def test_specials_mixed_in_one_array(name, dtype, kernel_path):
    """All special inputs together in one strided-free array, in every lane."""
    specials = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0], dtype=dtype)
    fills = np.array([0.5, -1.25, 3.0, -30.0, _tiny(dtype)], dtype=dtype)
    n = 64
    rng = np.random.default_rng(3)
    x = np.resize(np.concatenate([specials, fills]), n)
    rng.shuffle(x)
    f = _ufunc(name)
    with np.errstate(all="ignore"):
        if registry.get(name).nin == 2:
            dy = np.resize(np.array([1.0, -2.0, 0.25], dtype=dtype), n)
            got = f(dy, x)
        else:
            dy = None
            got = f(x)
    assert got.dtype == dtype
    for i in range(n):
        xi = x[i]
        gi = got[i]
        if np.isnan(xi):
            assert np.isnan(gi), (name, i, xi, gi)
            continue
        if not np.isfinite(xi) or xi == 0:
            with np.errstate(all="ignore"):
                single = f(dy[i], xi) if dy is not None else f(xi)
            # the same value (and sign) as when computed alone
            assert (np.isnan(single) and np.isnan(gi)) or (
                single == gi and np.signbit(single) == np.signbit(gi)), (name, i, xi, gi, single)
            e = definitions.exact_scalar(name, float(xi), None if dy is None else float(dy[i]))
            want = half_formats.round_to(e, dtype) if is_half(dtype) else float(e)
            assert want == gi, (name, kernel_path, xi, e, gi)


@pytest.mark.parametrize("name", GELU_LIKE)
@pytest.mark.parametrize("dtype", DTYPES)
def test_gelu_like_results_have_the_sign_of_x(name, dtype, kernel_path):
    """x*Phi(x) and x*sigma(z) have x's sign, and IEEE rounding keeps a sign when a
    result underflows to zero: the negative tail's zeros are -0.0, never +0.0."""
    sub = float(finfo(dtype).smallest_subnormal)
    rng = np.random.default_rng(11)
    # a few binades below the least subnormal (those magnitudes round to zero)
    low = {"float32": -160, "float64": -1100, "float16": -30, "bfloat16": -140}[np.dtype(dtype).name]
    mags = np.concatenate([
        [sub, 2 * sub, 3 * sub],
        sub * rng.integers(1, 1 << 20, 200),
        np.ldexp(rng.uniform(0.5, 1, 400), rng.integers(low, 8, 400)),
        [1.0, 10.0, 15.0, 30.0, 40.0, 200.0, _big(dtype)],
    ]).astype(dtype)
    x = np.concatenate([mags, -mags])
    with np.errstate(all="ignore"):
        got = _ufunc(name)(x)
    bad = np.signbit(got) != np.signbit(x)
    assert not bad.any(), (name, kernel_path, x[bad][:8], got[bad][:8])
    # at -(least subnormal) the true value, -2^-150 (1 - 0.8 * 2^-149), is just below the
    # tie and rounds to -0; a kernel within its bound gives -0 or the least subnormal
    assert abs(got[len(mags)]) <= mags[0], (name, kernel_path, got[len(mags)])
    if is_half(dtype):
        # correctly rounded: exactly -0 (the same argument: -s/2 (1 - O(s)), s = 2^-24
        # or 2^-133, is just below the tie)
        assert got[len(mags)] == 0 and np.signbit(got[len(mags)]), (name, kernel_path, got[len(mags)])


@pytest.mark.parametrize("name", GELU_LIKE)
@pytest.mark.parametrize("dtype", DTYPES)
def test_subnormal_inputs_not_flushed(name, dtype, kernel_path):
    """f(x) ~ x/2 for tiny x: subnormal results keep the function's bound, 1 ULP (no FTZ).

    In float16 and bfloat16 the bound is correct rounding: every result is the exact
    value rounded once, bit for bit. There x/2 is a tie between two subnormals for odd
    k, and the sign of the x**2 term decides it (up for x > 0, toward zero for x < 0);
    a kernel that lost that term (or flushed) gets these wrong."""
    sub = finfo(dtype).smallest_subnormal
    k = np.array([2, 3, 4, 5, 7, 10, 33, 1000, 2 ** 20], dtype=np.float64)
    x = np.concatenate([k, -k]) * float(sub)
    x = x.astype(dtype)
    ex = definitions.exact(name, x.astype(np.float64))
    with np.errstate(all="ignore"):
        got = _ufunc(name)(x)
    assert np.all(got[np.abs(x) >= 3 * sub] != 0), (name, x, got)
    if is_half(dtype):
        ut = half_formats.uint_of(dtype)
        want = half_formats.round_array(ex, dtype)
        bad = got.view(ut) != want.view(ut)
        assert not bad.any(), (
            f"{name} [{np.dtype(dtype).name}, path={kernel_path}] not correctly rounded at "
            f"x={x[bad].tolist()}: got {got[bad].tolist()}, want {want[bad].tolist()}")
        return
    err = ulps.ulp_error(name, got, x, exact_values=ex)
    i = int(np.argmax(err))
    assert err[i] <= registry.get(name).accuracy.ulps, (
        f"{name} [{np.dtype(dtype).name}, path={kernel_path}] {err[i]:.4g} ULP at "
        f"x={x[i]!r}: expected {mpmath.nstr(ex[i], 17)} got {got[i]!r}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", registry.names(tier=None))
def test_no_spurious_invalid_overflow_divide(name, dtype, kernel_path):
    """No "invalid", "overflow" or "divide" flag from any finite or infinite input.

    Every magnitude from the least subnormal to the largest finite number (4,000
    geometric steps, both signs, with 0, +-inf and the largest finite number itself), in
    full vectors, so that a SIMD layer evaluates every lane of every step. None of these
    operations has an invalid, overflowing or infinite-from-finite true result (the
    backward ones with |dy| <= 1: |f'| < 1.2 everywhere), so IEEE arithmetic would raise
    nothing and neither may the kernels. The AVX2 kernels once formed x + x in every
    lane to quiet a NaN, which overflowed for |x| > max/2 (a RuntimeWarning from
    norm_cdf(2e38) and eight other functions). Underflow is not promised (README).
    In float16 and bfloat16, x is every one of the 65,536 bit patterns that is not a NaN.
    """
    fi = finfo(dtype)
    if is_half(dtype):
        pats = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(dtype)
        x = pats[~np.isnan(pats)]
        mbits, _ = half_formats.FORMATS[np.dtype(dtype).name]
        assert x.size == (1 << 16) - 2 * ((1 << mbits) - 1)     # the NaNs of both signs
    else:
        with np.errstate(over="ignore"):    # np.geomspace's own last step may round past max
            mags = np.geomspace(float(fi.smallest_subnormal), float(fi.max), 4000).astype(dtype)
        mags = mags[np.isfinite(mags)]
        mags = np.concatenate([mags, np.array([fi.max, fi.smallest_normal, 0.0, np.inf], dtype=dtype)])
        x = np.concatenate([mags, -mags])
    f = _ufunc(name)
    with np.errstate(invalid="raise", over="raise", divide="raise", under="ignore"):
        if registry.get(name).nin == 2:
            for dy in (1.0, -0.5, _tiny(dtype)):
                got = f(np.full_like(x, dy), x)
                assert not np.isnan(got).any(), (name, dy)
        else:
            got = f(x)
            assert not np.isnan(got).any(), name


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", registry.names("backward", tier=None))
def test_genuine_overflow_and_invalid_are_raised(name, dtype, kernel_path):
    """The flags IEEE arithmetic does raise on the true result still reach NumPy:
    dy = max times f'(2) > 1 overflows (the result is +inf), and inf * f'(-inf) = inf * 0
    is invalid (NaN); in full vectors and alone."""
    f = _ufunc(name)
    big = finfo(dtype).max
    assert definitions.exact_scalar(registry.grad_of(name), 2.0) > 1
    for n in (1, 9, 37):
        with np.errstate(over="raise"):
            with pytest.raises(FloatingPointError, match="overflow"):
                f(np.full(n, big, dtype=dtype), np.full(n, 2.0, dtype=dtype))
        with np.errstate(invalid="raise"):
            with pytest.raises(FloatingPointError, match="invalid"):
                f(np.full(n, np.inf, dtype=dtype), np.full(n, -np.inf, dtype=dtype))
        with np.errstate(all="ignore"):
            assert np.all(f(np.full(n, big, dtype=dtype), np.full(n, 2.0, dtype=dtype)) == np.inf)
            assert np.all(np.isnan(f(np.full(n, np.inf, dtype=dtype), np.full(n, -np.inf, dtype=dtype))))
