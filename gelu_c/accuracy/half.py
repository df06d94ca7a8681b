"""Correct rounding to float16 and bfloat16, checked for every input.

A half format has 65,536 bit patterns, so every one is checked: each function at every
``x``, each backward function at every ``x`` for each ``dy`` of :func:`dy_grid`. The
expected bits are the exact value rounded once to the format (to nearest, ties to
even):

* a float64 reference (SciPy's ``ndtr``/``expit`` formulas,
  :mod:`gelu_c.accuracy.scipy_reference`) with a generous error bound (``2**-40``
  relative, plus ``2**-50`` absolute for a derivative, whose zeros cancel); where both
  ends of the interval round to the same bits, those are the answer, since rounding
  is monotone;
* elsewhere (an interval holding a rounding boundary: ties, values lost in float64)
  mpmath at 75 digits (:func:`gelu_c.accuracy.definitions.exact_scalar`), rounded
  exactly (:func:`round_mpf`);
* NaN, +-inf and +-0 from the definitions' limits and signs.

The rounding here is integer arithmetic in NumPy on float64 values (:func:`round_f64`),
independent of the C code and of NumPy's and ml_dtypes' conversions.

    python -m gelu_c.accuracy --half [--functions F,G] [--tier all] [--paths P]
"""
import functools
from typing import NamedTuple

import mpmath
import numpy as np

from .. import registry
from . import general
from .definitions import LIMITS, exact_scalar
from .scipy_reference import scipy_reference

__all__ = ["Format", "FORMATS", "numpy_dtype", "decode", "round_f64", "round_mpf", "rounded_mpf",
           "dy_grid", "expected", "expected_general", "check", "check_general",
           "GENERAL_PARAMS", "sweep"]

#: relative error bound of the float64 reference (it is good to about 2**-45)
REL = 2.0 ** -40
#: absolute error bound of a derivative's float64 reference for |x| < ABS_WITHIN, where
#: its formula cancels near the derivative's zero (times |dy| when scaled)
ABS_GRAD = 2.0 ** -50
ABS_WITHIN = 8.0
#: float64's own underflow
TINY = 2.0 ** -1060


class Format(NamedTuple):
    """A binary format of 16 bits: ``mbits`` fraction bits, least normal exponent ``emin``."""
    name: str
    mbits: int
    emin: int

    @property
    def emax(self):
        return 1 - self.emin

    @property
    def inf_bits(self):
        return ((1 << (15 - self.mbits)) - 1) << self.mbits

    @property
    def max(self):
        return (2.0 - 2.0 ** -self.mbits) * 2.0 ** self.emax


FORMATS = {"float16": Format("float16", 10, -14), "bfloat16": Format("bfloat16", 7, -126)}
ALL_BITS = np.arange(65536, dtype=np.uint32).astype(np.uint16)


def _fmt(fmt):
    return FORMATS[fmt] if isinstance(fmt, str) else fmt


def numpy_dtype(fmt):
    """The NumPy dtype of a format (bfloat16 needs ``ml_dtypes``: ImportError without)."""
    fmt = _fmt(fmt)
    if fmt.name == "float16":
        return np.dtype(np.float16)
    import ml_dtypes
    return np.dtype(ml_dtypes.bfloat16)


def decode(bits, fmt):
    """The float64 values of half-format bit patterns (exact; NaNs stay NaN)."""
    fmt = _fmt(fmt)
    b = np.asarray(bits, dtype=np.uint16).astype(np.int64)
    sign = np.where(b & 0x8000, -1.0, 1.0)
    e = (b >> fmt.mbits) & ((1 << (15 - fmt.mbits)) - 1)
    m = (b & ((1 << fmt.mbits) - 1)).astype(np.float64)
    top = (1 << (15 - fmt.mbits)) - 1
    mag = np.where(e == 0, np.ldexp(m, fmt.emin - fmt.mbits),
                   np.ldexp(m + 2.0 ** fmt.mbits, np.maximum(e, 1) - 1 + fmt.emin - fmt.mbits))
    mag = np.where(e == top, np.where(m == 0, np.inf, np.nan), mag)
    return sign * mag


