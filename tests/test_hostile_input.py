"""Hostile inputs: every call returns the right bits or raises a clear NumPy error.

For every ufunc of both tiers (the registry's 32, gelu_general and the ``*_backward(dy, x)``
ones included), every dtype (float16, float32, float64, bfloat16) and every available
kernel path:

* **Bit patterns and layouts** (hypothesis): operands are arbitrary bit patterns (uniform
  random bits, so NaNs with payloads, signaling NaNs, subnormals and infinities, mixed with
  ordinary values and special ones), of any shape from 0-d to 4-D (empty ones too), with
  broadcasting, placed in uint8 buffers at byte offsets 0..7 (misaligned), with strides of
  any sign that need not be multiples of the element size (and, for inputs only, stride 0
  or strides smaller than an element, so that elements overlap), as arrays, broadcast
  views or NumPy scalars. Outputs are views of the same kinds (several outputs possibly
  interleaved in one buffer) inside a larger buffer of random sentinel bytes.
  Two independent checks:

  (a) layout invariance: the outputs hold exactly the bits of the plain call on
      contiguous, aligned, fully broadcast copies of the operands (the same kernel path),
      and every byte of the buffers outside the output elements is untouched; a few
      elements alone (1-element calls) give the same bits too;
  (b) values: NaN-ness exactly (NaN in, or inf * f'(-inf), gives NaN; nothing else does),
      signs exactly (x's sign for the x * s(x) functions, f'(x)'s from the position of x
      relative to the derivative's zero, dy's times that for backward, the partial
      derivatives' of gelu_general from x, x - mu and the reference), and for float32
      and the half formats the magnitude against a float64 reference from SciPy
      (``ndtr``, ``expit``: gelu_c.accuracy.scipy_reference, and the z-form of
      gelu_general written here), within the registry's ULP bound of that dtype
      (correct rounding, 0.5 ULP, for the halves), absolute within the registry's zero
      band of a derivative's zero. The only slack is the float64 reference's own error
      (2^-40 relative, 2^-36 for gelu_general, whose tail has condition number ~z^2;
      2^-50 absolute for a derivative where its formula cancels, as
      docs/half_precision.md's oracle allows). float64 results, which no float64
      reference can hold to their ULP bound, are checked for gross errors only: within
      2^-30 of the same formulas (gelu_general's evaluated in x86's long double, whose
      range holds z and x/sigma for every float64 operand).

* **gelu_general on a grid of special values**: every (x, mu, sigma) (and dy) from signed
  zeros, subnormals, the least normal, ordinary values, the largest numbers, infinities
  and NaN, x = mu among them: the checks (b), on every path and dtype.

* **Overlapping out=** (hypothesis): ``out`` is an input itself, the input shifted by one
  element either way, its reverse, or the input's bytes shifted by a fraction of an
  element; with several outputs, every output an input (in place, also permuted). NumPy's
  rule is that the result is that of the non-overlapping call: checked bit for bit, with
  every other byte of the shared buffer untouched.

* **Errors**: read-only outputs (a flag, a broadcast view, bytes), outputs of a dtype
  NumPy will not cast to, of the wrong shape or number, inputs that are complex, object,
  strings, bytes, datetimes, structured, None, ragged lists: the NumPy exception type,
  every output buffer unchanged; where NumPy defines a cast (int inputs, byte-swapped
  operands, a wider or narrower float or a complex output) the value of the cast.
  ``ufunc.at`` (repeated indices) and ``reduce``/``accumulate`` of the 2-argument ones
  against sequential Python.

* **Lengths**: 2^20 + 3 elements (split across threads) at several strides and byte
  offsets against the contiguous single-thread call; and, opt-in with
  ``GELU_C_HUGE_TESTS=1`` (about 9 GB of memory), a float16 call of more than 2^31
  elements, sampled at the start, around 2^31 and at the end.

The GIL and concurrent callers are in tests/test_concurrent_calls.py, memory over many
calls in tests/test_memory_flat.py.
"""
import functools
import os
import sys
import time
from dataclasses import dataclass
from operator import attrgetter
from typing import Tuple

import numpy as np
import pytest
from hypothesis import Phase, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import gelu_c
from gelu_c import registry
from gelu_c.accuracy import general, zeros
from gelu_c.accuracy.scipy_reference import float64_special, scipy_reference

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import half_formats  # noqa: E402
from half_formats import BFLOAT16, bits, outputs, uint_of  # noqa: E402

PATHS = tuple(gelu_c.available_kernel_paths())
NAMES = registry.names(tier=None, params=None)
DTYPES = half_formats.dtype_params("float16", "float32", "float64", "bfloat16")
DTYPE_NAMES = ("float16", "float32", "float64") + (("bfloat16",) if BFLOAT16 is not None else ())

#: (precision p, least normal exponent, largest exponent) of each format
FORMATS = {"float16": (11, -14, 15), "bfloat16": (8, -126, 127),
           "float32": (24, -126, 127), "float64": (53, -1022, 1023)}
#: slack for the float64 reference's own error (see the module docstring)
REF_REL = 2.0 ** -40
REF_REL_GENERAL = 2.0 ** -36
REF_ABS_DERIV = 2.0 ** -50
#: float64 results (no float64 oracle here is accurate to their ULP): a check for gross
#: errors only, 2^-30 relative (2^-30 of the terms' size for a derivative, which cancels
#: near its zero), a few least subnormals absolute
LOOSE = 2.0 ** -30
#: x86's 80-bit long double: gelu_general's float64 reference is computed in it (its
#: exponent range holds z = (x - mu)/sigma and x/sigma for every float64 operand)
LONG_DOUBLE = np.finfo(np.longdouble).nmant >= 63 and np.finfo(np.longdouble).maxexp >= 16384

GUARD = 24            # sentinel bytes either side of every buffer

#: derandomized (reproducible in CI); no shrinking: a failure's message names the exact
#: operands and bits at fault, and shrinking one here costs a minute
SETTINGS = dict(deadline=None, derandomize=True, database=None,
                phases=(Phase.explicit, Phase.reuse, Phase.generate))


def _ufunc(name):
    return attrgetter(name)(gelu_c)


def _same_bits(got, want):
    got, want = np.asarray(got), np.asarray(want)
    return (got.dtype == want.dtype and got.shape == want.shape
            and np.array_equal(bits(got), bits(want)))


def _describe_diff(got, want):
    g, w = bits(got).reshape(-1), bits(want).reshape(-1)
    if g.shape != w.shape:
        return f"shapes {np.shape(got)} vs {np.shape(want)}"
    i = np.flatnonzero(g != w)
    return (f"{i.size} of {g.size} differ, first at flat index {i[0]}: "
            f"{hex(int(g[i[0]]))} vs {hex(int(w[i[0]]))}")


# ---------------------------------------------------------------------------
# Bit patterns
# ---------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _family_zero(family):
    """The one zero (mpf) of the family's derivative (tests/test_derivative_signs.py
    checks there is exactly one), or None for norm_cdf."""
    if registry.grad_of(family) is None:
        return None
    (z,) = zeros.derivative_zeros(registry.grad_of(family))
    return z


