/* The GELU family: Phi(x), GELU(x) = x*Phi(x) and GELU'(x), unrounded (a VALUE).
 * Method: with t = |x|, Phi(-t) = exp(-t^2/2) * R(t) and GELU'(-t) = exp(-t^2/2) * D(t),
 * R and D piecewise polynomials (piece_poly.h); -t^2/2 is split exactly with an FMA, so
 * exp's argument carries no rounding error; for x > 0 the result is 1 - Phi(-t) (or
 * x*(1 - Phi(-t)), 1 - GELU'(-t)), subtracted in double-word.
 * Error budget: the double-word value's relative error is ~2^-(p+4) (exp, the table's
 * fit and its evaluation, one double-word product), then one rounding (rounding.h):
 * within the 1 ulp bound (Phi, GELU) and the 2 ulp one (GELU'); D, centred on its zero
 * t0, keeps GELU''s relative accuracy up to x = -t0.
 * See docs/design.md, "The GELU family (family_gelu.h)". */

#define GC_PHI 0
#define GC_GELU 1
#define GC_GELU_GRAD 2

/* Phi(x), GELU(x) or GELU'(x), unrounded; `wide` for the backward functions. */
static GC_ALWAYS_INLINE VALUE FN(gelu_family)(VT x, int which, int wide)
{
    const VT one = vset1(1), zero = vset1(0);
    const VT tclamp = vset1(wide ? K(TBACK) : K(TCLAMP));
    /* NaN lanes join the big ones (t above the clamp, or unordered), and every big lane
     * computes at t = 0 (one AND; minps would raise the invalid flag on a quiet NaN,
     * np.add does not), so everything below runs on finite numbers; the big lanes'
     * results come from r.lim, and the NaN through it (GELU) or the kernel's select. */
    VT t = vabs(x);
    VM neg = vlt(x, zero);
    VM big = vgt_un(t, tclamp);
    VT tc = vkeep_not(big, t);
    /* Below t = 2^-25 (float64: 2^-100) exp(-t^2/2) is 1 - d with d < 2^-51, which
     * moves Phi by < 2^-27 ulp, and smaller t would make exp's r^2 and r.lo*r.hi
     * subnormal (a microcode assist on Intel): t^2 is formed from t held at that
     * floor. */
    VT tq = vmax(tc, vset1(GC_IS_F32 ? 0x1p-25 : 0x1p-100));
    /* -t^2/2 exactly, as the two-product of -t/2 and t (scaling by -1/2 is exact) */
    SCALED e = FN(exp_dw)(FN(two_prod)(vmul(tq, vset1(-0.5)), tq), which != GC_GELU_GRAD);
    DW tail = which == GC_GELU_GRAD ? FN(piece_poly)(K(D), K(D_BYPIECE), tc, 1)
                                    : FN(piece_poly)(K(R), K(R_BYPIECE), tc, 0);
    /* Phi(-t) = E*R and GELU'(-t) = E*D (double-word, still to be scaled by 2^-nneg) */
    DW pm = FN(dw_mul_dw)(e.m, tail);
    /* x > 0: 1 - (that), unscaled; x < 0: that. Both as a - s*pm with (a, s) = (1, sc)
     * or (0, -1), so that no select is needed (two blends are six uops); sc =
     * 2^-min(nneg, 2p+4) (always normal) is built from its bits, with neg's sign. The
     * fast two-sum of a and -s*pm.hi with the products fused into it: exact, see
     * docs/design.md, "The GELU family (family_gelu.h)". */
    VI kk = vi_keep_not(neg, vi_min(e.nneg, vi_set1(2 * GC_P + 4)));
    VT s = vasflt(vi_or(vasint(FN(pow2neg)(kk)), vi_keep(neg, vasint(vset1(-0.0)))));
    VT a = vkeep_not(neg, one);
    VALUE r;
    r.m.hi = vfnma(s, pm.hi, a);
    r.m.lo = vfnma(s, pm.lo, vfnma(s, pm.hi, vsub(a, r.m.hi)));
    r.nneg = vi_keep_not(big, vi_keep(neg, e.nneg));
    r.f = one;
    if (which == GC_GELU) {     /* times x (0 in big lanes): tc with x's sign, by two
                                 * integer ops (the FP ports are the busy ones) */
        r.f = vasflt(vi_or(vasint(tc), FN(sign_bits)(x)));
        r.m.lo = vmul(r.m.lo, r.f);
    }
    /* |x| > TCLAMP: Phi -> 0 | 1, GELU -> -0 | x, GELU' -> -0 | 1 (x = +-inf included);
     * NaN -> NaN. */
    r.big = big;
    r.lim = FN(limit)(x, neg, which == GC_GELU, which != GC_PHI);
    return r;
}