def _encode(r, fmt):
    """Bits of values that are representable (or +-inf) in the format."""
    fmt = _fmt(fmt)
    r = np.asarray(r, dtype=np.float64)
    sign = np.where(np.signbit(r), 0x8000, 0).astype(np.int64)
    a = np.abs(r)
    _, E = np.frexp(a)
    E = E.astype(np.int64) - 1                      # a = 1.f * 2**E
    normal = a >= 2.0 ** fmt.emin
    with np.errstate(over="ignore", invalid="ignore"):
        frac = np.where(normal, np.ldexp(a, -E) - 1.0, np.ldexp(a, fmt.mbits - fmt.emin))
        nbits = np.where(normal, ((E - fmt.emin + 1) << fmt.mbits)
                         + np.rint(np.ldexp(np.nan_to_num(frac), fmt.mbits)).astype(np.int64),
                         np.rint(np.nan_to_num(frac)).astype(np.int64))
    nbits = np.where(np.isinf(a), fmt.inf_bits, nbits)
    nbits = np.where(np.isnan(a), fmt.inf_bits | (1 << (fmt.mbits - 1)), nbits)
    return (sign | nbits).astype(np.uint16)


def round_f64(v, fmt):
    """float64 values rounded once to the format (nearest, ties to even), as bits.

    Overflow gives +-inf, underflow a zero of the value's sign, NaN the default quiet NaN
    (of the value's sign).
    """
    fmt = _fmt(fmt)
    v = np.asarray(v, dtype=np.float64)
    _, E = np.frexp(v)
    eq = np.maximum(E.astype(np.int64) - 1, fmt.emin)            # the result's exponent
    q = np.ldexp(1.0, eq - fmt.mbits)                            # its quantum
    with np.errstate(invalid="ignore", over="ignore"):
        r = np.rint(v / q) * q                                   # both exact: q is 2**k
        r = np.where(np.abs(r) > fmt.max, np.copysign(np.inf, v), r)
    r = np.where(np.isfinite(v), r, v)
    return _encode(r, fmt)


def rounded_mpf(v, fmt, negative_zero=False):
    """An mpmath value rounded once to the format, as a float64 (``negative_zero``: the
    sign of a zero result when ``v`` is an exact zero); :func:`round_mpf` gives its bits."""
    fmt = _fmt(fmt)
    if mpmath.isnan(v):
        return np.nan
    if mpmath.isinf(v):
        return np.inf if v > 0 else -np.inf
    if v == 0:
        return -0.0 if negative_zero else 0.0
    _, e = mpmath.frexp(v)                                       # |v| = m 2**e, m in [1/2, 1)
    eq = max(int(e) - 1, fmt.emin)
    n = int(mpmath.nint(mpmath.ldexp(v, fmt.mbits - eq)))       # half to even
    r = float(n) * 2.0 ** (eq - fmt.mbits)
    if abs(r) > fmt.max:
        return np.inf if v > 0 else -np.inf
    if r == 0:
        return -0.0 if v < 0 else 0.0
    return r


def round_mpf(v, fmt, negative_zero=False):
    """An mpmath value rounded once to the format, as bits (see :func:`rounded_mpf`)."""
    return int(_encode(rounded_mpf(v, fmt, negative_zero), fmt))


def _round_exact_at(idx, exact_at, fmt):
    """Bits of ``exact_at(i)`` (an mpf) rounded once, for every index ``i`` of ``idx``."""
    vals = np.array([rounded_mpf(exact_at(i), fmt) for i in idx], dtype=np.float64)
    return _encode(vals, fmt)


#: (mu, sigma, dy) of the gelu_general check: the standard GELU (mu = 0, sigma = 1, where
#: bfloat16 has ties at tiny x), a shift and scale of each direction, and a narrow one
GENERAL_PARAMS = ((0.0, 1.0, 2.0 ** -133), (0.5, 2.0, -3.0), (-1.25, 0.375, 0.1),
                  (3.0, 0.0625, 2.0 ** -24))


