"""Accuracy of every gelu_c ufunc against the mpmath oracle, in ULPs.

Each function is held to its bound in :mod:`gelu_c.registry` (``accuracy``), for
every finite input, float32 and float64, subnormal results included:

* ``u1`` (the values ``norm_cdf``, ``gelu``, ``gelu_tanh``, ``gelu_sigmoid``,
  ``silu``): <= 1 ULP.
* ``u2`` (the four ``*_grad`` and the four ``*_backward``): <= 2 ULP, except
  within ``zero_band`` = 1e-3 (in x) of a zero of the derivative, where the
  absolute error of the derivative may instead be up to
  ``zero_band_ulps_of_half`` = 1 ULP of 0.5 (``2**-24`` / ``2**-53``). For
  ``backward = dy * f'(x)`` that allowance is scaled by ``|dy|`` and the final
  product's own rounding is added (``zeros.zero_band_allowance``, the rule the
  accuracy harness applies too).

ULPs are those of the exact value in the output dtype, floored at the
smallest subnormal (``ulps.ulp``).  Inputs cover tiny |x| (subnormals
included), the body [-3, 3] densely, both tails out past the point where the
result underflows, huge |x| up to the largest finite number, the
consecutive floats around the underflow boundary, the derivative zeros, and
seeded random bit patterns; every sample set is computed once per module and
reused for every kernel path.
"""
import functools
import subprocess
import sys
from operator import attrgetter

import mpmath
import numpy as np
import pytest

import gelu_c
from gelu_c import registry
from gelu_c.accuracy import definitions, ulps, zeros
from gelu_c.accuracy.scipy_reference import scipy_reference
from gelu_c.accuracy.ulp_table import names_by_kind

DTYPES = (np.float32, np.float64)
DTYPE_IDS = ("float32", "float64")
SEED = 0x6E1C

# Samples per region.  float64 sets are smaller (mpmath cost).
SIZES = {
    np.dtype(np.float32): dict(tiny=160, body=1600, neg_tail=1000, pos_tail=300,
                               huge=160, random=500, band=300, boundary=64),
    np.dtype(np.float64): dict(tiny=80, body=500, neg_tail=400, pos_tail=120,
                               huge=80, random=200, band=120, boundary=32),
}


def _ufunc(name):
    return attrgetter(name)(gelu_c)


def _int_type(dtype):
    return np.int32 if np.dtype(dtype) == np.float32 else np.int64


def _lin_log(lo, hi, n):
    """n points in [lo, hi] (0 < lo < hi): half linearly, half log spaced."""
    n1 = n // 2
    return np.concatenate([np.linspace(lo, hi, n1), np.geomspace(lo, hi, n - n1)])


def _neighbours(x0, dtype, k):
    """The 2k+1 consecutive floats of ``dtype`` centred on ``dtype(x0)``."""
    it = _int_type(dtype)
    b = np.array([x0], dtype=dtype).view(it)[0]
    bits = (b + np.arange(-k, k + 1)).astype(it)
    return bits.view(dtype).astype(np.float64)


def _clean(parts, dtype):
    """Concatenate labelled parts, cast, drop non-finite, deduplicate."""
    xs, labels = [], []
    fmax = np.finfo(dtype).max
    for label, values in parts:
        v = np.clip(np.asarray(values, dtype=np.float64), -float(fmax), float(fmax))
        v = v.astype(dtype)
        v = v[np.isfinite(v)]
        xs.append(v)
        labels.append(np.full(v.shape, label, dtype=object))
    x = np.concatenate(xs)
    lab = np.concatenate(labels)
    x, idx = np.unique(x, return_index=True)
    return x, lab[idx]


@functools.lru_cache(maxsize=None)
def unary_samples(name, dtype_name):
    """Sample inputs (x, region labels) for a one-argument function."""
    with np.errstate(all="ignore"):
        return _unary_samples(name, dtype_name)


