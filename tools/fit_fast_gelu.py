#!/usr/bin/env python3
"""Derive the coefficients of the fast tier's GELU family (csrc/fast_family_gelu.h).

Run ``python tools/fit_fast_gelu.py [f32] [f64]`` from the repository root; it rewrites
``csrc/coeffs_fast_gelu_f32.h`` and ``csrc/coeffs_fast_gelu_f64.h`` and prints the
achieved errors (a few minutes for both). Every function value is computed with mpmath;
only each coefficient's final rounding happens in binary.

What is fitted (t = |x|; see docs/design.md, "Fast tier: the GELU family"):

* R(t) = Phi(-t) exp(t^2/2) (the scaled Mills ratio of fit_coeffs.py), on [0, TCLAMP],
  as the rational function  R = G / (1 + t (C(t) + beta G)),  G(0) = 1/2,  with
  beta = sqrt(2 pi) (rounded) fixed: R ~ 1/(t sqrt(2 pi)) for large t, so beta G carries
  the denominator's leading term and C is one degree short of it. The kernel evaluates
  the denominator as fma(t, fma(G, beta, C), 1) (Phi) or fma(t G, beta, 1 + t C) (GELU),
  so that the numerator's rounding errors recur in the denominator and cancel;
* S(t) = D(t) / (t0 - t) with D(t) = R(t) - t/sqrt(2 pi) (GELU'(-t) = exp(-t^2/2) (t0 - t) S(t),
  the zero t0 ~ 0.7518 of D factored out), on [0, TBACK], as  S = G / (beta_s G + C),
  G(0) = 1: the denominator is fma(G, beta_s, C), whose |C / denominator| = |1 - beta_s S|
  stays below 1/4 for beta_s near 2 / (max S + min S), so that again most of the
  numerator's error cancels;
* exp(-r/2) = 1 + r V(r) on |r| <= ln 2 (plus the reduction's slack): exp(-t^2/2) =
  2^-k (1 + r V(r)) with r = t^2 - 2k ln2 (one reduction, no table).

The rational functions are fitted by linearised weighted least squares (each step
divides the residual by the previous denominator, Sanathanan-Koerner) with Lawson's
reweighting towards the minimax relative error, on Chebyshev nodes. The coefficients are
then rounded one at a time (highest degree first), the others refitted after each
rounding, and finally nudged by a few units in the last place while that lowers the
maximum error on a dense grid. The errors written next to each table are measured on a
dense grid with the coefficients as rounded.

Nothing here comes from another library's coefficients: every number is fitted here.
"""
import os
import sys

import mpmath as mp
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
CSRC = os.path.join(HERE, os.pardir, "csrc")

from fit_coeffs import R, chebnodes, lit, rnd, split  # noqa: E402

mp.mp.dps = 60
INV_SQRT_2PI = 1 / mp.sqrt(2 * mp.pi)

# p: significand bits; bias, emin: exponent bias and least normal exponent;
# tclamp, tback: the exact tier's clamps (coeffs_<key>.h), which the fast kernels share;
# rdeg: degrees of R's G and C; sdeg: degrees of S's G and C, sbeta: S's beta;
# vdeg: degree of V; guard: the constant added to t^2 (fast_family_gelu.h: keeps the
# low word of t^2 normal or zero for tiny t).
FORMATS = {
    "f32": dict(p=24, bias=127, emin=-126, tclamp=14.75, tback=19.9, rdeg=(4, 3),
                sdeg=(5, 5), sbeta=1.85, vdeg=5, guard=mp.mpf(2) ** -50, npy=np.float64,
                ctype="float", sfx="f"),
    "f64": dict(p=53, bias=1023, emin=-1022, tclamp=38.9, tback=54.25, rdeg=(10, 9),
                sdeg=(10, 10), sbeta=1.85, vdeg=10, guard=mp.mpf(2) ** -500,
                npy=np.longdouble, ctype="double", sfx=""),
}


def t0():
    """The zero of D, i.e. -x0 for GELU'(x0) = 0."""
    return mp.findroot(lambda t: R(t) - t * INV_SQRT_2PI, mp.mpf("0.75"))


T0 = None