def dy_grid(fmt):
    """The ``dy`` values of the backward check, as bits: +-0, +-1, odd significands at
    every scale that matters (subnormal, the least normal binade, near 1, the largest),
    the extremes, +-inf and a NaN."""
    fmt = _fmt(fmt)
    ulp1 = 2.0 ** -fmt.mbits
    least = 2.0 ** (fmt.emin - fmt.mbits)
    vals = [0.0, 1.0, -1.0, least, -least, 3 * least, -5 * least,
            2.0 ** fmt.emin, -(2.0 ** fmt.emin) * (1 + ulp1), 2.0 ** fmt.emin * (1 + 3 * ulp1),
            1 + ulp1, -(1.5 - ulp1), 0.1, -3.0, 1000.0 + 0.5, 2.0 ** (fmt.emax - 1) * 1.25,
            fmt.max, -fmt.max, np.inf, -np.inf, np.nan]
    bits = [int(round_f64(v, fmt)) for v in vals] + [0x8000]     # -0 last
    return np.array(bits, dtype=np.uint16)


def _exact_name(name):
    f = registry.get(name)
    return f.name        # the exact tier's function of the same name


def _sign_of_x(name):
    return registry.get(_exact_name(name)).sign_of_x


def _decide(ref, bound, fmt):
    """Bits where ``ref +- bound`` rounds to one value, and the mask of the undecided."""
    lo, hi = round_f64(ref - bound, fmt), round_f64(ref + bound, fmt)
    return lo, lo != hi


class Expected(NamedTuple):
    """What every one of the 65,536 inputs must give: ``bits`` (``nan`` where any quiet NaN
    is right; ``any_zero_sign`` where a zero of either sign is: the derivatives at -inf);
    ``mpmath`` counts the inputs that needed it."""
    bits: np.ndarray
    nan: np.ndarray
    any_zero_sign: np.ndarray
    mpmath: int


@functools.lru_cache(maxsize=None)
def _unary_expected(name, fmt_name):
    fmt = FORMATS[fmt_name]
    x = decode(ALL_BITS, fmt)
    f = registry.get(name)
    key = f.oracle
    with np.errstate(all="ignore"):
        ref = scipy_reference(name, x)
    bound = REL * np.abs(ref) + TINY
    if f.kind == "grad":
        bound += np.where(np.abs(x) < ABS_WITHIN, ABS_GRAD, 0.0)
    finite = np.isfinite(x) & (x != 0)
    bits, undecided = _decide(np.where(finite, ref, 0.0), bound, fmt)
    undecided = finite & (undecided | ~np.isfinite(ref))
    idx = np.flatnonzero(undecided)
    bits[idx] = _round_exact_at(idx, lambda i: exact_scalar(name, float(x[i])), fmt)
    nan = np.isnan(x)
    any_zero = np.zeros(x.shape, dtype=bool)
    zero_at_minus_inf = 0x8000 if f.sign_of_x else 0                # x s(x) -> -0
    lo_lim, hi_lim = LIMITS[key]
    for where, lim in ((x == -np.inf, lo_lim), (x == np.inf, hi_lim)):
        v = float(mpmath.mpf(lim))
        bits[where] = zero_at_minus_inf if v == 0 else int(round_f64(v, fmt))
        if v == 0 and f.kind == "grad":
            any_zero |= where
    at0 = float(exact_scalar(name, 0.0))
    for where, negative in ((ALL_BITS == 0, False), (ALL_BITS == 0x8000, True)):
        bits[where] = int(round_f64(-at0 if (negative and f.sign_of_x) else at0, fmt))
    bits[nan] = 0
    return Expected(bits, nan, any_zero, int(undecided.sum()))


@functools.lru_cache(maxsize=None)
def _grad_reference(grad_name, fmt_name):
    fmt = FORMATS[fmt_name]
    x = decode(ALL_BITS, fmt)
    with np.errstate(all="ignore"):
        g = scipy_reference(grad_name, x)
    gb = REL * np.abs(g) + np.where(np.abs(x) < ABS_WITHIN, ABS_GRAD, 0.0) + TINY
    # the sign of f'(x), never 0 at a finite x (the derivatives' zeros are irrational)
    unsure = np.isfinite(x) & ~(np.isfinite(g) & (np.abs(g) > gb))
    gsign = np.sign(g)
    for i in np.flatnonzero(unsure):
        gsign[i] = 1.0 if exact_scalar(grad_name, float(x[i])) > 0 else -1.0
    return x, g, gb, gsign, int(unsure.sum())


