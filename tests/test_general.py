"""gelu_general(x, mu, sigma), its partial derivatives and its backward pass, both tiers,
on every kernel path: against mpmath (the oracle of gelu_c/accuracy/general.py), the
mu = 0, sigma = 1 identity with gelu, broadcasting, the ReLU limit and the other special
parameters, signs and floating-point flags."""
import mpmath
import numpy as np
import pytest

import gelu_c
from gelu_c import registry
from gelu_c.accuracy import general

PATHS = gelu_c.available_kernel_paths()
TIERS = list(registry.TIERS)
DTYPES = [np.float32, np.float64]


def tier_module(tier):
    return gelu_c if tier == "exact" else getattr(gelu_c, tier)


def bits(a):
    return np.ascontiguousarray(a).view(np.uint8)


@pytest.fixture(scope="module")
def oracle_samples():
    """(x, mu, sigma, dy, exact values) per dtype, computed once for every tier and path."""
    out = {}
    for dt in DTYPES:
        x, mu, sigma = general.samples(dt, 400, seed=11)
        dy = np.random.default_rng(12).uniform(-4, 4, x.size).astype(dt)
        out[dt] = (x, mu, sigma, dy, [general.exact(*a) for a in zip(x, mu, sigma)])
    return out


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_within_bounds_against_mpmath(oracle_samples, dtype, tier, path):
    x, mu, sigma, dy, refs = oracle_samples[dtype]
    with gelu_c.kernel_path(path):
        worst = general.errors(x, mu, sigma, tier, dy, refs)
    assert worst.pop("sign") == []
    for column, (err, i) in worst.items():
        assert err <= general.bound(tier, column), (column, err, x[i], mu[i], sigma[i])


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_tail_needs_z_beyond_one_rounding(dtype, path):
    """Deep in the lower tail an error of one rounding in z = (x - mu)/sigma is
    multiplied by ~z^2: the naive value (z rounded once, then evaluated exactly) is off
    by many ULPs there, gelu_general is not."""
    rng = np.random.default_rng(5)
    zmax = 17.0 if dtype == np.float32 else 36.0
    mu = rng.uniform(1, 4, 60).astype(dtype)
    sigma = rng.uniform(0.3, 0.9, 60).astype(dtype)
    x = (mu - rng.uniform(zmax - 6, zmax, 60) * sigma).astype(dtype)
    with gelu_c.kernel_path(path):
        got = gelu_c.gelu_general(x, mu, sigma)
    naive_worst = kernel_worst = 0.0
    with mpmath.workdps(60):
        for xi, mi, si, gi in zip(x, mu, sigma, got):
            want = general.exact(xi, mi, si)[0]
            z_once = (x.dtype.type(xi) - mi) / si          # one rounding each
            naive = mpmath.mpf(float(xi)) * mpmath.ncdf(mpmath.mpf(float(z_once)))
            u = general.ulp(want, dtype)
            naive_worst = max(naive_worst, float(abs(naive - want) / u))
            kernel_worst = max(kernel_worst, float(abs(mpmath.mpf(float(gi)) - want) / u))
    assert naive_worst > 8
    assert kernel_worst <= registry.get("gelu_general").accuracy.ulps


