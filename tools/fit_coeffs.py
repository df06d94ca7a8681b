#!/usr/bin/env python3
"""Derive every polynomial coefficient and constant used by the C kernels.

Run ``python tools/fit_coeffs.py`` from the repository root; it rewrites
``csrc/coeffs_f32.h`` and ``csrc/coeffs_f64.h`` and prints the achieved errors.
Everything is computed with mpmath at 60 digits; only the final rounding to the
working precision happens in binary.

What is fitted (t = |x|, see csrc/piece_poly.h and csrc/exp_dw.h for how it is used):

* R(t) = Phi(-t) * exp(t^2/2)              (a scaled Mills ratio, 0.5 at t = 0, ~ 1/(t sqrt(2 pi)))
* D(t) = R(t) - t/sqrt(2 pi)               (GELU'(-t) = exp(-t^2/2) * D(t); zero at t0 ~ 0.7518)
* P(r) = (exp(r) - 1 - r) / r^2            (the exp kernel after a reduction to |r| <= ln2/16)

R and D are piecewise polynomials. The pieces are indexed by the exponent and the
top mantissa bits of y = t + 1 (no division, no search): float32 uses 1 bit (8 pieces
on t in [0, 15), degree 9), float64 3 bits (46 pieces on t in [0, 55), degree 11).
In float64 the cost is per coefficient, not per piece (the AVX2 layer loads a lane's
piece row and transposes, four coefficients at a time), so it has many pieces of low
degree: 46 pieces of degree 11 are 16 rows (four fetches) where 23 of degree 14 were
19 (five), with about the same accuracy (R 2^-59.2, D 2^-64.9; 2^-60.8 and 2^-65.7 before),
and the float64 GELU family runs 9-11% faster, its backward 20%. In each piece the
polynomial is written around a centre c:  f(c + u) = c0 + u*(c1 + u*(c2 + ...)),
with c0 and c1 stored as double-words (hi + lo) because the kernel evaluates the
last two Horner steps in double-word arithmetic. The piece of D holding its zero t0
is centred on t0 itself (c0 = 0, centre stored as a double-word), so D keeps its
relative accuracy right up to the zero.

Coefficients are fitted by least squares on Chebyshev nodes (near-minimax) one
at a time: after c_k is rounded to the working format, c_{k+1..} are refitted to
absorb that rounding.
"""
import os
import sys
import mpmath as mp

mp.mp.dps = 60
HERE = os.path.dirname(os.path.abspath(__file__))
CSRC = os.path.join(HERE, os.pardir, "csrc")

FORMATS = {
    # p: precision bits; mbits: mantissa bits of t+1 used for the piece index;
    # tclamp: |x| above which Phi, GELU and GELU' are at their limits (all results
    # round to 0 or 1 / x); deg: polynomial degree of R and D; pdeg: degree of P;
    # zb: |z| above which x*sigma(z) and its derivative are at their limits.
# tback, zback: the same limits for the backward functions, where dy (up to the largest
# finite value) can lift dy*f'(x) back into range: f'(x) must be formed until
# f'(x) * max_float underflows. In float32 only D's last piece is stretched to tback
# (the piece index saturates there), so float32 keeps 8 pieces, one AVX2 permute per
# coefficient; float64 (stretch=False) simply has more pieces.
    "f32": dict(p=24, emin=-126, mbits=1, tclamp=14.75, tback=19.9, stretch=True, deg=9, pdeg=3, zb=112.0, zback=205.0,
                ctype="float", sfx="f"),
    "f64": dict(p=53, emin=-1022, mbits=3, tclamp=38.9, tback=54.25, stretch=False, deg=11, pdeg=7, zb=760.0, zback=1470.0,
                ctype="double", sfx=""),
}


def rnd(x, p):
    """Round an mpf to p significant bits (nearest even), as the binary format would."""
    x = mp.mpf(x)
    if x == 0:
        return mp.mpf(0)
    m, e = mp.frexp(x)              # x = m * 2^e, 0.5 <= |m| < 1
    scaled = m * mp.mpf(2) ** p
    r = mp.nint(scaled)              # mpmath nint rounds half to even
    return mp.ldexp(r, e - p)


