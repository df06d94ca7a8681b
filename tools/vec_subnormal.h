/* A checking instantiation of the vector layer (tools/subnormal_check.py): one lane,
 * and every floating-point operation whose result is subnormal is counted. On Intel
 * cores each such result costs a microcode assist of ~100 cycles for the whole vector,
 * so a kernel whose intermediates go subnormal runs many times slower on some inputs
 * although its results are right; this layer finds those operations.
 *
 * It evaluates what the SIMD paths evaluate, not what a scalar C compiler would:
 *   - vsel computes both arms (a blend does; C's ?: would skip one);
 *   - vall() is false and vany() true, so every recipe behind a per-vector branch
 *     runs, as it does for a lane whose neighbours send the vector there. */
#include "vec_scalar.h"

#ifndef GC_VEC_SUBNORMAL_ONCE   /* included once per dtype (float64 first) */
#define GC_VEC_SUBNORMAL_ONCE
static long gc_subnormal_ops;
#endif
static GC_T GC_CAT(gc_chk, GC_KEY)(GC_T v)
{
    if (fpclassify(v) == FP_SUBNORMAL)
        gc_subnormal_ops++;
    return v;
}
static GC_T GC_CAT(gc_sel, GC_KEY)(int m, GC_T a, GC_T b) { return m ? a : b; }
#define gc_chk GC_CAT(gc_chk, GC_KEY)
#define gc_sel GC_CAT(gc_sel, GC_KEY)

/* the scalar layer, with its rounding operations checked and its selects and
 * branches evaluated as a SIMD path evaluates them */
#undef vfma
#undef vfms
#undef vfnma
#undef vadd
#undef vsub
#undef vmul
#undef vdiv
#undef vsel
#undef GC_LAZY_SELECT
#define GC_LAZY_SELECT 0
#undef vall
#undef vany
#if GC_IS_F32
#define vfma(a, b, c) gc_chk(fmaf((a), (b), (c)))
#define vfms(a, b, c) gc_chk(fmaf((a), (b), -(c)))
#define vfnma(a, b, c) gc_chk(fmaf(-(a), (b), (c)))
#else
#define vfma(a, b, c) gc_chk(fma((a), (b), (c)))
#define vfms(a, b, c) gc_chk(fma((a), (b), -(c)))
#define vfnma(a, b, c) gc_chk(fma(-(a), (b), (c)))
#endif
#define vadd(a, b) gc_chk((a) + (b))
#define vsub(a, b) gc_chk((a) - (b))
#define vmul(a, b) gc_chk((a) * (b))
#define vdiv(a, b) gc_chk((a) / (b))
#define vsel(m, a, b) gc_sel((m), (a), (b))
#define vall(m) ((void)(m), 0)
#define vany(m) ((void)(m), 1)
