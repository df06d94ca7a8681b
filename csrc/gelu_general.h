/* GELU with a mean and a scale: x Phi(z), z = (x - mu)/sigma, and its three partial
 * derivatives (d/dx, d/dmu, d/dsigma), alone or times dy.
 * Method: the exact tier's GELU with t = |z| in place of |x|, z carried as precisely as
 * the tail needs (an error e in z moves Phi(z) by ~z^2 e relative):
 *  - float32 values: z = (x - mu)/sigma in double (relative error 2^-52, so <= 2^-44 on
 *    Phi at |z| <= 14.375) and gelu_f32via64.h's rational core with x as the multiplier:
 *    x Phi(z) = x a - (x sign z) 2^-k (E + O) P / ((E - O) Q), 2^-k put on the
 *    denominator's exponent (the numerator may be 0). With mu = 0, sigma = 1 every
 *    operation is the one gelu does, so the bits are gelu's.
 *  - float64 values and every derivative (float32 through float64, rounded twice, which
 *    costs < 2^-29 ulp): z as a double-word (the difference x - mu exactly, one division
 *    and its exact remainder), family_gelu.h's double-word Phi(-t) = E R(t) with
 *    t = t.hi + t.lo: exp(-t.hi^2/2) exactly as for gelu, and R(t.hi) - t.lo/sqrt(2 pi)
 *    for the low word (first order in t.lo, whose square is 2^-106 t^2). The derivatives
 *    share E = exp(-t^2/2) 2^-nneg: with c = 1/sqrt(2 pi) and w = x/sigma (cw as a
 *    double-word), d/dx = a - s E (R - sign(z) c w), d/dmu = -E c w, d/dsigma = z d/dmu.
 *    With mu = 0, sigma = 1 the float64 value is gelu's bit for bit as well.
 * Inputs past the clamp (|z| > 54.875 float64, 14.375 float32, where x Phi(z) and every
 * derivative times any dy are at their limits), sigma <= 0, sigma = inf and NaN go to
 * gg_special: sigma = 0 is the ReLU limit x 1[x > mu] (d/dx = 1[x > mu], the others
 * signed zeros), sigma < 0 or NaN anywhere gives NaN, sigma = +inf gives x/2 (d/dx = 1/2).
 * Error budget: value as gelu's (float32 ~2^-31.9 before the narrowing; float64 that of
 * family_gelu.h plus ~z^2 2^-106); derivatives: double-word parts ~2^-100, then at most
 * two roundings (fl(hi + lo), times dy) and the scaling: <= 1.25 ulp, absolute beside
 * d/dx's zero. See docs/design.md, "GELU with a mean and a scale". */

#include <float.h>

#define GC_GG_VALUE 0
#define GC_GG_GRAD 1
#define GC_GG_BACKWARD 2

#if !GC_IS_F32
/* 1/sqrt(2 pi) as hi + lo */
#define GG_C_HI 0x1.9884533d43651p-2
#define GG_C_LO -0x1.cbc0d30ebfd15p-56
/* |z| past which x Phi(z) and dy times any derivative are at their limits for every
 * double x, mu, sigma, dy: |x d/dmu| <= 2^54 |z| phi(z) |dy| (x != mu: |x - mu| >= 2^-54
 * |x|) is below 2^-1075 from |z| = 54.8; R's table reaches 55 */
#define GG_TCLAMP 0x1.b7p5

/* The inputs of one vector, and which lanes are ordinary (sigma in (0, inf), z finite
 * and within the clamp): z = (x - mu)/sigma as a double-word, and d = x - mu exactly.
 * sigma below 2^-900 scales d, sigma and x by 2^200 (z and x/sigma do not change) so
 * that the divisions' remainders stay exact; an x past 2^800 there is 0 instead (its
 * x/sigma, past 2^1700, is gg_grads_wide's), a d past 2^800 makes the lane rare (z is
 * past the clamp). The value's multiplier is the unscaled x. */
typedef struct { VT x, mu, sigma, xw, sw; DW z, d; VM rare; } FN(gg_in);

static GC_ALWAYS_INLINE VT FN(gg_scale)(VT sigma)
{
    return vsel(vlt(sigma, vset1(0x1p-900)), vset1(0x1p200), vset1(1));
}

/* sigma, or 1 where it is <= 0 or NaN (rare lanes): no 1/0 or 0 * inf -- a ReLU lane, or a
 * partial vector's zero padding -- raises a flag */
static GC_ALWAYS_INLINE VT FN(gg_sigma_ok)(VT sigma)
{
    return vsel(vgt_un(vset1(0x1p-1074), sigma), vset1(1), sigma);
}

/* r = 1/sigma (sigma scaled, as gg_sigma_ok gives it); z = d r. The caller passes r where sigma is one number for the whole
 * array (the same value: one IEEE division), else (have_r = 0) it is computed here. */
