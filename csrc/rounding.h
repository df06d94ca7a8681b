/* From an unrounded value to the result: the single final rounding.
 * Method: a function's value is kept as a double-word m and a power of two 2^-nneg
 * held as an integer (VALUE); it is rounded once, out = fl(fl(m.hi*f + m.lo) * 2^-nneg)
 * (forward), or dy * m * 2^-nneg the same way (backward), the scaling done on the
 * exponent field (scale_round), with no FP operation reading or returning a subnormal
 * on the way; inputs past the clamps (and NaN) take the function's limit by one select.
 * Error budget: the final rounding's 1/2 ulp, plus < 1/4 ulp (of the final result)
 * from the first rounding when the result is subnormal; the inner roundings of the
 * fused last product are 2^-2p relative.
 * See docs/design.md, "The final rounding (rounding.h)". */

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
 * zero or subnormal. No floating-point operation on this path reads or returns a
 * subnormal unless v itself is one (on Intel cores every instruction that returns a
 * subnormal takes a microcode assist), so results below the normal range cost no more
 * than normal ones. Three recipes, picked per vector, each giving the bits of
 * fl(v * 2^-k): normal result (k off the exponent field), subnormal result (w + 2^(p-1)
 * rounds w, the result in units of the least subnormal, to its integer bit pattern),
 * v subnormal (the multiply).
 * `blend` computes both of the first two recipes and blends them, without the branches
 * on which one a vector needs: for the fast tier's rare vectors, which mix normal and
 * subnormal results at random (a mispredicted branch there cost 40% of the time).
 * See docs/design.md, "scale_round: three recipes". */
static GC_ALWAYS_INLINE VT FN(scale_round)(VT v, VI k, int product, int blend)
{
    VI bits = vasint(vabs(v));
    VI e = vi_srl(bits, GC_P - 1);
    const VI emax = vi_set1(2 * GC_BIAS + 1);
    /* inf/NaN, and v = 0 (dy = 0 in a backward product): k = 0 passes v through */
    if (product)
        k = vi_keep(vi_gt(emax, e), vi_keep(vi_gt(bits, vi_set1(0)), k));
    /* e = 0 with k = 0 (v = 0 unscaled) is exact on the fast recipe too */
    VM normal = vi_gt(vi_max(e, vi_set1(1)), k);
    /* normal result: k comes off the exponent field; exact, as the multiply would be */
    VT fast = vasflt(vi_sub(vasint(v), vi_sll(k, GC_P - 1)));
    if (!blend && vall(normal))
        return fast;
    const VT grid = vset1(GC_IS_F32 ? 0x1p23 : 0x1p52);
    VT wg;                                          /* w + 2^(p-1), rounded */
    if (product) {
        /* backward (v spans every exponent): k clamped to [e, e+p+1] and w formed on
         * the exponent field, which keeps w a normal number below 2^(p-1) */
        VI kk = vi_min(vi_max(k, e), vi_add(e, vi_set1(GC_P + 1)));
        wg = vadd(vasflt(vi_add(bits, vi_sll(vi_sub(vi_set1(GC_BIAS + GC_P - 2), kk), GC_P - 1))),
                  grid);
    } else {
        /* forward: one fma(|v|, 2^(bias+p-2-kc), 2^(p-1)), the product exact inside
         * it, kc = k clamped so that the factor is normal */
        VI kc = vi_min(vi_max(k, vi_set1(GC_BIAS / 2)), vi_set1(2 * GC_BIAS + GC_P - 3));
        VT scale = vasflt(vi_sll(vi_sub(vi_set1(2 * GC_BIAS + GC_P - 2), kc), GC_P - 1));
        /* blended, the lanes with normal results (whose |v| 2^(bias+p-2-kc) may
         * overflow: the sigmoid forward's v reaches 2^70 at k = 64) take 0 */
        wg = vfma(vasflt(blend ? vi_keep_not(normal, bits) : bits), scale, grid);
    }
    VI n = vi_sub(vasint(wg), vasint(grid));
    VT sub = vasflt(vi_or(n, FN(sign_bits)(v)));
    /* a vector of subnormal results alone (the deep tail) skips the blend, 3 uops */
    VT r = blend || vany(normal) ? vsel(normal, fast, sub) : sub;
    /* v subnormal (e = 0) with k > 0 (k < 2^13 always): only a backward product with
     * |dy| below about 2^-100 gets here, so this recipe has a branch of its own, and
     * only the backward kernels test for it (a forward kernel's v never is: see
     * docs/design.md, "scale_round: three recipes"). The other lanes multiply +0, not
     * v: a subnormal product in any lane costs the assist. */
    if (product) {
        VM tiny = vi_gt(k, vi_sll(e, 13));
        if (vany(tiny))
            r = vsel(tiny, vmul(vkeep(tiny, v), FN(pow2neg)(vi_min(k, vi_set1(GC_BIAS - 1)))), r);
    }
    return r;
}

