/* The GELU family's algorithms, written once over the vector layer.
 *
 * Included once per (ISA, dtype) pair, after dtype_<key>.h, vec_<isa>.h and dword.h.
 * Nothing here knows the lane count or the dtype width: the same text is the scalar
 * float32, scalar float64, AVX2 float32 and AVX2 float64 kernel.
 *
 * Accuracy plan (p = 24 or 53 significand bits). Every result is formed as a
 * double-word mantissa m = m.hi + m.lo with relative error ~2^-(p+4) and a power of two
 * 2^-nneg kept as an integer, then rounded: out = fl(fl(m.hi + m.lo) * 2^-nneg), the
 * scaling done on the exponent field (scale_round), so that results far below the
 * normal range (subnormal GELU tails) are formed without intermediate underflow and
 * without the subnormal-operation penalty; when the result is subnormal the first
 * rounding (to p bits) costs at most 2^-(p+1) * 2^(emin) < 1/4 ulp of the final one,
 * so the total stays below 1 ulp. Everything inside runs on clamped, NaN-free inputs,
 * so no spurious overflow/invalid flag reaches NumPy's error checks; NaN, +-inf and
 * huge inputs are patched in at the end by one select (two where a NaN is not its
 * function's limit: FN(limit)).
 *
 * Phi and GELU:  with t = |x|,  Phi(-t) = exp(-t^2/2) * R(t)  and  GELU'(-t) =
 * exp(-t^2/2) * D(t), where R and D are smooth tables (tools/fit_coeffs.py). t^2 is
 * split exactly with an FMA (h + l), so exp(-t^2/2) is computed from an exact argument:
 * this is what keeps the tail at ~0.5 ulp where erfc(-x/sqrt2) with a rounded argument
 * loses tens of ulps (its condition number grows like t^2). For x > 0 the result is
 * 1 - Phi(-t) (or x*(1 - Phi(-t))), subtracted in double-word.
 *
 * The sigmoid forms: x*sigma(z) with z = x (SiLU), 1.702x, or 2*sqrt(2/pi)*(x +
 * 0.044715x^3) (tanh form, since (1+tanh u)/2 = sigma(2u)). z is carried in double-word
 * from the exact decimal constants, because exp(-|z|) turns an absolute error in z
 * into the same relative error of the result: rounding 0.044715 or 1.702 to working
 * precision would cost many ulps in the negative tail. With w = exp(-|z|):
 * sigma(|z|) = 1/(1+w), sigma(-|z|) = w/(1+w), both in double-word, and the
 * derivative is s*(1 + x*z'*(1-s)): its zero (1 + x z'(1-s) = 0) is a cancellation
 * of double-words, so it keeps relative accuracy up to the zero. */

#define K(name) GC_CAT(name, GC_KEY)          /* per-dtype constant/table */

/* exp(a) for a = a.hi + a.lo, -2800 < a.hi <= 0 (float64; -350 float32):
 * exp(a) = (m.hi + m.lo) * 2^-nneg with m in [1, 2), relative error ~2^-(p+10)
 * (derivatives), or < 2^-(p+3.5) with m unnormalised (`forward`: 10 fewer operations).
 * The power of two stays an integer until the final rounding, which is what lets
 * results (and dy * results) far below the normal range be formed exactly. */
/* A double-word times a power of two: (m.hi + m.lo) * 2^-nneg. Both exp's result and
 * every function's result before its final rounding have this form. */
typedef struct { DW m; VI nneg; } FN(scaled);
#define SCALED FN(scaled)
/* A function value before its final rounding: (m.hi * f + m.lo) * 2^-nneg, or `lim`
 * where `big` (inputs past the clamp, where the function sits at its limit). The
 * factor f is x for the forward functions x*g(x), whose last product is thus fused
 * into the rounding: fl(g.hi*x + fl(g.lo*x)), two ops where a double-word product and
 * its sum took four (the inner rounding is 2^-p of a term 2^-p below the result); f
 * is 1 elsewhere, and the backward kernels use m alone. The limit is put in by one
 * select on the rounded result, not by three on m.hi, m.lo and nneg: vblendv is 3
 * uops on Golden Cove. For big lanes m is a finite, normal value (at x = 0) and nneg
 * is 0, so they never take scale_round's subnormal recipe. */