static GC_ALWAYS_INLINE FN(gg_in) FN(gg_prepare)(VT x, VT mu, VT sigma, int have_r, VT r)
{
    FN(gg_in) g;
    g.x = x, g.mu = mu, g.sigma = sigma, g.xw = x, g.sw = sigma;
    /* x - mu infinite or NaN (rare): the two-sum runs on zeros (inf - inf inside it
     * would raise "invalid") */
    VM dbad = vgt_un(vabs(vsub(x, mu)), vset1(DBL_MAX));
    VT xs = x, ms = mu, sz = sigma;
    if (vany(dbad)) {
        /* x - mu overflowed with x and mu finite: x, mu and sigma (for z) times 1/4,
         * where sigma is not one number for the array (there, below 2^100, z is past
         * the clamp); d is then d/4 in these lanes, which gg_grads_wide never has
         * (|x| > 2^970 there) */
        if (!have_r) {
            VM dov = vmand(dbad, vmand(vlt(vabs(x), vset1(HUGE_VAL)), vlt(vabs(mu), vset1(HUGE_VAL))));
            VT q = vsel(dov, vset1(0.25), vset1(1));
            xs = vmul(xs, q);
            ms = vmul(ms, q);
            sz = vmul(sz, q);
            dbad = vkeep_not(dov, dbad);
        }
        xs = vkeep_not(dbad, xs);
        ms = vkeep_not(dbad, ms);
    }
    DW d = FN(two_sum)(xs, vneg(ms));
    g.d = d;
    if (vany(vlt(sigma, vset1(0x1p-900)))) {
        VT sc = FN(gg_scale)(sigma);
        VM scaled = vgt(sc, vset1(1));
        VM dfar = vmand(scaled, vgt(vabs(d.hi), vset1(0x1p800)));
        dbad = vmor(dbad, dfar);
        d.hi = vmul(vkeep_not(dfar, d.hi), sc);
        d.lo = vmul(vkeep_not(dfar, d.lo), sc);
        sz = vmul(sz, sc);
    }
    /* x and sigma for w = x/sigma: both times 2^200 where sigma < 2^-900 (as above) or
     * |x| < 2^-900 (c x would lose bits), unless sigma > 2^800 (w negligible there) */
    VM wsc = vmand(vmor(vlt(sigma, vset1(0x1p-900)), vlt(vabs(x), vset1(0x1p-900))),
                    vlt(sigma, vset1(0x1p800)));
    if (vany(wsc)) {
        VT sc = vsel(wsc, vset1(0x1p200), vset1(1));
        g.xw = vmul(vkeep_not(vmand(wsc, vgt_un(vabs(x), vset1(0x1p800))), x), sc);
        g.sw = vmul(sigma, sc);
    }
    /* sigma = inf (rare) as 1 too: its 0 * inf in the remainder would raise "invalid" */
    VT sdiv = vsel(vgt_un(sz, vset1(DBL_MAX)), vset1(1), FN(gg_sigma_ok)(sz));
    if (!have_r)
        r = vdiv(vset1(1), sdiv);
    /* z.hi = d.hi r is within 1.5 ulp of d.hi/sigma, so the remainder d.hi - z.hi sigma is
     * below 2 ulp(d.hi) and its one rounding (in the FMA) costs 2^-105 |z|; z.lo's
     * rounding errors are 2^-51 of z.lo */
    g.z.hi = vmul(d.hi, r);
    g.z.lo = vmul(vadd(vfnma(g.z.hi, sdiv, d.hi), d.lo), r);
    /* sigma <= 0 or NaN (below the least subnormal), sigma = inf, |z| past the clamp or
     * NaN (x or mu infinite or NaN, sigma = 0) */
    g.rare = vmor(vmor(vgt_un(vset1(0x1p-1074), sigma), vgt_un(sigma, vset1(DBL_MAX))),
                  vmor(dbad, vgt_un(vabs(g.z.hi), vset1(GG_TCLAMP))));
    return g;
}

/* exp(-|z|^2/2) and R(|z|) for |z| = t + tl (ordinary lanes), Phi(-|z|) being E R:
 * `forward` (the value): E = exp(-t^2/2) (SCALED, the argument exact) and R(t) alone, the
 * first-order term -phi(t) tl = -E c tl being the caller's (the next one is
 * t phi(t) tl^2/2: 2^-106 t^3 relative); otherwise (the derivatives, which need phi(z)
 * too) E = exp(-t^2/2 - t tl) and R(t) + (t R(t) - c) tl, R's first-order term. */
typedef struct { SCALED e; DW tail; VT tl; VM neg; } FN(gg_phi);

