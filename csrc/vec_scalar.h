/* The vector layer, scalar instantiation: a "vector" is one float or double.
 *
 * Include after defining GC_T (float or double). The kernels (kernels.h) are
 * written only in terms of the macros below; vec_avx2.h defines the same names over
 * __m256/__m256d, so both paths run the same sequence of IEEE operations and return
 * the same bits. Rules that keep it so:
 *   - every fused multiply-add is an explicit vfma (the build uses -ffp-contract=off);
 *   - comparisons are the quiet C99 macros (no FE_INVALID on NaN), and min/max/select
 *     follow x86's minps/maxps operand order, so signed zeros agree too;
 *   - no libm call other than fma/fabs, which are exact (on aarch64 the fused operations
 *     are the hardware instructions, below).
 * Include vec_undef.h to instantiate another type in the same file. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#define VT GC_T
#define VM int
#define GC_LANES 1
/* vsel is C's ?:, which evaluates only the operand it returns, so operations (and the
 * floating-point flags they raise) in the other one do not happen; a SIMD layer's blend
 * computes both. Kernels read this where a flag must not depend on it. */
#define GC_LAZY_SELECT 1

#if defined(__aarch64__) && defined(__GNUC__) && !defined(GC_SCALAR_FMA_ASM)
/* aarch64 (FMA in the baseline): each fused operation is one instruction, written as asm so
 * that the compiler cannot fold a negation of its result into it. GCC turns -fma(a, b, c)
 * into fnmadd, which is fma(-a, b, -c): for an exact zero sum that is +0 where the
 * negation gives -0 (the kernels negate fma results: dw_mul_dw then vneg), and float64
 * gelu_general_grad(2^-1022, 0, 1)'s d/dsigma came out +0 instead of x86's (and IEEE's)
 * -0. Each instruction computes exactly the C expression beside it (the Arm ARM defines
 * them by negating operands, not the result). tools/arm_check.sh checks the bits. */
#define GC_SCALAR_FMA_ASM 1
#define GC_FMA_ASM(name, insn, T, r)                                                   \
    static GC_ALWAYS_INLINE T name(T a, T b, T c)                                      \
    {                                                                                  \
        T d;                                                                           \
        __asm__(insn " %" r "0, %" r "1, %" r "2, %" r "3" : "=w"(d) : "w"(a), "w"(b), "w"(c)); \
        return d;                                                                      \
    }
GC_FMA_ASM(gc_fmadd_f64, "fmadd", double, "d")      /* a*b + c  = fma(a, b, c) */
GC_FMA_ASM(gc_fnmsub_f64, "fnmsub", double, "d")    /* a*b - c  = fma(a, b, -c) */
GC_FMA_ASM(gc_fmsub_f64, "fmsub", double, "d")      /* c - a*b  = fma(-a, b, c) */
GC_FMA_ASM(gc_fmadd_f32, "fmadd", float, "s")
GC_FMA_ASM(gc_fnmsub_f32, "fnmsub", float, "s")
GC_FMA_ASM(gc_fmsub_f32, "fmsub", float, "s")
#undef GC_FMA_ASM
#endif

#if GC_IS_F32
#define VI uint32_t
#if defined(GC_SCALAR_FMA_ASM)
#define vfma(a, b, c) gc_fmadd_f32((a), (b), (c))
#define vfms(a, b, c) gc_fnmsub_f32((a), (b), (c))
#define vfnma(a, b, c) gc_fmsub_f32((a), (b), (c))
#else
#define vfma(a, b, c) fmaf((a), (b), (c))
#define vfms(a, b, c) fmaf((a), (b), -(c))
#define vfnma(a, b, c) fmaf(-(a), (b), (c))
#endif
#define vabs(a) fabsf(a)
#else
#define VI uint64_t
#if defined(GC_SCALAR_FMA_ASM)
#define vfma(a, b, c) gc_fmadd_f64((a), (b), (c))
#define vfms(a, b, c) gc_fnmsub_f64((a), (b), (c))
#define vfnma(a, b, c) gc_fmsub_f64((a), (b), (c))
#else
#define vfma(a, b, c) fma((a), (b), (c))
#define vfms(a, b, c) fma((a), (b), -(c))
#define vfnma(a, b, c) fma(-(a), (b), (c))
#endif
#define vabs(a) fabs(a)
#endif