typedef struct { DW m; VT f; VI nneg; VM big; VT lim; } FN(value);
#define VALUE FN(value)

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

/* The sign bit of each lane of v, as an integer vector (one AND). */
static GC_ALWAYS_INLINE VI FN(sign_bits)(VT v)
{
    return vi_and(vasint(v), vasint(vset1(-0.0)));
}

/* 2^-k for 0 <= k <= GC_BIAS - 1 (a normal number), built from its bits. */
static GC_ALWAYS_INLINE VT FN(pow2neg)(VI k)
{
    return vasflt(vi_sll(vi_sub(vi_set1(GC_BIAS), k), GC_P - 1));
}

/* v * 2^-k rounded once (to nearest, ties to even), for any k >= 0 and v finite, or,
 * when `product` (a backward kernel's dy * f'(x)), also +-inf/NaN (passed through),
 * zero or subnormal. No floating-point operation on this path
 * reads or returns a subnormal unless v itself is one, so results below the normal
 * range cost no more than normal ones: on Intel cores every instruction that returns a
 * subnormal takes a microcode assist (np.multiply runs 14x slower on subnormal
 * products), which made tail inputs 3-9x slower when this was a plain multiply.
 *   - normal result (biased exponent e of v above k): k comes off the exponent field;
 *     exact, as the multiply would be.
 *   - subnormal result: w = |v| * 2^(bias+p-2-k) is the result in units of the least
 *     subnormal, below 2^(p-1); w + 2^(p-1) rounds it to an integer exactly as the
 *     multiply's underflow would, and that integer, with v's sign, is the subnormal's
 *     bit pattern (2^(p-1) itself is the least normal, as it should be when w rounds
 *     up to it). Every lane that takes this result has k >= e, and beyond e+p+1 it
 *     rounds to 0 anyway; the other lanes must raise no FP flag.
 *     Forward kernels: one fma(|v|, 2^(bias+p-2-kc), 2^(p-1)), the product exact
 *     inside it, with kc = k clamped to [bias/2, 2 bias+p-3] so that the factor is
 *     normal. That needs |v| >= 2^-(bias/2) where the result is subnormal (there v is
 *     the function's value, >= 2^-30 wherever k > 0: see the third recipe) and
 *     |v| < 2^(bias/2 - p) everywhere (no overflow; forward values are below 2^7);
 *     the clamp's top is then past e+p. Four integer ops before v is known, and one
 *     FP op after it.
 *     Backward kernels (v = dy * f'(x) * 2^-16 spans every exponent): k clamped to
 *     [e, e+p+1] and w formed on the exponent field, which keeps w a normal number
 *     below 2^(p-1) in every lane.
 *   - v subnormal with k > 0: the multiply itself (v = 0 with k > 0 too; backward
 *     zeros get k = 0 and stay on the first recipe).
 * Which recipes run is decided per vector (all lanes normal: the first alone; none:
 * the second alone, without the blend; the multiply only when some lane needs it),
 * and every recipe gives the bits of fl(v * 2^-k), so the branches never show in a
 * result. */
