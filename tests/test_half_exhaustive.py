"""float16 and bfloat16: every function of both tiers is correctly rounded at every input.

All 65,536 bit patterns of x, on every kernel path (forced through the public switch),
for every function of both tiers; the backward functions at every x for each dy of
``half.dy_grid`` (zeros, subnormals, the least normal binade, huge, +-inf, NaN);
gelu_general, its partial derivatives and backward pass at every finite x for a few
(mu, sigma, dy). The expected bits come from ``gelu_c.accuracy.half``: a float64 SciPy
reference with an error bound, mpmath where that interval holds a rounding boundary,
then one rounding in integer arithmetic (computed once per session; a few seconds per
format). bfloat16 needs ml_dtypes (skipped without it).
"""
import math

import mpmath
import numpy as np
import pytest

import gelu_c
from gelu_c import registry
from gelu_c.accuracy import half

FORMATS = [pytest.param("float16", id="float16"),
           pytest.param("bfloat16", id="bfloat16", marks=pytest.mark.skipif(
               "bfloat16" not in half.formats_available(), reason="needs ml_dtypes"))]
NAMES = [n for n in registry.names(tier=None) if not registry.get(n).params]


def _fmt_bad(bad, fmt):
    lines = []
    for dyb, xb, gb, eb in bad[:8]:
        x = float(half.decode(np.uint16(xb), fmt))
        dy = "" if dyb is None else f"dy={float(half.decode(np.uint16(dyb), fmt))!r} "
        lines.append(f"{dy}x={x!r} (0x{xb:04x}): got 0x{gb:04x}, want 0x{eb:04x}")
    return f"{len(bad)} inputs not correctly rounded:\n  " + "\n  ".join(lines)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", NAMES)
def test_correctly_rounded_everywhere(name, fmt, kernel_path):
    bad = half.check(name, fmt)
    assert not bad, f"{name} {fmt} on {kernel_path}: " + _fmt_bad(bad, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("tier", registry.TIERS)
@pytest.mark.parametrize("params", half.GENERAL_PARAMS, ids=lambda p: f"mu={p[0]},sigma={p[1]}")
def test_gelu_general_correctly_rounded(params, tier, fmt, kernel_path):
    mu, sigma, dy = params
    dy = float(half.decode(half.round_f64(dy, fmt), fmt)) or float(half.decode(np.uint16(1), fmt))
    bad = half.check_general(fmt, mu, sigma, dy, tier)
    assert not bad, f"{len(bad)} not correctly rounded, e.g. " + ", ".join(
        f"{fn} {o} x=0x{xb:04x}: got 0x{gb:04x}, want 0x{eb:04x}" for fn, o, xb, gb, eb in bad[:6])


# --- the oracle itself: independent of the C code, and able to fail -----------------

@pytest.mark.parametrize("fmt", ["float16", "bfloat16"])
def test_rounding_matches_exact_rational_rounding(fmt):
    """round_f64 (NumPy, vectorized) against rounding in exact rationals (mpmath), on
    values next to every kind of boundary: midpoints +- a float64 ulp, subnormals, the
    overflow threshold."""
    f = half.FORMATS[fmt]
    rng = np.random.default_rng(7)
    reps = half.decode(rng.integers(0, 0x7C00 if fmt == "float16" else 0x7F80, 4000,
                                    dtype=np.uint32).astype(np.uint16), fmt)
    up = reps + np.ldexp(1.0, np.maximum(np.frexp(reps)[1] - 1, f.emin) - f.mbits)
    mid = (reps + up) / 2                   # includes max + ulp/2, which rounds to inf
    vals = np.concatenate([mid, np.nextafter(mid, 0), np.nextafter(mid, np.inf),
                           rng.standard_normal(2000) * 10.0 ** rng.uniform(-45, 38, 2000),
                           [2.0 ** (f.emin - f.mbits - 1), 2.0 ** (f.emin - f.mbits - 2)]])
    vals = np.concatenate([vals, -vals])
    got = half.round_f64(vals, fmt)
    want = np.array([half.round_mpf(mpmath.mpf(float(v)), fmt) for v in vals],
                    dtype=np.uint16)
    assert (got == want).all(), vals[got != want][:5]


def test_float16_rounding_agrees_with_numpy():
    """NumPy's float64 -> float16 cast rounds once too: the two must agree."""
    rng = np.random.default_rng(3)
    v = rng.standard_normal(200000) * 10.0 ** rng.uniform(-9, 5, 200000)
    with np.errstate(over="ignore"):
        numpy16 = v.astype(np.float16).view(np.uint16)
    assert (half.round_f64(v, "float16") == numpy16).all()


@pytest.mark.parametrize("fmt", ["float16", "bfloat16"])
def test_decode_is_exact(fmt):
    x = half.decode(half.ALL_BITS, fmt)
    finite = np.isfinite(x)
    assert (half.round_f64(x[finite], fmt) == half.ALL_BITS[finite]).all()
    assert np.isnan(x).sum() == (2046 if fmt == "float16" else 254)


def test_oracle_rejects_double_rounding_and_lost_ties():
    """Rounding the float64 result once is not enough for bfloat16 gelu at tiny x: x/2
    is a midpoint there and the x^2 term that decides it is lost in float64. The oracle
    must see that (it is what the C tables correct)."""
    if "bfloat16" not in half.formats_available():
        pytest.skip("needs ml_dtypes")
    x = half.decode(half.ALL_BITS, "bfloat16")
    with np.errstate(all="ignore"):
        naive = half.round_f64(gelu_c.gelu(x), "bfloat16")
    bad = half.mismatches(naive, half.expected("gelu", "bfloat16"), "bfloat16")
    tiny = np.abs(x[bad]) < 2.0 ** -125
    assert bad.size > 100 and tiny.all()


def test_oracle_special_values():
    e = half.expected("gelu", "float16")
    x = half.decode(half.ALL_BITS, "float16")
    assert e.bits[x == -np.inf][0] == 0x8000 and e.bits[x == np.inf][0] == 0x7C00
    assert e.bits[half.ALL_BITS == 0x8000][0] == 0x8000 and e.nan[np.isnan(x)].all()
    b = half.expected("gelu_backward", "float16", np.uint16(0x7C00))     # dy = +inf
    assert b.nan[x == -np.inf].all()                                   # inf * 0
    neg = (x > -0.7) & (x < -0.5)                                      # f' > 0 there
    assert (b.bits[neg] == 0x7C00).all()
    assert (b.bits[(x < -1) & np.isfinite(x)] == 0xFC00).all()         # f' < 0
    assert math.isinf(float(half.decode(np.uint16(0x7C00), "float16")))