/* A function value before its final rounding: (m.hi * f + m.lo) * 2^-nneg, or `lim`
 * where `big` (inputs past the clamp, where the function sits at its limit). f is x
 * for the forward functions x*g(x), whose last product is thus fused into the
 * rounding; f is 1 elsewhere, and the backward kernels use m alone. For big lanes m is
 * a finite, normal value (at x = 0) and nneg is 0.
 * See docs/design.md, "VALUE: the forward value fused into the rounding". */
typedef struct { DW m; VT f; VI nneg; VM big; VT lim; } FN(value);
#define VALUE FN(value)

/* A function's value past its clamps, from x's sign alone. The functions that tend
 * to x (`to_x`: x*Phi(x), x*sigma(z)) give x, or +0 for negative x (their kernels OR
 * x's sign into every result, which makes it -0); the others tend to 1, or to +0 (Phi)
 * or -0 (the derivatives, `neg_zero`) for negative x. Integer ops and one add (why,
 * and how NaN lanes pass: docs/design.md, "Limits past the clamps"). */
static GC_ALWAYS_INLINE VT FN(limit)(VT x, VM neg, int to_x, int neg_zero)
{
    const VI sign = FN(sign_bits)(x);
    /* adding x's signed zero changes no number but quiets a NaN (a constant -0.0
     * would be folded away) */
    if (to_x)
        return vadd(vasflt(vi_keep_not(neg, vasint(x))), vasflt(sign));
    VI l = vi_keep_not(neg, vasint(vset1(1)));
    return vasflt(neg_zero ? vi_or(l, sign) : l);
}

/* The single rounding of a forward result: fl((m.hi * f + m.lo) * 2^-nneg), or the
 * limit. m.hi * f + m.lo is rounded to working precision first; when the result is
 * subnormal that first rounding costs at most 2^-(p+1) * 2^emin < 1/4 ulp of the
 * second one. With f = 1 the fma is the plain sum, bit for bit. Lanes past the clamps
 * (and NaN) are rare in real data, so the limit and its blend sit behind a branch that
 * the common vector does not take (the compiler sinks the limit's ops into it). */
static GC_ALWAYS_INLINE VT FN(round_pre)(VALUE r)
{
    VT y = FN(scale_round)(vfma(r.m.hi, r.f, r.m.lo), r.nneg, 0, 0);
    return vany(r.big) ? vsel(r.big, r.lim, y) : y;
}

/* dy * f'(x) in the lanes past the clamp, +0 in the others (which must raise no flag).
 * lim is 1 or +-0 there, +-0 standing for an f'(x) too small to matter for any finite
 * dy; dy = +-inf with x finite gives +-inf of the product's sign (the limit becomes 1
 * with its sign), x = -inf keeps inf * 0 = NaN. Taken only when some lane is big.
 * See docs/design.md, "Backward limits (big_times)". */
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

/* dy * f'(x), rounded once where it matters: up to 2^-16 of the scale goes on m first,
 * dy*m is formed with one rounding, and the rest of the scale is rounded once more only
 * when the result lies below the normal range (< 1/4 ulp there). Big lanes compute
 * with dy = 0 and take FN(big_times). The sign comes from fl(m.hi + m.lo), not m.hi.
 * See docs/design.md, "Backward rounding (round_pre_times)". */
static GC_ALWAYS_INLINE VT FN(round_pre_times)(VALUE r, VT dy, VT x)
{
    /* 2^-6 <= m < 2^13 wherever nneg is large, so m*2^-k1 stays normal and exact */
    VI k1 = vi_min(r.nneg, vi_set1(16));
    VT s1 = FN(pow2neg)(k1);
    VT dyb = vkeep_not(r.big, dy);
    /* the product is formed with a finite dy (+0 for dy = +-inf or NaN), which cannot
     * meet m.hi = 0 as inf * 0 */
    VM finite = vlt(vabs(dyb), vset1(HUGE_VAL));
    VT dyf = vkeep(finite, dyb);
    VT y = vfma(dyf, vmul(r.m.hi, s1), vmul(dyf, vmul(r.m.lo, s1)));
    /* sp = dy * fl(m.hi + m.lo) * 2^-k1 has the result's sign (m.hi alone may not) */
    VT sp = vmul(dyb, vmul(vadd(r.m.hi, r.m.lo), s1));
    /* a zero product takes sp's sign (the fma's sum of two opposite zeros is +0) */
    y = vasflt(vi_or(vasint(y), FN(sign_bits)(sp)));
    /* dy = +-inf or NaN: sp is the result */
    y = vsel(finite, y, sp);
    y = FN(scale_round)(y, vi_sub(r.nneg, k1), 1, 0);
    return vany(r.big) ? vsel(r.big, FN(big_times)(r, dy, x), y) : y;
}