def S(t):
    t = mp.mpf(t)
    if abs(t - T0) < mp.mpf(10) ** -30:
        t = T0 + mp.mpf(10) ** -30
    return (R(t) - t * INV_SQRT_2PI) / (T0 - t)


class Model:
    """f(t) ~ N(t)/D(t), with N and D affine in the parameters a:
    N = n0(t) + sum a_j n_j(t), D = d0(t) + sum a_j d_j(t)."""

    def __init__(self, names, n0, d0, nj, dj):
        self.names, self.n0, self.d0, self.nj, self.dj = names, n0, d0, nj, dj

    def nd(self, a, t):
        n = self.n0(t) + sum(a[j] * self.nj(j, t) for j in range(len(a)))
        d = self.d0(t) + sum(a[j] * self.dj(j, t) for j in range(len(a)))
        return n, d


def r_model(m, n, beta):
    """R = G / (1 + t (C + beta G)), G = 1/2 + g1 t + ... + gm t^m, C = c0 + ... + cn t^n."""
    names = [f"g{j}" for j in range(1, m + 1)] + [f"c{j}" for j in range(n + 1)]
    return Model(names, lambda t: mp.mpf(1) / 2, lambda t: 1 + beta * t / 2,
                 lambda j, t: t ** (j + 1) if j < m else mp.mpf(0),
                 lambda j, t: beta * t ** (j + 2) if j < m else t ** (j - m + 1))


def s_model(m, n, beta):
    """S = G / (beta G + C), G = 1 + g1 t + ... + gm t^m, C = c0 + ... + cn t^n."""
    names = [f"g{j}" for j in range(1, m + 1)] + [f"c{j}" for j in range(n + 1)]
    return Model(names, lambda t: mp.mpf(1), lambda t: beta,
                 lambda j, t: t ** (j + 1) if j < m else mp.mpf(0),
                 lambda j, t: beta * t ** (j + 1) if j < m else t ** (j - m))


def sk_lawson(model, ts, fs, fixed, iters, a0=None, lam=None):
    """Near-minimax relative fit of the free parameters (fixed: {index: value})."""
    npar = len(model.names)
    free = [j for j in range(npar) if j not in fixed]
    N = len(ts)
    lam = list(lam) if lam is not None else [mp.mpf(1) / N] * N
    dprev = [model.nd(a0, t)[1] for t in ts] if a0 is not None else [mp.mpf(1)] * N
    best = None
    for _ in range(iters):
        A = mp.matrix(N, len(free))
        b = mp.matrix(N, 1)
        for i, (t, f) in enumerate(zip(ts, fs)):
            w = mp.sqrt(lam[i]) / (abs(f) * abs(dprev[i]))
            for c, j in enumerate(free):
                A[i, c] = w * (model.nj(j, t) - f * model.dj(j, t))
            rhs = f * model.d0(t) - model.n0(t)
            for j, v in fixed.items():
                rhs -= v * (model.nj(j, t) - f * model.dj(j, t))
            b[i] = w * rhs
        sol = mp.qr_solve(A, b)[0]
        a = [fixed.get(j) for j in range(npar)]
        for c, j in enumerate(free):
            a[j] = sol[c]
        errs = []
        for i, (t, f) in enumerate(zip(ts, fs)):
            n, d = model.nd(a, t)
            errs.append(n / d / f - 1)
            dprev[i] = d
        e = max(abs(x) for x in errs)
        if best is None or e < best[0]:
            best = (e, a, list(lam))
        s = sum(lam[i] * abs(errs[i]) for i in range(N))
        lam = [lam[i] * abs(errs[i]) / s for i in range(N)]
    return best


def poly_np(c, t):
    v = np.zeros_like(t) + c[-1]
    for x in c[-2::-1]:
        v = v * t + x
    return v


def model_np(kind, beta, a, m, t, npy):
    """N and D of an R or S model with parameters a, in numpy."""
    b = npy(beta)
    g = [npy(0.5) if kind == "R" else npy(1)] + [npy(x) for x in a[:m]]
    c = [npy(x) for x in a[m:]]
    G = poly_np(g, t)
    C = poly_np(c, t)
    if kind == "R":
        return G, 1 + t * (C + b * G)
    return G, b * G + C


def to_np(v, npy):
    return npy(mp.nstr(v, 40)) if npy is np.longdouble else npy(float(v))