static GC_ALWAYS_INLINE FN(gg_phi) FN(gg_phi_parts)(DW z, int forward)
{
    FN(gg_phi) p;
    VT t = vabs(z.hi);
    p.neg = vlt(z.hi, vset1(0));
    p.tl = vasflt(vi_xor(vasint(z.lo), FN(sign_bits)(z.hi)));
    VT tq = vmax(t, vset1(0x1p-100));                            /* as family_gelu.h */
    DW a = FN(two_prod)(vmul(tq, vset1(-0.5)), tq);
    if (!forward)
        a.lo = vfnma(tq, p.tl, a.lo);
    p.e = FN(exp_dw)(a, forward);
    p.tail = FN(piece_poly)(K(R), K(R_BYPIECE), t, 0);
    if (!forward)
        p.tail.lo = vfma(vfms(t, p.tail.hi, vset1(GG_C_HI)), p.tl, p.tail.lo);
    return p;
}

/* x Phi(z) for the ordinary lanes (others: anything), rounded once; x's sign is OR-ed in
 * by the caller. For z = x (mu = 0, sigma = 1) every operation is gelu's (family_gelu.h,
 * rounded as rounding.h's round_pre does). */
static GC_ALWAYS_INLINE VT FN(gg_value_common)(VT x, DW z)
{
    FN(gg_phi) p = FN(gg_phi_parts)(z, 1);
    DW pm = FN(dw_mul_dw)(p.e.m, p.tail);
    /* - E c tl, on the product (exp's unnormalised low word would drop part of it) */
    pm.lo = vfnma(vmul(vadd(p.e.m.hi, p.e.m.lo), p.tl), vset1(GG_C_HI), pm.lo);
    VI kk = vi_keep_not(p.neg, vi_min(p.e.nneg, vi_set1(2 * GC_P + 4)));
    VT s = vasflt(vi_or(vasint(FN(pow2neg)(kk)), vi_keep(p.neg, vasint(vset1(-0.0)))));
    VT a = vkeep_not(p.neg, vset1(1));
    DW m;
    m.hi = vfnma(s, pm.hi, a);
    m.lo = vfnma(s, pm.lo, vfnma(s, pm.hi, vsub(a, m.hi)));
    VI nneg = vi_keep(p.neg, p.e.nneg);
    return FN(scale_round)(vfma(m.hi, x, vmul(m.lo, x)), nneg, 1, 0);
}

/* The NaN of a `nan` lane, the same bits on every path and platform: the first NaN among
 * x, mu, sigma, quieted by setting the quiet bit (an integer operation: no flag); else
 * (sigma < 0; inf - inf in d; sigma = inf with d infinite) x86's default NaN,
 * 0xfff8000000000000. IEEE leaves that NaN's sign open (Arm clears it), and letting an
 * addition pick among NaN operands left the payload to the compiler's operand order.
 * The flags come from the operations themselves: d = x - mu and the division by sigma
 * signal a signaling NaN input and inf - inf, and `bad - bad` below the domain error of
 * sigma < 0, on every lane of every path. */
static GC_ALWAYS_INLINE VT FN(gg_nan)(VT x, VT mu, VT sigma)
{
    const VI quiet = vi_set1(0x0008000000000000ull);
    VT bad = vkeep(vlt(sigma, vset1(0)), vset1(HUGE_VAL));
    VT dflt = vasflt(vi_or(vasint(vsub(bad, bad)), vi_set1(GC_X86_NAN)));
    VT q = vsel(visnan(sigma), vasflt(vi_or(vasint(sigma), quiet)), dflt);
    q = vsel(visnan(mu), vasflt(vi_or(vasint(mu), quiet)), q);
    return vsel(visnan(x), vasflt(vi_or(vasint(x), quiet)), q);
}

/* x Phi(z) where `rare` (sigma <= 0, inf or NaN, z NaN or past the clamp) */
static GC_ALWAYS_INLINE VT FN(gg_value_special)(VT x, VT mu, VT sigma, VT d)
{
    VM nan = vmor(vmor(visnan(x), visnan(mu)), vmor(visnan(d), vgt_un(vset1(0), sigma)));
    VT q = FN(gg_nan)(x, mu, sigma);
    /* z -> +inf: x; z -> -inf (sigma = 0 and x = mu included): 0 with x's sign; sigma =
     * inf with d = +-inf (z NaN): x/2 */
    VT lim = vsel(vgt(d, vset1(0)), x, vasflt(FN(sign_bits)(x)));
    lim = vsel(vgt_un(vabs(sigma), vset1(DBL_MAX)), vmul(x, vset1(0.5)), lim);
    return vsel(nan, q, lim);
}

