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
#include <math.h>
#include <stdint.h>
#include <string.h>

static long gc_subnormal_ops;
static GC_T gc_chk(GC_T v)
{
    if (fpclassify(v) == FP_SUBNORMAL)
        gc_subnormal_ops++;
    return v;
}
static GC_T gc_sel(int m, GC_T a, GC_T b) { return m ? a : b; }

#define VT GC_T
#define VM int
#define GC_LANES 1
#if GC_IS_F32
#define VI uint32_t
#define vfma(a, b, c) gc_chk(fmaf((a), (b), (c)))
#define vabs(a) fabsf(a)
#else
#define VI uint64_t
#define vfma(a, b, c) gc_chk(fma((a), (b), (c)))
#define vabs(a) fabs(a)
#endif
#define vset1(c) ((VT)(c))
#define vadd(a, b) gc_chk((a) + (b))
#define vsub(a, b) gc_chk((a) - (b))
#define vmul(a, b) gc_chk((a) * (b))
#define vdiv(a, b) gc_chk((a) / (b))
#define vneg(a) (-(a))
#define vlt(a, b) isless((a), (b))
#define vgt(a, b) isgreater((a), (b))
#define veq(a, b) ((a) == (b))
#define visnan(a) isnan(a)
#define vmor(m1, m2) ((m1) | (m2))
#define vsel(m, a, b) gc_sel((m), (a), (b))
#define vkeep(m, a) ((m) ? (a) : (VT)0)
#define vkeep_not(m, a) ((m) ? (VT)0 : (a))
#define vmin(a, b) (isless((a), (b)) ? (a) : (b))
#define vmax(a, b) (isgreater((a), (b)) ? (a) : (b))
static inline VI gc_asint(VT a) { VI i; memcpy(&i, &a, sizeof i); return i; }
static inline VT gc_asflt(VI i) { VT a; memcpy(&a, &i, sizeof a); return a; }
#define vasint(a) gc_asint(a)
#define vasflt(i) gc_asflt(i)
#define vi_set1(c) ((VI)(c))
#define vi_add(a, b) ((VI)((a) + (b)))
#define vi_sub(a, b) ((VI)((a) - (b)))
#define vi_and(a, b) ((a) & (b))
#define vi_srl(a, n) ((VI)((a) >> (n)))
#define vi_sll(a, n) ((VI)((a) << (n)))
#define vi_min(a, b) ((a) < (b) ? (a) : (b))
#define vi_max(a, b) ((a) > (b) ? (a) : (b))
#define vi_gt(a, b) ((a) > (b))
#define vi_or(a, b) ((a) | (b))
#define vi_keep(m, a) ((m) ? (a) : (VI)0)
#define vi_keep_not(m, a) ((m) ? (VI)0 : (a))
#define vall(m) ((void)(m), 0)
#define vany(m) ((void)(m), 1)
#define vi_sel(m, a, b) ((m) ? (a) : (b))
#define vlookup(row, idx) ((row)[(idx)])
