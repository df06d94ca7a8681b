/* The sigmoid family: x*sigma(z(x)) and its derivative, unrounded (a VALUE), for
 * z = x (SiLU), 1.702x (sigmoid form) or 2*sqrt(2/pi)*(x + 0.044715x^3) (tanh form,
 * since (1+tanh u)/2 = sigma(2u)).
 * Method: z in double-word from the exact decimal constants; w = exp(-|z|) (exp_dw.h);
 * sigma(|z|) = 1/(1+w), sigma(-|z|) = w/(1+w), both in double-word; the derivative is
 * s*(1 + x*z'*(1-s)), its zero a cancellation of double-words.
 * Error budget: the double-word value's relative error is ~2^-(p+4), then one rounding
 * (rounding.h): within the 1 ulp bound (forward) and the 2 ulp one (derivatives), which
 * keep relative accuracy up to their zeros.
 * See docs/design.md, "The sigmoid family (family_sigmoid.h)". */

#define GC_SILU 0

/* 1 + (k.hi + k.lo)*(x.hi + x.lo) in double-word for k*x >= 0: s = fl(1 + k.hi*x.hi)
 * with the product fused, then its rounding error as fl(k.hi*x.hi + (1 - s)): 1 - s is
 * exact (s >= 1, and 1 and s are both multiples of ulp(s)), and that error is rounded
 * once more, by 2^-p of half an ulp of s. Five ops where a double-word product and a
 * two-sum take eleven; k.lo*x.lo is below the error bound, as in dw_mul_dw. */
static GC_ALWAYS_INLINE DW FN(one_plus_times)(VT khi, VT klo, DW x)
{
    const VT one = vset1(1);
    DW u;
    u.hi = vfma(khi, x.hi, one);
    u.lo = vfma(khi, x.lo, vfma(klo, x.hi, vfma(khi, x.hi, vsub(one, u.hi))));
    return u;
}
#define GC_SIGMOID 1
#define GC_TANH 2

/* x*sigma(z(x)) (deriv = 0) or its derivative (deriv = 1), unrounded; `wide` for
 * the backward functions. */