def best_r_beta(m, n, fmt):
    """R's beta: sqrt(2 pi) makes beta G the denominator's exact leading term, but the
    minimax fit over a finite interval can be sharply better a little below it (float32:
    by ~1e-5; float64: at it). Searched on a logarithmic grid of beta = sqrt(2 pi) (1 - d),
    d = 0 and 10^-14 .. 10^-4, then refined between the best point's neighbours."""
    ts = chebnodes(mp.mpf(0), mp.mpf(fmt["tclamp"]), 8 * (m + n + 5))
    fs = [R(t) for t in ts]
    s2p = mp.sqrt(2 * mp.pi)
    cache = {}

    def err(d):
        beta = rnd(s2p * (1 - d), fmt["p"])
        if beta not in cache:
            cache[beta] = sk_lawson(r_model(m, n, beta), ts, fs, {}, 25)[0]
        return cache[beta]
    grid = [mp.mpf(0)] + [mp.mpf(10) ** e * f for e in range(-14, -3) for f in (1, 2, 5)]
    errs = [err(d) for d in grid]
    i = min(range(len(grid)), key=lambda j: errs[j])
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    for _ in range(8):                 # a few bisections around the best grid point
        a, b = (2 * lo + hi) / 3, (lo + 2 * hi) / 3
        if err(a) < err(b):
            hi = b
        else:
            lo = a
    return min(cache, key=cache.get)


def fit_structured(kind, f, a, b, m, n, beta, fmt):
    """Fit, round (with refits), polish by +-ulp steps; returns (params, unrounded err,
    rounded err)."""
    p, npy = fmt["p"], fmt["npy"]
    model = (r_model if kind == "R" else s_model)(m, n, beta)
    npar = len(model.names)
    ts = chebnodes(mp.mpf(a), mp.mpf(b), 10 * (npar + 4))
    fs = [f(t) for t in ts]
    e, par, lam = sk_lawson(model, ts, fs, {}, 40)
    unrounded = e
    fixed = {}
    order = list(range(m))[::-1] + list(range(m, npar))[::-1]
    for j in order:
        fixed[j] = rnd(par[j], p)
        if len(fixed) < npar:
            e, par, lam = sk_lawson(model, ts, fs, fixed, 12, a0=par, lam=lam)
    par = [fixed[j] for j in range(npar)]
    # polish on a dense grid: integer steps in units of each coefficient's ulp
    k = np.arange(4000)
    tt = [mp.mpf(a) + (mp.mpf(b) - a) * mp.mpf(float(x))
          for x in np.concatenate([(1 - np.cos(np.pi * (k + 0.5) / 4000)) / 2,
                                   np.linspace(0, 1, 4001)])]
    tn = np.array([to_np(t, npy) for t in tt], dtype=npy)
    fn = np.array([to_np(f(t), npy) for t in tt], dtype=npy)

    def err_of(pr):
        G, D = model_np(kind, beta, [to_np(x, npy) for x in pr], m, tn, npy)
        return float(np.max(np.abs(G / D / fn - 1)))

    cur = err_of(par)
    improved = True
    rounds = 0
    while improved and rounds < 6:
        improved = False
        rounds += 1
        for j in range(npar):
            for step in (1, -1, 2, -2):
                trial = list(par)
                v = par[j]
                if v == 0:
                    continue
                _, ex = mp.frexp(v)
                trial[j] = v + step * mp.ldexp(1, int(ex) - p)
                e2 = err_of(trial)
                if e2 < cur:
                    par, cur, improved = trial, e2, True
                    break
    return model, par, unrounded, mp.mpf(cur)


