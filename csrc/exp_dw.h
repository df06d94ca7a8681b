/* exp of a double-word argument: exp(a.hi + a.lo) = (m.hi + m.lo) * 2^-nneg, for
 * -2800 < a.hi <= 0 (float64; -350 float32).
 * Method: k = round(a * 8/ln2) = 8n + j, r = a - k*ln2/8 exactly in its high word
 * (Cody-Waite), exp(r) - 1 by a polynomial on |r.hi| <= ln2/16, times 2^(j/8) from a
 * hi + lo table; 2^-nneg = 2^n stays an integer.
 * Error budget: relative ~2^-(p+10) with m in [1, 2) (derivatives), or < 2^-(p+3.5)
 * with m unnormalised (`forward`: 10 fewer operations).
 * See docs/design.md, "exp of a double-word argument (exp_dw.h)". */

/* A double-word times a power of two: (m.hi + m.lo) * 2^-nneg. Both exp's result and
 * every function's result before its final rounding have this form. The power of two
 * stays an integer until the final rounding, which is what lets results (and
 * dy * results) far below the normal range be formed exactly. */
typedef struct { DW m; VI nneg; } FN(scaled);
#define SCALED FN(scaled)

/* vlookup_pair(rows, byentry, idx, hi, lo): hi = rows[0][idx], lo = rows[1][idx] for
 * a two-row table (exp's 2^(j/8) as hi + lo). `byentry` holds the same values as
 * (hi, lo) pairs, for a layer that loads both at once (float64 AVX2: vec_avx2.h);
 * every other layer does two vlookups, defined here once. */
#ifndef vlookup_pair
#define vlookup_pair(rows, byentry, idx, hi, lo)                              \
    do {                                                                      \
        (void)(byentry);                                                      \
        (hi) = vlookup((rows)[0], (idx));                                     \
        (lo) = vlookup((rows)[1], (idx));                                     \
    } while (0)
#endif

static GC_ALWAYS_INLINE SCALED FN(exp_dw)(DW a, int forward)
{
    const VT magic = vset1(GC_IS_F32 ? 0x1.8p23 : 0x1.8p52);
    /* k = round(a * 8/ln2) by the magic-number trick: the integer lands in the low
     * bits of `sh`, so k is read off the bits with no float->int conversion. One
     * fused rounding (the product is not rounded first). */
    VT sh = vfma(a.hi, vset1(K(INV_L_HI)), magic);
    VT kf = vsub(sh, magic);
    /* r = a - k*ln2/8: L_HI has few enough bits that r.hi is exact (Cody-Waite). */
    VT rhi = vfma(kf, vset1(-K(L_HI)), a.hi);
    VT rlo = vfma(kf, vset1(-K(L_LO)), a.lo);
    /* k = 8n + j; k is biased positive so that unsigned shifts floor it. */
    VI kb = vi_add(vi_sub(vasint(sh), vasint(magic)), vi_set1(8 * GC_KB));
    VI j = vi_and(kb, vi_set1(7));
    SCALED e;
    e.nneg = vi_sub(vi_set1(GC_KB), vi_srl(kb, 3));              /* -n >= 0 */
    /* exp(r.hi + r.lo) - 1 = r.hi + q + r.lo*(1 + r.hi + q), q = r.hi^2 P(r.hi),
     * |r.hi| <= ln2/16. r.lo (k*ln2_lo plus the low word of the argument) reaches
     * 2^-(p-9) for large |a|, so its product with q (~2^-10) still counts;
     * r.lo^2 does not. */
    VT p = vset1(K(EXP_P)[GC_PDEG]);
    for (int i = GC_PDEG - 1; i >= 0; i--)
        p = vfma(p, rhi, vset1(K(EXP_P)[i]));
    VT q0 = vmul(vmul(rhi, rhi), p);
    VT w = vadd(q0, vfma(rlo, vadd(rhi, q0), rlo));
    VT thi, tlo;
    vlookup_pair(K(EXP_T), K(EXP_TB), j, thi, tlo);
    if (forward) {
        /* s rounded once costs 2^-p * |s| < 2^-(p+4.4) of the result, and the product
         * stays unnormalised (lo up to 0.09 hi): enough for a function value, which
         * only multiplies it or rounds it. */
        VT s = vadd(rhi, w);
        e.m = FN(dw_make)(thi, vfma(thi, s, vfma(tlo, s, tlo)));
        return e;
    }
    /* Derivatives cancel near their zeros (1 + x z'(1 - s) -> 0), which multiplies
     * exp's relative error: there it is kept at ~2^-2p. */
    DW s = FN(fast_two_sum)(rhi, w);
    /* exp(a) = 2^n * T_j * (1 + s), T_j = 2^(j/8) as hi + lo. T_j + T_j*s.hi as a
     * fused double-word step: m = fma(T, s.hi, T), its error fma(T, s.hi, T - m), with
     * T - m exact (Sterbenz: |s| < 0.05) and the error rounded by 2^-p of half an ulp. */
    e.m.hi = vfma(thi, s.hi, thi);
    e.m.lo = vadd(vfma(thi, s.hi, vsub(thi, e.m.hi)), vfma(thi, s.lo, vfma(tlo, s.hi, tlo)));
    return e;
}