static GC_ALWAYS_INLINE VT FN(scale_round)(VT v, VI k, int product)
{
    VI bits = vasint(vabs(v));
    VI e = vi_srl(bits, GC_P - 1);
    const VI emax = vi_set1(2 * GC_BIAS + 1);
    /* inf/NaN, and v = 0 (dy = 0 in a backward product): k = 0 passes v through */
    if (product)
        k = vi_keep(vi_gt(emax, e), vi_keep(vi_gt(bits, vi_set1(0)), k));
    /* e = 0 with k = 0 (v = 0 unscaled) is exact on the fast recipe too */
    VM normal = vi_gt(vi_max(e, vi_set1(1)), k);
    VT fast = vasflt(vi_sub(vasint(v), vi_sll(k, GC_P - 1)));
    if (vall(normal))
        return fast;
    const VT grid = vset1(GC_IS_F32 ? 0x1p23 : 0x1p52);
    VT wg;                                          /* w + 2^(p-1), rounded */
    if (product) {
        VI kk = vi_min(vi_max(k, e), vi_add(e, vi_set1(GC_P + 1)));
        wg = vadd(vasflt(vi_add(bits, vi_sll(vi_sub(vi_set1(GC_BIAS + GC_P - 2), kk), GC_P - 1))),
                  grid);
    } else {
        VI kc = vi_min(vi_max(k, vi_set1(GC_BIAS / 2)), vi_set1(2 * GC_BIAS + GC_P - 3));
        VT scale = vasflt(vi_sll(vi_sub(vi_set1(2 * GC_BIAS + GC_P - 2), kc), GC_P - 1));
        wg = vfma(vasflt(bits), scale, grid);
    }
    VI n = vi_sub(vasint(wg), vasint(grid));
    VT sub = vasflt(vi_or(n, FN(sign_bits)(v)));
    /* a vector of subnormal results alone (the deep tail) skips the blend, 3 uops */
    VT r = vany(normal) ? vsel(normal, fast, sub) : sub;
    /* v subnormal (e = 0) with k > 0 (k < 2^13 always): only a backward product with
     * |dy| below about 2^-100 gets here, so this recipe has a branch of its own, and
     * only the backward kernels test for it. A forward kernel's v is its own function
     * value, which is at least ~2^-30 wherever k > 0: k > 0 needs exp(-t^2/2) or
     * exp(-|z|) below 2^-1/16, i.e. |x| > 0.025, where |x sigma(z)| > 0.01, E*R > 0.02
     * and t*E*R > 0.005, and beside the derivatives' zeros x0 the floats nearest x0
     * give |f'| >= 2^-28.4 (float64: 2^-57.1; mpmath, for all four derivatives): the
     * double-word value cancels to the distance x - x0, not to 0. Checked for
     * float32: all 2^32 inputs of the nine forward kernels give the same bits with
     * and without this branch; the oracle tests of the 32 floats either side of each
     * zero would see a float64 lane that broke it (its result would be garbage).
     * The other lanes multiply +0, not v: a subnormal product in any lane costs the
     * assist. */
    if (product) {
        VM tiny = vi_gt(k, vi_sll(e, 13));
        if (vany(tiny))
            r = vsel(tiny, vmul(vkeep(tiny, v), FN(pow2neg)(vi_min(k, vi_set1(GC_BIAS - 1)))), r);
    }
    return r;
}

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

/* A piecewise polynomial table (R or D) at t in [0, TCLAMP]. The piece comes from the
 * exponent and top bits of t + 1; inside it f(c + u) = c0 + u*(c1 + u*(c2 + ...)).
 * c2.. are summed in working precision; the last two steps are double-word, so the
 * working-precision part only contributes ~kappa2 * 2^-p with kappa2 < 0.08 (the fit
 * script prints it per piece). A table without a zero (`has_zero` = 0: R) is centred
 * on its pieces' midpoints, which are working-precision numbers (centre lo = 0, the
 * fit script asserts it), and takes the shorter double-word form for the c0 step too,
 * which needs |u*v1| <= |c0|/2; D's pieces around its zero satisfy neither. */
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