@functools.lru_cache(maxsize=None)
def _specials(dtype_name):
    """Bit patterns worth having often: zeros, infinities, NaNs of both kinds with
    payloads, subnormals, the largest numbers, ones, the floats beside each derivative
    zero, the ends of the kernels' ranges."""
    dtype = np.dtype(BFLOAT16 if dtype_name == "bfloat16" else dtype_name)
    ut = uint_of(dtype)
    nbits = 8 * dtype.itemsize
    fi = half_formats.finfo(dtype)
    p, _, _ = FORMATS[dtype_name]
    exp_all = ((1 << (nbits - p)) - 1) << (p - 1)       # the exponent field, all ones
    quiet = 1 << (p - 2)
    sign = 1 << (nbits - 1)
    pats = [0, sign, exp_all, exp_all | sign, exp_all | quiet, exp_all | quiet | sign,
            exp_all | quiet | 0x15, exp_all | 1, exp_all | sign | 3,   # payloads; signaling
            1, sign | 1, (1 << (p - 1)) - 1, 1 << (p - 1),           # subnormals, least normal
            exp_all - 1, (exp_all - 1) | sign]                        # +-max
    values = [1.0, -1.0, 0.5, -0.5, 2.0, -3.0, 8.0, -8.0, -14.4, -38.6, 30.0, -30.0,
              1e-3, -1e-3, 1e4, -1e4]
    for fam in ("gelu", "gelu_tanh", "gelu_sigmoid", "silu"):
        values.append(float(_family_zero(fam)))
    arr = np.array(values, dtype=np.float64)
    with np.errstate(over="ignore"):
        arr = arr.astype(dtype)
    vb = arr[np.isfinite(arr)].view(ut).astype(np.int64)
    pats += [int(b) + d for b in vb for d in (-1, 0, 1)]
    return tuple(sorted({int(b) % (1 << nbits) for b in pats}))


def _patterns(dtype, n, seed, picks=()):
    """n bit patterns of ``dtype`` (as its unsigned type) from ``seed``: a quarter
    uniformly random bits, a quarter ordinary values over many magnitudes, a quarter
    values in [-10, 10], a quarter special patterns; then ``picks`` ((fraction, bits),
    drawn by hypothesis) overwrite positions."""
    dtype = np.dtype(dtype)
    ut = uint_of(dtype)
    nbits = 8 * dtype.itemsize
    rng = np.random.default_rng(seed)
    raw = rng.integers(0, 1 << nbits, size=n, dtype=np.uint64).astype(ut)
    with np.errstate(over="ignore", under="ignore"):
        wide = (rng.choice([-1.0, 1.0], n) * 2.0 ** rng.uniform(-30, 30, n)).astype(dtype)
        near = rng.uniform(-10, 10, n).astype(dtype)
    spec = np.array(_specials(dtype.name), dtype=ut)[rng.integers(0, len(_specials(dtype.name)), n)]
    kind = rng.integers(0, 4, n)
    out = np.where(kind == 0, raw, np.where(kind == 1, wide.view(ut),
                                            np.where(kind == 2, near.view(ut), spec)))
    out = out.astype(ut)
    for frac, bits in picks:
        if n:
            out[min(int(frac * n), n - 1)] = bits
    return out


def _pick_strategy(dtype_name):
    nbits = 8 * np.dtype(BFLOAT16 if dtype_name == "bfloat16" else dtype_name).itemsize
    bits = st.one_of(st.integers(0, (1 << nbits) - 1), st.sampled_from(_specials(dtype_name)))
    return st.lists(st.tuples(st.floats(0, 1), bits), max_size=6)


# ---------------------------------------------------------------------------
# Layouts: views of uint8 buffers
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Layout:
    perm: Tuple[int, ...]       # axes, innermost (smallest |stride|) first
    steps: Tuple[int, ...]      # per axis in perm order: 1, or a gap of whole pitches
    neg: Tuple[bool, ...]       # per axis: negative stride
    pitch: int                  # bytes from one element to the next along the innermost axis
    misalign: int               # extra byte offset of the buffer's first element
    zero: Tuple[int, ...] = ()  # axes of stride 0 (inputs only)
    as_: str = "view"           # inputs: "view", "broadcast" (np.broadcast_to), "scalar" (0-d)


@st.composite
def layouts(draw, ndim, itemsize, output, lanes=1):
    """A layout for an operand of ``ndim`` dims. Outputs never overlap themselves; their
    pitch is at least ``lanes`` elements (several outputs interleaved in one buffer).
    Inputs may have stride-0 axes and a pitch below the element size."""
    perm = tuple(draw(st.permutations(range(ndim))))
    steps = tuple(draw(st.lists(st.integers(1, 3), min_size=ndim, max_size=ndim)))
    neg = tuple(draw(st.lists(st.booleans(), min_size=ndim, max_size=ndim)))
    base = lanes * itemsize
    if output:
        pitch = draw(st.one_of(st.just(base), st.integers(base, base + 7)))
        zero = ()
        as_ = "view"
    else:
        pitch = draw(st.one_of(st.just(itemsize), st.integers(itemsize, itemsize + 9),
                               st.integers(1, itemsize)))
        zero = tuple(draw(st.sets(st.sampled_from(range(ndim)), max_size=2))) if ndim else ()
        as_ = draw(st.sampled_from(["view", "view", "broadcast"] + (["scalar"] if ndim == 0 else [])))
    misalign = draw(st.integers(0, 7))
    return Layout(perm, steps, neg, pitch, misalign, zero, as_)


def _strides(shape, lay):
    nd = len(shape)
    strides = [0] * nd
    acc = lay.pitch
    for j, ax in enumerate(lay.perm):
        strides[ax] = acc * lay.steps[j]
        acc = strides[ax] * max(shape[ax], 1)
    for ax in lay.zero:
        strides[ax] = 0
    return [-s if lay.neg[ax] else s for ax, s in enumerate(strides)]


def _span(shape, strides, width):
    """(bytes before the first element, bytes spanned): the first element sits after the
    negative-stride extents."""
    if any(n == 0 for n in shape):
        return 0, width
    before = sum(-s * (n - 1) for s, n in zip(strides, shape) if s < 0)
    after = sum(s * (n - 1) for s, n in zip(strides, shape) if s > 0)
    return before, before + after + width


def _buffer(nbytes, rng):
    return rng.integers(0, 256, size=nbytes, dtype=np.uint8)


def _place(shape, dtype, lay, buf_rng, count=1):
    """``count`` views of ``shape`` and ``dtype`` with layout ``lay`` in one fresh buffer
    of random bytes (interleaved: view k starts k elements after view 0). Returns
    (buffer, [views], [(offset, strides)])."""
    dtype = np.dtype(dtype)
    strides = _strides(shape, lay)
    before, span = _span(shape, strides, count * dtype.itemsize)
    buf = _buffer(GUARD + lay.misalign + span + GUARD, buf_rng)
    views, geometry = [], []
    for k in range(count):
        offset = GUARD + lay.misalign + before + k * dtype.itemsize
        views.append(np.ndarray(shape, dtype, buffer=buf, offset=offset, strides=strides))
        geometry.append((offset, strides))
    return buf, views, geometry


def _expected_buffer(before, shape, dtype, geometry, values):
    """The buffer ``before`` with each view (offset, strides) holding ``values[k]``."""
    want = before.copy()
    ut = uint_of(dtype)
    for (offset, strides), v in zip(geometry, values):
        target = np.ndarray(shape, ut, buffer=want, offset=offset, strides=strides)
        target[...] = bits(v).reshape(shape)
    return want


def _input_operand(shape, full, dtype, lay, bits, buf_rng):
    """An input operand of ``shape`` holding ``bits`` where its layout gives every element
    bytes of its own (elsewhere whatever the random bytes say), as the layout asks (the
    view, a read-only view broadcast to ``full``, or a NumPy scalar), and the plain copy
    of what it holds. Returns (operand, buffer, copy)."""
    dtype = np.dtype(dtype)
    buf, (view,), ((offset, strides),) = _place(shape, dtype, lay, buf_rng)
    if lay.pitch >= dtype.itemsize and not lay.zero and view.size:
        target = np.ndarray(shape, uint_of(dtype), buffer=buf, offset=offset, strides=strides)
        target[...] = bits.reshape(shape)
    copy = np.array(view, copy=True)
    if lay.as_ == "scalar" and view.ndim == 0:
        operand = view[()]
    elif lay.as_ == "broadcast":
        operand = np.broadcast_to(view, full)
    else:
        operand = view
    return operand, buf, copy