def split(x, p):
    hi = rnd(x, p)
    lo = rnd(x - hi, p)
    return hi, lo


def R(t):
    t = mp.mpf(t)
    return mp.erfc(t / mp.sqrt(2)) / 2 * mp.exp(t * t / 2)


INV_SQRT_2PI = 1 / mp.sqrt(2 * mp.pi)


def D(t):
    return R(t) - mp.mpf(t) * INV_SQRT_2PI


def chebnodes(a, b, m):
    return [(a + b) / 2 + (b - a) / 2 * mp.cos(mp.pi * (k + mp.mpf(1) / 2) / m) for k in range(m)]


def lsq_poly(us, ys, ws, deg):
    """Weighted least squares: sum_i w_i (sum_j a_j u_i^j - y_i)^2 -> coefficients a_0..a_deg."""
    n = deg + 1
    A = mp.matrix(len(us), n)
    b = mp.matrix(len(us), 1)
    for i, (u, y, w) in enumerate(zip(us, ys, ws)):
        for j in range(n):
            A[i, j] = w * u ** j
        b[i] = w * y
    # normal equations are fine at 60 digits for these small, well-scaled problems
    At = A.T
    sol = mp.lu_solve(At * A, At * b)
    return [sol[j] for j in range(n)]


def pieces(fmt):
    mbits = fmt["mbits"]
    tclamp = fmt["tclamp"] if fmt["stretch"] else max(fmt["tclamp"], fmt["tback"])
    edges, e = [], mp.mpf(1)
    while e <= tclamp + 1:
        for j in range(2 ** mbits):
            edges.append(e * (1 + mp.mpf(j) / 2 ** mbits))
        e *= 2
    edges.append(e)
    out = []
    for a, b in zip(edges, edges[1:]):
        if a <= tclamp + 1:
            out.append((a - 1, b - 1))
    return out


def fit_piece(f, a, b, centre, deg, p, zero_at_centre=False):
    """Fit f(centre+u) on t in [a, b].

    Returns (c0hi,c0lo,c1hi,c1lo,c2..cdeg), the max relative error, kappa2 (the share
    of |f| summed in working precision) and the margins of the two double-word steps
    of piece_poly: max |u*v2/c1| (c1 step) and max |u*v1/c0| (c0 step).
    """
    margin = (b - a) * mp.mpf("1e-6")
    ua, ub = a - margin - centre, b + margin - centre
    m = 4 * deg + 8
    us = chebnodes(ua, ub, m)
    fs = [f(centre + u) for u in us]
    f0 = mp.mpf(0) if zero_at_centre else f(centre)
    c0hi, c0lo = split(f0, p)
    c0 = c0hi + c0lo
    # relative weights: we want relative accuracy of f
    fixed = [c0]
    coeffs = []
    for k in range(1, deg + 1):
        # residual r(u) = (f - sum_{j<k} c_j u^j) / u^k, fitted by degree deg-k polynomial
        ys, ws = [], []
        for u, fu in zip(us, fs):
            s = sum(c * u ** j for j, c in enumerate(fixed))
            ys.append((fu - s) / u ** k)
            ws.append(abs(u ** k / fu))
        sol = lsq_poly(us, ys, ws, deg - k)
        ck = sol[0]
        if k == 1:
            hi, lo = split(ck, p)
            coeffs += [hi, lo]
            fixed.append(hi + lo)
        else:
            hi = rnd(ck, p)
            coeffs.append(hi)
            fixed.append(hi)
    # verify on a dense grid
    err, kappa2, k_c1, k_c0 = mp.mpf(0), mp.mpf(0), mp.mpf(0), mp.mpf(0)
    n = 300
    for i in range(n + 1):
        t = a + (b - a) * i / n
        u = t - centre
        fu = f(t)
        poly = sum(c * u ** j for j, c in enumerate(fixed))
        # tail evaluated in working precision: v2 = c2 + c3 u + ...
        v2 = sum(c * u ** (j - 2) for j, c in enumerate(fixed) if j >= 2)
        v1 = fixed[1] + u * v2
        if fu != 0:
            err = max(err, abs(poly / fu - 1))
            kappa2 = max(kappa2, abs(u * u * v2 / fu))
        if fixed[1] != 0:
            k_c1 = max(k_c1, abs(u * v2 / fixed[1]))
        if c0 != 0:
            k_c0 = max(k_c0, abs(u * v1 / c0))
    return [c0hi, c0lo] + coeffs, err, kappa2, k_c1, k_c0