/* A function's value past its clamps, from x's sign alone. The functions that tend
 * to x (`to_x`: x*Phi(x), x*sigma(z)) give x, or +0 for negative x (their kernels OR
 * x's sign into every result, which makes it -0); adding x's signed zero changes no
 * number but quiets a NaN, as every IEEE operation must, so their NaN lanes (big
 * lanes too, see gelu_family) need no select of their own. A constant zero would not
 * do: compilers fold l + (-0.0) to l, since they assume that no NaN is signaling. The
 * other functions tend to 1, or to +0 (Phi) or -0 (the derivatives, `neg_zero`) for
 * negative x; their kernels select x + (+0) for NaN x. Integer ops and one add: minps
 * and maxps would raise the invalid flag on a quiet NaN (np.add does not), and the FP
 * ports are the busy ones. */
static GC_ALWAYS_INLINE VT FN(limit)(VT x, VM neg, int to_x, int neg_zero)
{
    const VI sign = FN(sign_bits)(x);
    if (to_x)
        return vadd(vasflt(vi_keep_not(neg, vasint(x))), vasflt(sign));
    VI l = vi_keep_not(neg, vasint(vset1(1)));
    return vasflt(neg_zero ? vi_or(l, sign) : l);
}

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
     * or (0, -1), so that no select is needed (two blends are six uops). Beyond
     * 2^-(2p+4) the term no longer changes the rounded result, so one factor
     * sc = 2^-min(nneg, 2p+4) (always normal) does; s is built from its bits, with
     * neg's sign. The fast two-sum of a and -s*pm.hi with the products fused into it
     * (exact: s is a power of two): for x > 0, r.hi = fl(1 - y) >= 1/2 since y <= 1/2,
     * so 1 - r.hi is exact (Sterbenz) and so is the fnma that adds -y to it, whose
     * true result, the rounding error of r.hi, is representable; for x < 0 every step
     * is exact and gives pm itself. */
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
     * sw is a power of two); d.hi is in [1, 2], so d.hi - 1 is exact (Sterbenz) and so
     * is the fma that takes it from w.hi (its true result, the rounding error of
     * d.hi, is representable). Same bits, four ops where six were. */
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
        /* 1 - s = sigma(-z): unscaled value needed here. Its scaled low word is not
         * used where z < 0, and does not count where sigma(-z) < 2^-(p+20) (then
         * |q| < 2^-(p+6) and its low word is below 2^-2p of g), and +0 goes in its
         * place there: rb.lo can be tiny (ra.hi = 1 exactly leaves rb.lo ~ e.m.lo),
         * and a subnormal product in any lane costs the microcode assist. */
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

/* The single rounding of a forward result: fl((m.hi * f + m.lo) * 2^-nneg), or the
 * limit. m.hi * f + m.lo is rounded to working precision first; when the result is
 * subnormal that first rounding costs at most 2^-(p+1) * 2^emin < 1/4 ulp of the
 * second one. With f = 1 the fma is the plain sum, bit for bit. Lanes past the clamps
 * (and NaN) are rare in real data, so the limit and its blend sit behind a branch that
 * the common vector does not take (the compiler sinks the limit's ops into it). */
static GC_ALWAYS_INLINE VT FN(round_pre)(VALUE r)
{
    VT y = FN(scale_round)(vfma(r.m.hi, r.f, r.m.lo), r.nneg, 0);
    return vany(r.big) ? vsel(r.big, r.lim, y) : y;
}

/* dy * f'(x) in the lanes past the clamp, +0 in the others (which must raise no flag:
 * dy = inf times a -0 limit there was a spurious "invalid"). lim is 1 or +-0 there,
 * and +-0 stands for an f'(x) that is not zero but too small to matter for any finite
 * dy (the backward clamps TBACK, ZBACK sit where |dy f'(x)| is below half the least
 * subnormal even for the largest finite dy, so dy * +-0 is the rounded product).
 * So dy = +-inf with x finite gives +-inf of the product's sign, as dy times the true
 * f'(x) does: the limit becomes 1 with its sign. x = -inf (f' = 0 exactly) keeps
 * inf * 0 = NaN, "invalid" as IEEE has it. Taken only when some lane is big. */
