/* The piecewise polynomial tables R and D (coeffs_<key>.h, from tools/fit_coeffs.py)
 * at t in [0, TCLAMP] (D: [0, TBACK]).
 * Method: the piece comes from the exponent and top bits of t + 1 (no search); inside
 * it f(c + u) = c0 + u*(c1 + u*(c2 + ...)), c2.. summed in working precision, the last
 * two Horner steps in double-word.
 * Error budget: the fit's own relative error (per piece in coeffs_<key>.h; worst
 * float32 2^-31.1, float64 2^-59.2) plus ~kappa2 * 2^-p from the working-precision
 * part, kappa2 < 0.08; the double-word steps add ~2^-2p.
 * See docs/design.md, "Piecewise polynomials (piece_poly.h)". */

/* vlookup_group(tab, bypiece, order, idx, g, n, out): entries 4g .. 4g+n-1 (n <= 4) of
 * piece idx's coefficients in their order of use, out[q] = tab[order[4g + q]][idx].
 * `bypiece` holds the same values one row per piece, in that order, for a layer that
 * loads them by piece (float64 AVX2: vec_avx2.h); every other layer does one vlookup
 * per row, defined here once. */
#ifndef vlookup_group
#define vlookup_group(tab, bypiece, order, idx, g, n, out)                   \
    do {                                                                      \
        (void)(bypiece);                                                      \
        for (int q_ = 0; q_ < (n); q_++)                                      \
            (out)[q_] = vlookup((tab)[(order)[4 * (g) + q_]], (idx));         \
    } while (0)
#endif

/* A piecewise polynomial table (R or D) at t. The working-precision part only
 * contributes ~kappa2 * 2^-p with kappa2 < 0.08 (the fit script prints it per piece).
 * A table without a zero (`has_zero` = 0: R) is centred on its pieces' midpoints,
 * which are working-precision numbers (centre lo = 0, the fit script asserts it), and
 * takes the shorter double-word form for the c0 step too, which needs
 * |u*v1| <= |c0|/2; D's pieces around its zero satisfy neither. */
_Static_assert(GC_NROW4 > 8 && GC_NROW4 <= 20, "piece_poly fetches three to five groups of four");
static GC_ALWAYS_INLINE DW FN(piece_poly)(const GC_T (*tab)[GC_NPIECE],
                                          const GC_T (*bypiece)[GC_NROW4], VT t, int has_zero)
{
    VT y = vadd(t, vset1(1));
    VI idx = vi_sub(vi_srl(vasint(y), GC_P - 1 - GC_MBITS), vi_set1(GC_BIAS << GC_MBITS));
    idx = vi_min(idx, vi_set1(GC_NPIECE - 1));      /* D's last piece reaches TBACK */
    /* the piece's coefficients in their order of use (K(ROW_ORDER)): centre hi and lo,
     * c_deg .. c2, c1 hi and lo, c0 hi and lo; four per fetch */
    VT c[20];
#define GC_GROUP(g) vlookup_group(tab, bypiece, K(ROW_ORDER), idx, g, \
                                  GC_NROW - 4 * (g) < 4 ? GC_NROW - 4 * (g) : 4, c + 4 * (g))
    /* spelled out, not a loop: gcc leaves a loop of five rolled, and c[] in memory */
    GC_GROUP(0);
    GC_GROUP(1);
    GC_GROUP(2);
    if (GC_NROW4 > 12)
        GC_GROUP(3);
    if (GC_NROW4 > 16)
        GC_GROUP(4);
#undef GC_GROUP
    VT chi = c[0];
    /* u = t - c exactly: t - c.hi is exact (Sterbenz) or captured by a fast two-sum
     * of -c.hi and t (spelled with subtractions: no negation) when t is far below the
     * centre; c.lo is nonzero only where D is centred on its zero t0 (without it, R
     * loads one row fewer). */
    DW u;
    u.hi = vsub(t, chi);
    u.lo = vsub(t, vadd(u.hi, chi));
    if (has_zero)
        u.lo = vsub(u.lo, c[1]);
    VT v = c[2];
    for (int k = 3; k <= GC_DEG; k++)
        v = vfma(v, u.hi, c[k]);
    /* c1 + u*v in double-word with the product fused into the sum: s = fl(c1 + u*v),
     * then the rounding error of s as fl(u*v + (c1 - s)). c1 - s is exact (Sterbenz)
     * because |u*v| <= |c1|/2 on every piece (the fit script asserts it), and the
     * error's own rounding is 2^-p of half an ulp of s. Five ops where a two-product
     * and a fast two-sum take eight. */
    DW v1, r;
    v1.hi = vfma(u.hi, v, c[GC_DEG + 1]);
    v1.lo = vfma(u.lo, v, vadd(vfma(u.hi, v, vsub(c[GC_DEG + 1], v1.hi)), c[GC_DEG + 2]));
    if (!has_zero) {
        /* c0 + u*v1 the same way (R: |u*v1| <= |c0|/2 on every piece, asserted too) */
        r.hi = vfma(u.hi, v1.hi, c[GC_DEG + 3]);
        r.lo = vfma(u.hi, v1.lo, vfma(u.lo, v1.hi,
                    vadd(vfma(u.hi, v1.hi, vsub(c[GC_DEG + 3], r.hi)), c[GC_DEG + 4])));
        return r;
    }
    /* c0 + u*v1 with a two-product and a fast two-sum (D: |u*v1| reaches 0.65 |c0|
     * beside its zero, where c0 - s would not be exact) */
    DW q = FN(two_prod)(u.hi, v1.hi);
    q.lo = vfma(u.hi, v1.lo, vfma(u.lo, v1.hi, q.lo));
    r = FN(fast_two_sum)(c[GC_DEG + 3], q.hi);
    r.lo = vadd(r.lo, vadd(q.lo, c[GC_DEG + 4]));
    return r;
}