def fit_exp(fmt):
    """exp(-r/2) = 1 + r V(r) on |r| <= rmax: V's coefficients and the error."""
    p, deg = fmt["p"], fmt["vdeg"]
    rmax = mp.log(2) * (1 + mp.mpf(2) ** -10)
    us = chebnodes(-rmax, rmax, 6 * deg + 12)

    def V(r):
        return (mp.exp(-r / 2) - 1) / r if r != 0 else mp.mpf(-1) / 2
    fixed = []
    for k in range(deg + 1):
        # V - (fixed part), divided by r^k, fitted in the weight of exp's relative error
        ys, ws = [], []
        for u in us:
            rest = V(u) - sum(c * u ** j for j, c in enumerate(fixed))
            ys.append(rest / u ** k)
            ws.append(abs(u ** (k + 1)) / mp.exp(-u / 2))
        n = deg - k + 1
        A = mp.matrix(len(us), n)
        b = mp.matrix(len(us), 1)
        for i, (u, y, w) in enumerate(zip(us, ys, ws)):
            for j in range(n):
                A[i, j] = w * u ** j
            b[i] = w * y
        sol = mp.qr_solve(A, b)[0]
        fixed.append(rnd(sol[0], p))
    err = mp.mpf(0)
    for i in range(2001):
        r = -rmax + 2 * rmax * i / 2000
        err = max(err, abs((1 + r * mp.polyval(fixed[::-1], r)) / mp.exp(-r / 2) - 1))
    return fixed, err, rmax


def fast_bound(fmt):
    """The largest |x| of the kernels' fast path: every result there is normal and
    2^-k (k = round(x^2 / (2 ln2))) is a normal number, so the result is one rounding of
    a product by an exact power of two. A multiple of 1/16."""
    emin, bias = fmt["emin"], fmt["bias"]
    tiny = mp.mpf(2) ** emin * (1 + mp.mpf(2) ** -4)
    t = mp.mpf(1)
    while True:
        tn = t + mp.mpf(1) / 16
        k = mp.nint(tn * tn / (2 * mp.log(2)))
        if mp.erfc(tn / mp.sqrt(2)) / 2 < tiny or k > bias - 2:
            return t
        t = tn