def _identity_inputs(dtype):
    fi = np.finfo(dtype)
    specials = [0.0, -0.0, np.inf, -np.inf, np.nan, fi.tiny, -fi.tiny, fi.smallest_subnormal,
                -fi.smallest_subnormal, fi.max, -fi.max, 1e-30, -1e-30]
    grid = np.linspace(-45, 45, 20011)
    rng = np.random.default_rng(3)
    logs = rng.choice([-1, 1], 4000) * 10.0 ** rng.uniform(-45, 38, 4000)
    return np.concatenate([specials, grid, logs]).astype(dtype)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_mu0_sigma1_gives_the_bits_of_gelu(dtype, tier, path):
    mod = tier_module(tier)
    x = _identity_inputs(dtype)
    with gelu_c.kernel_path(path), np.errstate(all="ignore"):
        want = mod.gelu(x)
        one_pair = mod.gelu_general(x, 0, 1)                            # one mu, one sigma
        arrays = mod.gelu_general(x, np.zeros_like(x), np.ones_like(x))  # the general loop
        strided = mod.gelu_general(np.repeat(x, 2)[::2], 0.0, 1.0)
    for got in (one_pair, arrays, strided):
        assert got.dtype == dtype
        assert np.array_equal(bits(got), bits(want))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_broadcasting_gives_the_same_bits(dtype, tier, path):
    """Per-channel mu, sigma (shape (C,)) against x (B, C), scalars against arrays,
    strided operands and out=: every layout gives the bits of full contiguous arrays."""
    mod = tier_module(tier)
    rng = np.random.default_rng(9)
    x = (rng.standard_normal((37, 19)) * 4).astype(dtype)
    mu = rng.uniform(-1, 1, 19).astype(dtype)
    sigma = rng.uniform(0.2, 3, 19).astype(dtype)
    dy = rng.standard_normal((37, 19)).astype(dtype)
    full = [np.broadcast_to(a, x.shape).copy() for a in (mu, sigma)]
    with gelu_c.kernel_path(path):
        want = mod.gelu_general(x, *full)
        assert np.array_equal(bits(mod.gelu_general(x, mu, sigma)), bits(want))
        xt = np.asfortranarray(x)
        assert np.array_equal(bits(mod.gelu_general(xt, mu, sigma)), bits(want))
        out = np.empty((37, 38), dtype)[:, ::2]
        mod.gelu_general(x, mu, sigma, out=out)
        assert np.array_equal(bits(out), bits(want))
        # one mu and one sigma for the whole array: the scalar loop and the general one
        s_want = mod.gelu_general(x, np.full_like(x, mu[3]), np.full_like(x, sigma[3]))
        assert np.array_equal(bits(mod.gelu_general(x, mu[3], sigma[3])), bits(s_want))
        g_want = mod.gelu_general_grad(x, *full)
        b_want = mod.gelu_general_backward(dy, x, *full)
        g = mod.gelu_general_grad(x, mu, sigma)
        b = mod.gelu_general_backward(dy, x, mu, sigma)
        outs = tuple(np.empty((37, 38), dtype)[:, 1::2] for _ in range(3))
        b2 = mod.gelu_general_backward(dy, x, mu, sigma, out=outs)
    assert len(g) == len(b) == 3
    for got, ref in zip(g + b + b2, g_want + b_want + b_want):
        assert got.shape == x.shape and got.dtype == dtype
        assert np.array_equal(bits(got), bits(ref))
    assert all(o is p for o, p in zip(b2, outs))


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_sigma_zero_is_the_relu_limit(dtype, tier, path):
    mod = tier_module(tier)
    x = np.array([-3, -1, -0.0, 0.0, 0.25, 0.5, 0.75, 1, 3, 1e30, -1e30], dtype)
    mu = dtype(0.5)
    dy = np.full_like(x, -2)
    with gelu_c.kernel_path(path), np.errstate(all="raise"):
        y = mod.gelu_general(x, mu, 0)
        ya = mod.gelu_general(x, np.full_like(x, mu), np.zeros_like(x))   # partial vectors
        dx, dmu, dsigma = mod.gelu_general_grad(x, mu, 0)
        bx, bmu, bsigma = mod.gelu_general_backward(dy, x, mu, 0)
        near = mod.gelu_general(x, mu, dtype(1e-30))
    relu = np.where(x > mu, x, 0)
    assert np.array_equal(y, relu) and np.array_equal(bits(y), bits(ya))
    assert np.array_equal(np.signbit(y), np.signbit(x))         # x * 0 keeps x's sign
    assert np.array_equal(dx, (x > mu).astype(dtype))
    assert not np.any(dmu) and not np.any(dsigma)
    assert np.array_equal(bx, dy * (x > mu)) and not np.any(bmu) and not np.any(bsigma)
    off = x != mu
    assert np.array_equal(near[off], y[off])                      # the limit of sigma -> 0


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_invalid_and_infinite_parameters(dtype, tier, path):
    mod = tier_module(tier)
    x = np.array([-2, -0.5, 0, 1.5, 7], dtype)
    with gelu_c.kernel_path(path):
        for sigma in (-1.0, -np.inf, np.nan):
            with np.errstate(invalid="ignore"):
                assert np.isnan(mod.gelu_general(x, 0.2, sigma)).all()
                assert all(np.isnan(g).all() for g in mod.gelu_general_grad(x, 0.2, sigma))
                assert all(np.isnan(g).all()
                           for g in mod.gelu_general_backward(np.ones_like(x), x, 0.2, sigma))
        with np.errstate(invalid="raise"), pytest.raises(FloatingPointError):
            mod.gelu_general(x, 0.2, -1.0)               # a domain error raises "invalid"
        with np.errstate(all="ignore"):
            assert np.isnan(mod.gelu_general(x, np.nan, 1.0)).all()
            assert np.isnan(mod.gelu_general(np.array([np.nan], dtype), 0, 1)).all()
        with np.errstate(all="raise"):
            half = mod.gelu_general(x, 0.2, np.inf)
            dx, dmu, dsigma = mod.gelu_general_grad(x, 0.2, np.inf)
            assert np.array_equal(mod.gelu_general(x, np.inf, 1.0), 0 * x)       # z -> -inf
            assert np.array_equal(mod.gelu_general(x, -np.inf, 1.0), x)          # z -> +inf
            inf_x = mod.gelu_general(np.array([np.inf, -np.inf], dtype), 0.3, 2.0)
            g_inf = mod.gelu_general_grad(np.array([np.inf, -np.inf], dtype), 0.3, 2.0)
    assert np.array_equal(half, x / 2)
    assert np.array_equal(dx, np.full_like(x, 0.5)) and not np.any(dmu) and not np.any(dsigma)
    assert inf_x[0] == np.inf and inf_x[1] == 0 and np.signbit(inf_x[1])
    assert list(g_inf[0]) == [1, 0] and not np.any(g_inf[1]) and not np.any(g_inf[2])


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("tier", TIERS)
@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
def test_no_flags_on_ordinary_inputs(dtype, tier, path):
    """Finite inputs with sigma > 0 (and sigma = 0) raise no floating-point flag other
    than those of a result that underflows or overflows, on every length (partial
    vectors are padded inside the kernels)."""
    mod = tier_module(tier)
    rng = np.random.default_rng(2)
    for n in (1, 5, 17, 37, 300):
        x = (rng.standard_normal(n) * 3).astype(dtype)
        mu = rng.uniform(-1, 1, n).astype(dtype)
        sigma = rng.uniform(0.5, 2, n).astype(dtype)
        sigma[::7] = 0
        # z = 0 (x = mu) beside a sigma = 0 lane: the limits' formulas, which run on the
        # whole vector, once overflowed on sigma^2/max(|x - mu|, least subnormal) there
        x[1::5] = mu[1::5]
        dy = rng.uniform(-2, 2, n).astype(dtype)
        with gelu_c.kernel_path(path), np.errstate(all="raise"):
            mod.gelu_general(x, mu, sigma)
            mod.gelu_general(x, mu[0], dtype(1.3))
            mod.gelu_general_grad(x, mu, sigma)
            mod.gelu_general_backward(dy, x, mu, sigma)


