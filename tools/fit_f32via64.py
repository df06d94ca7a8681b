#!/usr/bin/env python3
"""Derive the coefficients of the float32 exact GELU family computed in float64
(csrc/gelu_f32via64.h).

Run ``python tools/fit_f32via64.py [P_DEG Q_DEG [SP_DEG SQ_DEG]]`` from the repository root; it rewrites
``csrc/coeffs_f32via64.h`` and prints the achieved errors (a few seconds). Every function
value is computed with mpmath; only each coefficient's final rounding to double happens
in binary.

What is fitted (t = |x| <= TCLAMP, the float32 input exactly in a double):

* R(t) = Phi(-t) exp(t^2/2) (the scaled Mills ratio of fit_coeffs.py) as P(t)/Q(t), Q monic,
  by linearised weighted least squares with Lawson's reweighting towards the minimax
  relative error (fit_fast_gelu.sk_lawson), on Chebyshev nodes of [0, TCLAMP];
* 2^-f = (E + O)/(E - O) on |f| <= 1/2, E = 1 + a2 f^2, O = f (a1 + a3 f^2): the symmetric
  rational form (2^f is its reciprocal with O negated), i.e. O/E fitted to
  tanh(-f ln2 / 2) the same way; it costs one FMA fewer than the degree-7 polynomial of
  the same accuracy, and its division is the one R's already needs.

The errors printed next to the coefficients are measured in mpmath on a dense grid with
the coefficients as rounded to double. Nothing here comes from another library's
coefficients: every number is fitted here.
"""
import os
import sys

import mpmath as mp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
CSRC = os.path.join(HERE, os.pardir, "csrc")

from fit_coeffs import R, chebnodes  # noqa: E402
from fit_fast_gelu import Model, sk_lawson  # noqa: E402

mp.mp.dps = 40
# |x| beyond which float32 Phi(x) rounds to 0 | 1 and GELU(x) to -0 | x: Phi(-t) < 2^-150
# from t = 14.170, t Phi(-t) < 2^-150 from t = 14.356; the kernel clamps t there
TCLAMP = mp.mpf("14.375")
# common vectors: every |x| <= TSAFE = TCLAMP (no clamp, no NaN); past it (or NaN) the rare
# branch, which clamps (a min in every vector cost Phi 19%: the kernels are that short)
TSAFE = TCLAMP


def pq_model(m, n):
    """P/Q, P = p0 + ... + pm t^m, Q = q0 + ... + q(n-1) t^(n-1) + t^n."""
    names = [f"p{j}" for j in range(m + 1)] + [f"q{j}" for j in range(n)]
    return Model(names, lambda t: mp.mpf(0), lambda t: t ** n,
                 lambda j, t: t ** j if j <= m else mp.mpf(0),
                 lambda j, t: mp.mpf(0) if j <= m else t ** (j - m - 1))


def fit_pq(f, hi, m, n):
    """f as P/Q on [0, hi], Q monic, coefficients rounded to double; returns P, Q, the
    unrounded fit's error and the rounded one's, measured on a dense grid."""
    ts = chebnodes(mp.mpf(0), hi, 12 * (m + n + 5))
    e, a, _ = sk_lawson(pq_model(m, n), ts, [f(t) for t in ts], {}, 40)
    a = [mp.mpf(float(v)) for v in a]          # rounded to double
    P, Q = a[:m + 1], a[m + 1:] + [mp.mpf(1)]
    err = mp.mpf(0)
    for i in range(4001):
        t = hi * i / 4000
        err = max(err, abs(mp.polyval(P[::-1], t) / mp.polyval(Q[::-1], t) / f(t) - 1))
    return P, Q, e, err


def fit_r(m, n):
    return fit_pq(R, TCLAMP, m, n)

INV_SQRT_2PI = 1 / mp.sqrt(2 * mp.pi)
# GELU'(-t) = exp(-t^2/2) (t0 - t) S(t): |GELU'(-t)| < 2^-150 from t = 14.55 (the
# derivative's clamp), and below 2^-278 (so dy GELU' rounds to 0 for every float32 dy) from
# t = 19.6 (the backward function's)
TCLAMP_G = mp.mpf("14.625")
TBACK = mp.mpf("19.875")


def t0():
    """The zero of R(t) - t/sqrt(2 pi): GELU'(-t0) = 0."""
    return mp.findroot(lambda t: R(t) - t * INV_SQRT_2PI, mp.mpf("0.75"))


def fit_s(m, n):
    """S(t) = (R(t) - t/sqrt(2 pi)) / (t0 - t) as P/Q on [0, TBACK], Q monic."""
    z = t0()

    def S(t):
        if abs(t - z) < mp.mpf(10) ** -25:
            t = z + mp.mpf(10) ** -25
        return (R(t) - t * INV_SQRT_2PI) / (z - t)
    return fit_pq(S, TBACK, m, n) + (z,)


