/* The fast tier's GELU family: Phi(x), GELU(x) = x*Phi(x), GELU'(x) and dy*GELU'(x)
 * within 4 ulp (GELU' absolute 4 ulp of 1/2 within 1e-3 of its zero, sign always right).
 * Method: with t = |x|, Phi(-t) = exp(-t^2/2) R(t) and GELU'(-t) = exp(-t^2/2) (t0 - t) S(t).
 * exp(-t^2/2) = 2^-k (1 + r V(r)): t^2 split exactly (h + l), one reduction
 * r = t^2 - k 2ln2 with l folded in, no table. R and S are one rational function each,
 * written so that the denominator reuses the numerator (R = G / (1 + t (C + beta G)),
 * S = G / (beta G + C)): the numerator's rounding errors recur in the denominator and
 * mostly cancel, where a plain P/Q loses ~6 ulp in its two Horner sums. The division's
 * own rounding is compensated (num/den = q + rho/den exactly, rho by an FMA), and
 * exp's factor enters as q + (q rV + rho/den), rounded once. For x > 0 the result is
 * 1 - Phi(-t), x - x Phi(-t) or 1 - GELU'(-t). The power of two stays an integer (k).
 * Two paths, picked per vector: where every |x| <= FG_TFAST (2^-k normal, every result
 * normal) the result is one product by 2^-k, or one FMA, rounded once
 * (`fast_gelu_kernel`, `fast_gelu_backward_kernel`). Otherwise a forward vector runs
 * the same core with t clamped and rounds y 2^-k with scale_round (rounding.h: subnormal
 * results on the exponent field), beside the limits, NaNs and signs
 * (`fast_gelu_kernel_rare`); a backward vector puts the unrounded value in a VALUE
 * (`fast_gelu_family`) for the exact tier's backward rounding (fast_rounding.h). Both
 * paths give the same bits for every lane the fast one takes.
 * Error budget (relative, u = 2^-p): fits R 2^-27.1, S 2^-28, E 2^-28 (float32; float64
 * 2^-57.8, 2^-55.7, 2^-57.6); the denominator's rounding ~1u, for Phi at large t its inner
 * sum's ~1u, the numerator's Horner errors damped to ~0.2u, the compensation term's
 * rounding < 0.4u; then the final rounding: max 2.87 ulp (Phi), 2.82 (GELU) over all
 * float32 inputs. See docs/design.md, "Fast tier: the GELU family"; the coefficients
 * come from tools/fit_fast_gelu.py (coeffs_fast_gelu_<key>.h). */

/* GC_FG_FAST_PATH 0 sends every vector down the VALUE path (a check that both paths give
 * the same bits; the build never sets it) */
#ifndef GC_FG_FAST_PATH
#define GC_FG_FAST_PATH 1
#endif

#define GC_FG_DEG(name) (GC_IS_F32 ? GELU_C_F32_FG_##name##_DEG : GELU_C_F64_FG_##name##_DEG)

/* c[0] + t*(c[1] + t*(... + t*c[deg])) */
static GC_ALWAYS_INLINE VT FN(fg_horner)(const GC_T *c, int deg, VT t)
{
    VT v = vset1(c[deg]);
    for (int i = deg - 1; i >= 0; i--)
        v = vfma(v, t, vset1(c[i]));
    return v;
}

/* The family's common part, for 0 <= t <= TBACK: the unscaled value as q + c
 * (Phi(-t) = (q + c) 2^-k) or d q + c (GELU'(-t) = (d q + c) 2^-k), q the rational
 * function's rounded quotient, d = t0_hi - t, c the rest (|c| < |q|/2, or |d q|/2), to be
 * summed in the kernel's last rounding; and sh, exp's magic-number sum, whose low bits
 * hold bias - k. */
typedef struct { VT q, c, d, sh; } FN(fg_core);

/* The same polynomial as fg_horner, c[0] + t P(t), with P's terms summed in pairs
 * c[i] + c[i+1] t by a Horner sum in t2 = t^2: the same operation count and a shorter
 * latency to the division (these kernels are latency-bound: docs/performance.md).
 * c[0] stays outside, added by the last rounding as in Horner's form: at small t,
 * where c[0] is most of the value, a pair there would round it twice (+0.5 ulp). */
static GC_ALWAYS_INLINE VT FN(fg_pairs)(const GC_T *c, int deg, VT t, VT t2)
{
    const GC_T *d = c + 1;      /* P's coefficients, degree deg - 1 */
    int n = deg - 1;
    VT v = n % 2 ? vfma(vset1(d[n]), t, vset1(d[n - 1])) : vset1(d[n]);
    for (int i = n / 2 - 1; i >= 0; i--)
        v = vfma(v, t2, vfma(vset1(d[2 * i + 1]), t, vset1(d[2 * i])));
    return vfma(v, t, vset1(c[0]));
}