def fit_table(name, f, fmt, zero=None, stretch_to=None):
    p, deg = fmt["p"], fmt["deg"]
    rows = None
    report = []
    ps = pieces(fmt)
    if stretch_to is not None:
        ps[-1] = (ps[-1][0], mp.mpf(stretch_to))
    for i, (a, b) in enumerate(ps):
        # Anchor at the zero every piece that holds it or comes close to it (in float64
        # t0 lies just 0.0018 above a piece edge): there D must keep its relative
        # accuracy up to 1e-3 from the zero, which only the form u*H(u) gives.
        zero_here = zero is not None and a - mp.mpf("0.1") <= zero < b + mp.mpf("0.1")
        centre = zero if zero_here else (a + b) / 2
        chi, clo = split(centre, p)
        # piece_poly skips the centre's low word of a table without a zero (R)
        assert zero is not None or clo == 0, f"{name} piece {i}: midpoint {centre} is not exact"
        cs, err, k2, kc1, kc0 = fit_piece(f, a, b, chi + clo, deg, p, zero_at_centre=zero_here)
        col = [chi, clo] + cs
        if rows is None:
            rows = [[] for _ in col]
        for r, v in zip(rows, col):
            r.append(v)
        report.append((i, a, b, float(mp.log(err, 2)) if err else -999, float(k2), float(kc1), float(kc0)))
        # piece_poly's c1 step is always the fused one (c1 - s exact by Sterbenz needs
        # |u v2| <= |c1|/2); its c0 step is a fast two-sum (needs |u v1| < |c0|) or, for
        # R, fused too (checked in emit)
        assert kc1 < 0.5, f"fused c1 step's precondition fails in {name} piece {i}: {kc1}"
        assert kc0 < 0.9, f"fast two-sum precondition fails in {name} piece {i}: {kc0}"
    return rows, report


def fit_exp(fmt):
    p, pdeg = fmt["p"], fmt["pdeg"]
    L = mp.log(2) / 8
    rmax = L / 2 * mp.mpf("1.001")
    us = chebnodes(-rmax, rmax, 4 * pdeg + 8)

    def P(r):
        return (mp.exp(r) - 1 - r) / r ** 2 if r != 0 else mp.mpf(1) / 2
    ys = [P(u) for u in us]
    ws = [u * u for u in us]           # absolute error of exp(r) = r^2 * error of P
    fixed = []
    for k in range(pdeg + 1):
        rem = [(y - sum(c * u ** j for j, c in enumerate(fixed))) / u ** k for u, y in zip(us, ys)]
        sol = lsq_poly(us, rem, [w * u ** k for w, u in zip(ws, us)], pdeg - k)
        fixed.append(rnd(sol[0], p))
    err = mp.mpf(0)
    for i in range(401):
        r = -rmax + 2 * rmax * i / 400
        approx = 1 + r + r * r * sum(c * r ** j for j, c in enumerate(fixed))
        err = max(err, abs(approx / mp.exp(r) - 1))
    table = [split(mp.mpf(2) ** (mp.mpf(j) / 8), p) for j in range(8)]
    lhi, llo = split(L, p)
    return dict(P=fixed, err=err, T=table, L=(lhi, llo), INV_L=rnd(1 / L, p))


def lit(x, fmt):
    """An exact C literal (hex float) for an mpf that is representable in the format."""
    x = mp.mpf(x)
    if x == 0:
        return "0.0" + fmt["sfx"]
    sign = "-" if x < 0 else ""
    m, e = mp.frexp(abs(x))
    mant = int(mp.ldexp(m, fmt["p"]))
    assert mp.ldexp(mant, e - fmt["p"]) == abs(x), x
    # mant has exactly p bits: write as 0x1.xxxp(e-1)
    mant <<= (4 - (fmt["p"] - 1) % 4) % 4
    frac_bits = fmt["p"] - 1 + (4 - (fmt["p"] - 1) % 4) % 4
    frac = mant - (1 << frac_bits)
    digits = frac_bits // 4
    return f"{sign}0x1.{frac:0{digits}x}p{e - 1}{fmt['sfx']}"