def fit_exp2(fmax=mp.mpf("0.5")):
    """a1, a2, a3 of 2^-f = (E + O)/(E - O), E = 1 + a2 f^2, O = f (a1 + a3 f^2), on
    |f| <= fmax (tools/fit_sigmoid_f32via64.py adds the slack of its f's rounding)."""
    ln2 = mp.log(2)
    model = Model(["a1", "a3", "a2"], lambda f: mp.mpf(0), lambda f: mp.mpf(1),
                  lambda j, f: (f, f ** 3, mp.mpf(0))[j],
                  lambda j, f: (mp.mpf(0), mp.mpf(0), f * f)[j])
    fs = [f for f in chebnodes(-fmax, fmax, 60) if f != 0]
    e, a, _ = sk_lawson(model, fs, [mp.tanh(-f * ln2 / 2) for f in fs], {}, 40)
    a1, a3, a2 = (mp.mpf(float(v)) for v in a)
    err = mp.mpf(0)
    for i in range(4001):
        f = -fmax + 2 * fmax * i / 4000
        E, O = 1 + a2 * f * f, f * (a1 + a3 * f * f)
        err = max(err, abs((E + O) / (E - O) / mp.power(2, -f) - 1))
    return (a1, a2, a3), err


def lit(x):
    return float(x).hex()


def carray(name, cs):
    """A C array of doubles, exact (hex), on two lines."""
    return [f"static const double {name}[{len(cs)}] = {{", "    " + ", ".join(lit(c) for c in cs) + "};"]


def emit(m, n, sm=4, sn=5, verbose=True):
    P, Q, eu, er = fit_r(m, n)
    SP, SQ, seu, ser, z = fit_s(sm, sn)
    A, ea = fit_exp2()
    log2 = lambda v: float(mp.log(v, 2))  # noqa: E731
    if verbose:
        print(f"R = P/Q, degrees {m}, {n}: 2^{log2(er):.2f} (unrounded 2^{log2(eu):.2f}); "
              f"2^-f: 2^{log2(ea):.2f}; S = P/Q, degrees {sm}, {sn}: 2^{log2(ser):.2f}")
    w = []
    w.append("/* Generated by tools/fit_f32via64.py -- do not edit; rerun the script instead. */")
    w.append("/* The float32 exact GELU family computed in float64 (csrc/gelu_f32via64.h).")
    w.append("   Every literal is exact (hex float). */")
    w.append("")
    w.append(f"#define GELU_C_V64_P_DEG {m}")
    w.append(f"#define GELU_C_V64_Q_DEG {n}")
    w.append("")
    w.append(f"/* t = |x| is clamped to TCLAMP ({TCLAMP}): Phi(-t) < 2^-150 from t = 14.170 and")
    w.append("   t Phi(-t) from t = 14.356 round to 0; a vector with every |x| <= TSAFE needs")
    w.append("   no clamp */")
    w.append(f"static const double V64_TCLAMP = {lit(TCLAMP)};")
    w.append(f"static const float V64_TSAFE = {lit(TSAFE)}f;")
    w.append("/* k = round(t^2 * INV_C), C = 2 ln2, from MAGIC - t^2 INV_C, whose low bits are -k */")
    w.append(f"static const double V64_INV_C = {lit(1 / (2 * mp.log(2)))};")
    w.append(f"static const double V64_MAGIC = {lit(mp.mpf(3) * 2 ** 51)};")
    w.append("")
    w.append("/* 2^-f = (E + O)/(E - O) on |f| <= 1/2, E = 1 + a2 f^2, O = f (a1 + a3 f^2):")
    w.append(f"   max relative error 2^{log2(ea):.2f} */")
    for name, v in zip(("A1", "A2", "A3"), A):
        w.append(f"static const double V64_{name} = {lit(v)};")
    w.append("")
    w.append(f"/* R(t) = Phi(-t) exp(t^2/2) = P(t)/Q(t) on [0, {TCLAMP}], Q monic; coefficients")
    w.append(f"   of t^0 .. t^deg. max relative error 2^{log2(er):.2f} (before rounding the")
    w.append(f"   coefficients to double 2^{log2(eu):.2f}) */")
    w += carray("V64_P", P) + carray("V64_Q", Q)
    w.append("")
    w.append(f"#define GELU_C_V64_SP_DEG {sm}")
    w.append(f"#define GELU_C_V64_SQ_DEG {sn}")
    w.append("/* GELU'(-t) = exp(-t^2/2) (t0 - t) S(t); t is clamped to TCLAMP_G for the")
    w.append("   derivative and TBACK for dy times it, past which both round to zero */")
    w.append(f"static const double V64_TCLAMP_G = {lit(TCLAMP_G)};")
    w.append(f"static const double V64_TBACK = {lit(TBACK)};")
    w.append("/* t0 as hi + lo: t0_hi - t is exact for every float32 t <= 2 t0 */")
    w.append(f"static const double V64_T0_HI = {lit(z)};")
    w.append(f"static const double V64_T0_LO = {lit(z - mp.mpf(float(z)))};")
    w.append(f"/* S(t) = (R(t) - t/sqrt(2 pi)) / (t0 - t) = P(t)/Q(t) on [0, {TBACK}], Q monic:")
    w.append(f"   max relative error 2^{log2(ser):.2f} (unrounded 2^{log2(seu):.2f}) */")
    w += carray("V64_SP", SP) + carray("V64_SQ", SQ)
    w.append("")
    path = os.path.join(CSRC, "coeffs_f32via64.h")
    with open(path, "w") as fh:
        fh.write("\n".join(w))
    if verbose:
        print(f"  -> {os.path.relpath(path)}")


if __name__ == "__main__":
    # R's degrees (Phi, GELU: bound 1 ulp), then S's (the derivative's: bound 2 ulp)
    degs = [int(a) for a in sys.argv[1:5]] or [5, 6, 4, 5]
    emit(*degs)
