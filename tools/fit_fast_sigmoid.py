#!/usr/bin/env python3
"""Coefficients and constants of the fast tier's sigmoid family (csrc/fast_family_sigmoid.h).

Run ``python tools/fit_fast_sigmoid.py`` from the repository root; it rewrites
``csrc/fast_sigmoid_coeffs.h`` (float32 and float64) and prints the achieved errors.
Everything is computed with mpmath at 200 bits; only the final rounding to the working
precision happens in binary. The constants the exact tier already has (1.702,
0.044715, 3*0.044715 and 2*sqrt(2/pi) as hi + lo) are taken from coeffs_<key>.h.

What is fitted (see docs/design.md, "Fast tier: the sigmoid family"):

* The forward polynomials F_K(t) ~ exp(-K t), one per form (K = 1: SiLU; K = 1.702:
  sigmoid form; K = 2*sqrt(2/pi): tanh form), on |t| <= M/2 with M = ln2/K: the
  forward kernels reduce x (or x*(1 + 0.044715x^2)) modulo M, so that K never
  multiplies anything at run time. F_K(0) = 1 exactly; the other coefficients are
  fitted for the least maximum relative error. Degree 6 (float32), 11 (float64).
* The derivative polynomial G(t) ~ exp(-t) on |t| <= ln2/2, evaluated in double-word
  for its last three Horner steps: G(t) = 1 - t + t^2/2 + t^3 A(t), with the first
  three coefficients exact and A fitted. Degree 7 (float32), 12 (float64).

Each polynomial is fitted by Lawson's iteratively reweighted least squares (which
converges to the minimax fit) on Chebyshev nodes; then the coefficients are rounded
to the working format one at a time, lowest degree first, the remaining ones refitted
to absorb each rounding. The header gives, next to each table, its interval and the
log2 of its maximum relative error with the rounded coefficients (exact arithmetic:
the kernels' own rounding errors are budgeted in docs/design.md).

The script also derives the reduction constants (M = ln2/K as hi + lo, and ln2 as
hi + lo) and the per-form bounds on |x|: where the fast path is valid (no overflow or
subnormal on the way) and where each function sits at its limit.
"""
import os
import sys

import mpmath as mp

mp.mp.prec = 200
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, os.pardir, "csrc", "fast_sigmoid_coeffs.h")

FORMATS = {
    # p: precision; emin/emax: exponents of the least normal and largest finite
    # binade; fdeg/ddeg: degrees of the forward and derivative polynomials; jbits:
    # bits of the largest reduction index |j| a forward kernel meets (the tanh form's
    # M hi has p - jbits bits, so that j * M_hi is exact).
    "f32": dict(p=24, emin=-126, emax=127, fdeg=6, ddeg=7, jbits=8, ctype="float", sfx="f"),
    "f64": dict(p=53, emin=-1022, emax=1023, fdeg=11, ddeg=12, jbits=11, ctype="double", sfx=""),
}

A = mp.mpf("0.044715")
C = 2 * mp.sqrt(2 / mp.pi)
LN2 = mp.log(2)
FORMS = {
    # name: (K of the reduction, z(x), x*z'(x))
    "SILU": (mp.mpf(1), lambda x: x, lambda x: x),
    "SIGMOID": (mp.mpf("1.702"), lambda x: mp.mpf("1.702") * x, lambda x: mp.mpf("1.702") * x),
    "TANH": (C, lambda x: C * (x + A * x ** 3), lambda x: C * x * (1 + 3 * A * x ** 2)),
}
MARGIN = 1 + mp.mpf(2) ** -10      # the reduced argument may overshoot M/2 by a hair


def rnd(x, p):
    """Round an mpf to p significant bits (nearest, ties to even)."""
    x = mp.mpf(x)
    if x == 0:
        return mp.mpf(0)
    m, e = mp.frexp(x)
    return mp.ldexp(mp.nint(m * mp.mpf(2) ** p), e - p)


def split(x, p, hi_bits=None):
    hi = rnd(x, hi_bits or p)
    return hi, rnd(x - hi, p)


