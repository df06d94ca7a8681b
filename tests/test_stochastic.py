"""stochastic_gelu: x times a Bernoulli(Phi(x)) mask.

The oracle for the keep probability is SciPy's ndtr in float64 (independent of gelu_c);
the mean test is a z-test at a stated level on a seeded draw.
"""
import numpy as np
import pytest

import gelu_c

scipy_special = pytest.importorskip("scipy.special")

DTYPES = (np.float32, np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
def test_values_are_x_or_a_signed_zero(dtype):
    x = np.random.default_rng(3).standard_normal((7, 33)).astype(dtype) * 3
    y = gelu_c.stochastic_gelu(x, rng=1)
    assert y.dtype == dtype and y.shape == x.shape
    kept = y == x
    assert np.all(kept | (y == 0))
    assert np.all(np.signbit(y) == np.signbit(x))
    assert 0 < kept.mean() < 1


@pytest.mark.parametrize("dtype", DTYPES)
def test_special_values(dtype):
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 40.0, -40.0] * 20, dtype=dtype)
    y = gelu_c.stochastic_gelu(x, rng=2)
    assert np.all(np.isnan(y[0::7]))
    assert np.all(y[1::7] == np.inf)                    # Phi(+inf) = 1: always kept
    assert np.all((y[2::7] == 0) & np.signbit(y[2::7]))  # Phi(-inf) = 0: -0.0
    assert np.all(y[5::7] == 40.0)                      # Phi(40) rounds to 1
    assert np.all((y[6::7] == 0) & np.signbit(y[6::7]))
    assert np.all((y[4::7] == 0) & np.signbit(y[4::7]))  # -0.0 kept or not: -0.0


def test_reproducible_and_independent_of_the_kernel_path():
    x = np.linspace(-4, 4, 10007, dtype=np.float32)
    results = []
    for path in gelu_c.available_kernel_paths():
        with gelu_c.kernel_path(path):
            results.append(gelu_c.stochastic_gelu(x, rng=np.random.default_rng(42)))
    for r in results[1:]:
        assert np.array_equal(r.view(np.uint32), results[0].view(np.uint32))
    other = gelu_c.stochastic_gelu(x, rng=43)
    assert not np.array_equal(other, results[0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_mean_converges_to_gelu(dtype):
    """For each x the keep frequency over n draws is within 5 standard errors of
    Phi(x) (SciPy's ndtr): a correct sampler fails one of these 12 checks with
    probability below 1e-5. The mean of x * m is x times that frequency, i.e. GELU.
    (x = 0 is left out: its kept and dropped values are both zeros.)"""
    xs = np.linspace(-3, 3, 12)
    n = 100_000
    x = np.repeat(xs, n).astype(dtype).reshape(len(xs), n)
    y = gelu_c.stochastic_gelu(x, rng=2024)
    freq = (y == x).mean(axis=1)
    p = scipy_special.ndtr(x[:, 0].astype(np.float64))
    se = np.sqrt(p * (1 - p) / n)
    assert np.all(np.abs(freq - p) <= 5 * se + 1e-12), (freq, p)
    mean = y.astype(np.float64).mean(axis=1)
    assert np.allclose(mean, xs * p, atol=5 * np.abs(xs) * se.max() + 1e-12)


def test_out_and_errors():
    x = np.arange(-3, 4, dtype=np.float64)
    out = np.empty_like(x)
    r = gelu_c.stochastic_gelu(x, rng=5, out=out)
    assert r is out
    assert np.array_equal(r, gelu_c.stochastic_gelu(x, rng=5))
    assert gelu_c.stochastic_gelu([1, 2, 3], rng=0).dtype == np.float64   # ints promote
    with pytest.raises(ValueError, match="out must be"):
        gelu_c.stochastic_gelu(x, rng=0, out=np.empty(3))
    with pytest.raises(ValueError, match="out must be"):
        gelu_c.stochastic_gelu(x, rng=0, out=np.empty_like(x, dtype=np.float32))
    with pytest.raises(TypeError, match="float32 or float64"):
        gelu_c.stochastic_gelu(x.astype(complex), rng=0)
    assert gelu_c.stochastic_gelu(np.zeros((0, 3), np.float32), rng=0).shape == (0, 3)
    # in place, and strided views, give the same values as a fresh output
    z = np.linspace(-3, 3, 40, dtype=np.float32).reshape(8, 5)
    want = gelu_c.stochastic_gelu(z, rng=9)
    inplace = z.copy()
    assert gelu_c.stochastic_gelu(inplace, rng=9, out=inplace) is inplace
    assert np.array_equal(inplace, want)
    big = np.zeros((16, 5), np.float32)
    big[::2] = z
    assert np.array_equal(gelu_c.stochastic_gelu(big[::2], rng=9), want)
    outv = np.zeros((8, 10), np.float32)[:, ::2]
    gelu_c.stochastic_gelu(z.T.copy().T, rng=9, out=outv)
    assert np.array_equal(outv, want)
    assert gelu_c.stochastic_gelu(np.float32(2.0), rng=0).shape == ()