# ---------------------------------------------------------------------------
# (b) values against the float64 reference
# ---------------------------------------------------------------------------

def _ulp(ref, dtype_name):
    """ULP of float64 values in the format, floored at its least subnormal."""
    p, emin, _ = FORMATS[dtype_name]
    _, e = np.frexp(ref)
    return np.ldexp(1.0, np.maximum(e.astype(np.int64) - 1, emin) - (p - 1))


def _abs_error(got, ref, dtype_name):
    """|got - ref| in float64; a computed infinity counts as the first power of two past
    the format's largest number, and only its shortfall from a larger reference of its
    sign counts (a correctly rounded overflow has error 0), as in gelu_c.accuracy.ulps."""
    _, _, emax = FORMATS[dtype_name]
    g = np.asarray(got).astype(np.float64)
    inf = np.isinf(g)
    cap = np.copysign(np.ldexp(1.0, emax + 1), g)
    err = np.abs(np.where(inf, cap, g) - ref)
    over = inf & (np.sign(ref) == np.sign(g))
    return np.where(over, np.maximum(np.abs(cap) - np.abs(ref), 0.0), err)


def _neg_slope(family, x):
    """f'(x) < 0 for finite float64 x (exact: x against the mpf zero)."""
    z = _family_zero(family)
    zf = float(z)
    below = zf < z                       # the float64 of the zero lies below it
    return (x < zf) | ((x == zf) & below)


def _check_signs_and_nans(f, dtype_name, ins, got):
    """NaN-ness and signs, exactly, for the functions of x alone (every dtype)."""
    x = ins[-1].astype(np.float64)
    dy = ins[0].astype(np.float64) if f.kind == "backward" else None
    nan_want = np.isnan(x)
    if dy is not None:
        nan_want = nan_want | np.isnan(dy) | (np.isinf(dy) & (x == -np.inf))
    got_nan = np.isnan(got)
    assert np.array_equal(got_nan, nan_want), (
        "NaN-ness", np.flatnonzero(got_nan != nan_want)[:5],
        x.reshape(-1)[np.flatnonzero((got_nan != nan_want).reshape(-1))[:5]])
    ok = ~nan_want
    finite_x = np.isfinite(x)
    sb = np.signbit(got)
    # the limits at x = +-inf (signs of zeros below)
    top, bottom = ok & (x == np.inf), ok & (x == -np.inf)
    lim_top = {"value": np.inf if f.sign_of_x else 1.0, "grad": 1.0}.get(f.kind)
    if lim_top is None:                  # backward: dy * 1 and dy * 0
        lim_top = dy
    assert np.array_equal(got[top], np.broadcast_to(lim_top, got.shape)[top]), "limit at +inf"
    assert (got[bottom] == 0).all(), "limit at -inf"
    if f.kind == "value":
        assert not (np.isinf(got) & ok & ~(x == np.inf)).any(), "infinite value"
        if f.sign_of_x:
            bad = ok & (sb != np.signbit(x))
        else:                            # norm_cdf
            bad = ok & ~((got >= 0) & (got <= 1))
        assert not bad.any(), ("sign/range", x[bad][:5], got[bad][:5])
        return
    neg = _neg_slope(f.family, np.where(finite_x, x, 0.0))
    if f.kind == "grad":
        bad = finite_x & (sb != neg)
        assert not bad.any(), ("sign of f'", x[bad][:5], got[bad][:5])
        assert not (np.isinf(got) & ok).any(), "infinite derivative"
        return
    bad = finite_x & ok & (sb != (neg != np.signbit(dy)))
    assert not bad.any(), ("sign of dy*f'", dy[bad][:5], x[bad][:5], got[bad][:5])
    inf_want = finite_x & np.isinf(dy) & ok
    assert np.isinf(got[inf_want]).all(), ("inf * f'(x) must be infinite", x[inf_want][:5])
    max_ = float(half_formats.finfo(np.dtype(got.dtype)).max)
    small = finite_x & np.isfinite(dy) & (np.abs(dy) <= max_ / 2)   # |f'| < 1.2 everywhere
    assert np.isfinite(got[small]).all(), ("finite dy*f' overflowed", dy[small][~np.isfinite(got[small])][:5])


def _check_magnitudes(f, dtype_name, ins, got):
    """float32 and half results against the SciPy float64 reference (finite operands;
    the limits at +-inf are exact values)."""
    x = ins[-1].astype(np.float64)
    dy = ins[0].astype(np.float64) if f.kind == "backward" else np.ones_like(x)
    bound = f.accuracy_for(dtype_name)
    fin = np.isfinite(x) & np.isfinite(dy)
    if not fin.any():
        return
    xs, dys, g = x[fin], dy[fin], got[fin]
    ref = scipy_reference(f.qualname, xs, dys if f.kind == "backward" else None)
    ulp = _ulp(ref, dtype_name)
    slack = REF_REL * np.abs(ref)
    if f.kind != "value":
        slack = slack + REF_ABS_DERIV * np.abs(dys) * (np.abs(xs) < 8)
    err = _abs_error(g, ref, dtype_name)
    bad = err > bound.ulps * ulp + slack
    if bad.any() and f.has_zero_band and bound.zero_band:
        near = np.abs(xs - float(_family_zero(f.family))) <= bound.zero_band
        u_half = bound.zero_band_ulps_of_half * _ulp(np.array(0.5), dtype_name)
        if f.kind == "grad":
            allow = np.full_like(xs, u_half)
        else:
            gx = scipy_reference(registry.grad_of(f.qualname), xs)
            allow = np.abs(dys) * u_half + _ulp(np.abs(dys) * (np.abs(gx) + u_half), dtype_name) / 2
        bad &= ~(near & (err <= allow + slack))
    i = np.flatnonzero(bad)
    assert not i.size, (
        f"{f.qualname} [{dtype_name}]: {i.size} beyond {bound.ulps} ULP; first x={xs[i[0]]!r}"
        + (f" dy={dys[i[0]]!r}" if f.kind == "backward" else "")
        + f": got {g[i[0]]!r}, reference {ref[i[0]]!r} ({err[i[0]] / ulp[i[0]]:.3f} ULP)")


def _general_reference(x, mu, sigma):
    """(value, d/dx, d/dmu, d/dsigma, scale of d/dx's terms) in float64 from ndtr."""
    ndtr, _ = float64_special()
    z = (x - mu) / sigma
    Phi = ndtr(z)
    phi = np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)
    xs = x / sigma
    dmu = -xs * phi
    return x * Phi, Phi + xs * phi, dmu, z * dmu, np.maximum(Phi, np.abs(xs * phi)), z


def _general_reference_ld(x, mu, sigma):
    """(value, d/dx, d/dmu, d/dsigma, size of d/dx's terms) in long double for float64
    operands (sigma > 0): Phi from SciPy's ndtr above z = -30, from the asymptotic series
    (relative truncation error < 1e-13) below, where ndtr's float64 result underflows."""
    ld = np.longdouble
    X, M, S = x.astype(ld), mu.astype(ld), sigma.astype(ld)
    z = (X - M) / S
    phi = np.exp(-z * z / 2) / np.sqrt(ld(2) * ld(np.pi))
    ndtr, _ = float64_special()
    Phi = np.asarray(ndtr(np.clip(z, -40, 40).astype(np.float64))).astype(ld)
    tail = z < -30
    zt = z[tail]
    r = 1 / (zt * zt)
    Phi[tail] = phi[tail] / -zt * (1 - r * (1 - 3 * r * (1 - 5 * r * (1 - 7 * r * (1 - 9 * r)))))
    xs = X / S
    dmu = -xs * phi
    return X * Phi, Phi + xs * phi, dmu, z * dmu, np.maximum(Phi, np.abs(xs * phi))