def lit(x, fmt):
    """An exact C literal (hex float) for an mpf representable in the format."""
    x = mp.mpf(x)
    if x == 0:
        return "0.0" + fmt["sfx"]
    sign = "-" if x < 0 else ""
    m, e = mp.frexp(abs(x))
    mant = int(mp.ldexp(m, fmt["p"]))
    assert mp.ldexp(mant, e - fmt["p"]) == abs(x), x
    pad = (4 - (fmt["p"] - 1) % 4) % 4
    frac_bits = fmt["p"] - 1 + pad
    frac = (mant << pad) - (1 << frac_bits)
    return f"{sign}0x1.{frac:0{frac_bits // 4}x}p{e - 1}{fmt['sfx']}"


def chebnodes(a, b, m):
    return [(a + b) / 2 + (b - a) / 2 * mp.cos(mp.pi * (k + mp.mpf(1) / 2) / m) for k in range(m)]


def wlsq(ts, ys, ws, powers):
    """min sum w_i^2 (sum_j a_j t_i^powers[j] - y_i)^2."""
    n = len(powers)
    Am = mp.matrix(len(ts), n)
    b = mp.matrix(len(ts), 1)
    for i, (t, y, w) in enumerate(zip(ts, ys, ws)):
        for j, k in enumerate(powers):
            Am[i, j] = w * t ** k
        b[i] = w * y
    At = Am.T
    sol = mp.lu_solve(At * Am, At * b)
    return [sol[j] for j in range(n)]


def fit(f, T, fixed, deg, p, nodes=120, lawson=40):
    """Coefficients c_0..c_deg of p(t) ~ f(t) on [-T, T], least maximum relative
    error; c_k = fixed[k] for k < len(fixed) (exact); the others rounded to p bits one
    at a time, lowest first, the rest refitted each time (Lawson weights kept)."""
    ts = chebnodes(-T, T, nodes) + [-T, T]
    fs = [f(t) for t in ts]
    coef = list(fixed)
    free = list(range(len(fixed), deg + 1))
    lw = [mp.mpf(1)] * len(ts)

    def solve(coef, free, lw, iters):
        for _ in range(iters):
            ys = [fv - sum(c * t ** k for k, c in enumerate(coef)) for t, fv in zip(ts, fs)]
            ws = [mp.sqrt(w) / abs(fv) for w, fv in zip(lw, fs)]
            sol = wlsq(ts, ys, ws, free)
            err = [abs(sum(s * t ** k for s, k in zip(sol, free)) - y) / abs(fv)
                   for t, y, fv in zip(ts, ys, fs)]
            tot = sum(w * e for w, e in zip(lw, err))
            lw = [w * e / tot for w, e in zip(lw, err)]
        return sol, lw

    while free:
        sol, lw = solve(coef, free, lw, lawson if len(coef) == len(fixed) else 8)
        coef.append(rnd(sol[0], p))
        free = free[1:]
    return coef


def max_rel_err(coef, f, T, m=3000):
    worst = mp.mpf(0)
    for k in range(m + 1):
        t = -T + 2 * T * k / m
        worst = max(worst, abs(sum(c * t ** i for i, c in enumerate(coef)) / f(t) - 1))
    return worst


def log2(x):
    return float(mp.log(x, 2)) if x else float("-inf")


def bisect(g, lo, hi, it=200):
    """The point where the predicate g turns from False (at lo) to True (at hi)."""
    for _ in range(it):
        mid = (lo + hi) / 2
        if g(mid):
            hi = mid
        else:
            lo = mid
    return hi


def sigma(z):
    return 1 / (1 + mp.exp(-z))