def _unary_samples(name, dtype_name):
    dtype = np.dtype(dtype_name)
    n = SIZES[dtype]
    fi = np.finfo(dtype)
    sub = float(fi.smallest_subnormal)
    fmax = float(fi.max)
    rng = np.random.default_rng([SEED, names_by_kind().index(name), dtype.itemsize])
    it = _int_type(dtype)
    parts = []

    # tiny |x| < 1e-30: subnormal multiples, random subnormals, lin/log spread
    tiny = np.concatenate([
        sub * np.arange(1, 41),
        rng.integers(1, int(fi.smallest_normal / fi.smallest_subnormal), n["tiny"] // 4,
                     dtype=np.int64).astype(it).view(dtype).astype(np.float64),
        float(fi.smallest_normal) * np.array([0.5, 1.0, 1.5, 2.0]),
        _lin_log(sub, 1e-30, n["tiny"]),
    ])
    parts.append(("tiny", np.concatenate([tiny, -tiny])))

    # body [-3, 3]: half evenly spaced, half random
    parts.append(("body", np.concatenate([
        np.linspace(-3, 3, n["body"] // 2),
        rng.uniform(-3, 3, n["body"] - n["body"] // 2)])))

    # negative tail from -3 to beyond the underflow point
    u = zeros.underflow_threshold(name, dtype) if registry.get(name).nin == 1 else -40.0
    parts.append(("neg_tail", -_lin_log(3.0, 1.25 * abs(u), n["neg_tail"])))
    parts.append(("underflow_boundary", _neighbours(u, dtype, n["boundary"])))

    # positive tail
    parts.append(("pos_tail", _lin_log(3.0, 60.0, n["pos_tail"])))

    # huge |x|, mirrored, with the named magnitudes
    huge = np.concatenate([_lin_log(60.0, fmax, n["huge"]),
                           [1e10, 1e30, fmax, float(np.nextafter(dtype.type(fmax),
                                                                 dtype.type(0)))]])
    parts.append(("huge", np.concatenate([huge, -huge])))

    # seeded random bit patterns (every binade)
    if dtype == np.float32:
        bits = rng.integers(0, 2 ** 32, n["random"], dtype=np.uint64).astype(np.uint32)
    else:
        bits = rng.integers(0, 2 ** 64 - 1, n["random"], dtype=np.uint64)
    parts.append(("random_bits", bits.view(dtype).astype(np.float64)))

    # zeros of the derivative (the interesting points of the grads), across the band
    # where the derivative's bound is absolute
    for z in zeros.derivative_zeros(name):
        zf = float(z)
        band = zeros.zero_band(registry.grad_of(name))
        parts.append(("derivative_zero", np.concatenate([
            np.linspace(zf - band, zf + band, n["band"]),
            _neighbours(zf, dtype, 32),
            np.linspace(zf - 0.05, zf + 0.05, 64)])))
    return _clean(parts, dtype)


@functools.lru_cache(maxsize=None)
def unary_exact(name, dtype_name):
    x, _ = unary_samples(name, dtype_name)
    return definitions.exact(name, x)


def _dy_values(dtype, size, rng, extreme):
    fi = np.finfo(dtype)
    sign = np.where(rng.random(size) < 0.5, -1.0, 1.0)
    if not extreme:
        mag = np.exp2(rng.uniform(-4, 4, size))
    else:
        p = int(fi.nmant) + 1
        lo = int(fi.minexp) - p + 1          # smallest subnormal's exponent
        hi = int(fi.maxexp)                  # 2**hi overflows
        e = rng.integers(lo, hi, size)
        mag = np.ldexp(rng.uniform(1, 2, size), e)
        mag[:8] = [float(fi.max), float(fi.smallest_subnormal), float(fi.smallest_normal),
                   1e30, 1e-30, float(fi.max) / 2, 3 * float(fi.smallest_subnormal), 1.0]
    return (sign * mag).astype(dtype)


@functools.lru_cache(maxsize=None)
def backward_samples(name, dtype_name, extreme):
    dtype = np.dtype(dtype_name)
    x, labels = unary_samples(registry.grad_of(name), dtype_name)
    rng = np.random.default_rng([SEED, names_by_kind().index(name), dtype.itemsize,
                                 int(extreme)])
    dy = _dy_values(dtype, x.size, rng, extreme)
    dy = np.where(np.isfinite(dy), dy, dtype.type(1))
    return x, dy, labels


@functools.lru_cache(maxsize=None)
def backward_exact(name, dtype_name, extreme):
    x, dy, _ = backward_samples(name, dtype_name, extreme)
    return definitions.exact(name, x, dy)


def _fmt(v):
    return mpmath.nstr(v, 17) if isinstance(v, mpmath.mpf) else repr(v)


def assert_accuracy(name, dtype, path, x, computed, exact_values, labels, dy=None):
    """Check the ULP bound (and the zero-band rule); report the worst case."""
    assert computed.dtype == dtype, (name, computed.dtype, dtype)
    assert computed.shape == x.shape
    err = ulps.ulp_error(name, computed, x, dy, exact_values=exact_values)
    bound = registry.get(name).accuracy.ulps
    ok = err <= bound
    band_note = ""
    if zeros.zero_band(name):
        band = zeros.near_derivative_zero(name, x) & ~ok
        if band.any():
            idx = np.flatnonzero(band)
            aerr = ulps.abs_error(name, computed[idx], x[idx],
                                  None if dy is None else dy[idx],
                                  exact_values=exact_values[idx])
            allow = zeros.zero_band_allowance(name, dtype, x[idx],
                                              None if dy is None else dy[idx])
            for j, i in enumerate(idx):
                if aerr[j] <= allow[j]:
                    ok[i] = True
                else:
                    band_note += (f"\n    near a derivative zero: x={x[i]!r} abs error "
                                  f"{_fmt(aerr[j])} > allowed {_fmt(allow[j])}")
    if ok.all():
        return err
    bad = np.flatnonzero(~ok)
    worst = bad[np.argmax(err[bad])]
    lines = [
        f"{name} [{np.dtype(dtype).name}, path={path}]: {bad.size} of {x.size} inputs exceed "
        f"{bound} ULP; worst {err[worst]:.4g} ULP at x={x[worst]!r}"
        + (f", dy={dy[worst]!r}" if dy is not None else "")
        + f" (region {labels[worst]}): expected {_fmt(exact_values[worst])}, "
        f"got {computed[worst]!r}",
        "  other failures (worst first):",
    ]
    for i in bad[np.argsort(-err[bad])][1:13]:
        lines.append(f"    x={x[i]!r}" + (f" dy={dy[i]!r}" if dy is not None else "")
                     + f" [{labels[i]}] expected {_fmt(exact_values[i])} got "
                     f"{computed[i]!r} ({err[i]:.4g} ULP)")
    regions = {}
    for i in bad:
        regions[labels[i]] = regions.get(labels[i], 0) + 1
    lines.append(f"  failures by region: {regions}")
    pytest.fail("\n".join(lines) + band_note, pytrace=False)


# ---------------------------------------------------------------------------
# The accuracy tests
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", registry.names(nin=1, tier=None))
def test_unary_accuracy(name, dtype, kernel_path):
    dname = np.dtype(dtype).name
    base = registry.get(name).name          # every tier on the same samples
    x, labels = unary_samples(base, dname)
    ex = unary_exact(base, dname)
    with np.errstate(all="ignore"):
        got = _ufunc(name)(x)
    assert_accuracy(name, np.dtype(dtype), kernel_path, x, got, ex, labels)


@pytest.mark.parametrize("extreme", [False, True], ids=["moderate_dy", "extreme_dy"])
@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", registry.names("backward", tier=None))
def test_backward_accuracy(name, dtype, extreme, kernel_path):
    """dy with |dy| in [1/16, 16] (training-loop magnitudes), or log-uniform over the
    whole dtype range, subnormal to the largest (extreme)."""
    dname = np.dtype(dtype).name
    base = registry.get(name).name          # every tier on the same samples
    x, dy, labels = backward_samples(base, dname, extreme)
    ex = backward_exact(base, dname, extreme)
    with np.errstate(all="ignore"):
        got = _ufunc(name)(dy, x)
    assert_accuracy(name, np.dtype(dtype), kernel_path, x, got, ex, labels, dy=dy)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("name", registry.names("backward", tier=None))
def test_backward_unit_dy_matches_grad_accuracy(name, dtype, kernel_path):
    """backward(1, x) is held to the grad's bound at every grad sample."""
    dname = np.dtype(dtype).name
    gname = registry.grad_of(registry.get(name).name)
    x, labels = unary_samples(gname, dname)
    ex = unary_exact(gname, dname)
    one = np.ones_like(x)
    with np.errstate(all="ignore"):
        got = _ufunc(name)(one, x)
    assert_accuracy(name, np.dtype(dtype), kernel_path, x, got, ex, labels, dy=one)


@functools.lru_cache(maxsize=None)
def _tanh_tail_samples(dtype_name):
    dtype = np.dtype(dtype_name)
    u = zeros.underflow_threshold("gelu_tanh", dtype)
    x = np.concatenate([
        np.linspace(-3.0, u, 400),
        _neighbours(u, dtype, 256),
        [-9.0, -10.0, -10.5] if dtype == np.float32 else [-20.0, -21.0, -21.5],
    ]).astype(dtype)
    x = np.unique(x[np.isfinite(x)])
    return x, definitions.exact("gelu_tanh", x)


@pytest.mark.parametrize("dtype", DTYPES, ids=DTYPE_IDS)
def test_gelu_tanh_not_zero_while_representable(dtype, kernel_path):
    """x*sigma(2u) must not become 0 where the exact value is not below half the
    smallest subnormal (the 0.5*x*(1+tanh u) form does, from tanh(u) == -1 on)."""
    dname = np.dtype(dtype).name
    x, ex = _tanh_tail_samples(dname)
    half_sub = mpmath.mpf(float(np.finfo(dtype).smallest_subnormal)) / 2
    with np.errstate(all="ignore"):
        got = gelu_c.gelu_tanh(x)
    must = np.array([abs(e) > half_sub for e in ex])
    assert must.sum() > 100
    zero = must & (got == 0)
    if zero.any():
        i = np.flatnonzero(zero)
        j = i[np.argmin(x[i])] if x[i].size else i[0]
        pytest.fail(
            f"gelu_tanh [{dname}, path={kernel_path}] returned 0 at {i.size} inputs whose "
            f"exact value is >= half the smallest subnormal; e.g. x={x[i[-1]]!r} "
            f"(exact {_fmt(ex[i[-1]])}), x={x[j]!r} (exact {_fmt(ex[j])})", pytrace=False)
    err = ulps.ulp_error("gelu_tanh", got, x, exact_values=ex)
    assert err.max() <= registry.get("gelu_tanh").accuracy.ulps, (
        f"gelu_tanh [{dname}, path={kernel_path}] worst {err.max():.4g} ULP at "
        f"x={x[np.argmax(err)]!r}")


# ---------------------------------------------------------------------------
# The oracle itself (independent checks, no compiled code involved)
# ---------------------------------------------------------------------------

def test_every_function_has_a_definition():
    """The registry's oracle names and the definitions match one for one, and a backward
    function is measured against its derivative's definition (times dy)."""
    used = {registry.get(name).oracle for name in registry.names(tier=None)}
    assert used == set(definitions.DEFINITIONS) == set(definitions.LIMITS)
    for name in registry.names("backward", tier=None):
        assert registry.get(name).oracle == registry.get(registry.grad_of(name)).oracle, name


def test_definitions_load_without_the_package():
    """definitions.py loads from its file path with gelu_c unimportable (so without the
    compiled extension), and evaluates a value and a backward function."""
    code = (
        "import importlib.util, sys\n"
        "sys.modules['gelu_c'] = None\n"
        "sys.modules['gelu_c._ufuncs'] = None\n"
        "spec = importlib.util.spec_from_file_location('definitions', sys.argv[1])\n"
        "d = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(d)\n"
        "print(repr(float(d.exact_scalar('gelu', 1.0))),"
        " repr(float(d.exact_scalar('gelu_backward', 1.0, 2.0))))\n")
    r = subprocess.run([sys.executable, "-c", code, definitions.__file__],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == [repr(float(definitions.exact_scalar("gelu", 1.0))),
                                repr(float(definitions.exact_scalar("gelu_backward", 1.0,
                                                                    2.0)))]


def test_oracle_ulp_definition():
    f32, f64 = np.float32, np.float64
    assert ulps.ulp(1.0, f32) == mpmath.mpf(2) ** -23
    assert ulps.ulp(0.5, f32) == mpmath.mpf(2) ** -24
    assert ulps.ulp(0.75, f64) == mpmath.mpf(2) ** -53
    assert ulps.ulp(-3.0, f64) == mpmath.mpf(2) ** -51
    assert ulps.ulp(0, f32) == mpmath.mpf(2) ** -149
    assert ulps.ulp(0, f64) == mpmath.mpf(2) ** -1074
    assert ulps.ulp(2.0 ** -126, f32) == mpmath.mpf(2) ** -149
    assert ulps.ulp(2.0 ** -130, f32) == mpmath.mpf(2) ** -149
    assert ulps.ulp(2.0 ** -125, f32) == mpmath.mpf(2) ** -148
    assert ulps.ulp(2.0 ** -1030, f64) == mpmath.mpf(2) ** -1074
    assert ulps.ulp(mpmath.mpf(2) ** 127 * 1.5, f32) == mpmath.mpf(2) ** 104


def test_oracle_ulp_error_conventions():
    x = np.array([np.nan, 1.0, 1.0, np.inf, -np.inf], dtype=np.float64)
    got = np.array([np.nan, np.nan, 0.8413447460685429, np.inf, -0.0])
    err = ulps.ulp_error("gelu", got, x)
    assert err[0] == 0 and err[1] == np.inf and err[2] <= 0.5
    assert err[3] == 0 and err[4] == 0
    # a correctly rounded overflow of dy * f'(x) is exact; the largest finite
    # number is not
    dy = np.array([3.3e38, 3.3e38], dtype=np.float32)
    x = np.ones(2, dtype=np.float32)
    got = np.array([np.inf, np.finfo(np.float32).max], dtype=np.float32)
    err = ulps.ulp_error("gelu_backward", got, x, dy)
    assert err[0] == 0 and err[1] > 1000
    # one float32 ULP off at 1.0 and at a subnormal
    x = np.array([1.0, -14.0], dtype=np.float32)   # exact values inside a binade
    ref = definitions.reference("gelu", x).astype(np.float32)
    e0 = ulps.ulp_error("gelu", ref, x)
    e1 = ulps.ulp_error("gelu", np.nextafter(ref, np.float32(np.inf)), x)
    assert np.all(e0 <= 0.5)
    # moving one ULP away changes the error by exactly one ULP (up or down)
    assert np.all(np.minimum(np.abs(e1 - (e0 + 1)), np.abs(e1 - (1 - e0))) < 1e-9), (e0, e1)


def test_oracle_derivative_zeros_match_spec():
    (z,) = zeros.derivative_zeros("gelu_grad")
    assert abs(z - mpmath.mpf("-0.7517915247")) < 1e-9
    assert abs(definitions.exact_scalar("gelu", z) - mpmath.mpf("-0.1699")) < 1e-4
    (zt,) = zeros.derivative_zeros("gelu_tanh_grad")
    (zs,) = zeros.derivative_zeros("gelu_sigmoid_grad")
    assert abs(zt + 0.75) < 0.01 and abs(zs + 0.75) < 0.01
    (zsilu,) = zeros.derivative_zeros("silu_backward")
    assert abs(zsilu - mpmath.mpf("-1.2785")) < 1e-4
    assert zeros.derivative_zeros("norm_cdf") == ()
    for name, zero in [("gelu_grad", z), ("gelu_tanh_grad", zt),
                       ("gelu_sigmoid_grad", zs), ("silu_grad", zsilu)]:
        assert abs(definitions.exact_scalar(name, zero)) < mpmath.mpf(10) ** -40


@pytest.mark.parametrize("name", registry.names("grad", tier=None))
def test_oracle_grad_is_the_derivative(name):
    primal = registry.value_of(name)
    with mpmath.workdps(60):
        for x in ["-30.5", "-9.25", "-2.75", "-0.751", "-1e-3", "0.3", "1.7", "6.0"]:
            x = mpmath.mpf(x)
            num = mpmath.diff(lambda t: definitions.exact_scalar(primal, t, dps=60), x)
            ana = definitions.exact_scalar(name, x, dps=60)
            # mpmath.diff is a numerical derivative: agreement to 1e-15 relative
            # proves the closed forms; the oracle's own precision is far higher
            assert abs(num - ana) <= mpmath.mpf(10) ** -15 * abs(ana) + mpmath.mpf(10) ** -40, (
                name, x, num, ana)


@mpmath.workdps(60)
def test_oracle_norm_cdf_is_phi():
    for x in ["-40", "-5", "-0.5", "0", "0.5", "5"]:
        x = mpmath.mpf(x)
        assert abs(definitions.exact_scalar("norm_cdf", x) - mpmath.ncdf(x)) <= \
            mpmath.mpf(10) ** -45 * mpmath.ncdf(x)
        assert abs(definitions.exact_scalar("gelu", x) - x * mpmath.ncdf(x)) <= \
            mpmath.mpf(10) ** -45 * abs(x) * mpmath.ncdf(x)
    # tanh form: 0.5 x (1 + tanh u) with the exact decimal constant
    for x in ["-3", "-0.2", "1.5"]:
        x = mpmath.mpf(x)
        u = mpmath.sqrt(2 / mpmath.pi) * (x + mpmath.mpf("0.044715") * x ** 3)
        assert abs(definitions.exact_scalar("gelu_tanh", x) - x * (1 + mpmath.tanh(u)) / 2) < \
            mpmath.mpf(10) ** -45


@pytest.mark.parametrize("name", registry.names(tier=None))
def test_oracle_agrees_with_scipy_float64(name):
    """Double-check the mpmath oracle against an independent float64 evaluation."""
    rng = np.random.default_rng(7)
    x = np.concatenate([np.linspace(-30, 8, 761), rng.uniform(-30, 8, 200)])
    if name.startswith("gelu_tanh"):
        x = x[x > -21]                     # keep the float64 value normal
    dy = rng.uniform(-4, 4, x.size) if registry.get(name).nin == 2 else None
    ref = definitions.reference(name, x, dy)
    sp = scipy_reference(name, x, dy)
    keep = np.abs(ref) > 1e-290            # float64 normal range only
    tol = np.abs(ref) * 1e-11
    if registry.get(name).kind != "value":
        # cancellation near a derivative zero: absolute float64 error
        tol = tol + np.where(_wide_band(name, x), 1e-14, 0.0) * (1 if dy is None else np.abs(dy))
    bad = keep & (np.abs(ref - sp) > tol)
    assert not bad.any(), (name, x[bad][:5], ref[bad][:5], sp[bad][:5])


def _wide_band(name, x):
    mask = np.zeros(x.shape, dtype=bool)
    for z in zeros.derivative_zeros(name):
        mask |= np.abs(x - float(z)) < 0.1
    return mask


@pytest.mark.parametrize("approx, peak, where", [("gelu_tanh", "4.73e-4", "2.70"),
                                                 ("gelu_sigmoid", "2.03e-2", "2.27")])
def test_oracle_approximation_error_matches_spec(approx, peak, where):
    """The approximation errors the docstrings quote, against exact GELU."""
    x = np.arange(-600, 601) / 100.0
    d = np.abs(definitions.reference(approx, x, dps=20)
               - definitions.reference("gelu", x, dps=20))
    i = int(np.argmax(d))
    assert abs(d[i] - float(peak)) <= 0.006 * float(peak), (approx, d[i], x[i])
    assert abs(abs(x[i]) - float(where)) <= 0.02, (approx, x[i])