def _loose_f64(what, got, ref, abs_slack, where, operands=()):
    """float64 results against a float64 (or long double) reference, for gross errors:
    within LOOSE relative plus ``abs_slack``; an infinite reference matched exactly; an
    infinite result only where the reference is within LOOSE of the overflow threshold."""
    ref = np.asarray(ref)
    big = float(np.finfo(np.float64).max) * (1 - LOOSE)
    with np.errstate(all="ignore"):
        ref64 = ref.astype(np.float64)
        fine = np.where(np.isinf(ref64), got == ref64,
                        np.where(np.isinf(got),
                                 (np.abs(ref) >= big) & (np.sign(got) == np.sign(ref64)),
                                 np.abs(got.astype(ref.dtype) - ref)
                                 <= LOOSE * np.abs(ref) + abs_slack + 64 * 2.0 ** -1074))
    bad = where & ~fine
    i = np.flatnonzero(bad)
    assert not i.size, (f"{what} [float64]: {i.size} results off by more than 2^-30 relative, "
                        f"first at " + ", ".join(f"{n}={a[i[0]]!r}" for n, a in operands)
                        + f": got {got[i[0]]!r}, reference {ref64[i[0]]!r}")


def _check_general(f, dtype_name, ins, got):
    """gelu_general and its derivatives: NaN-ness and signs exactly; for float32 and the
    halves, magnitudes against the float64 reference, where every operand is finite and
    sigma > 0 (sigma = 0, infinite operands: layout invariance only)."""
    a = [v.astype(np.float64) for v in ins]
    dy = a[0] if f.kind == "backward" else None
    x, mu, sigma = a[-3:]
    anynan = np.zeros(x.shape, bool)
    for v in a:
        anynan |= np.isnan(v)
    nan_want = anynan | (sigma < 0)
    regular = ~anynan & (sigma > 0) & np.isfinite(sigma) & np.isfinite(x) & np.isfinite(mu)
    if dy is not None:
        regular &= np.isfinite(dy)
    for k, g in enumerate(got):
        assert np.isnan(g)[nan_want].all(), ("NaN operand or sigma < 0 must give NaN", k)
        assert not np.isnan(g)[regular].any(), (
            f"{f.qualname} output {k}: NaN from ordinary operands ({', '.join(f.args)}):",
            [v[regular & np.isnan(g)][:3].tolist() for v in a])
    if not regular.any():
        return
    x, mu, sigma = x[regular], mu[regular], sigma[regular]
    dyr = dy[regular] if dy is not None else np.ones_like(x)
    got = [g[regular] for g in got]
    sdy = np.signbit(dyr)
    # exact sign rules: the value has x's sign; d/dmu = -(x/sigma) phi(z) is -x's; d/dsigma
    # = z d/dmu is -(x z)'s (zero when x = 0 or x = mu: either sign)
    if f.kind == "value":
        bad = np.signbit(got[0]) != np.signbit(x)
        assert not bad.any(), ("value sign", x[bad][:3], got[0][bad][:3])
    else:
        nz = x != 0
        bad = nz & (np.signbit(got[1]) != ((x > 0) != sdy))
        assert not bad.any(), ("d/dmu sign: dy, x, mu, sigma, got", dyr[bad][:3].tolist(),
                               x[bad][:3].tolist(), mu[bad][:3].tolist(),
                               sigma[bad][:3].tolist(), got[1][bad][:3].tolist())
        nz &= x != mu
        bad = nz & (np.signbit(got[2]) != (((x > 0) == (x > mu)) != sdy))
        assert not bad.any(), ("d/dsigma sign: dy, x, mu, sigma, got", dyr[bad][:3].tolist(),
                               x[bad][:3].tolist(), mu[bad][:3].tolist(),
                               sigma[bad][:3].tolist(), got[2][bad][:3].tolist())
    if dtype_name == "float64":
        if LONG_DOUBLE:
            value, dx, dmu, dsg, scale = _general_reference_ld(x, mu, sigma)
            refs = [value] if f.kind == "value" else [dx, dmu, dsg]
            dyl = dyr.astype(np.longdouble)
            for k, (g, ref) in enumerate(zip(got, refs)):
                if f.kind == "backward":
                    ref = dyl * ref
                slack = LOOSE * np.abs(dyl) * scale if (f.kind != "value" and k == 0) else 0
                _loose_f64(f"{f.qualname} output {k}", g, ref, slack, np.ones(g.shape, bool),
                           (("dy", dyr), ("x", x), ("mu", mu), ("sigma", sigma)))
        return
    value, dx, dmu, dsg, scale, z = _general_reference(x, mu, sigma)
    refs = [value] if f.kind == "value" else [dx, dmu, dsg]
    if f.kind == "backward":
        refs = [dyr * r for r in refs]
    bound = f.accuracy_for(dtype_name)
    grad_bound = registry.get(registry.grad_of(f.qualname)).accuracy
    for k, (g, ref) in enumerate(zip(got, refs)):
        ulp = _ulp(ref, dtype_name)
        slack = REF_REL_GENERAL * np.abs(ref)
        if f.kind != "value" and k == 0:
            slack = slack + REF_ABS_DERIV * np.abs(dyr) * scale
            # d/dx's sign where the reference is sure of it
            sure = np.abs(ref) > 2 * slack
            bad = sure & (np.signbit(g) != (ref < 0))
            assert not bad.any(), ("d/dx sign", x[bad][:3], mu[bad][:3], sigma[bad][:3])
        err = _abs_error(g, ref, dtype_name)
        bad = err > bound.ulps * ulp + slack
        if bad.any() and f.kind != "value" and k == 0:
            # d/dx beside its zero (in z): absolute, the registry's allowance times |dy|; in
            # the halves, the float64 result's allowance plus the final rounding
            for i in np.flatnonzero(bad):
                if not general.near_dx_zero(x[i], mu[i], sigma[i]):
                    continue
                if dtype_name in ("float16", "bfloat16"):
                    allow = (grad_bound.zero_band_ulps_of_half * 2.0 ** -53 * abs(dyr[i])
                             + 0.5 * ulp[i])
                else:
                    allow = (grad_bound.zero_band_ulps_of_half * _ulp(np.array(0.5), dtype_name)
                             * abs(dyr[i]))
                if err[i] <= allow + slack[i]:
                    bad[i] = False
        i = np.flatnonzero(bad)
        assert not i.size, (
            f"{f.qualname} output {k} [{dtype_name}]: {i.size} beyond {bound.ulps} ULP; first "
            f"x={x[i[0]]!r} mu={mu[i[0]]!r} sigma={sigma[i[0]]!r} dy={dyr[i[0]]!r} (z={z[i[0]]!r}):"
            f" got {g[i[0]]!r}, reference {ref[i[0]]!r} ({err[i[0]] / ulp[i[0]]:.3f} ULP)")


def check_values(f, dtype_name, ins, outs):
    """The value checks (b) on a plain call: ``ins`` the contiguous broadcast operands,
    ``outs`` the tuple of results."""
    with np.errstate(all="ignore"):      # casting a signaling NaN to float64 is "invalid"
        if f.params:
            _check_general(f, dtype_name, ins, [np.asarray(o) for o in outs])
            return
        got = np.asarray(outs[0])
        _check_signs_and_nans(f, dtype_name, ins, got)
        if dtype_name != "float64":
            _check_magnitudes(f, dtype_name, ins, got)
        else:
            _check_float64_loosely(f, ins, got)