static GC_ALWAYS_INLINE VT FN(big_times)(VALUE r, VT dy, VT x)
{
    VT d = vkeep(r.big, dy);
    /* unordered (NaN dy) too: NaN * (lim | 1) keeps dy's payload. An infinite or NaN
     * dy is rare in real data (and in the deep tail and huge inputs, whose vectors
     * are all big): its fix-up is a branch of its own. */
    VM inf_dy = vgt_un(vabs(d), vset1(GC_IS_F32 ? 0x1.fffffep127 : 0x1.fffffffffffffp1023));
    if (!vany(inf_dy))
        return vmul(d, r.lim);
    VM finite_x = vlt(vabs(x), vset1(HUGE_VAL));
    VI one = vi_keep(finite_x, vi_keep(inf_dy, vasint(vset1(1))));
    return vmul(d, vasflt(vi_or(vasint(r.lim), one)));
}

/* dy * f'(x), rounded once where it matters. Up to 2^-16 of the scale goes on m first
 * (2^-6 <= m < 2^13 wherever nneg is large: the sigmoid forms' m reaches |x z'| in
 * the tail. So m*2^-k1 stays normal and exact, and dy*m*2^-16 cannot overflow
 * unless the result does); dy*m is then formed with one rounding, and the rest of
 * the scale is rounded once more only when the result lies below the normal range
 * (< 1/4 ulp there). Big lanes compute with dy = 0 (no overflow from m at the clamp)
 * and take FN(big_times).
 * m.hi alone does not carry the sign of m: beside a derivative's zero the
 * cancellation in D's last step (c0 + u v1) or in the sigmoid forms' 1 + q can leave
 * m.hi = +0 with the whole value in m.lo (one float per function and dtype), or m.hi
 * a unit of the cancelled terms with a larger m.lo of the other sign. fl(m.hi + m.lo)
 * does: it is 0 only where m is. So
 *   - the product is formed with a finite dy (dyf: +0 for dy = +-inf or NaN), which
 *     cannot meet m.hi = 0 as inf * 0;
 *   - sp = dy * fl(m.hi + m.lo) * 2^-k1 has the result's sign, and for dy = +-inf or
 *     NaN it is the result (+-inf of the right sign, or dy's NaN), selected in;
 *   - a zero product must have the sign of dy * f'(x), as IEEE multiplication gives it
 *     (dy = -0, or dy = 0 where f' < 0), but the fma's sum of two zeros of opposite
 *     signs is +0: sp's sign is OR-ed in, which changes no nonzero result. */
static GC_ALWAYS_INLINE VT FN(round_pre_times)(VALUE r, VT dy, VT x)
{
    VI k1 = vi_min(r.nneg, vi_set1(16));
    VT s1 = FN(pow2neg)(k1);
    VT dyb = vkeep_not(r.big, dy);
    VM finite = vlt(vabs(dyb), vset1(HUGE_VAL));
    VT dyf = vkeep(finite, dyb);
    VT y = vfma(dyf, vmul(r.m.hi, s1), vmul(dyf, vmul(r.m.lo, s1)));
    VT sp = vmul(dyb, vmul(vadd(r.m.hi, r.m.lo), s1));
    y = vasflt(vi_or(vasint(y), FN(sign_bits)(sp)));
    y = vsel(finite, y, sp);
    y = FN(scale_round)(y, vi_sub(r.nneg, k1), 1);
    return vany(r.big) ? vsel(r.big, FN(big_times)(r, dy, x), y) : y;
}

/* ---- the public kernels: one vector in, one vector out ---- */