/* The float64 kernel of x Phi((x - mu)/sigma); r as gg_prepare's */
static GC_ALWAYS_INLINE VT FN(gg_value64)(VT x, VT mu, VT sigma, int have_r, VT r)
{
    FN(gg_in) g = FN(gg_prepare)(x, mu, sigma, have_r, r);
    if (!vany(g.rare))
        return vasflt(vi_or(vasint(FN(gg_value_common)(x, g.z)), FN(sign_bits)(x)));
    /* rare lanes compute at x = z = 0 and take their limits */
    DW z = FN(dw_make)(vkeep_not(g.rare, g.z.hi), vkeep_not(g.rare, g.z.lo));
    VT y = FN(gg_value_common)(vkeep_not(g.rare, x), z);
    y = vasflt(vi_or(vasint(y), FN(sign_bits)(x)));
    return vsel(g.rare, FN(gg_value_special)(x, mu, sigma, vsub(x, mu)), y);
}

/* The float32 value's core, in the float64 layer: x Phi(z) for float32 x (in xd) and z
 * in double, |z| <= V64_TCLAMP (gelu_f32via64.h's f32via64 with x as the multiplier) */
static GC_ALWAYS_INLINE VT FN(gg_v64)(VT xd, VT z)
{
    const VT one = vset1(1);
    VT t = vabs(z), h = vmul(t, t);
    FN(v64_exp) ex = FN(v64_exp_parts)(h);
    VT sh = ex.sh, pe = ex.pe, qe = ex.qe;
    /* x, negated where z < 0 (|x| = t for gelu) */
    pe = vmul(pe, vasflt(vi_xor(vasint(xd), FN(sign_bits)(z))));
    VT num = vmul(pe, FN(v64_poly)(V64_P, GELU_C_V64_P_DEG, 0, t, h));
    VT den = vmul(qe, FN(v64_poly)(V64_Q, GELU_C_V64_Q_DEG, 1, t, h));
    /* times 2^k on the denominator's exponent (sh's low bits hold -k): the same quotient
     * as gelu's 2^-k on the numerator, and num may be 0 here */
    den = vasflt(vi_sub(vasint(den), vi_sll(vasint(sh), 52)));
    return vfms(xd, vsel_sign(z, vset1(0), one), vdiv(num, den));
}

/* One float64 vector of the float32 value: x, mu, sigma float32 values held in doubles,
 * rs = 1/sigma (gg_recip) */
static GC_ALWAYS_INLINE VT FN(gg_value_f32part)(VT xd, VT mud, VT sd, VT rs)
{
    /* z within 3 ulp (double) of (x - mu)/sigma: 2^-44 on Phi at |z| = 14.375 */
    VT z = vmul(vsub(xd, mud), rs);
    VM rare = vmor(vgt_un(vabs(z), vset1(V64_TCLAMP)), vgt_un(vset1(0x1p-1074), sd));
    if (!vany(rare))
        return FN(gg_v64)(xd, z);
    /* the double-word kernel (limits, NaN) for the rare lanes, the core on the others */
    VT r = FN(gg_v64)(vkeep_not(rare, xd), vkeep_not(rare, z));
    return vsel(rare, FN(gg_value64)(xd, mud, sd, 0, sd), r);
}

static GC_ALWAYS_INLINE VT FN(gg_recip)(VT sd)
{
    return vdiv(vset1(1), FN(gg_sigma_ok)(sd));
}

/* a double in every lane (for the float32 instantiation, which has no float64 vset1) */
static GC_ALWAYS_INLINE VT FN(gg_bcast)(double v)
{
    return vset1(v);
}

/* The three derivatives (or dy times them) of the ordinary lanes of g (others: anything)
 * and their limits, rounded; out[0..2] = d/dx, d/dmu, d/dsigma. */
static GC_ALWAYS_INLINE VT FN(gg_round)(DW m, VI nneg, VT dy, int backward)
{
    VT v = vadd(m.hi, m.lo);
    if (backward) {
        /* dy m formed unscaled where |m| <= 1, and with up to 2^-64 of the scale on m where
         * it is larger (|m| < 2^62): no overflow that the scale would undo */
        VI k1 = vi_keep(vgt(vabs(v), vset1(1)), vi_min(nneg, vi_set1(64)));
        v = vmul(dy, vmul(v, FN(pow2neg)(k1)));
        nneg = vi_sub(nneg, k1);
    }
    return FN(scale_round)(v, nneg, 1, 0);
}

/* v = m 2^(eb - GG_EB): 1 <= |m| < 2 with v's sign and eb > 0 for finite nonzero v
 * (subnormals first times 2^100, exactly); v = 0, inf, NaN: m = v, eb = GG_EB. The
 * exponents stay biased: the scalar layer's integers are unsigned. */