def bounds(form, fmt):
    """Per-form bounds on |x| (see the header's comments)."""
    p, emin, emax = fmt["p"], fmt["emin"], fmt["emax"]
    _, z, xdz = FORMS[form]
    f = lambda x: x * sigma(z(x))
    fp = lambda x: sigma(z(x)) * (1 + xdz(x) * sigma(-z(x)))
    tiny = mp.ldexp(1, emin - p)              # half the least subnormal
    normal = mp.ldexp(1, emin + 1)
    big = mp.ldexp(2 - mp.ldexp(1, 1 - p), emax)
    # fast forward: 2^j normal (|j| <= emax - 1) and x*sigma(z) normal for x = -X
    jmax = emax - 1
    zf = (jmax - mp.mpf("0.75")) * LN2
    xf = bisect(lambda x: z(x) > zf, mp.mpf(0), mp.mpf(4000))
    assert abs(f(-xf)) > normal
    # fast derivative: (1 + e^-z)^2 finite (j <= (emax+1)/2 - 1) and f' normal at -X
    jd = (emax + 1) // 2 - 1
    zd = (jd - mp.mpf("0.75")) * LN2
    xd = bisect(lambda x: z(x) > zd, mp.mpf(0), mp.mpf(4000))
    assert abs(fp(-xd)) > normal
    # limits: beyond X the rounded result is the limit (forward: -0 | x; derivative:
    # -0 | 1; backward: dy * f' with |dy| up to the largest finite value)
    one_minus = mp.ldexp(1, -(p + 1))
    xcf = max(bisect(lambda x: abs(f(-x)) < tiny, mp.mpf(1), mp.mpf(4000)),
              bisect(lambda x: mp.exp(-z(x)) < one_minus, mp.mpf(1), mp.mpf(4000)))
    xcg = max(bisect(lambda x: abs(fp(-x)) < tiny, mp.mpf(1), mp.mpf(4000)),
              bisect(lambda x: abs(fp(x) - 1) < one_minus, mp.mpf(1), mp.mpf(4000)))
    xcb = max(bisect(lambda x: abs(fp(-x)) * big < tiny, mp.mpf(1), mp.mpf(4000)),
              bisect(lambda x: abs(fp(x) - 1) < one_minus, mp.mpf(1), mp.mpf(4000)))

    def down(x):                              # a round number at or below x
        return mp.floor(x * 8) / 8

    def up(x):
        return mp.ceil(x * 8 + 1) / 8
    return dict(XF=down(xf), XD=down(xd), XCF=up(xcf), XCG=up(xcg), XCB=up(xcb),
                ZF=z(down(xf)), ZD=z(down(xd)), ZCB=z(up(xcb)))