@functools.lru_cache(maxsize=None)
def _backward_expected(name, fmt_name, dy_bits):
    fmt = FORMATS[fmt_name]
    grad = registry.grad_of(_exact_name(name))
    x, g, gb, gsign, n_mp = _grad_reference(grad, fmt_name)
    dy = float(decode(np.uint16(dy_bits), fmt))
    finite = np.isfinite(x)
    any_zero = np.zeros(x.shape, dtype=bool)
    if np.isnan(dy):
        return Expected(np.zeros(x.shape, dtype=np.uint16), np.ones(x.shape, dtype=bool),
                        any_zero, 0)
    nan = np.isnan(x)
    with np.errstate(all="ignore"):
        if np.isinf(dy) or dy == 0:
            bits = round_f64(dy * gsign, fmt)            # a signed infinity or zero
            undecided = np.zeros(x.shape, dtype=bool)
        else:
            p = dy * g
            bound = abs(dy) * gb * (1 + 2.0 ** -30) + 2.0 ** -50 * np.abs(p) + TINY
            bits, undecided = _decide(np.where(finite, p, 0.0), bound, fmt)
            undecided = finite & (undecided | ~np.isfinite(p))
            # far below half the least subnormal: a zero of the product's sign
            least = 2.0 ** (fmt.emin - fmt.mbits)
            zero = undecided & (np.abs(p) + bound < least / 4)
            bits[zero] = round_f64(dy * gsign[zero] * 0.0, fmt)
            undecided &= ~zero
            idx = np.flatnonzero(undecided)
            bits[idx] = _round_exact_at(
                idx, lambda i: exact_scalar(name, float(x[i]), dy=dy), fmt)
    n_mp += int(undecided.sum())
    # x = +inf: f' = 1, so dy itself; x = -inf: f' = 0 (a zero of either sign; inf * 0 NaN)
    bits[x == np.inf] = dy_bits
    if np.isinf(dy):
        nan |= x == -np.inf
    else:
        any_zero |= x == -np.inf
        bits[x == -np.inf] = 0
    bits[nan] = 0
    return Expected(bits, nan, any_zero, n_mp)


def expected(name, fmt, dy_bits=None):
    """The correctly rounded bits of ``name`` at every x (``ALL_BITS``), and for a backward
    function at ``dy`` (given as bits). Computed once per process (cached)."""
    fmt = _fmt(fmt)
    if registry.get(name).nin == 2:
        if dy_bits is None:
            raise TypeError(f"{name} needs dy_bits")
        return _backward_expected(_exact_name(name), fmt.name, int(dy_bits))
    return _unary_expected(_exact_name(name), fmt.name)


#: relative error bound of gelu_general's float64 reference: Phi(z) in the tail has
#: condition number ~z^2 (z^2 < 1200 where a result is representable), times 2**-52
REL_GENERAL = 2.0 ** -36
GENERAL_OUTPUTS = ("value", "dx", "dmu", "dsigma")
#: where exp(-z^2/2) underflows in float64: every output but the upper tail's is far
#: below half the least subnormal of either format, times any dy and x/sigma here
Z_UNDERFLOW = 38.6