#define GG_EB 1123
static GC_ALWAYS_INLINE VT FN(gg_split)(VT v, VI *eb)
{
    VM tiny = vlt(vabs(v), vset1(0x1p-1000));
    VT vs = vmul(v, vsel(tiny, vset1(0x1p100), vset1(1)));
    VI bits = vasint(vs);
    VI f = vi_and(vi_srl(vi_and(bits, vi_set1(0x7fffffffffffffffull)), 52), vi_set1(0x7ff));
    VM plain = vmand(vgt(vabs(v), vset1(0)), vlt(vabs(v), vset1(HUGE_VAL)));
    *eb = vi_sel(plain, vi_add(f, vi_keep_not(tiny, vi_set1(100))), vi_set1(GG_EB));
    VT m = vasflt(vi_or(vi_and(bits, vi_set1(0x800fffffffffffffull)),
                        vi_set1(0x3ff0000000000000ull)));
    return vsel(plain, m, v);
}

/* v 2^(kb - 8192) rounded once, for kb in [0, 2^14) and |v| < 2^8: down by scale_round,
 * up by two exact multiplications (or overflow, when the result does) */
static GC_ALWAYS_INLINE VT FN(gg_ldexp)(VT v, VI kb)
{
    VM up = vi_gt(kb, vi_set1(8192));
    VT r = FN(scale_round)(v, vi_min(vi_keep_not(up, vi_sub(vi_set1(8192), kb)), vi_set1(4000)),
                           1, 0);
    VI kp = vi_min(vi_keep(up, vi_sub(kb, vi_set1(8192))), vi_set1(2046));
    VI k1 = vi_srl(kp, 1);
    r = vmul(r, vasflt(vi_sll(vi_add(k1, vi_set1(GC_BIAS)), GC_P - 1)));
    return vmul(r, vasflt(vi_sll(vi_add(vi_sub(kp, k1), vi_set1(GC_BIAS)), GC_P - 1)));
}

/* dy (m.hi + m.lo) for |dy| in [1, 2), zero, inf or NaN: one rounding where dy is a
 * number, and the zero's sign (dy = 0) or inf's (dy = inf) that of the product */
static GC_ALWAYS_INLINE VT FN(gg_times)(DW m, VT ym)
{
    VM odd = vmor(vlt(vabs(ym), vset1(1)), vgt_un(vabs(ym), vset1(2)));
    return vsel(odd, vmul(vadd(m.hi, m.lo), ym), vfma(m.hi, ym, vmul(m.lo, ym)));
}

/* The derivatives in the ordinary lanes where w = x/sigma or z is beyond double's
 * comfortable range (`wide`: |c w| or |z| below 2^-450 and not 0, |c w| past 2^1000): a
 * product there (E c w, E c w z, times dy) could underflow or overflow before the
 * factor that brings it back, and a subnormal w or z has lost bits. Each of x, sigma,
 * d = x - mu and dy is split into a significand and an exponent, c w and z are formed
 * from the significands (as double-words: c x / sigma with an exact remainder, z from d
 * and d.lo/d.hi), and the exponents are added and applied once, with the rounding
 * (gg_ldexp). With |c w| past 2^1000, z = 0 (|w| <= 2^54 |z| otherwise), so d/dx =
 * 1/2 + c w is c w (relative 2^-1000). Other lanes compute on zeros (no flag). */
static GC_ALWAYS_INLINE void FN(gg_grads_wide)(FN(gg_in) g, SCALED e, VT dy, int backward,
                                               VM wide, VT out[3])
{
    VI ebx, ebs, ebd, eby = vi_set1(GG_EB);
    VT xm = FN(gg_split)(vkeep(wide, g.x), &ebx);
    VT sm = FN(gg_split)(vsel(wide, g.sigma, vset1(1)), &ebs);
    VT dhi = vkeep(wide, g.d.hi);
    VT rel = vdiv(vkeep(wide, g.d.lo), vsel(vgt(vabs(dhi), vset1(0)), dhi, vset1(1)));
    VT dm = FN(gg_split)(dhi, &ebd);
    VT ym = vset1(1);
    if (backward)
        ym = FN(gg_split)(vkeep(wide, dy), &eby);
    /* c w = c x / sigma: the significands' quotient, in (0.19, 0.8) */
    DW p = FN(two_prod)(xm, vset1(GG_C_HI));
    p.lo = vfma(xm, vset1(GG_C_LO), p.lo);
    DW cw;
    cw.hi = vdiv(p.hi, sm);
    cw.lo = vdiv(vadd(vfnma(cw.hi, sm, p.hi), p.lo), sm);
    /* z = d / sigma, d = dm (1 + rel) */
    DW z;
    z.hi = vdiv(dm, sm);
    z.lo = vdiv(vfma(dm, rel, vfnma(z.hi, sm, dm)), sm);
    /* exponents, biased: kb = k + 8192 */
    VI kx = vi_sub(vi_add(ebx, vi_set1(8192)), ebs);              /* c w: k - ey */
    VI kw = vi_sub(vi_add(kx, eby), vi_set1(GG_EB));
    VI k1 = vi_sub(kw, e.nneg);
    VI k2 = vi_sub(vi_add(k1, ebd), ebs);
    DW mm = FN(dw_mul_dw)(e.m, cw);
    mm.hi = vneg(mm.hi);
    mm.lo = vneg(mm.lo);
    VT o1 = FN(gg_ldexp)(FN(gg_times)(mm, ym), k1);
    VT o2 = FN(gg_ldexp)(FN(gg_times)(FN(dw_mul_dw)(mm, z), ym), k2);
    /* z = 0 (d = 0): -x z with z = +0 */
    VT zero = vasflt(vi_xor(FN(sign_bits)(g.x), vasint(vset1(-0.0))));
    o2 = vsel(vgt(vabs(dhi), vset1(0)), o2, backward ? vmul(vkeep(wide, dy), zero) : zero);
    VT o0 = FN(gg_ldexp)(FN(gg_times)(cw, ym), kw);
    out[0] = vsel(vmand(wide, vi_gt(kx, vi_set1(8192 + 1000))), o0, out[0]);
    out[1] = vsel(wide, o1, out[1]);
    out[2] = vsel(wide, o2, out[2]);
}