def emit_format(key, fmt, w):
    p, T = fmt["p"], fmt["ctype"]
    print(f"== {key}")
    w(f"/* ---- {key}: {p}-bit precision ---- */")
    w("")
    magic = mp.mpf(3) * mp.ldexp(1, p - 2) + (fmt["emax"])
    w("/* 1.5*2^(p-1) + bias: fma(z, -log2(e), this) leaves j = round(-z/ln2) in the low")
    w("   bits, biased so that the bits shifted to the exponent field are 2^j */")
    w(f"static const {T} FS_MAGIC_{key} = {lit(magic, fmt)};")
    l1, l2 = split(LN2, p)
    w("/* ln2 as hi + lo (the derivative's reduction t = z + j ln2: fma(j, hi, z) is exact) */")
    w(f"static const {T} FS_LN2_HI_{key} = {lit(l1, fmt)};")
    w(f"static const {T} FS_LN2_LO_{key} = {lit(l2, fmt)};")
    w(f"static const {T} FS_NEG_LOG2E_{key} = {lit(rnd(-1 / LN2, p), fmt)};")
    w("")
    for form, (K, _, _) in FORMS.items():
        M = LN2 / K
        hb = p - fmt["jbits"] if form == "TANH" else p
        m1, m2 = split(M, p, hb)
        Tm = M / 2 * MARGIN
        coef = fit(lambda t: mp.exp(-K * t), Tm, [mp.mpf(1)], fmt["fdeg"], p)
        err = max_rel_err(coef, lambda t: mp.exp(-K * t), Tm)
        print(f"  forward {form}: degree {fmt['fdeg']}, |t| <= {float(Tm):.6f}, "
              f"max rel err 2^{log2(err):.1f}")
        kdesc = {"SILU": "1", "SIGMOID": "1.702", "TANH": "2 sqrt(2/pi)"}[form]
        w(f"/* {form}: M = ln2/K, K = {kdesc}; M hi ({hb} bits) + lo, and -1/M (rounded, picks j) */")
        w(f"static const {T} FS_{form}_M_HI_{key} = {lit(m1, fmt)};")
        w(f"static const {T} FS_{form}_M_LO_{key} = {lit(m2, fmt)};")
        w(f"static const {T} FS_{form}_NEG_INV_M_{key} = {lit(rnd(-1 / M, p), fmt)};")
        w(f"/* F(t) ~ exp(-K t) on |t| <= {mp.nstr(Tm, 10)} (M/2 and a margin), degree "
          f"{fmt['fdeg']}: max relative error 2^{log2(err):.1f} */")
        w(f"static const {T} FS_{form}_F_{key}[{fmt['fdeg'] + 1}] = {{")
        for c in coef:
            w(f"    {lit(c, fmt)},")
        w("};")
        b = bounds(form, fmt)
        print(f"  bounds {form}: " + ", ".join(f"{k}={mp.nstr(v, 8)}" for k, v in b.items()))
        w(f"/* |x| bounds: fast forward path (|z| <= {mp.nstr(b['ZF'], 6)}), fast derivative path "
          f"(|z| <= {mp.nstr(b['ZD'], 6)}); the limits of the forward, derivative and backward "
          f"functions past XCF, XCG, XCB (backward |z| up to {mp.nstr(b['ZCB'], 6)}) */")
        for name in ("XF", "XD", "XCF", "XCG", "XCB"):
            w(f"static const {T} FS_{form}_{name}_{key} = {lit(rnd(b[name], p), fmt)};")
        w("")
    Tg = LN2 / 2 * MARGIN
    fixed = [mp.mpf(1), mp.mpf(-1), mp.mpf(1) / 2]
    coef = fit(lambda t: mp.exp(-t), Tg, fixed, fmt["ddeg"], p)
    err = max_rel_err(coef, lambda t: mp.exp(-t), Tg)
    # the part the kernels evaluate in working precision, t^3 A(t), is small: its own
    # rounding (about 2^-p of |t^3 A|) is what reaches the result
    print(f"  derivative: degree {fmt['ddeg']}, |t| <= {float(Tg):.6f}, max rel err 2^{log2(err):.1f}")
    w(f"/* G(t) ~ exp(-t) on |t| <= {mp.nstr(Tg, 10)} (ln2/2 and a margin), degree {fmt['ddeg']}: "
      f"1 - t + t^2/2 exact, then A(t) = c3 + c4 t + ...; max relative error 2^{log2(err):.1f} */")
    w(f"static const {T} FS_G_{key}[{fmt['ddeg'] + 1}] = {{")
    for c in coef:
        w(f"    {lit(c, fmt)},")
    w("};")
    w("")


def main():
    lines = []
    w = lines.append
    w("/* Generated by tools/fit_fast_sigmoid.py -- do not edit; rerun the script instead. */")
    w("/* The fast tier's sigmoid family (fast_family_sigmoid.h): reduction constants, the")
    w("   forward and derivative polynomials, and the per-form bounds on |x|. Every")
    w("   literal is exact (hex float). */")
    w("#ifndef GELU_C_FAST_SIGMOID_COEFFS_H")
    w("#define GELU_C_FAST_SIGMOID_COEFFS_H")
    w("")
    for key, fmt in FORMATS.items():
        emit_format(key, fmt, w)
    for key, fmt in FORMATS.items():
        w(f"#define GELU_C_FS_FDEG_{key} {fmt['fdeg']}")
        w(f"#define GELU_C_FS_DDEG_{key} {fmt['ddeg']}")
    w("")
    w("#endif")
    with open(OUT, "w") as fh:
        fh.write("\n".join(lines) + "\n")
    print("wrote", os.path.relpath(OUT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
