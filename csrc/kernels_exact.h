/* The public kernels, one vector in, one vector out: FN(k_<name>)(x) for each forward
 * function and FN(k_<name>)(dy, x) for each backward one, as gelu_c/registry.py lists
 * them (csrc/functions_generated.h).
 * Method: the family's unrounded VALUE (family_gelu.h, family_sigmoid.h), rounded once
 * (round_pre, round_pre_times: rounding.h); signs of zero and NaN inputs patched in
 * with integer ops and one select.
 * Error budget: the family's, plus the final rounding: within 1 ulp for the forward
 * functions, 2 ulp for the derivatives and the backward products (absolute beside a
 * derivative's zero). See docs/design.md, "The public kernels (kernels_exact.h)" and
 * "How the pieces combine". */

/* The functions with f(+-0) = +-0 (x*Phi(x), x*sigma(z)) have results with x's sign
 * everywhere, so x's sign bit is OR-ed into the result (f(-0) = -0, tails -0). The
 * other forward functions pass NaN through as x + (+0): not x + x, which overflows for
 * |x| > max/2 in the lanes that are not NaN, and not foldable to x (-0 + +0 is +0).
 * See docs/design.md, "The public kernels (kernels_exact.h)". */
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

/* one kernel per function of the registry (functions_generated.h) */
GELU_C_KERNELS(GC_FORWARD, GC_BACKWARD, GC_FAST_FORWARD, GC_FAST_BACKWARD)

#undef GC_FORWARD
#undef GC_BACKWARD
#undef GC_QUIET