static GC_ALWAYS_INLINE void FN(gg_grads_common)(FN(gg_in) g, VT dy, int backward, VT out[3])
{
    const VT one = vset1(1);
    VM rare = g.rare;
    DW z = FN(dw_make)(vkeep_not(rare, g.z.hi), vkeep_not(rare, g.z.lo));
    /* lanes for gg_grads_wide: |x/sigma| past 2^999 (x to 0 here: c x / sigma could
     * overflow) or below 2^-448, or 0 < |z| < 2^-450; from the exponent fields (no flag) */
    const VT zr = vset1(0);
    VI fx = vi_srl(vasint(vabs(g.xw)), GC_P - 1), fs = vi_srl(vasint(vabs(g.sw)), GC_P - 1);
    VM xnz = vgt(vabs(g.x), zr);
    VM bigw = vmand(xnz, vmor(vi_gt(fx, vi_add(fs, vi_set1(1000))), vlt(vabs(g.xw), vset1(0x1p-1074))));
    VM wide = vmor(bigw, vmand(xnz, vi_gt(fs, vi_add(fx, vi_set1(449)))));
    wide = vmor(wide, vmand(vgt(vabs(g.d.hi), zr), vlt(vabs(g.z.hi), vset1(0x1p-450))));
    VT x = vkeep_not(vmor(rare, bigw), g.xw), sigma = vsel(rare, one, g.sw);
    /* cw = c x / sigma as a double-word (c x exact as hi + lo; the remainder exact) */
    DW p = FN(two_prod)(x, vset1(GG_C_HI));
    p.lo = vfma(x, vset1(GG_C_LO), p.lo);
    DW cw;
    cw.hi = vdiv(p.hi, sigma);
    cw.lo = vdiv(vadd(vfnma(cw.hi, sigma, p.hi), p.lo), sigma);   /* exact remainder */
    cw.lo = vkeep(vlt(vabs(cw.hi), vset1(HUGE_VAL)), cw.lo);    /* x/sigma overflowed */
    FN(gg_phi) ph = FN(gg_phi_parts)(z, 0);
    /* d/dx = Phi(z) + w phi(z) = a - s E (R - sign(z) c w): z < 0 (a = 0, s = -1) gives
     * E (R + c w), z >= 0 gives 1 - E (R - c w) */
    VT sg = vkeep_not(ph.neg, vset1(-0.0));
    DW cws = FN(dw_make)(vasflt(vi_xor(vasint(cw.hi), vasint(sg))),
                         vasflt(vi_xor(vasint(cw.lo), vasint(sg))));
    DW tt = FN(two_sum)(ph.tail.hi, cws.hi);
    tt.lo = vadd(tt.lo, vadd(ph.tail.lo, cws.lo));
    DW pm = FN(dw_mul_dw)(ph.e.m, tt);
    /* z >= 0: 1 - 2^-k' pm with k' = min(nneg, 2p + 68): past it, 2^-nneg |pm| < 2^-(p+4)
     * (|pm| < 2^62: |x - mu| >= 2^-54 |x| bounds |w| by 2^54 |z|, or z = 0 and nneg = 0) */
    VI kk = vi_keep_not(ph.neg, vi_min(ph.e.nneg, vi_set1(2 * GC_P + 68)));
    VT s = vasflt(vi_or(vasint(FN(pow2neg)(kk)), vi_keep(ph.neg, vasint(vset1(-0.0)))));
    VT a = vkeep_not(ph.neg, one);
    DW m = FN(two_sum)(a, vneg(vmul(s, pm.hi)));
    m.lo = vfnma(s, pm.lo, m.lo);
    out[0] = FN(gg_round)(m, vi_keep(ph.neg, ph.e.nneg), dy, backward);
    /* d/dmu = -E c w, d/dsigma = z d/dmu (0 with its sign where z = 0: w may be inf) */
    DW mm = FN(dw_mul_dw)(ph.e.m, cw);
    mm.hi = vneg(mm.hi);
    mm.lo = vneg(mm.lo);
    out[1] = FN(gg_round)(mm, ph.e.nneg, dy, backward);
    VT ds = FN(gg_round)(FN(dw_mul_dw)(mm, z), ph.e.nneg, dy, backward);
    VT zero = vasflt(vi_xor(vi_xor(FN(sign_bits)(g.x), FN(sign_bits)(z.hi)), vasint(vset1(-0.0))));
    out[2] = vsel(vlt(vabs(z.hi), vset1(0x1p-1074)), backward ? vmul(dy, zero) : zero, ds);
    wide = vkeep_not(rare, wide);
    if (vany(wide))
        FN(gg_grads_wide)(g, ph.e, dy, backward, wide, out);
}