static GC_ALWAYS_INLINE FN(fg_core) FN(fast_gelu_core)(VT t, int grad)
{
    const VT magic = vset1(K(FG_MAGIC));
    /* t^2 = h + l exactly; the guard (2^-50, float64 2^-500) keeps l normal or zero for
     * tiny t (no subnormal intermediate) and moves exp's argument by nothing that counts */
    VT h = vfma(t, t, vset1(K(FG_GUARD)));
    VT l = vfms(t, t, h);
    /* k = round(h / (2 ln2)) in the low bits of sh (one fused rounding); kf = -k */
    VT sh = vfma(h, vset1(K(FG_INV_C)), magic);
    VT kf = vsub(sh, magic);
    /* r = t^2 - k*2ln2: h - k*C_HI is exact (the product inside the FMA is, and the
     * difference is a multiple of ulp(C_HI)/2 below 1 in magnitude); l - k*C_LO and
     * its sum with it are rounded once each, |r| <= ln2 + 2^-17 */
    VT r = vadd(vfma(kf, vset1(K(FG_C_HI)), h), vfma(kf, vset1(K(FG_C_LO)), l));
    /* exp(-r/2) - 1 = r V(r) */
    VT rv = vmul(r, FN(fg_horner)(K(FG_V), GC_FG_DEG(V), r));
    VT num, den;
    if (!grad) {
        /* R = G / (1 + t (C + beta G)): G's rounding errors recur in the denominator
         * (beta t G is most of it for large t) and cancel in the quotient */
        num = FN(fg_pairs)(K(FG_RG), GC_FG_DEG(RG), t, h);
        den = vfma(t, vfma(num, vset1(K(FG_RBETA)), FN(fg_pairs)(K(FG_RC), GC_FG_DEG(RC), t, h)),
                   vset1(1));
    } else {
        /* S = G / (beta G + C), |C| < den / 4: the same */
        num = FN(fg_pairs)(K(FG_SG), GC_FG_DEG(SG), t, h);
        den = vfma(num, vset1(K(FG_SBETA)), FN(fg_pairs)(K(FG_SC), GC_FG_DEG(SC), t, h));
    }
    FN(fg_core) cr;
    /* num/den = q + rho/den exactly (rho = num - q den is exact by the FMA), so
     * (num/den)(1 + rV) = q + (q rV + rho/den): the division's rounding is gone, and
     * exp's last rounding never happens */
    cr.q = vdiv(num, den);
    /* rho/den as rho (1/den): both divisions start together, off each other's path */
    cr.c = vfma(cr.q, rv, vmul(vfnma(cr.q, den, num), vdiv(vset1(1), den)));
    if (grad) {
        /* (t0 - t)(q + c) = d q + (d c + dl (q + c)), t0 - t = d + dl: d = t0_hi - t is
         * exact for t >= t0/2 (t0_hi has p - 12 bits), and below, where t < t0_hi, its
         * rounding error is (t0_hi - d) - t exactly (fast two-sum); so beside the zero
         * the value keeps its relative accuracy and sign, and t's rounding costs nothing */
        const VT t0hi = vset1(K(FG_T0_HI));
        cr.d = vsub(t0hi, t);
        VT dl = vadd(vsub(vsub(t0hi, cr.d), t), vset1(K(FG_T0_LO)));
        cr.c = vfma(cr.d, cr.c, vmul(dl, vadd(cr.q, cr.c)));
    }
    cr.sh = sh;
    return cr;
}

/* the core's unscaled value, rounded once */
static GC_ALWAYS_INLINE VT FN(fg_value)(FN(fg_core) c, int grad)
{
    return grad ? vfma(c.d, c.q, c.c) : vadd(c.q, c.c);
}

/* 2^-k from sh's low bits: a normal number for k <= bias - 1 (|x| <= FG_TFAST) */
static GC_ALWAYS_INLINE VT FN(fg_pow2)(VT sh)
{
    return vasflt(vi_sll(vasint(sh), GC_P - 1));
}

/* 2^-min(k, p + 5) from sh: beyond, 1 - y 2^-k rounds to 1 (and x - y 2^-k to x) and
 * y 2^-k is below 2^-(p+2) of the result either way, since |y| < 8 */
static GC_ALWAYS_INLINE VT FN(fg_pow2_capped)(VT sh)
{
    return FN(fg_pow2)(vmax(sh, vset1(K(FG_MAGIC) - (GC_P + 5))));
}