def _general_reference(x, mu, sigma):
    """{output: (float64 reference, error bound, sign where the reference underflowed)}."""
    from .scipy_reference import float64_special
    ndtr, _ = float64_special()
    z = (x - mu) / sigma
    Phi = ndtr(z)
    phi = np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)
    r = x / sigma
    out = {"value": x * Phi, "dx": Phi + r * phi, "dmu": -r * phi}
    out["dsigma"] = z * out["dmu"]
    sx = np.where(np.signbit(x), -1.0, 1.0)
    # lower tail: Phi(z)/phi(z) = 1/|z| (1 - 1/z^2 ...), so d/dx has the sign of
    # x/sigma + 1/|z|, known unless the two nearly cancel (then mpmath decides)
    az = np.abs(z)
    s_dx = r + 1 / az
    tail_sign = {"value": sx, "dmu": -sx, "dsigma": -sx * np.sign(z),
                 "dx": np.where(np.abs(s_dx) > 2 / az ** 3, np.sign(s_dx), 0.0)}
    refs = {}
    for k, v in out.items():
        b = REL_GENERAL * np.abs(v) + TINY
        if k == "dx":           # cancels at its zero
            b = b + 2.0 ** -48 * (Phi + np.abs(r) * phi)
        refs[k] = (v, b, np.where(az > Z_UNDERFLOW, tail_sign[k], 0.0))
    return z, refs


@functools.lru_cache(maxsize=None)
def _general_expected(fmt_name, mu, sigma, dy):
    fmt = FORMATS[fmt_name]
    xb = ALL_BITS[np.isfinite(decode(ALL_BITS, fmt))]
    x = decode(xb, fmt)
    with np.errstate(all="ignore"):
        z, refs = _general_reference(x, mu, sigma)
    result, exact_cache = {}, {}
    least = 2.0 ** (fmt.emin - fmt.mbits)
    for k in GENERAL_OUTPUTS[int(dy is not None):]:     # the backward pass has no value
        v, b, tsign = refs[k]
        if dy is not None:
            v, b = dy * v, abs(dy) * b * (1 + 2.0 ** -30) + 2.0 ** -50 * np.abs(dy * v) + TINY
            tsign = tsign * np.sign(dy)
        bits, undecided = _decide(v, b, fmt)
        undecided |= ~np.isfinite(v)
        # exact zeros (x = 0) keep their IEEE signs; in the far tail a signed zero
        exact_zero = (x == 0) & (v == 0)
        tail = undecided & (tsign != 0) & (np.abs(v) + b < least / 4)
        bits[tail] = round_f64(tsign[tail] * 0.0, fmt)
        undecided &= ~(exact_zero | tail)
        bits[exact_zero] = round_f64(v[exact_zero], fmt)
        idx = np.flatnonzero(undecided)
        j = GENERAL_OUTPUTS.index(k)

        def exact_at(i):
            if i not in exact_cache:
                exact_cache[i] = general.exact(float(x[i]), mu, sigma, dps=60)
            e = exact_cache[i][j]
            return e if dy is None else e * mpmath.mpf(dy)
        with mpmath.workdps(80):
            bits[idx] = _round_exact_at(idx, exact_at, fmt)
        any_zero = np.zeros(x.shape, dtype=bool)
        if k == "dsigma":       # z = 0 or x = 0: a product with a zero of either sign
            any_zero = (x == 0) | (z == 0)
        result[k] = Expected(bits, np.zeros(x.shape, dtype=bool), any_zero, int(idx.size))
    return xb, result


def expected_general(fmt, mu, sigma, dy=None):
    """gelu_general at every finite x of the format with fixed ``mu``, ``sigma`` (> 0,
    finite floats of the format) and optionally ``dy`` (non-zero, finite):
    ``(x_bits, {output: Expected})`` for the value and the three partial derivatives
    (times ``dy`` with it). Cached."""
    fmt = _fmt(fmt)
    return _general_expected(fmt.name, float(mu), float(sigma),
                             None if dy is None else float(dy))