/* The functions with f(+-0) = +-0 (x*Phi(x), x*sigma(z)) have results with x's sign
 * everywhere, their tails that round to zero included, so x's sign bit is OR-ed into
 * the result: that makes f(-0) = -0 and the tails -0, where the double-word sum
 * would give +0, and changes no other result. Their NaN lanes come through the limit
 * (FN(limit)), quieted and with x's sign. Two integer ops where a compare, an add and
 * a blend (five uops) picked x + x. The other forward functions pass NaN through as
 * x + (+0) (a quiet NaN, payload kept, as any IEEE operation gives; a signaling one
 * raises "invalid"). The add runs in every lane of a SIMD layer, so it must not be
 * x + x: that overflowed for |x| > max/2 and raised a spurious "overflow" (NumPy's
 * RuntimeWarning for norm_cdf(2e38) on the AVX2 path). x + (+0) is exact for every
 * other x, and no compiler may fold it to x (-0 + +0 is +0). */
#define GC_QUIET(x) vadd((x), vset1(0))
#define GC_FORWARD(name, call, sign_of_x)                                      \
    static GC_ALWAYS_INLINE VT FN(k_##name)(VT x)                              \
    {                                                                          \
        VT y = FN(round_pre)(call);                                            \
        if (sign_of_x)                                                         \
            return vasflt(vi_or(vasint(y), FN(sign_bits)(x)));             \
        return vsel(visnan(x), GC_QUIET(x), y);                                \
    }
/* A NaN x gives x's quiet NaN, whatever dy is; a signaling dy must still raise
 * "invalid", as any IEEE operation on it does. A SIMD layer computes every lane of
 * round_pre_times, where a NaN x lane is big and dy meets the limit in a product
 * (FN(big_times)), but the one-lane layer's select evaluates only the side it
 * returns. There the quieting add takes 0 or 1 from a quiet compare of dy, which
 * raises "invalid" for a signaling NaN and for nothing else; x + (0 | 1) is still
 * x's quiet NaN (only one operand is a NaN, so no layer chooses between payloads). */
#define GC_BACKWARD(name, call)                                                \
    static GC_ALWAYS_INLINE VT FN(k_##name)(VT dy, VT x)                       \
    {                                                                          \
        VT q = GC_LAZY_SELECT ? vadd(x, vkeep(vlt(dy, vset1(0)), vset1(1)))    \
                              : GC_QUIET(x);                                   \
        return vsel(visnan(x), q, FN(round_pre_times)(call, dy, x));           \
    }

GC_FORWARD(norm_cdf, FN(gelu_family)(x, GC_PHI, 0), 0)
GC_FORWARD(gelu, FN(gelu_family)(x, GC_GELU, 0), 1)
GC_FORWARD(gelu_grad, FN(gelu_family)(x, GC_GELU_GRAD, 0), 0)
GC_FORWARD(gelu_tanh, FN(sigmoid_family)(x, GC_TANH, 0, 0), 1)
GC_FORWARD(gelu_tanh_grad, FN(sigmoid_family)(x, GC_TANH, 1, 0), 0)
GC_FORWARD(gelu_sigmoid, FN(sigmoid_family)(x, GC_SIGMOID, 0, 0), 1)
GC_FORWARD(gelu_sigmoid_grad, FN(sigmoid_family)(x, GC_SIGMOID, 1, 0), 0)
GC_FORWARD(silu, FN(sigmoid_family)(x, GC_SILU, 0, 0), 1)
GC_FORWARD(silu_grad, FN(sigmoid_family)(x, GC_SILU, 1, 0), 0)
GC_BACKWARD(gelu_backward, FN(gelu_family)(x, GC_GELU_GRAD, 1))
GC_BACKWARD(gelu_tanh_backward, FN(sigmoid_family)(x, GC_TANH, 1, 1))
GC_BACKWARD(gelu_sigmoid_backward, FN(sigmoid_family)(x, GC_SIGMOID, 1, 1))
GC_BACKWARD(silu_backward, FN(sigmoid_family)(x, GC_SILU, 1, 1))

#undef GC_FORWARD
#undef GC_BACKWARD
#undef GC_QUIET
#undef SCALED
#undef VALUE
#undef K