/* Phi(x), GELU(x) or GELU'(x), unrounded, as a VALUE (see rounding.h): every input,
 * the tails whose results are subnormal and the limits included; `wide` for the
 * backward function (clamp TBACK). For each lane the fast path takes, rounding this
 * VALUE gives the fast path's bits. */
static GC_ALWAYS_INLINE VALUE FN(fast_gelu_family)(VT x, int which, int wide)
{
    const VT one = vset1(1), zero = vset1(0);
    const VT tclamp = vset1(wide ? K(TBACK) : K(TCLAMP));
    /* NaN lanes join the big ones, and every big lane computes at t = 0 (as in
     * gelu_family) */
    VT t = vabs(x);
    VM neg = vlt(x, zero), pos = vgt(x, zero);
    VM big = vgt_un(t, tclamp);
    VT tc = vkeep_not(big, t);
    FN(fg_core) c = FN(fast_gelu_core)(tc, which == GC_GELU_GRAD);
    /* k, and for x > 0 the factor 2^-min(k, p + 5): beyond that 1 - y 2^-k (and
     * x - x y 2^-k) rounds to 1 (to x) either way, since |y| < 8 */
    VI k = vi_sub(vasint(vset1(K(FG_MAGIC))), vasint(c.sh));
    VT sc = FN(fg_pow2_capped)(c.sh);
    VT y, a = one;
    if (which == GC_GELU) {
        /* x (q + c), one rounding: -t Phi(-t) 2^k; x is 0 in big lanes (tc with x's sign) */
        a = vasflt(vi_or(vasint(tc), FN(sign_bits)(x)));
        y = vfma(a, c.q, vmul(a, c.c));
    } else {
        y = FN(fg_value)(c, which == GC_GELU_GRAD);
    }
    VALUE r;
    r.f = one;
    r.m.lo = zero;
    /* x > 0: 1 - y 2^-k (or x - y 2^-k); x <= 0: y 2^-k */
    r.m.hi = vsel(pos, vfnma(y, sc, a), y);
    if (wide) {
        /* the backward function: x > 0 as the double-word of fg_grad_dw */
        r.m.lo = vkeep(pos, vfnma(y, sc, vsub(one, r.m.hi)));
    }
    r.nneg = vi_keep_not(pos, k);
    r.big = big;
    r.lim = FN(limit)(x, neg, which == GC_GELU, which != GC_PHI);
    return r;
}

static GC_ALWAYS_INLINE VT FN(fast_gelu_kernel_rare)(VT x, int which);

/* A forward kernel's result: the fast path where every lane allows it, else the VALUE
 * rounded by the exact tier's wrapper (fast_rounding.h). */
static GC_ALWAYS_INLINE VT FN(fast_gelu_kernel)(VT x, int which)
{
    VT t = vabs(x);
    if (GC_FG_FAST_PATH && !vany(vgt_un(t, vset1(K(FG_TFAST))))) {
        FN(fg_core) c = FN(fast_gelu_core)(t, which == GC_GELU_GRAD);
        VT s = FN(fg_pow2)(c.sh), y, a = vset1(1);
        if (which == GC_GELU) {
            a = x;
            y = vfma(x, c.q, vmul(x, c.c));
        } else {
            y = FN(fg_value)(c, which == GC_GELU_GRAD);
        }
        /* x <= 0: y 2^-k (exact: the result is normal); x > 0: 1 - y 2^-k, x - y 2^-k */
        return vsel(vgt(x, vset1(0)), vfnma(y, s, a), vmul(y, s));
    }
    return FN(fast_gelu_kernel_rare)(x, which);
}

/* fast_gelu_kernel for a vector with a lane past FG_TFAST (or NaN): the VALUE path's
 * bits (fast_gelu_family, then round_pre) at ~35 operations more than the fast path
 * (the core once more, with t clamped), so that tails, subnormal results, NaN and huge
 * inputs cost about 1.5x what normal inputs do. x <= 0: fl(y 2^-k), one rounding, by
 * scale_round in its branch-free form (such vectors mix normal and subnormal results
 * at random); x > 0 is the fast path's 1 - y 2^-k with the capped factor, as in
 * fast_gelu_family; lanes past the clamp and NaN take the limit, as round_pre and
 * fast_round_value do. (A hardware multiply by 2^-64 into the subnormal range, in
 * place of scale_round, was slower here: this core charges subnormal results.) */