#define vset1(c) ((VT)(c))
#define vadd(a, b) ((a) + (b))
#define vsub(a, b) ((a) - (b))
#define vmul(a, b) ((a) * (b))
#define vdiv(a, b) ((a) / (b))
#define vneg(a) (-(a))
#define vlt(a, b) isless((a), (b))
#define vgt(a, b) isgreater((a), (b))
#define vgt_un(a, b) (!islessequal((a), (b)))   /* greater or unordered */
#define visnan(a) isnan(a)
#define vmor(m1, m2) ((m1) | (m2))
#define vmand(m1, m2) ((m1) & (m2))
#define vsel(m, a, b) ((m) ? (a) : (b))
/* select by the sign bit of s (a where it is set): AVX2's blendv reads nothing else */
#define vsel_sign(s, a, b) (signbit(s) ? (a) : (b))
#define vkeep(m, a) ((m) ? (a) : (VT)0)   /* +0 where m is clear */
#define vkeep_not(m, a) ((m) ? (VT)0 : (a))
#define vmin(a, b) (vlt((a), (b)) ? (a) : (b))
#define vmax(a, b) (vgt((a), (b)) ? (a) : (b))

static GC_ALWAYS_INLINE VI GC_CAT(gc_asint, GC_KEY)(VT a) { VI i; memcpy(&i, &a, sizeof i); return i; }
static GC_ALWAYS_INLINE VT GC_CAT(gc_asflt, GC_KEY)(VI i) { VT a; memcpy(&a, &i, sizeof a); return a; }
#define vasint(a) GC_CAT(gc_asint, GC_KEY)(a)
#define vasflt(i) GC_CAT(gc_asflt, GC_KEY)(i)
#define vi_set1(c) ((VI)(c))
#define vi_add(a, b) ((VI)((a) + (b)))
#define vi_sub(a, b) ((VI)((a) - (b)))
#define vi_and(a, b) ((a) & (b))
#define vi_srl(a, n) ((VI)((a) >> (n)))
#define vi_sll(a, n) ((VI)((a) << (n)))
/* vi_min/vi_max/vi_gt: every operand the kernels pass is in [0, 2^31), where the
 * AVX2 layer's unsigned min/max and signed compare agree with these. */
#define vi_min(a, b) ((a) < (b) ? (a) : (b))
#define vi_max(a, b) ((a) > (b) ? (a) : (b))
#define vi_gt(a, b) ((a) > (b))
#define vi_or(a, b) ((a) | (b))
#define vi_xor(a, b) ((a) ^ (b))
#define vi_keep(m, a) ((m) ? (a) : (VI)0)
#define vi_keep_not(m, a) ((m) ? (VI)0 : (a))
#define vi_sel(m, a, b) ((m) ? (a) : (b))
/* all / any lanes of a mask set: the kernels branch on them only to skip a recipe
 * no lane needs, never to change a result */
#define vall(m) (m)
#define vany(m) (m)
/* table lookup: row[idx] (idx is always within the table: kernels clamp it) */
#define vlookup(row, idx) ((row)[(idx)])

#if GC_IS_F32
/* float32 <-> float64 (gelu_f32via64.h): GC_WIDE_N vectors of the float64 layer hold
 * one float32 vector's lanes in order; the narrowing is one correct rounding */
#define GC_W double
#define GC_WIDE_N 1
#define vwiden(x, w) ((w)[0] = (double)(x))
#define vnarrow(w) ((float)(w)[0])
#endif

/* memory: one element at p (any alignment); stride unused for one lane */
static GC_ALWAYS_INLINE VT GC_CAT(gc_load, GC_KEY)(const char *p) { VT a; memcpy(&a, p, sizeof a); return a; }
static GC_ALWAYS_INLINE void GC_CAT(gc_store, GC_KEY)(char *p, VT a) { memcpy(p, &a, sizeof a); }
#define vload(p, stride) GC_CAT(gc_load, GC_KEY)(p)
#define vstore(p, stride, a) GC_CAT(gc_store, GC_KEY)((p), (a))
/* partial vectors never occur with one lane */
#define vload_part(p, stride, n) vload(p, stride)
#define vstore_part(p, stride, n, a) vstore(p, stride, a)