def emit(key, fmt, verbose=True):
    global T0
    p = fmt["p"]
    T0 = t0()
    # t0_hi with 12 bits fewer than the format: t0_hi - t is then exact for every t >= t0/2
    # up to 2^11 (Sterbenz below 2 t0; above, both are multiples of ulp(t) and the
    # difference is below t)
    t0hi = rnd(T0, p - 12)
    t0lo = rnd(T0 - t0hi, p)
    log2 = lambda v: float(mp.log(v, 2)) if v else -999.0  # noqa: E731
    rm, rn = fmt["rdeg"]
    rbeta = best_r_beta(rm, rn, fmt)
    Rmod, Rpar, Ru, Re = fit_structured("R", R, 0, fmt["tclamp"], rm, rn, rbeta, fmt)
    if verbose:
        print(f"{key}: R G{rm} C{rn}: 2^{log2(Re):.1f} (unrounded 2^{log2(Ru):.1f})", flush=True)
    sm, sn = fmt["sdeg"]
    sbeta = rnd(fmt["sbeta"], p)
    Smod, Spar, Su, Se = fit_structured("S", S, 0, fmt["tback"], sm, sn, sbeta, fmt)
    if verbose:
        print(f"{key}: S G{sm} C{sn}: 2^{log2(Se):.1f} (unrounded 2^{log2(Su):.1f})", flush=True)
    V, Ve, rmax = fit_exp(fmt)
    tfast = fast_bound(fmt)
    if verbose:
        print(f"{key}: E 2^{log2(Ve):.1f}; fast |x| <= {float(tfast)}")
    T = fmt["ctype"]
    up = key.upper()
    C = 2 * mp.log(2)
    chi, clo = split(C, p)
    magic = mp.mpf(3) * 2 ** (p - 2) + fmt["bias"]
    RG = [mp.mpf(1) / 2] + Rpar[:rm]
    RC = Rpar[rm:]
    SG = [mp.mpf(1)] + Spar[:sm]
    SC = Spar[sm:]
    lines = []
    w = lines.append
    w("/* Generated by tools/fit_fast_gelu.py -- do not edit; rerun the script instead. */")
    w(f"/* {key}: the fast tier's GELU family (csrc/fast_family_gelu.h), {p}-bit precision.")
    w("   Every literal is exact (hex float). */")
    w("")
    w(f"#define GELU_C_{up}_FG_RG_DEG {rm}")
    w(f"#define GELU_C_{up}_FG_RC_DEG {rn}")
    w(f"#define GELU_C_{up}_FG_SG_DEG {sm}")
    w(f"#define GELU_C_{up}_FG_SC_DEG {sn}")
    w(f"#define GELU_C_{up}_FG_V_DEG {fmt['vdeg']}")
    w("")
    w("/* |x| up to which the fast path runs: 2^-k stays normal and every result of")
    w("   Phi, GELU and GELU' is normal (beyond, the VALUE path and scale_round) */")
    w(f"static const {T} FG_TFAST_{key} = {lit(rnd(tfast, p), fmt)};")
    w("/* exp(-t^2/2) = 2^-k exp(-r/2), r = t^2 - k C, C = 2 ln2 as hi + lo (C_HI * k is")
    w("   exact inside an FMA, and so is t^2 - k C_HI); k from the magic-number sum")
    w("   t^2 * INV_C + MAGIC, whose low bits are bias - k (2^-k by one shift) */")
    w(f"static const {T} FG_INV_C_{key} = {lit(rnd(-1 / C, p), fmt)};")
    w(f"static const {T} FG_MAGIC_{key} = {lit(magic, fmt)};")
    w(f"static const {T} FG_C_HI_{key} = {lit(chi, fmt)};")
    w(f"static const {T} FG_C_LO_{key} = {lit(clo, fmt)};")
    w("/* added to t^2 (its low word stays normal, or zero, for tiny t) */")
    w(f"static const {T} FG_GUARD_{key} = {lit(fmt['guard'], fmt)};")
    w(f"/* t0 = {mp.nstr(T0, 25)}, the zero of D (GELU'(-t0) = 0), as hi + lo; hi has")
    w("   {p - 12} bits, so that t0_hi - t is exact for every t >= t0/2 */".replace("{p - 12}", str(p - 12)))
    w(f"static const {T} FG_T0_HI_{key} = {lit(t0hi, fmt)};")
    w(f"static const {T} FG_T0_LO_{key} = {lit(t0lo, fmt)};")
    w("")
    w(f"/* exp(-r/2) = 1 + r*V(r), |r| <= {float(rmax):.6f}; V's coefficients v0 .. v{fmt['vdeg']}.")
    w(f"   max relative error of 1 + r*V(r): 2^{log2(Ve):.1f} */")
    w(f"static const {T} FG_V_{key}[{fmt['vdeg'] + 1}] = {{")
    w("    " + ", ".join(lit(c, fmt) for c in V) + "};")
    w("")
    w(f"/* R(t) = Phi(-t) exp(t^2/2) = G / (1 + t (C + beta G)) on t in [0, {fmt['tclamp']}],")
    w("   beta = sqrt(2 pi) (rounded); coefficients of t^0 .. t^deg.")
    w(f"   max relative error 2^{log2(Re):.1f} (before the coefficients' rounding 2^{log2(Ru):.1f}) */")
    w(f"static const {T} FG_RBETA_{key} = {lit(rbeta, fmt)};")
    w(f"static const {T} FG_RG_{key}[{rm + 1}] = {{")
    w("    " + ", ".join(lit(c, fmt) for c in RG) + "};")
    w(f"static const {T} FG_RC_{key}[{rn + 1}] = {{")
    w("    " + ", ".join(lit(c, fmt) for c in RC) + "};")
    w("")
    w(f"/* S(t) = (R(t) - t/sqrt(2 pi)) / (t0 - t) = G / (beta G + C) on t in [0, {fmt['tback']}];")
    w("   coefficients of t^0 .. t^deg.")
    w(f"   max relative error 2^{log2(Se):.1f} (before the coefficients' rounding 2^{log2(Su):.1f}) */")
    w(f"static const {T} FG_SBETA_{key} = {lit(sbeta, fmt)};")
    w(f"static const {T} FG_SG_{key}[{sm + 1}] = {{")
    w("    " + ", ".join(lit(c, fmt) for c in SG) + "};")
    w(f"static const {T} FG_SC_{key}[{sn + 1}] = {{")
    w("    " + ", ".join(lit(c, fmt) for c in SC) + "};")
    w("")
    path = os.path.join(CSRC, f"coeffs_fast_gelu_{key}.h")
    with open(path, "w") as fh:
        fh.write("\n".join(lines))
    if verbose:
        print(f"  -> {os.path.relpath(path)}")


if __name__ == "__main__":
    for k in sys.argv[1:] or list(FORMATS):
        emit(k, FORMATS[k])