static GC_ALWAYS_INLINE VALUE FN(sigmoid_family)(VT x, int kind, int deriv, int wide)
{
    const VT one = vset1(1), zero = vset1(0);
    const VT zclamp = vset1(wide ? K(ZBACK) : K(ZCLAMP));
    /* Beyond |x| = 30 (tanh form) or the z clamp the results are at their limits;
     * those lanes, and NaN ones, compute at x = 0 instead (as in gelu_family), which
     * keeps z, and x*z', finite. */
    VT xb = kind == GC_TANH ? vset1(30.0) : zclamp;
    VM big = vgt_un(vabs(x), xb);
    VT xc = vkeep_not(big, x);
    DW z, xdz = FN(dw_make)(xc, zero);
    if (kind == GC_SILU) {
        z = FN(dw_make)(xc, zero);
    } else if (kind == GC_SIGMOID) {
        z = FN(dw_mul_v)(FN(dw_make)(vset1(K(SIG_K_HI)), vset1(K(SIG_K_LO))), xc);
        xdz = z;
    } else {
        /* z = 2 sqrt(2/pi) * x * (1 + a x^2), x z' = 2 sqrt(2/pi) * x * (1 + 3a x^2) */
        const DW c = FN(dw_make)(vset1(K(SQRT_2_OVER_PI_X2_HI)), vset1(K(SQRT_2_OVER_PI_X2_LO)));
        /* x^2 is formed from |x| held at 2^-20 (float64: 2^-40): below that, a x^2
         * moves z by < 2^-44 (2^-84) relative, < 2^-40 ulp of the result, while
         * x^3-sized low words of tiny x would go subnormal (an assist on Intel) */
        VT xq = vmax(vabs(xc), vset1(GC_IS_F32 ? 0x1p-20 : 0x1p-40));
        DW x2 = FN(two_prod)(xq, xq);
        DW u = FN(one_plus_times)(vset1(K(TANH_A_HI)), vset1(K(TANH_A_LO)), x2);
        z = FN(dw_mul_dw)(c, FN(dw_mul_v)(u, xc));
        if (deriv) {
            DW u3 = FN(one_plus_times)(vset1(K(TANH_3A_HI)), vset1(K(TANH_3A_LO)), x2);
            xdz = FN(dw_mul_dw)(c, FN(dw_mul_v)(u3, xc));
        }
    }
    VM zneg = vlt(z.hi, zero);
    VT az = vabs(z.hi);
    /* a = -|z| in double-word. SiLU's z is x clamped to the z clamp already: no second
     * clamp, and no low word to carry. */
    DW a;
    if (kind == GC_SILU) {
        a = FN(dw_make)(vneg(az), zero);
    } else {
        VM zbig = vgt(az, zclamp);
        big = vmor(big, zbig);
        /* a.lo = z.lo with its sign flipped where z >= 0: an xor (a blend and a
         * negation were four uops) */
        VT alo = vasflt(vi_xor(vasint(z.lo), vi_keep_not(zneg, vasint(vset1(-0.0)))));
        a = FN(dw_make)(vneg(vmin(az, zclamp)), vkeep_not(zbig, alo));
    }
    SCALED e = FN(exp_dw)(a, !deriv);               /* w = exp(-|z|) = e.m * 2^-nneg */
    /* w and sigma(-|z|) are only needed unscaled next to 1 (in 1 + w, and in
     * 1 + x z' sigma(-z) with |x z'| < 2^13): below 2^-(2p+20) they no longer change
     * the rounded result, so one (normal) factor 2^-min(nneg, 2p+20) does. */
    VT sw = FN(pow2neg)(vi_min(e.nneg, vi_set1(2 * GC_P + 20)));
    /* d = 1 + w: the fast two-sum of 1 and w.hi with the products fused into it (exact:
     * sw is a power of two); d.hi - 1 and the fma that takes it from w.hi are exact
     * (docs/design.md, "The sigmoid family (family_sigmoid.h)"). Same bits, four ops
     * where six were. */
    DW d;
    d.hi = vfma(e.m.hi, sw, one);
    d.lo = vfma(e.m.lo, sw, vfma(e.m.hi, sw, vsub(one, d.hi)));
    /* exp's forward form leaves a low word up to 0.09 of the high one; the
     * reciprocal's single Newton step needs d.lo within an ulp of d.hi. */
    if (!deriv)
        d = FN(fast_two_sum)(d.hi, d.lo);
    DW ra = FN(dw_recip)(d);                        /* sigma(|z|)  = 1/(1+w) */
    VALUE r;
    r.nneg = vi_keep_not(big, vi_keep(zneg, e.nneg));
    if (!deriv) {
        /* s = sigma(z) = (w or 1) * ra: one blend and an and pick the factor, where
         * picking the product would take two blends; 1 * ra is exact, so the bits
         * are those of the select */
        DW factor = FN(dw_make)(vsel(zneg, e.m.hi, one), vkeep(zneg, e.m.lo));
        r.m = FN(dw_mul_dw)(factor, ra);
        r.m.lo = vmul(r.m.lo, xc);
        r.f = xc;
    } else {
        DW rb = FN(dw_mul_dw)(e.m, ra);             /* sigma(-|z|) = w/(1+w), scaled */
        r.m = FN(dw_make)(vsel(zneg, rb.hi, ra.hi), vsel(zneg, rb.lo, ra.lo));   /* s */
        /* 1 - s = sigma(-z): unscaled value needed here. Its scaled low word is
         * dropped (+0 in its place) where z < 0 or sigma(-z) < 2^-(p+20): there it is
         * not used or does not count, and rb.lo can be tiny, where a subnormal product
         * in any lane costs the microcode assist (docs/design.md, "The sigmoid family
         * (family_sigmoid.h)"). */
        VM drop = vmor(zneg, vi_gt(e.nneg, vi_set1(GC_P + 20)));
        DW sc = FN(dw_make)(vsel(zneg, ra.hi, vmul(rb.hi, sw)),
                            vsel(zneg, ra.lo, vmul(vkeep_not(drop, rb.lo), sw)));
        DW q = FN(dw_mul_dw)(xdz, sc);
        DW g = FN(two_sum)(one, q.hi);
        g.lo = vadd(g.lo, q.lo);
        r.m = FN(dw_mul_dw)(r.m, g);
        r.f = one;
    }
    /* past the clamps: x*sigma(z) -> -0 | x, its derivative -> -0 | 1 (z has x's sign);
     * NaN -> NaN */
    r.big = big;
    r.lim = FN(limit)(x, vlt(x, zero), !deriv, 1);
    return r;
}