def check_general(fmt, mu, sigma, dy, tier="exact"):
    """Check gelu_general, its grad and backward (one tier, the current kernel path) at
    every finite x: a list of (function, output, x_bits, got_bits, expected_bits)."""
    import gelu_c
    fmt = _fmt(fmt)
    mod = gelu_c if tier == "exact" else getattr(gelu_c, tier)
    dt = numpy_dtype(fmt)
    bad = []
    for fn, dyv in (("gelu_general", None), ("gelu_general_grad", None),
                    ("gelu_general_backward", dy)):
        xb, exp = expected_general(fmt, mu, sigma, dyv)
        x = xb.view(dt)
        m, s = np.full(x.shape, mu).astype(dt), np.full(x.shape, sigma).astype(dt)
        with np.errstate(all="ignore"):
            if fn == "gelu_general":
                got = (mod.gelu_general(x, m, s),)
                outs = ("value",)
            elif fn == "gelu_general_grad":
                got = mod.gelu_general_grad(x, m, s)
                outs = GENERAL_OUTPUTS[1:]
            else:
                got = mod.gelu_general_backward(np.full(x.shape, dy).astype(dt), x, m, s)
                outs = GENERAL_OUTPUTS[1:]
        for o, g in zip(outs, got):
            gb = g.view(np.uint16)
            for i in mismatches(gb, exp[o], fmt):
                bad.append((fn, o, int(xb[i]), int(gb[i]), int(exp[o].bits[i])))
    return bad


def _is_quiet_nan(bits, fmt):
    fmt = _fmt(fmt)
    b = bits & 0x7FFF
    return (b > fmt.inf_bits) & ((b & (1 << (fmt.mbits - 1))) != 0)


def mismatches(got_bits, exp, fmt):
    """Indices where ``got_bits`` is not what ``exp`` (an :class:`Expected`) allows."""
    fmt = _fmt(fmt)
    got = np.asarray(got_bits, dtype=np.uint16)
    ok = np.where(exp.nan, _is_quiet_nan(got, fmt), got == exp.bits)
    ok |= exp.any_zero_sign & ((got & 0x7FFF) == 0)
    return np.flatnonzero(~ok)


def _call(name, fmt, x_bits, dy_bits=None):
    dt = numpy_dtype(fmt)
    f = registry.get(name)
    import gelu_c
    from operator import attrgetter
    uf = attrgetter(f.qualname)(gelu_c)
    x = np.asarray(x_bits, dtype=np.uint16).view(dt)
    with np.errstate(all="ignore"):
        if f.nin == 2:
            dy = np.full(x.shape, dy_bits, dtype=np.uint16).view(dt)
            return uf(dy, x).view(np.uint16)
        return uf(x).view(np.uint16)


def check(name, fmt):
    """Check one function (either tier) on the current kernel path over every input
    (every ``dy`` of :func:`dy_grid` too for a backward function).

    Returns
    -------
    list of (dy_bits or None, x_bits, got_bits, expected_bits)
        Every input that is not correctly rounded (empty when all are).
    """
    fmt = _fmt(fmt)
    bad = []
    dys = dy_grid(fmt) if registry.get(name).nin == 2 else [None]
    for dyb in dys:
        exp = expected(name, fmt, dyb)
        got = _call(name, fmt, ALL_BITS, dyb)
        for i in mismatches(got, exp, fmt):
            bad.append((None if dyb is None else int(dyb), int(i), int(got[i]),
                        int(exp.bits[i])))
    return bad


def formats_available():
    """The formats whose dtype NumPy has here (bfloat16 needs ml_dtypes)."""
    out = []
    for name in FORMATS:
        try:
            numpy_dtype(name)
        except ImportError:
            continue
        out.append(name)
    return out


def sweep(names, formats=None, paths=None, out=None):
    """Check ``names`` in each format on each kernel path; print one line per (function,
    format) and return the number of inputs not correctly rounded."""
    import sys
    import gelu_c
    out = out or sys.stdout
    formats = formats or formats_available()
    paths = paths or gelu_c.available_kernel_paths()
    total = 0
    for fmt in formats:
        for name in names:
            for path in paths:
                with gelu_c.kernel_path(path):
                    bad = check(name, fmt)
                n_dy = len(dy_grid(fmt)) if registry.get(name).nin == 2 else 1
                word = "correctly rounded" if not bad else f"{len(bad)} NOT correctly rounded"
                print(f"{name:>26} {fmt:>8} {path:>6}: {65536 * n_dy:>9,} inputs {word}",
                      file=out)
                for dyb, xb, gb, eb in bad[:5]:
                    print(f"    dy=0x{dyb or 0:04x} x=0x{xb:04x}: got 0x{gb:04x}, "
                          f"want 0x{eb:04x}", file=out)
                total += len(bad)
    return total
