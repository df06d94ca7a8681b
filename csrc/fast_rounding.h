/* The fast tier's final rounding: a fast kernel rounds its common case itself, and
 * hands everything else to the exact tier's rounding of a VALUE (rounding.h).
 * Method: where every lane of a vector is ordinary (finite, not past the family's
 * fast bound, result normal) a fast kernel's result is one product by an exact power
 * of two, or one FMA, rounded once: nothing else to do. A vector with any other lane
 * computes the family's VALUE instead and takes the wrappers below, which are the
 * exact tier's (kernels_exact.h: round_pre or round_pre_times, then x's sign or NaN);
 * for the ordinary lanes of such a vector they give the same bits as the fast path
 * (the fast families are written so), so which path a lane took never shows.
 * Error budget: the fast path's one rounding (1/2 ulp); the VALUE path's, rounding.h's.
 * The wrappers GC_FAST_FORWARD / GC_FAST_BACKWARD make a public kernel FN(k_<name>) of a
 * fast kernel that returns the final result itself (a VT, not a VALUE).
 * See docs/design.md, "Fast tier: the GELU family". */

/* kernels_exact.h's GC_FORWARD body, for a fast kernel's VALUE path */
static GC_ALWAYS_INLINE VT FN(fast_round_value)(VALUE r, VT x, int sign_of_x)
{
    VT y = FN(round_pre)(r);
    if (sign_of_x)
        return vasflt(vi_or(vasint(y), FN(sign_bits)(x)));
    return vsel(visnan(x), vadd(x, vset1(0)), y);
}

/* A backward result y with NaN x patched in as kernels_exact.h's GC_BACKWARD does: x's
 * quiet NaN whatever dy is (why the one-lane layer quiets x with 0 or 1 from a compare
 * of dy: there) */
static GC_ALWAYS_INLINE VT FN(backward_nan_x)(VT y, VT dy, VT x)
{
    VT q = GC_LAZY_SELECT ? vadd(x, vkeep(vlt(dy, vset1(0)), vset1(1))) : vadd(x, vset1(0));
    return vsel(visnan(x), q, y);
}

/* kernels_exact.h's GC_BACKWARD body, for a fast kernel's VALUE path */
static GC_ALWAYS_INLINE VT FN(fast_round_value_times)(VALUE r, VT dy, VT x)
{
    return FN(backward_nan_x)(FN(round_pre_times)(r, dy, x), dy, x);
}

/* May a backward product p = fl(dy g + dy gl) (dy finite, g normal) stand as the
 * result? Yes unless some lane's p is zero or below the normal range: there the exact
 * tier's rounding forms the result (scale_round, no subnormal operation; the zero's
 * sign from dy times the value, where the fma's sum of two opposite zeros is +0) and
 * may round twice, and the fast path must give its bits. Nonzero normal p is
 * round_pre_times's result bit for bit; an overflow is its infinity too. A zero dy
 * thus takes the VALUE path (one compare cheaper than telling its zeros apart). */
static GC_ALWAYS_INLINE int FN(fast_product_ok)(VT p)
{
    return !vany(vlt(vabs(p), vset1(GC_IS_F32 ? 0x1p-126 : 0x1p-1022)));
}

/* A public kernel from a fast kernel that returns its final result (sign_of_x and
 * NaN are the fast kernel's business: its VALUE path goes through the functions
 * above) */
#define GC_FAST_FORWARD(name, call, sign_of_x)                                 \
    static GC_ALWAYS_INLINE VT FN(k_##name)(VT x)                              \
    {                                                                          \
        (void)(sign_of_x);                                                     \
        return call;                                                           \
    }
#define GC_FAST_BACKWARD(name, call)                                           \
    static GC_ALWAYS_INLINE VT FN(k_##name)(VT dy, VT x)                       \
    {                                                                          \
        return call;                                                           \
    }