/* The derivatives' limits where `rare`: NaN (any NaN, sigma < 0, sigma = inf with d
 * infinite); sigma = inf: d/dx = 1/2; z -> +inf: 1; z -> -inf: 0 with the sign of
 * Phi + w phi (that of x/sigma + 1/t, i.e. x + sigma^2/|d|); d/dmu: 0 with -x's sign;
 * d/dsigma: 0 with the sign of -x z. Backward: dy times them, where a zero standing for
 * a tiny nonzero value (x, d finite, sigma > 0) times dy = +-inf is +-inf. */
static GC_ALWAYS_INLINE void FN(gg_grads_special)(VT x, VT mu, VT sigma, VT dy, int backward,
                                                  VT out[3])
{
    const VT inf = vset1(HUGE_VAL), one = vset1(1), sbit = vset1(-0.0);
    VT d = vsub(x, mu);
    VM sinf = vgt_un(sigma, vset1(DBL_MAX));
    VM nan = vmor(vmor(visnan(x), visnan(mu)), vmor(visnan(d), vgt_un(vset1(0), sigma)));
    /* sigma = inf with d = +-inf: |d| - sigma is NaN there only */
    nan = vmor(nan, visnan(vsub(vabs(d), sigma)));
    VT q = FN(gg_nan)(x, mu, sigma);
    /* a signaling dy raises "invalid" in the NaN lanes too: a quiet compare signals it
     * alone, and q + (0 | 1) is q (kernels_exact.h's GC_BACKWARD does the same) */
    if (backward)
        q = vadd(q, vkeep(vlt(dy, vset1(0)), one));
    VI sx = FN(sign_bits)(x);
    /* sigma (sigma / |d|), formed so that the ordinary lanes of the vector (z = 0
     * included: d = 0) raise no overflow: the quotient is at most 1 there. NaNs are
     * zeroed first: AVX2's min/max raise "invalid" on a quiet NaN, the scalar layer's not */
    VT ad = vkeep_not(visnan(d), vabs(d)), sg = vkeep_not(visnan(sigma), sigma);
    VT den = vmax(ad, vmax(vmin(sg, vset1(DBL_MAX)), vset1(0x1p-1074)));
    VT z0 = vasflt(FN(sign_bits)(vadd(x, vmul(sigma, vdiv(sigma, den)))));
    VT dx = vsel(vgt(d, vset1(0)), one, z0);
    dx = vsel(sinf, vset1(0.5), dx);
    VT dmu = vasflt(vi_xor(sx, vasint(sbit)));
    VT dsg = vasflt(vi_xor(vi_xor(sx, FN(sign_bits)(d)), vasint(sbit)));
    VT lim[3] = {dx, dmu, dsg};
    /* finite lanes past the clamp, with dy = +-inf: the zero is a tiny value there, so
     * the product is inf */
    VM inf_times_tiny = vmand(vmand(vmand(vlt(vabs(d), inf), vlt(vabs(x), inf)),
                                      vgt(sigma, vset1(0))),
                               vgt_un(vabs(dy), vset1(DBL_MAX)));
    for (int i = 0; i < 3; i++) {
        VT l = lim[i];
        if (backward) {
            l = vsel(inf_times_tiny, vasflt(vi_or(vasint(vadd(vabs(l), one)), FN(sign_bits)(l))), l);
            l = vmul(vkeep_not(nan, dy), l);   /* NaN lanes take q: no inf * 0 there */
        }
        out[i] = vsel(nan, q, l);
    }
}