def test_formulas_match_numerical_derivatives():
    """The oracle's partial derivatives are those of x Phi((x - mu)/sigma) (mpmath's
    numerical differentiation at 40 digits)."""
    rng = np.random.default_rng(4)
    with mpmath.workdps(40):
        def f(x, mu, sigma):
            return x * mpmath.ncdf((x - mu) / sigma)
        for _ in range(12):
            x, mu = rng.uniform(-5, 5), rng.uniform(-2, 2)
            sigma = float(np.exp(rng.uniform(-1, 1)))
            _, dx, dmu, dsigma = general.exact(x, mu, sigma, dps=40)
            for k, want in enumerate((dx, dmu, dsigma)):
                order = [0, 0, 0]
                order[k] = 1
                num = mpmath.diff(f, (mpmath.mpf(x), mpmath.mpf(mu), mpmath.mpf(sigma)), order)
                assert abs(num - want) <= mpmath.mpf(10) ** -30 * (1 + abs(want))


def test_parameter_gradients_are_sums_over_the_broadcast_axes():
    """In a training loop the gradient of a per-channel mu (sigma) is dmu (dsigma) summed
    over the batch axis, as the docstring shows: checked against central differences of
    sum(dy * gelu_general) in float64."""
    rng = np.random.default_rng(6)
    x = rng.standard_normal((64, 5)) * 2
    mu, sigma = rng.uniform(-0.5, 0.5, 5), rng.uniform(0.5, 1.5, 5)
    dy = rng.standard_normal((64, 5))
    _, dmu, dsigma = gelu_c.gelu_general_backward(dy, x, mu, sigma)
    h = 1e-6
    for c in range(5):
        for grad, which in ((dmu.sum(axis=0), 0), (dsigma.sum(axis=0), 1)):
            p = [mu.copy(), sigma.copy()]
            m = [mu.copy(), sigma.copy()]
            p[which][c] += h
            m[which][c] -= h
            fd = ((dy * gelu_c.gelu_general(x, *p)).sum()
                  - (dy * gelu_c.gelu_general(x, *m)).sum()) / (2 * h)
            assert abs(fd - grad[c]) <= 1e-6 * (1 + abs(grad[c]))


def test_float16_and_integers_promote_as_np_exp():
    y = gelu_c.gelu_general(np.array([1.0, -1.0], np.float16), np.float16(0), np.float16(1))
    assert y.dtype == np.float16
    assert gelu_c.gelu_general(np.array([1, 2]), 0, 1).dtype == np.exp(np.array([1, 2])).dtype
    assert gelu_c.gelu_general(np.array([1, 2], np.int8), 0, 1).dtype == np.float16
    assert gelu_c.gelu_general(np.array([1.0], np.float16), np.float32(0), 1).dtype == np.float32