def emit(key, fmt):
    p = fmt["p"]
    t0 = mp.findroot(D, mp.mpf("0.75"))
    Rrows, Rrep = fit_table("R", R, fmt)
    Drows, Drep = fit_table("D", D, fmt, zero=t0, stretch_to=fmt["tback"] if fmt["stretch"] else None)
    ex = fit_exp(fmt)
    T = fmt["ctype"]
    npiece = len(Rrows[0])
    lines = []
    w = lines.append
    w(f"/* Generated by tools/fit_coeffs.py -- do not edit; rerun the script instead. */")
    w(f"/* {key}: {p}-bit precision. Every literal is exact (hex float). */")
    w("")
    up = key.upper()
    w(f"#define GELU_C_{up}_NPIECE {npiece}")
    w(f"#define GELU_C_{up}_DEG {fmt['deg']}")
    w(f"#define GELU_C_{up}_PIECE_MBITS {fmt['mbits']}")
    w(f"#define GELU_C_{up}_PDEG {fmt['pdeg']}")
    # piece_poly's order of use: centre hi, centre lo, c_deg .. c2 (Horner), c1 hi,
    # c1 lo, c0 hi, c0 lo; as rows of the tables below
    deg = fmt["deg"]
    order = [0, 1] + [4 + k for k in range(deg, 1, -1)] + [4, 5, 2, 3]
    nrow4 = -(-len(order) // 4) * 4
    w(f"#define GELU_C_{up}_NROW4 {nrow4}")
    w("")
    w(f"/* piece_poly's order of use of the table rows (centre hi, centre lo, c{deg} .. c2,")
    w(f"   c1 hi, c1 lo, c0 hi, c0 lo), padded to a multiple of 4 with row 0 */")
    w(f"static const int ROW_ORDER_{key}[{nrow4}] = {{"
      + ", ".join(str(r) for r in order + [0] * (nrow4 - len(order))) + "};")
    w("")
    w(f"/* |x| above which Phi, GELU, GELU' are at their limits (exp(-t^2/2) underflows them). */")
    w(f"static const {T} TCLAMP_{key} = {lit(rnd(fmt['tclamp'], p), fmt)};")
    w(f"/* |z| above which x*sigma(z) and its derivative are at their limits. */")
    w(f"static const {T} ZCLAMP_{key} = {lit(rnd(fmt['zb'], p), fmt)};")
    w(f"/* The same limits for the backward functions (dy can be as large as the largest float). */")
    w(f"static const {T} TBACK_{key} = {lit(rnd(fmt['tback'], p), fmt)};")
    w(f"static const {T} ZBACK_{key} = {lit(rnd(fmt['zback'], p), fmt)};")
    w("")
    cst = {
        "INV_L": (ex["INV_L"], mp.mpf(0), "8/ln2 (rounded; only picks the reduction index)"),
        "L": (ex["L"][0], ex["L"][1], "ln2/8 as hi + lo; hi has trailing zeros enough for exact r = a - k*hi"),
        "SQRT_2_OVER_PI_X2": split(2 * mp.sqrt(2 / mp.pi), p) + ("2*sqrt(2/pi), the tanh form's slope as sigma(2u)",),
        "TANH_A": split(mp.mpf("0.044715"), p) + ("0.044715 exactly (decimal), as hi + lo",),
        "TANH_3A": split(3 * mp.mpf("0.044715"), p) + ("3*0.044715, for the derivative",),
        "SIG_K": split(mp.mpf("1.702"), p) + ("1.702 exactly (decimal), as hi + lo",),
    }
    for name, (hi, lo, why) in cst.items():
        w(f"/* {why} */")
        w(f"static const {T} {name}_HI_{key} = {lit(hi, fmt)};")
        w(f"static const {T} {name}_LO_{key} = {lit(lo, fmt)};")
    w("")
    w(f"/* exp(r) = 1 + r + r^2*P(r) on |r| <= ln2/16; max relative error of the polynomial: "
      f"2^{float(mp.log(ex['err'], 2)):.1f} */")
    w(f"static const {T} EXP_P_{key}[{fmt['pdeg'] + 1}] = {{")
    w("    " + ", ".join(lit(c, fmt) for c in ex["P"]) + "};")
    w(f"/* 2^(j/8), j = 0..7, as hi and lo rows */")
    w(f"static const {T} EXP_T_{key}[2][8] = {{")
    w("    {" + ", ".join(lit(h, fmt) for h, _ in ex["T"]) + "},")
    w("    {" + ", ".join(lit(l, fmt) for _, l in ex["T"]) + "}};")
    w(f"/* The same by entry (hi, lo): the float64 AVX2 layer loads both with one 16-byte")
    w(f"   load per lane, where two gathers cost more. */")
    w(f"static const {T} EXP_TB_{key}[8][2] = {{")
    w("    " + ", ".join("{" + lit(h, fmt) + ", " + lit(l, fmt) + "}" for h, l in ex["T"]) + "};")
    w("")
    for tname, rows, rep, what in (("R", Rrows, Rrep, "R(t) = Phi(-t)*exp(t^2/2)"),
                                   ("D", Drows, Drep, "D(t) = R(t) - t/sqrt(2*pi), zero at t0 = " + mp.nstr(t0, 20))):
        w(f"/* {what}.")
        w(f"   Rows: centre hi, centre lo, c0 hi, c0 lo, c1 hi, c1 lo, c2 .. c{fmt['deg']}; one column per piece.")
        w(f"   piece  t-interval        log2(max rel err)  kappa2 (|u^2 v2|/|f|)  |u v2/c1|  |u v1/c0|")
        for i, a, b, e, k2, kc1, kc0 in rep:
            w(f"   {i:5d}  [{float(a):6.3f}, {float(b):6.3f})  {e:8.1f}           {k2:<22.3g} {kc1:<10.3g} {kc0:.3g}")
        w("*/")
        w(f"static const {T} {tname}_{key}[{len(rows)}][{npiece}] = {{")
        for r in rows:
            w("    {" + ", ".join(lit(v, fmt) for v in r) + "},")
        w("};")
        w(f"/* The same, one row per piece, in the order piece_poly uses the coefficients")
        w(f"   (ROW_ORDER_{key}: rows of the table above), padded with zeros to {nrow4}: the")
        w(f"   float64 AVX2 layer loads four of a piece's coefficients per lane and transposes")
        w(f"   them, where a gather per coefficient costs more. */")
        w(f"static const {T} {tname}_BYPIECE_{key}[{npiece}][{nrow4}] = {{")
        for j in range(npiece):
            vals = [rows[r][j] for r in order] + [mp.mpf(0)] * (nrow4 - len(order))
            w("    {" + ", ".join(lit(v, fmt) for v in vals) + "},")
        w("};")
        w("")
    # piece_poly's fused c0 step (R only) needs |u*v1| <= |c0|/2 in each piece
    assert max(r[6] for r in Rrep) < 0.5, "R: |u v1/c0| >= 1/2 breaks piece_poly's fused c0 step"
    path = os.path.join(CSRC, f"coeffs_{key}.h")
    with open(path, "w") as fh:
        fh.write("\n".join(lines))
    worstR = max(r[3] for r in Rrep)
    worstD = max(r[3] for r in Drep)
    print(f"{key}: {npiece} pieces, R 2^{worstR:.1f}, D 2^{worstD:.1f}, exp 2^{float(mp.log(ex['err'], 2)):.1f}, "
          f"max kappa2 R {max(r[4] for r in Rrep):.3g} D {max(r[4] for r in Drep):.3g} -> {os.path.relpath(path)}")


if __name__ == "__main__":
    keys = sys.argv[1:] or list(FORMATS)
    for k in keys:
        emit(k, FORMATS[k])