/* The float64 kernel of the derivatives (or dy times them) */
static GC_ALWAYS_INLINE void FN(gg_grads64)(VT x, VT mu, VT sigma, VT dy, int backward,
                                            VT out[3])
{
    FN(gg_in) g = FN(gg_prepare)(x, mu, sigma, 0, sigma);
    VT dyc = backward ? vkeep_not(g.rare, dy) : dy;
    FN(gg_grads_common)(g, dyc, backward, out);
    if (vany(g.rare)) {
        VT sp[3];
        FN(gg_grads_special)(x, mu, sigma, dy, backward, sp);
        for (int i = 0; i < 3; i++)
            out[i] = vsel(g.rare, sp[i], out[i]);
    }
#if !GC_ON_X86
    /* dy = +-inf times a zero: the NaN gets x86's bits, as in loops.h */
    if (backward) {
        VM in_nan = vmor(vmor(visnan(dy), visnan(x)), vmor(visnan(mu), visnan(sigma)));
        for (int i = 0; i < 3; i++)
            out[i] = GC_AS_X86_NAN(out[i], in_nan);
    }
#endif
}
#endif

#define GC_GG64(name) GC_CAT(GC_CAT(name, f64), GC_ISA)

/* The public kernels: in[] = x, mu, sigma (backward: dy, x, mu, sigma); out[] = the value,
 * or the three derivatives */
static GC_ALWAYS_INLINE void FN(gelu_general_kernel)(const VT *in, VT *out, int kind)
{
#if GC_IS_F32
    GC_W a[4][GC_WIDE_N], r[3][GC_WIDE_N];
    int nin = kind == GC_GG_BACKWARD ? 4 : 3;
    for (int j = 0; j < nin; j++)
        vwiden(in[j], a[j]);
    for (int i = 0; i < GC_WIDE_N; i++) {
        if (kind == GC_GG_VALUE) {
            r[0][i] = GC_GG64(gg_value_f32part)(a[0][i], a[1][i], a[2][i],
                                                 GC_GG64(gg_recip)(a[2][i]));
        } else {
            GC_W o[3];
            if (kind == GC_GG_GRAD)
                GC_GG64(gg_grads64)(a[0][i], a[1][i], a[2][i], a[0][i], 0, o);
            else
                GC_GG64(gg_grads64)(a[1][i], a[2][i], a[3][i], a[0][i], 1, o);
            for (int k = 0; k < 3; k++)
                r[k][i] = o[k];
        }
    }
    if (kind == GC_GG_VALUE) {
        out[0] = vasflt(vi_or(vasint(vnarrow(r[0])), FN(sign_bits)(in[0])));
    } else {
        for (int k = 0; k < 3; k++)
            out[k] = vnarrow(r[k]);
    }
#else
    if (kind == GC_GG_VALUE)
        out[0] = FN(gg_value64)(in[0], in[1], in[2], 0, in[2]);
    else if (kind == GC_GG_GRAD)
        FN(gg_grads64)(in[0], in[1], in[2], in[0], 0, out);
    else
        FN(gg_grads64)(in[1], in[2], in[3], in[0], 1, out);
#endif
}

#if GC_IS_F32
/* one float32 vector of x with broadcast float64 parameters (gelu_general_scalar_params) */
static GC_ALWAYS_INLINE VT FN(gg_value_f32_sp)(VT x, GC_W mud, GC_W sd, GC_W rs)
{
    GC_W w[GC_WIDE_N];
    vwiden(x, w);
    for (int i = 0; i < GC_WIDE_N; i++)
        w[i] = GC_GG64(gg_value_f32part)(w[i], mud, sd, rs);
    return vasflt(vi_or(vasint(vnarrow(w)), FN(sign_bits)(x)));
}
#endif

/* The fast tier's gelu_general: the exact kernel (within 1 ulp, so within the fast
 * bound), except in lanes with mu = 0 and sigma = 1, which take fast.gelu's kernel so
 * that fast.gelu_general(x, 0, 1) is fast.gelu(x) bit for bit; a vector of such lanes
 * alone runs fast.gelu only. Its derivatives are the exact tier's kernels. */
static GC_ALWAYS_INLINE void FN(fast_gelu_general_kernel)(const VT *in, VT *out, int kind)
{
    if (kind != GC_GG_VALUE) {
        FN(gelu_general_kernel)(in, out, kind);
        return;
    }
    const VT least = vset1(GC_IS_F32 ? 0x1p-149 : 0x1p-1074);
    VM zero_mu = vlt(vabs(in[1]), least);
    VM unit = vlt(vabs(vsub(in[2], vset1(1))), least);
    VM id = vsel(zero_mu, unit, zero_mu);
    if (vall(id)) {
        out[0] = FN(k_fast_gelu)(in[0]);
        return;
    }
    FN(gelu_general_kernel)(in, out, kind);
    if (vany(id))
        out[0] = vsel(id, FN(k_fast_gelu)(in[0]), out[0]);
}