def _check_float64_loosely(f, ins, got):
    """float64 results of the functions of x alone against SciPy in float64, for gross
    errors (finite operands), where the reference is itself right: not a NaN from inf * 0
    in its formula, not below 2^-1000 (SciPy's expit is 0 below x = -709.8, where the
    true value is a subnormal; a product with a subnormal Phi keeps few digits): there the
    result must be as tiny (below 2^-990); nor a backward pass whose f'(x) is below 2^-1000
    in float64, whose digits dy * f'(x) keeps but the reference lost."""
    x = ins[-1].astype(np.float64)
    dy = ins[0].astype(np.float64) if f.kind == "backward" else np.ones_like(x)
    fin = np.isfinite(x) & np.isfinite(dy)
    xs, dys, g = x[fin], dy[fin], got[fin]
    ref = scipy_reference(f.qualname, xs, dys if f.kind == "backward" else None)
    usable = ~np.isnan(ref)
    slack = 0.0
    if f.kind != "value":
        slack = 2.0 ** -40 * np.abs(dys) * (np.abs(xs) < 8)
    if f.kind == "backward":
        gx = scipy_reference(registry.grad_of(f.qualname), xs)
        usable &= np.abs(gx) >= 2.0 ** -1000
    tiny = usable & (np.abs(ref) < 2.0 ** -1000)
    bad = tiny & ~(np.abs(g) < 2.0 ** -990)
    assert not bad.any(), (f"{f.qualname} [float64]: not tiny where the reference is",
                           xs[bad][:3].tolist(), g[bad][:3].tolist())
    _loose_f64(f.qualname, g, ref, slack, usable & ~tiny, (("dy", dys), ("x", xs)))


# ---------------------------------------------------------------------------
# (a) + (b): bit patterns, shapes, strides, broadcasting, misaligned out=, guard bytes
# ---------------------------------------------------------------------------

SHAPES = st.one_of(
    hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=5),
    hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=45),
)


@st.composite
def broadcast_shapes(draw, nin):
    """The full shape and one shape per input that broadcasts to it."""
    full = draw(SHAPES)
    out = []
    for _ in range(nin):
        nd = draw(st.integers(0, len(full)))
        tail = full[len(full) - nd:]
        out.append(tuple(1 if draw(st.integers(0, 3)) == 0 else n for n in tail))
    return full, out


def _element_alone(uf, ins, i):
    return outputs(uf(*[a.reshape(-1)[i:i + 1] for a in ins]))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=16, **SETTINGS)