static GC_ALWAYS_INLINE VT FN(fast_gelu_kernel_rare)(VT x, int which)
{
    const VT zero = vset1(0);
    VT t = vabs(x);
    VM big = vgt_un(t, vset1(K(TCLAMP)));
    VT lim = FN(limit)(x, vlt(x, zero), which == GC_GELU, which != GC_PHI);
    if (which != GC_GELU)
        lim = vsel(visnan(x), vadd(x, zero), lim);
    if (vall(big))
        return which == GC_GELU ? vasflt(vi_or(vasint(lim), FN(sign_bits)(x))) : lim;
    VT tc = vkeep_not(big, t);
    FN(fg_core) c = FN(fast_gelu_core)(tc, which == GC_GELU_GRAD);
    VT y, a = vset1(1);
    if (which == GC_GELU) {
        a = vasflt(vi_or(vasint(tc), FN(sign_bits)(x)));
        y = vfma(a, c.q, vmul(a, c.c));
    } else {
        y = FN(fg_value)(c, which == GC_GELU_GRAD);
    }
    VM pos = vgt(x, zero);
    VI k = vi_keep_not(pos, vi_sub(vasint(vset1(K(FG_MAGIC))), vasint(c.sh)));
    VT r = FN(scale_round)(vsel(pos, vfnma(y, FN(fg_pow2_capped)(c.sh), a), y), k, 0, 1);
    r = vsel(big, lim, r);
    return which == GC_GELU ? vasflt(vi_or(vasint(r), FN(sign_bits)(x))) : r;
}

/* GELU'(x) for the backward product, as g + gl: x <= 0: y 2^-k (exact, gl = 0);
 * x > 0: 1 - y 2^-k as a double-word (the fnma's rounding error, exact: 1 - g is, by
 * Sterbenz, since g >= 1/2), so that dy (g + gl) is rounded once: GELU' is 1/2 at
 * x = 0, where a rounded g would cost dy * g a whole unit of relative error. sc, the
 * factor for x > 0, is 2^-min(k, p + 5) (there the low word is y 2^-k, which must stay
 * normal). */
typedef struct { VT g, gl; } FN(fg_grad);

static GC_ALWAYS_INLINE FN(fg_grad) FN(fg_grad_dw)(VT y, VT s, VT sc, VM pos)
{
    FN(fg_grad) r;
    VT gp = vfnma(y, sc, vset1(1));
    r.g = vsel(pos, gp, vmul(y, s));
    r.gl = vkeep(pos, vfnma(y, sc, vsub(vset1(1), gp)));
    return r;
}

static GC_ALWAYS_INLINE VT FN(fast_gelu_backward_rare)(VT dy, VT x);

/* dy * GELU'(x): dy (g + gl), the products' rounding fused as round_pre_times fuses
 * them (so the bits are its own), where every |x| allows the fast path, every dy is
 * finite and no product is zero or below the normal range; else the VALUE through the
 * exact tier's backward rounding. */
static GC_ALWAYS_INLINE VT FN(fast_gelu_backward_kernel)(VT dy, VT x)
{
    VT t = vabs(x);
    /* an infinite or NaN dy takes the VALUE path too (dy gl would be inf * 0) */
    VM slow = vmor(vgt_un(t, vset1(K(FG_TFAST))), vgt_un(vabs(dy), vset1(GC_MAX)));
    if (GC_FG_FAST_PATH && !vany(slow)) {
        FN(fg_core) c = FN(fast_gelu_core)(t, 1);
        FN(fg_grad) g = FN(fg_grad_dw)(FN(fg_value)(c, 1), FN(fg_pow2)(c.sh),
                                       FN(fg_pow2_capped)(c.sh), vgt(x, vset1(0)));
        VT p = vfma(dy, g.g, vmul(dy, g.gl));
        if (FN(fast_product_ok)(p))
            return p;
    }
    return FN(fast_gelu_backward_rare)(dy, x);
}

/* fast_gelu_backward_kernel for the other vectors */
static GC_ALWAYS_INLINE VT FN(fast_gelu_backward_rare)(VT dy, VT x)
{
    VT t = vabs(x);
    if (vall(vgt_un(t, vset1(K(TBACK))))) {
        /* every lane past the clamp or NaN: the VALUE path's bits (round_pre_times then
         * takes big_times in every lane) without its value */
        VALUE r;
        r.big = vgt_un(t, vset1(K(TBACK)));
        r.lim = FN(limit)(x, vlt(x, vset1(0)), 0, 1);
        VT q = GC_LAZY_SELECT ? vadd(x, vkeep(vlt(dy, vset1(0)), vset1(1))) : vadd(x, vset1(0));
        return vsel(visnan(x), q, FN(big_times)(r, dy, x));
    }
    return FN(fast_round_value_times)(FN(fast_gelu_family)(x, GC_GELU_GRAD, 1), dy, x);
}

#undef GC_FG_DEG
