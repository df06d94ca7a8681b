/* A counting instantiation of the vector layer (tools/count_ops.py): one lane, and
 * every layer operation adds one to its category. The kernels are branch-free, so one
 * evaluation counts the operations of one vector of any width. Constants (vset1) and
 * bit casts (vasint/vasflt) are free in a real loop and are not counted. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#ifndef GC_VEC_COUNT_ONCE   /* included once per dtype (float64 first: count_ops.c) */
#define GC_VEC_COUNT_ONCE
enum { C_FMA, C_MUL, C_ADD, C_DIV, C_LOGIC, C_CMP, C_BLEND, C_MINMAX, C_INT, C_PERM, C_CVT, C_N };
static const char *const gc_cat_names[C_N] = {"fma", "mul", "add", "div", "logic", "cmp",
                                               "blend", "minmax", "int", "permute", "cvt"};
static long gc_cnt[C_N];
#define CNT(cat, e) (gc_cnt[cat]++, (e))
#define CNTN(cat, n, e) (gc_cnt[cat] += (n), (e))
#endif

#define VT GC_T
#define VM int
#define GC_LANES 1
#define GC_LAZY_SELECT 0   /* counts what a SIMD path computes */
#if GC_IS_F32
#define VI uint32_t
#define vfma(a, b, c) CNT(C_FMA, fmaf((a), (b), (c)))
#define vfms(a, b, c) CNT(C_FMA, fmaf((a), (b), -(c)))
#define vfnma(a, b, c) CNT(C_FMA, fmaf(-(a), (b), (c)))
#define vabs(a) CNT(C_LOGIC, fabsf(a))
#else
#define VI uint64_t
#define vfma(a, b, c) CNT(C_FMA, fma((a), (b), (c)))
#define vfms(a, b, c) CNT(C_FMA, fma((a), (b), -(c)))
#define vfnma(a, b, c) CNT(C_FMA, fma(-(a), (b), (c)))
#define vabs(a) CNT(C_LOGIC, fabs(a))
#endif
#define vset1(c) ((VT)(c))
#define vadd(a, b) CNT(C_ADD, (a) + (b))
#define vsub(a, b) CNT(C_ADD, (a) - (b))
#define vmul(a, b) CNT(C_MUL, (a) * (b))
#define vdiv(a, b) CNT(C_DIV, (a) / (b))
#define vneg(a) CNT(C_LOGIC, -(a))
#define vlt(a, b) CNT(C_CMP, isless((a), (b)))
#define vgt(a, b) CNT(C_CMP, isgreater((a), (b)))
#define vgt_un(a, b) CNT(C_CMP, !islessequal((a), (b)))
#define visnan(a) CNT(C_CMP, isnan(a))
#define vmor(m1, m2) CNT(C_LOGIC, (m1) | (m2))
#define vmand(m1, m2) CNT(C_LOGIC, (m1) & (m2))
#define vsel(m, a, b) CNT(C_BLEND, (m) ? (a) : (b))
#define vsel_sign(s, a, b) CNT(C_BLEND, signbit(s) ? (a) : (b))
#if GC_IS_F32
/* float32 <-> float64 (gelu_f32via64.h), counted as on AVX2: 8 float lanes are two
 * float64 vectors (the core runs twice), widened by an extract and two conversions and
 * narrowed by two conversions and an insert */
#define GC_W double
#define GC_WIDE_N 2
#define vwiden(x, w) ((w)[0] = (w)[1] = CNTN(C_CVT, 3, (double)(x)))
#define vnarrow(w) CNTN(C_CVT, 3, (float)(w)[0])
#endif
#define vkeep(m, a) CNT(C_LOGIC, (m) ? (a) : (VT)0)
#define vkeep_not(m, a) CNT(C_LOGIC, (m) ? (VT)0 : (a))
#define vmin(a, b) CNT(C_MINMAX, isless((a), (b)) ? (a) : (b))
#define vmax(a, b) CNT(C_MINMAX, isgreater((a), (b)) ? (a) : (b))
static inline VI GC_CAT(gc_asint, GC_KEY)(VT a) { VI i; memcpy(&i, &a, sizeof i); return i; }
static inline VT GC_CAT(gc_asflt, GC_KEY)(VI i) { VT a; memcpy(&a, &i, sizeof a); return a; }
#define vasint(a) GC_CAT(gc_asint, GC_KEY)(a)
#define vasflt(i) GC_CAT(gc_asflt, GC_KEY)(i)
#define vi_set1(c) ((VI)(c))
#define vi_add(a, b) CNT(C_INT, (VI)((a) + (b)))
#define vi_sub(a, b) CNT(C_INT, (VI)((a) - (b)))
#define vi_and(a, b) CNT(C_INT, (a) & (b))
#define vi_srl(a, n) CNT(C_INT, (VI)((a) >> (n)))
#define vi_sll(a, n) CNT(C_INT, (VI)((a) << (n)))
#define vi_min(a, b) CNT(C_INT, (a) < (b) ? (a) : (b))
#define vi_max(a, b) CNT(C_INT, (a) > (b) ? (a) : (b))
#define vi_gt(a, b) CNT(C_INT, (a) > (b))
#define vi_or(a, b) CNT(C_INT, (a) | (b))
#define vi_xor(a, b) CNT(C_INT, (a) ^ (b))
#define vi_keep(m, a) CNT(C_INT, (m) ? (a) : (VI)0)
#define vi_keep_not(m, a) CNT(C_INT, (m) ? (VI)0 : (a))
/* a movemask and a test: counted with the comparisons; a kernel's branch on it is
 * counted on the side its input takes (count_ops.c feeds the common, fast one) */
#define vall(m) CNT(C_CMP, (m))
#define vany(m) CNT(C_CMP, (m))
#define vi_sel(m, a, b) CNT(C_BLEND, (m) ? (a) : (b))
#define vlookup(row, idx) CNT(C_PERM, (row)[(idx)])