@given(data=st.data())
def test_bit_patterns_in_any_layout(name, dtype, data):
    f = registry.get(name)
    uf = _ufunc(name)
    dtype = np.dtype(dtype)
    dn = dtype.name
    full, shapes = data.draw(broadcast_shapes(f.nin), label="shapes")
    seed = data.draw(st.integers(0, 2 ** 32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    picks = [data.draw(_pick_strategy(dn), label=f"picks {k}") for k in range(f.nin)]
    in_lays = [data.draw(layouts(len(s), dtype.itemsize, output=False), label=f"input {k}")
               for k, s in enumerate(shapes)]
    interleave = f.nout > 1 and data.draw(st.booleans(), label="interleave outputs")
    out_lay = data.draw(layouts(len(full), dtype.itemsize, output=True,
                                lanes=f.nout if interleave else 1), label="output")
    as_tuple = f.nout > 1 or data.draw(st.booleans(), label="out as a tuple")
    # gelu_general: mu's patterns those of x (z = 0 exactly where they meet) sometimes
    tie = bool(f.params) and data.draw(st.integers(0, 3), label="mu ties x") == 0
    kx = f.args.index("x")

    event(f"size {'0' if 0 in full else '1' if not full else '>1'}, {len(full)}-D")
    event("output misaligned: "
          f"{out_lay.misalign % dtype.itemsize != 0 or out_lay.pitch % dtype.itemsize != 0}")
    event(f"inputs as {sorted(set(l.as_ for l in in_lays))}")
    operands, keep, plain = [], [], []
    for k, (s, lay) in enumerate(zip(shapes, in_lays)):
        src = kx if (tie and f.args[k] == "mu") else k
        bits = _patterns(dtype, int(np.prod(s, dtype=np.int64)), seed + src, picks[src])
        op, buf, copy = _input_operand(s, full, dtype, lay, bits, rng)
        operands.append(op)
        keep.append(buf)
        plain.append(np.array(np.broadcast_to(copy, full), order="C"))   # 0-d stays 0-d
    snapshot = [b.copy() for b in keep]

    for path in PATHS:
        with gelu_c.kernel_path(path), np.errstate(all="ignore"):
            want = outputs(uf(*plain))
            assert len(want) == f.nout
            for w in want:
                assert w.dtype == dtype and w.shape == full, (w.dtype, w.shape)
            if interleave:
                obuf, outs, geo = _place(full, dtype, out_lay, rng, count=f.nout)
                groups = [(obuf, geo, outs)]
            else:
                groups = []
                outs = []
                for _ in range(f.nout):
                    obuf, (o,), geo = _place(full, dtype, out_lay, rng)
                    groups.append((obuf, geo, [o]))
                    outs.append(o)
            befores = [g[0].copy() for g in groups]
            r = uf(*operands, out=tuple(outs) if as_tuple else outs[0])
        r = outputs(r)
        assert len(r) == f.nout and all(a is b for a, b in zip(r, outs)), "out= not returned"
        for k, (o, w) in enumerate(zip(outs, want)):
            assert _same_bits(o, w), (f"{name} [{dn}, {path}] output {k}: "
                                      + _describe_diff(np.array(o), w))
        j = 0
        for (obuf, geo, group), before in zip(groups, befores):
            expected = _expected_buffer(before, full, dtype, geo, want[j:j + len(group)])
            j += len(group)
            assert np.array_equal(obuf, expected), (
                f"{name} [{dn}, {path}]: bytes outside the output changed at "
                f"{np.flatnonzero(obuf != expected)[:8].tolist()} of {obuf.size}")
        for b, s in zip(keep, snapshot):
            assert np.array_equal(b, s), f"{name} [{dn}, {path}]: an input buffer changed"
        # a few elements alone give the same bits (vector body vs. a 1-element tail)
        size = int(np.prod(full, dtype=np.int64))
        with gelu_c.kernel_path(path), np.errstate(all="ignore"):
            for i in rng.integers(0, size, min(size, 4)) if size else ():
                alone = _element_alone(uf, plain, int(i))
                for k in range(f.nout):
                    assert _same_bits(alone[k][0], want[k].reshape(-1)[i]), (
                        f"{name} [{dn}, {path}] element {i} alone, output {k}")
        # (b) the values themselves, against references that are not gelu_c
        check_values(f, dn, plain, want)


def _grid_values(dtype):
    """Special values of a dtype for gelu_general's operands: signed zeros, the least and
    largest subnormals, the least normal, ones, halves, twos, the largest numbers, the
    infinities, a NaN, and a few ordinary values."""
    fi = half_formats.finfo(dtype)
    mags = [0.0, float(fi.smallest_subnormal), float(fi.smallest_normal) - float(fi.smallest_subnormal),
            float(fi.smallest_normal), 1e-3, 0.5, 0.75115425544128895, 1.0, 2.0, 30.0,
            float(fi.max), np.inf]
    with np.errstate(over="ignore"):
        vals = np.array(mags + [-m for m in mags] + [np.nan]).astype(dtype)
    return vals


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", registry.names(tier=None, params=True))
def test_gelu_general_on_a_grid_of_special_values(name, dtype):
    """Every (x, mu, sigma) (and dy) from the special values, x = mu among them: the
    value checks (b) on every path, and the same bits in one call as element by element
    along a stride."""
    f = registry.get(name)
    uf = _ufunc(name)
    dtype = np.dtype(dtype)
    v = _grid_values(dtype)
    grids = np.meshgrid(v, v, v, indexing="ij")
    ops = [g.reshape(-1) for g in grids]
    if f.kind == "backward":
        dys = np.array([1.0, -0.5, 0.0, float(half_formats.finfo(dtype).smallest_subnormal),
                        -3e4]).astype(dtype)
        ops = [np.repeat(dys, ops[0].size)] + [np.tile(o, dys.size) for o in ops]
    for path in PATHS:
        with gelu_c.kernel_path(path), np.errstate(all="ignore"):
            want = outputs(uf(*ops))
            strided = outputs(uf(*[o[::-1] for o in ops]))
        for w, s_ in zip(want, strided):
            assert _same_bits(s_[::-1], w), (name, dtype.name, path, "reversed")
        check_values(f, dtype.name, ops, want)


# ---------------------------------------------------------------------------
# out= overlapping an input
# ---------------------------------------------------------------------------

OVERLAPS = ("same", "shift+1", "shift-1", "reversed", "byte shift", "interleaved",
            "all in place", "all in place, permuted")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=8, **SETTINGS)
@given(data=st.data())
def test_out_overlapping_an_input(name, dtype, data):
    """NumPy's rule: out sharing memory with an input gives the non-overlapping result."""
    f = registry.get(name)
    uf = _ufunc(name)
    dtype = np.dtype(dtype)
    dn = dtype.name
    ut = uint_of(dtype)
    size = dtype.itemsize
    mode = data.draw(st.sampled_from(OVERLAPS if f.nout > 1 else OVERLAPS[:6]), label="mode")
    n = data.draw(st.integers(1, 70), label="n")
    rows = data.draw(st.sampled_from([None, 1, 3]), label="2-D rows")
    k_in = data.draw(st.integers(0, f.nin - 1), label="which input")
    k_out = data.draw(st.integers(0, f.nout - 1), label="which output")
    seed = data.draw(st.integers(0, 2 ** 32 - 1), label="seed")
    rng = np.random.default_rng(seed)
    shape = (n,) if rows is None else (rows, n)
    m = int(np.prod(shape))

    # one shared buffer holds every input and every output, one extra element either
    # side of each, and a region for the interleaved mode
    per = (m + 2) * size
    inter = GUARD + (f.nin + f.nout) * per
    buf = _buffer(inter + (2 * m + 1) * size + GUARD, rng)

    def region(k, extra_bytes=0):
        return GUARD + k * per + size + extra_bytes

    def view(offset, strides=None):
        return np.ndarray(shape, dtype, buffer=buf, offset=offset, strides=strides)

    ins = []
    for k in range(f.nin):
        a = view(region(k))
        a.view(ut)[...] = _patterns(dtype, m, seed + k).reshape(shape)
        ins.append(a)
    outs = [view(region(f.nin + j)) for j in range(f.nout)]
    a = ins[k_in]
    off = region(k_in)
    if mode == "same":
        outs[k_out] = a
    elif mode == "shift+1":
        outs[k_out] = view(off + size)
    elif mode == "shift-1":
        outs[k_out] = view(off - size)
    elif mode == "reversed":
        outs[k_out] = a[..., ::-1] if rows is None else a[::-1, ::-1]
    elif mode == "byte shift":
        outs[k_out] = view(off + data.draw(st.integers(1, size - 1), label="bytes"))
    elif mode == "interleaved":
        # input every other element of a region, out the elements between (memory ranges
        # overlap, elements do not)
        stride = (2 * size,) if rows is None else (2 * size * n, 2 * size)
        ins[k_in] = a = np.ndarray(shape, dtype, buffer=buf, offset=inter, strides=stride)
        a.view(ut)[...] = _patterns(dtype, m, seed + 99).reshape(shape)
        outs[k_out] = np.ndarray(shape, dtype, buffer=buf, offset=inter + size, strides=stride)
    elif mode == "all in place":
        for j in range(f.nout):
            outs[j] = ins[f.nin - f.nout + j]
    else:
        order = data.draw(st.permutations(range(f.nout)), label="permutation")
        for j in range(f.nout):
            outs[j] = ins[f.nin - f.nout + order[j]]

    fresh = [np.array(x, copy=True) for x in ins]
    before = buf.copy()
    for path in PATHS:
        buf[...] = before
        with gelu_c.kernel_path(path), np.errstate(all="ignore"):
            want = outputs(uf(*fresh))
            r = outputs(uf(*ins, out=tuple(outs)))
        assert all(x is y for x, y in zip(r, outs))
        for j, (o, w) in enumerate(zip(outs, want)):
            assert _same_bits(o, w), (f"{name} [{dn}, {path}, {mode}] output {j}: "
                                      + _describe_diff(np.array(o), w))
        # every byte not in an output is as before
        expected = before.copy()
        for o, w in zip(outs, want):
            off_o = o.__array_interface__["data"][0] - buf.__array_interface__["data"][0]
            np.ndarray(o.shape, ut, buffer=expected, offset=off_o, strides=o.strides)[...] = bits(w)
        assert np.array_equal(buf, expected), (
            f"{name} [{dn}, {path}, {mode}]: bytes outside the outputs changed at "
            f"{np.flatnonzero(buf != expected)[:8].tolist()}")


# ---------------------------------------------------------------------------
# Errors, and the casts NumPy defines
# ---------------------------------------------------------------------------

def _args(f, dtype=np.float64, n=5):
    vals = {"dy": np.linspace(-2, 3, n), "x": np.linspace(-3, 2.5, n),
            "mu": np.linspace(-0.5, 0.5, n), "sigma": np.linspace(0.5, 2, n)}
    return [vals[a].astype(dtype) for a in f.args]


def _out_buffers(f, shape, dtype=np.float64, fill=7.25):
    return [np.full(shape, fill, dtype) for _ in range(f.nout)]


def _assert_unchanged(arrays, fill=7.25):
    for a in arrays:
        assert np.all(np.asarray(a) == fill), "an output was written by a call that raised"


@pytest.mark.parametrize("name", NAMES)
def test_read_only_outputs_raise(name):
    f = registry.get(name)
    uf = _ufunc(name)
    args = _args(f)
    for which in range(f.nout):
        for kind in ("flag", "broadcast", "bytes"):
            outs = _out_buffers(f, 5)
            if kind == "flag":
                outs[which].flags.writeable = False
            elif kind == "broadcast":
                outs[which] = np.broadcast_to(np.full(1, 7.25), (5,))
            else:
                outs[which] = np.frombuffer(np.full(5, 7.25).tobytes())
            with pytest.raises(ValueError, match="read-only"):
                uf(*args, out=tuple(outs))
            _assert_unchanged(outs)
    if f.nin == 1:                                   # positional out=, and in place
        ro = args[0].copy()
        ro.flags.writeable = False
        with pytest.raises(ValueError, match="read-only"):
            uf(ro, ro)
        assert np.array_equal(ro, args[0])


BAD_OUT_DTYPES = [np.int32, np.int64, np.uint8, np.bool_, "M8[s]", "m8[s]"]


@pytest.mark.parametrize("name", NAMES)
def test_outputs_numpy_cannot_cast_to_raise(name):
    f = registry.get(name)
    uf = _ufunc(name)
    args = _args(f)
    for bad in BAD_OUT_DTYPES:
        for which in range(f.nout):
            outs = [np.full(5, 7.25) for _ in range(f.nout)]
            outs[which] = np.zeros(5, bad)
            snapshot = outs[which].copy()
            with pytest.raises(TypeError, match="Cannot cast ufunc"):
                uf(*args, out=tuple(outs))
            assert np.array_equal(outs[which], snapshot)
            _assert_unchanged([o for j, o in enumerate(outs) if j != which])
    # a narrowing cast under casting="safe", and any cast under casting="no"
    with pytest.raises(TypeError, match="Cannot cast ufunc"):
        uf(*args, out=tuple(np.zeros(5, np.float32) for _ in range(f.nout)), casting="safe")
    with pytest.raises(TypeError, match="Cannot cast ufunc"):
        uf(*[a.astype(np.float16) for a in args],
           out=tuple(np.zeros(5, np.float32) for _ in range(f.nout)), casting="no")
    for bad in (np.int32, complex, np.str_, object):
        with pytest.raises(TypeError, match="No loop matching"):
            uf(*args, dtype=bad)


@pytest.mark.parametrize("name", NAMES)
def test_outputs_of_the_wrong_shape_or_number_raise(name):
    f = registry.get(name)
    uf = _ufunc(name)
    args = _args(f)
    for shape in ((6,), (4,), (5, 2), ()):
        outs = _out_buffers(f, shape)
        with pytest.raises(ValueError):
            uf(*args, out=tuple(outs))
        _assert_unchanged(outs)
    outs = _out_buffers(f, 5)
    with pytest.raises(ValueError, match="one entry per ufunc output"):
        uf(*args, out=tuple(outs) + (np.zeros(5),))
    _assert_unchanged(outs)
    if f.nout > 1:
        with pytest.raises(ValueError, match="one entry per ufunc output"):
            uf(*args, out=tuple(outs[:-1]))
        with pytest.raises(TypeError, match="tuple"):
            uf(*args, out=outs[0])
        _assert_unchanged(outs)
    for bad in ([np.zeros(5)], np.zeros(5).tolist(), memoryview(bytearray(40)), "out"):
        with pytest.raises(TypeError):
            uf(*args, out=bad if f.nout == 1 else tuple([bad] * f.nout))
    with pytest.raises(TypeError):
        uf(*args[:-1])                               # an argument short
    with pytest.raises(TypeError):
        uf(*args, no_such_keyword=1)
    with pytest.raises(ValueError):
        uf(*args, out=tuple(_out_buffers(f, 5)), where=np.ones(4, bool))
    with pytest.raises(TypeError):
        uf(*args, out=tuple(_out_buffers(f, 5)), where=np.ones(5, np.int64))


def _bad_inputs():
    return [
        ("complex128", np.array([1 + 2j, 0.5])), ("complex64", np.array([1.0, 2.0], np.complex64)),
        ("python complex", 1j), ("object", np.array([1.0, 2.0], dtype=object)),
        ("str", np.array(["a", "b"])), ("python str", "abc"), ("bytes", np.array([b"x", b"y"])),
        ("datetime64", np.zeros(2, "M8[s]")), ("timedelta64", np.zeros(2, "m8[s]")),
        ("void", np.zeros(2, "V4")), ("structured", np.zeros(2, [("a", "f8")])),
        ("None", None), ("dict", {}), ("int beyond int64", np.array([2 ** 70])),
    ]


@pytest.mark.parametrize("name", NAMES)
def test_unsupported_inputs_raise_typeerror(name):
    """Every argument position (test_ufunc checks x and dy of the functions of x alone;
    here gelu_general's mu and sigma too, and more kinds)."""
    f = registry.get(name)
    uf = _ufunc(name)
    for pos in range(f.nin):
        for what, bad in _bad_inputs():
            args = _args(f, n=2)
            args[pos] = bad
            outs = _out_buffers(f, 2)
            with pytest.raises(TypeError, match="not supported for the input types"):
                uf(*args, out=tuple(outs))
            _assert_unchanged(outs)
        args = _args(f, n=2)
        args[pos] = [[1.0], [1.0, 2.0]]                 # ragged
        with pytest.raises(ValueError, match="inhomogeneous"):
            uf(*args)


@pytest.mark.parametrize("name", NAMES)
def test_the_casts_numpy_defines_give_the_cast_values(name):
    """int operands, byte-swapped operands and outputs, complex/object/wider/narrower
    float outputs: the value NumPy's cast of the float result (or of the operands) gives."""
    f = registry.get(name)
    uf = _ufunc(name)
    base = _args(f, n=7)
    with np.errstate(all="ignore"):
        want = outputs(uf(*base))
        # integer operands (every position) go through float64 like np.exp's loops do
        ints = [np.array([-3, -1, 0, 1, 2, 5, 40]) if a == "x" else np.array([1, 2, 3, 1, 1, 2, 1])
                for a in f.args]
        got = outputs(uf(*ints))
        ref = outputs(uf(*[i.astype(np.float64) for i in ints]))
        assert all(_same_bits(g, r) for g, r in zip(got, ref))
        # byte-swapped float32 operands: the float32 loop on the native values
        got = outputs(uf(*[a.astype(">f4") for a in base]))
        ref = outputs(uf(*[a.astype(np.float32) for a in base]))
        assert all(_same_bits(g, r) for g, r in zip(got, ref))
        # outputs: byte-swapped, float16, float32, complex, object
        for odt in (">f8", np.float16, np.float32, np.complex128, object):
            outs = tuple(np.zeros(7, odt) for _ in range(f.nout))
            r = outputs(uf(*base, out=outs))
            assert all(a is b for a, b in zip(r, outs))
            for o, w in zip(outs, want):
                cast = w.astype(odt)
                if odt is object:
                    assert [float(v) for v in o] == [float(v) for v in cast]
                elif odt is np.complex128:
                    assert _same_bits(o.real.copy(), w) and not o.imag.any()
                else:
                    assert _same_bits(o.astype(o.dtype.newbyteorder("=")),
                                      cast.astype(cast.dtype.newbyteorder("=")))
        # bfloat16 output of a float64 call: the float64 result, cast
        if BFLOAT16 is not None:
            outs = tuple(np.zeros(7, BFLOAT16) for _ in range(f.nout))
            uf(*base, out=outs)
            assert all(_same_bits(o, w.astype(BFLOAT16)) for o, w in zip(outs, want))
        # a larger out= broadcasts the operands
        outs = tuple(np.zeros((3, 7)) for _ in range(f.nout))
        uf(*base, out=outs)
        assert all(_same_bits(o, np.broadcast_to(w, (3, 7))) for o, w in zip(outs, want))


@pytest.mark.parametrize("name", registry.names(tier=None, params=False))
def test_ufunc_methods(name, kernel_path):
    """ufunc.at (repeated indices are applied again, in order), and reduce/accumulate of
    the 2-argument functions, against the same function called element by element;
    the methods NumPy defines only for 2-argument ufuncs raise ValueError otherwise."""
    f = registry.get(name)
    uf = _ufunc(name)
    for dtype in (np.float16, np.float32, np.float64) + ((BFLOAT16,) if BFLOAT16 is not None else ()):
        a = np.linspace(-3, 3, 9).astype(dtype)
        with np.errstate(all="ignore"):
            if f.nin == 1:
                got = a.copy()
                idx = [0, 0, 4, 8, 4, 4]
                uf.at(got, idx)
                want = a.copy()
                for i in idx:
                    want[i] = uf(want[i:i + 1])[0]
                assert _same_bits(got, want), (name, dtype)
                with pytest.raises(IndexError):
                    uf.at(a.copy(), [9])
                with pytest.raises(ValueError, match="only supported for binary"):
                    uf.reduce(a)
                with pytest.raises(ValueError, match="only supported for binary"):
                    uf.outer(a, a)
            else:
                got = a.copy()
                uf.at(got, [1, 1, 3], np.array([2.0, -1.0, 0.5], dtype))
                want = a.copy()
                for i, d in zip([1, 1, 3], np.array([2.0, -1.0, 0.5], dtype)):
                    want[i] = uf(want[i:i + 1], np.array([d], dtype))[0]
                assert _same_bits(got, want), (name, dtype)
                acc = uf.accumulate(a)
                seq = [a[0]]
                for v in a[1:]:
                    seq.append(uf(np.array([seq[-1]], dtype), np.array([v], dtype))[0])
                assert _same_bits(acc, np.array(seq, dtype)), (name, dtype)
                assert _same_bits(uf.reduce(a), np.array(seq[-1], dtype)), (name, dtype)
                o = uf.outer(a[:3], a)
                assert _same_bits(o, uf(a[:3, None], a[None, :]))
                with pytest.raises(ValueError, match="no identity"):
                    uf.reduce(a[:0])


def test_methods_of_the_functions_with_parameters_raise():
    for name in registry.names(tier=None, params=True):
        uf = _ufunc(name)
        a = np.linspace(-1, 1, 4)
        for method in ("reduce", "accumulate"):
            with pytest.raises(ValueError, match="only supported for binary"):
                getattr(uf, method)(a)
        with pytest.raises(ValueError, match="only supported for binary"):
            uf.outer(a, a)


# ---------------------------------------------------------------------------
# Lengths
# ---------------------------------------------------------------------------

LONG = (1 << 20) + 3


@pytest.mark.parametrize("dtype", half_formats.dtype_params("float16", "float32", "bfloat16"))
@pytest.mark.parametrize("name", ["gelu", "fast.silu_grad", "gelu_backward", "fast.gelu_general"])
def test_long_calls_at_strides_and_offsets(name, dtype):
    """2^20 + 3 elements (split across two threads where contiguous, in chunks where
    strided or misaligned): the bits of the contiguous single-thread call; the values of
    a sample against the reference; no byte written around the output."""
    f = registry.get(name)
    uf = _ufunc(name)
    dtype = np.dtype(dtype)
    size = dtype.itemsize
    # (input step, byte offset of inputs and outputs)
    layouts_ = ((1, 0), (-2, 1), (3, 5))
    span = LONG * 3 + 2
    raws = []
    for k in range(f.nin):
        raw = np.empty(span * size + 8, np.uint8)
        raw[:span * size].view(uint_of(dtype))[...] = _patterns(dtype, span, 1000 + k)
        raws.append(raw)
    for path in PATHS:
        for step, misalign in layouts_:
            ins = []
            for raw in raws:
                whole = np.ndarray(LONG * abs(step), dtype, buffer=raw, offset=misalign)
                ins.append(whole[::step] if step > 0 else whole[::-1][::-step])
            plain = [np.ascontiguousarray(a) for a in ins]
            assert all(a.size == LONG for a in plain)
            # the outputs interleaved, at the byte offset, in a buffer of sentinel bytes
            oraw = np.full(LONG * f.nout * size + misalign + 2 * GUARD, 0xA5, np.uint8)
            outs = tuple(np.ndarray(LONG, dtype, buffer=oraw, offset=GUARD + misalign + j * size,
                                    strides=(f.nout * size,)) for j in range(f.nout))
            with gelu_c.kernel_path(path), np.errstate(all="ignore"):
                with gelu_c.threads(1):
                    want = outputs(uf(*plain))
                with gelu_c.threads(2):
                    r = outputs(uf(*ins, out=outs))
                    again = outputs(uf(*plain))
            assert all(a is b for a, b in zip(r, outs))
            for o, w, a in zip(outs, want, again):
                assert _same_bits(o, w), (name, dtype.name, path, step, misalign,
                                          _describe_diff(np.array(o), w))
                assert _same_bits(a, w), (name, dtype.name, path, "2 threads")
            assert (oraw[:GUARD + misalign] == 0xA5).all()
            assert (oraw[GUARD + misalign + LONG * f.nout * size:] == 0xA5).all()
            if step == 1:
                idx = np.random.default_rng(5).integers(0, LONG, 3000)
                check_values(f, dtype.name, [p[idx] for p in plain], [w[idx] for w in want])


HUGE = (1 << 31) + (1 << 16) + 11            # > 2^31 elements: 4.3 GB per float16 array


def _rss_peak_gib():
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20


def _count_equal(a, value, chunk=1 << 26):
    """np.count_nonzero(a == value) without a temporary the size of ``a``."""
    return sum(int(np.count_nonzero(a[i:i + chunk] == value)) for i in range(0, a.size, chunk))


@pytest.mark.skipif(os.environ.get("GELU_C_HUGE_TESTS") != "1",
                    reason="needs ~9 GB of memory and a minute or two: set GELU_C_HUGE_TESTS=1")
def test_more_than_2_to_the_31_elements():
    """Calls of more than 2^31 float16 elements (an index or count kept in 32 bits would
    wrap there): gelu into a second array in one inner loop (one thread) and split across
    two threads, and gelu_backward with a broadcast (stride-0) dy in one inner loop.
    Samples at the start, around 2^31, at the end and at random must equal the same
    function on those elements alone, and every element must be written."""
    t0 = time.perf_counter()
    x = np.empty(HUGE, np.float16)
    xb = x.view(np.uint16)
    period = 65521                                     # prime: element i and i - 2^31 differ
    pattern = np.arange(period, dtype=np.uint32).astype(np.uint16)
    sentinel = np.uint16(0x7E5B)                       # a NaN no input becomes: neither it
    pattern[(pattern | 0x0200) == sentinel] = 0x3C00   # nor its signaling twin is an input
    whole = HUGE // period
    xb[:whole * period].reshape(whole, period)[...] = pattern
    xb[whole * period:] = pattern[:HUGE - whole * period]
    out = np.empty(HUGE, np.float16)
    samples = np.concatenate([np.arange(0, 300), np.arange((1 << 31) - 300, (1 << 31) + 300),
                              np.arange(HUGE - 300, HUGE),
                              np.random.default_rng(0).integers(0, HUGE, 3000)])
    xs = x[samples].copy()
    dy = np.broadcast_to(np.float16(-1.5), (HUGE,))
    timings = {}
    for path in PATHS:
        for what, pool in (("gelu", 1), ("gelu", 2), ("gelu_backward", 1)):
            out.view(np.uint16)[...] = sentinel
            t = time.perf_counter()
            with gelu_c.kernel_path(path), gelu_c.threads(pool), np.errstate(all="ignore"):
                if what == "gelu":
                    r = gelu_c.gelu(x, out=out)
                    want = gelu_c.gelu(xs)
                else:
                    r = gelu_c.gelu_backward(dy, x, out=out)
                    want = gelu_c.gelu_backward(np.float16(-1.5), xs)
            timings[(path, what, pool)] = time.perf_counter() - t
            assert r is out
            assert _same_bits(out[samples], want), (path, what, pool,
                                                    _describe_diff(out[samples], want))
            unwritten = _count_equal(out.view(np.uint16), sentinel)
            assert unwritten == 0, (path, what, pool, unwritten)
    print(f"\n{HUGE} float16 elements: {time.perf_counter() - t0:.1f} s in all; calls "
          + ", ".join(f"{p}/{w}/{n} thread(s) {s:.2f} s" for (p, w, n), s in timings.items())
          + f"; peak RSS {_rss_peak_gib():.2f} GiB")
