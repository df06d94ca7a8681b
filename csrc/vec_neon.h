/* The vector layer, AArch64 Advanced SIMD (NEON) instantiation: 4 floats or 2 doubles
 * per vector. NEON is in the AArch64 baseline: no compiler flag and no CPU check.
 *
 * Same macro names and the same IEEE operations as vec_scalar.h and vec_avx2.h, so the
 * kernels give the same bits and raise the same floating-point flags on every path:
 *   - vfma/vfms/vfnma are FMLA/FMLS (with c negated for vfms): fma() exactly;
 *   - masks have the vector's own type, as on AVX2 (all ones or all zeros per lane);
 *   - comparisons are quiet (no "invalid" for a quiet NaN, as x86's _CMP_LT_OQ and C's
 *     isless), but AArch64's vector FCMGT signals on any NaN. So vgt(a, b) compares
 *     max(a, -inf) with min(b, +inf) by FMAXNM/FMINNM, which turn a quiet NaN into the
 *     infinity that makes the comparison false, leave every number (-0 included) as it
 *     is, and raise "invalid" for a signaling NaN as x86's compare does; with a constant
 *     operand the compiler folds that half away. vgt_un and visnan use FMAX and FCMEQ,
 *     which are quiet for quiet NaNs;
 *   - vmin/vmax are "a if a < b (a > b), else b", x86's minps/maxps rule, not FMIN/FMAX
 *     (which differ on NaNs and on zeros of opposite signs). minps raises "invalid" on
 *     any NaN, so the kernels never pass one, and the plain FCMGT matches it;
 *   - division is FDIV, correctly rounded.
 * Contiguous data moves with unaligned vector loads and stores; partial vectors and other
 * strides go lane by lane through a small buffer (never touching memory past the array).
 * Only path_neon.c includes this header. */
#include <arm_neon.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* a blend computes both of its operands in every lane (see vec_scalar.h) */
#define GC_LAZY_SELECT 0

#define GC_NEON(name) GC_CAT(GC_CAT(gc_neon, name), GC_KEY)
/* the bitwise operations, over the lanes' unsigned view (suffix u32 or u64) */
#define GC_NEON_BITS(U)                                                                  \
    static GC_ALWAYS_INLINE VM GC_NEON(mor)(VM a, VM b) { return GC_NEON(f)(vorrq_##U(GC_NEON(u)(a), GC_NEON(u)(b))); } \
    static GC_ALWAYS_INLINE VM GC_NEON(mand)(VM a, VM b) { return GC_NEON(f)(vandq_##U(GC_NEON(u)(a), GC_NEON(u)(b))); } \
    static GC_ALWAYS_INLINE VT GC_NEON(keep)(VM m, VT a) { return GC_NEON(f)(vandq_##U(GC_NEON(u)(m), GC_NEON(u)(a))); } \
    static GC_ALWAYS_INLINE VT GC_NEON(keep_not)(VM m, VT a) { return GC_NEON(f)(vbicq_##U(GC_NEON(u)(a), GC_NEON(u)(m))); } \
    static GC_ALWAYS_INLINE VI GC_NEON(i_and)(VI a, VI b) { return vandq_##U(a, b); }  \
    static GC_ALWAYS_INLINE VI GC_NEON(i_or)(VI a, VI b) { return vorrq_##U(a, b); }   \
    static GC_ALWAYS_INLINE VI GC_NEON(i_xor)(VI a, VI b) { return veorq_##U(a, b); }  \
    static GC_ALWAYS_INLINE VI GC_NEON(i_keep)(VM m, VI a) { return vandq_##U(GC_NEON(u)(m), a); } \
    static GC_ALWAYS_INLINE VI GC_NEON(i_keep_not)(VM m, VI a) { return vbicq_##U(a, GC_NEON(u)(m)); } \
    static GC_ALWAYS_INLINE VI GC_NEON(i_sel)(VM m, VI a, VI b) { return vbslq_##U(GC_NEON(u)(m), a, b); }

#if GC_IS_F32
#define VT float32x4_t
#define VM float32x4_t
#define VI uint32x4_t
#define GC_LANES 4
static GC_ALWAYS_INLINE VI GC_NEON(u)(VT a) { return vreinterpretq_u32_f32(a); }
static GC_ALWAYS_INLINE VT GC_NEON(f)(VI i) { return vreinterpretq_f32_u32(i); }
static GC_ALWAYS_INLINE VT GC_NEON(fma)(VT a, VT b, VT c) { return vfmaq_f32(c, a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(fms)(VT a, VT b, VT c) { return vfmaq_f32(vnegq_f32(c), a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(fnma)(VT a, VT b, VT c) { return vfmsq_f32(c, a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(add)(VT a, VT b) { return vaddq_f32(a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(sub)(VT a, VT b) { return vsubq_f32(a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(mul)(VT a, VT b) { return vmulq_f32(a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(div)(VT a, VT b) { return vdivq_f32(a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(neg)(VT a) { return vnegq_f32(a); }
static GC_ALWAYS_INLINE VT GC_NEON(abs)(VT a) { return vabsq_f32(a); }
static GC_ALWAYS_INLINE VM GC_NEON(gt)(VT a, VT b)
{
    return GC_NEON(f)(vcgtq_f32(vmaxnmq_f32(a, vdupq_n_f32(-HUGE_VALF)),
                                vminnmq_f32(b, vdupq_n_f32(HUGE_VALF))));
}
static GC_ALWAYS_INLINE VM GC_NEON(gt_un)(VT a, VT b)
{
    return GC_NEON(f)(vmvnq_u32(vceqq_f32(vmaxq_f32(b, a), b)));
}
static GC_ALWAYS_INLINE VM GC_NEON(isnan)(VT a) { return GC_NEON(f)(vmvnq_u32(vceqq_f32(a, a))); }
static GC_ALWAYS_INLINE VT GC_NEON(sel)(VM m, VT a, VT b) { return vbslq_f32(GC_NEON(u)(m), a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(sel_sign)(VT s, VT a, VT b)
{
    return vbslq_f32(vreinterpretq_u32_s32(vshrq_n_s32(vreinterpretq_s32_f32(s), 31)), a, b);
}
static GC_ALWAYS_INLINE VT GC_NEON(min)(VT a, VT b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(max)(VT a, VT b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
static GC_ALWAYS_INLINE VI GC_NEON(i_set1)(uint64_t c) { return vdupq_n_u32((uint32_t)c); }
static GC_ALWAYS_INLINE VI GC_NEON(i_add)(VI a, VI b) { return vaddq_u32(a, b); }
static GC_ALWAYS_INLINE VI GC_NEON(i_sub)(VI a, VI b) { return vsubq_u32(a, b); }
/* register shifts: the count need not be an immediate; constant counts fold to USHR/SHL */
static GC_ALWAYS_INLINE VI GC_NEON(i_srl)(VI a, int n) { return vshlq_u32(a, vdupq_n_s32(-n)); }
static GC_ALWAYS_INLINE VI GC_NEON(i_sll)(VI a, int n) { return vshlq_u32(a, vdupq_n_s32(n)); }
static GC_ALWAYS_INLINE VI GC_NEON(i_min)(VI a, VI b) { return vminq_u32(a, b); }
static GC_ALWAYS_INLINE VI GC_NEON(i_max)(VI a, VI b) { return vmaxq_u32(a, b); }
static GC_ALWAYS_INLINE VM GC_NEON(i_gt)(VI a, VI b)
{
    return GC_NEON(f)(vcgtq_s32(vreinterpretq_s32_u32(a), vreinterpretq_s32_u32(b)));
}
/* An 8-entry table is two registers; TBL picks each lane's four bytes in one
 * instruction. */
static GC_ALWAYS_INLINE VT GC_NEON(lookup)(const float *row, VI idx)
{
    uint8x16x2_t tab = {{vld1q_u8((const uint8_t *)row), vld1q_u8((const uint8_t *)(row + 4))}};
    /* lane i's bytes 4 idx .. 4 idx + 3 */
    uint8x16_t bytes = vreinterpretq_u8_u32(vmlaq_n_u32(vdupq_n_u32(0x03020100u), idx, 0x04040404u));
    return vreinterpretq_f32_u8(vqtbl2q_u8(tab, bytes));
}
_Static_assert(GELU_C_F32_NPIECE <= 8, "float32 tables must fit one two-register TBL");
GC_NEON_BITS(u32)
static GC_ALWAYS_INLINE int GC_NEON(all)(VM m) { return vminvq_u32(GC_NEON(u)(m)) != 0; }
static GC_ALWAYS_INLINE int GC_NEON(any)(VM m) { return vmaxvq_u32(GC_NEON(u)(m)) != 0; }
/* float32 <-> float64 (gelu_f32via64.h): lanes 0-1 and 2-3 in two float64x2_t */
#define GC_W float64x2_t
#define GC_WIDE_N 2
#define vwiden(x, w) ((w)[0] = vcvt_f64_f32(vget_low_f32(x)), (w)[1] = vcvt_high_f64_f32(x))
#define vnarrow(w) vcvt_high_f32_f64(vcvt_f32_f64((w)[0]), (w)[1])
#else
#define VT float64x2_t
#define VM float64x2_t
#define VI uint64x2_t
#define GC_LANES 2
static GC_ALWAYS_INLINE VI GC_NEON(u)(VT a) { return vreinterpretq_u64_f64(a); }
static GC_ALWAYS_INLINE VT GC_NEON(f)(VI i) { return vreinterpretq_f64_u64(i); }
static GC_ALWAYS_INLINE VT GC_NEON(fma)(VT a, VT b, VT c) { return vfmaq_f64(c, a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(fms)(VT a, VT b, VT c) { return vfmaq_f64(vnegq_f64(c), a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(fnma)(VT a, VT b, VT c) { return vfmsq_f64(c, a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(add)(VT a, VT b) { return vaddq_f64(a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(sub)(VT a, VT b) { return vsubq_f64(a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(mul)(VT a, VT b) { return vmulq_f64(a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(div)(VT a, VT b) { return vdivq_f64(a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(neg)(VT a) { return vnegq_f64(a); }
static GC_ALWAYS_INLINE VT GC_NEON(abs)(VT a) { return vabsq_f64(a); }
static GC_ALWAYS_INLINE VM GC_NEON(gt)(VT a, VT b)
{
    return GC_NEON(f)(vcgtq_f64(vmaxnmq_f64(a, vdupq_n_f64(-HUGE_VAL)),
                                vminnmq_f64(b, vdupq_n_f64(HUGE_VAL))));
}
static GC_ALWAYS_INLINE VM GC_NEON(gt_un)(VT a, VT b)
{
    return GC_NEON(f)(vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(
        vceqq_f64(vmaxq_f64(b, a), b)))));
}
static GC_ALWAYS_INLINE VM GC_NEON(isnan)(VT a)
{
    return GC_NEON(f)(vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(vceqq_f64(a, a)))));
}
static GC_ALWAYS_INLINE VT GC_NEON(sel)(VM m, VT a, VT b) { return vbslq_f64(GC_NEON(u)(m), a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(sel_sign)(VT s, VT a, VT b)
{
    return vbslq_f64(vreinterpretq_u64_s64(vshrq_n_s64(vreinterpretq_s64_f64(s), 63)), a, b);
}
static GC_ALWAYS_INLINE VT GC_NEON(min)(VT a, VT b) { return vbslq_f64(vcltq_f64(a, b), a, b); }
static GC_ALWAYS_INLINE VT GC_NEON(max)(VT a, VT b) { return vbslq_f64(vcgtq_f64(a, b), a, b); }
static GC_ALWAYS_INLINE VI GC_NEON(i_set1)(uint64_t c) { return vdupq_n_u64(c); }
static GC_ALWAYS_INLINE VI GC_NEON(i_add)(VI a, VI b) { return vaddq_u64(a, b); }
static GC_ALWAYS_INLINE VI GC_NEON(i_sub)(VI a, VI b) { return vsubq_u64(a, b); }
static GC_ALWAYS_INLINE VI GC_NEON(i_srl)(VI a, int n) { return vshlq_u64(a, vdupq_n_s64(-n)); }
static GC_ALWAYS_INLINE VI GC_NEON(i_sll)(VI a, int n) { return vshlq_u64(a, vdupq_n_s64(n)); }
/* No 64-bit min/max in NEON. Every operand the kernels pass is in [0, 2^31) (the scalar
 * layer's rule), so the 32-bit unsigned min/max of each half is the 64-bit result. */
static GC_ALWAYS_INLINE VI GC_NEON(i_min)(VI a, VI b)
{
    return vreinterpretq_u64_u32(vminq_u32(vreinterpretq_u32_u64(a), vreinterpretq_u32_u64(b)));
}
static GC_ALWAYS_INLINE VI GC_NEON(i_max)(VI a, VI b)
{
    return vreinterpretq_u64_u32(vmaxq_u32(vreinterpretq_u32_u64(a), vreinterpretq_u32_u64(b)));
}
static GC_ALWAYS_INLINE VM GC_NEON(i_gt)(VI a, VI b)
{
    return GC_NEON(f)(vcgtq_s64(vreinterpretq_s64_u64(a), vreinterpretq_s64_u64(b)));
}
GC_NEON_BITS(u64)
/* all / any lanes of a mask: each lane is all ones or all zeros, so are its halves */
static GC_ALWAYS_INLINE int GC_NEON(all)(VM m) { return vminvq_u32(vreinterpretq_u32_u64(GC_NEON(u)(m))) != 0; }
static GC_ALWAYS_INLINE int GC_NEON(any)(VM m) { return vmaxvq_u32(vreinterpretq_u32_u64(GC_NEON(u)(m))) != 0; }
/* float64 tables: one load per lane (piece_poly.h's per-row default groups them) */
static GC_ALWAYS_INLINE VT GC_NEON(lookup)(const double *row, VI idx)
{
    return vcombine_f64(vld1_f64(row + vgetq_lane_u64(idx, 0)), vld1_f64(row + vgetq_lane_u64(idx, 1)));
}
#endif

#define vfma(a, b, c) GC_NEON(fma)((a), (b), (c))
#define vfms(a, b, c) GC_NEON(fms)((a), (b), (c))
#define vfnma(a, b, c) GC_NEON(fnma)((a), (b), (c))
#define vset1(c) GC_CAT(vdupq_n, GC_KEY)((GC_T)(c))
#define vadd(a, b) GC_NEON(add)((a), (b))
#define vsub(a, b) GC_NEON(sub)((a), (b))
#define vmul(a, b) GC_NEON(mul)((a), (b))
#define vdiv(a, b) GC_NEON(div)((a), (b))
#define vneg(a) GC_NEON(neg)(a)
#define vabs(a) GC_NEON(abs)(a)
#define vgt(a, b) GC_NEON(gt)((a), (b))
#define vlt(a, b) GC_NEON(gt)((b), (a))
#define vgt_un(a, b) GC_NEON(gt_un)((a), (b))   /* greater or unordered */
#define visnan(a) GC_NEON(isnan)(a)
#define vsel(m, a, b) GC_NEON(sel)((m), (a), (b))
#define vsel_sign(s, a, b) GC_NEON(sel_sign)((s), (a), (b))
#define vmin(a, b) GC_NEON(min)((a), (b))
#define vmax(a, b) GC_NEON(max)((a), (b))
#define vasint(a) GC_NEON(u)(a)
#define vasflt(i) GC_NEON(f)(i)
#define vi_set1(c) GC_NEON(i_set1)((uint64_t)(c))
#define vi_add(a, b) GC_NEON(i_add)((a), (b))
#define vi_sub(a, b) GC_NEON(i_sub)((a), (b))
#define vi_srl(a, n) GC_NEON(i_srl)((a), (n))
#define vi_sll(a, n) GC_NEON(i_sll)((a), (n))
#define vi_min(a, b) GC_NEON(i_min)((a), (b))
#define vi_max(a, b) GC_NEON(i_max)((a), (b))
#define vi_gt(a, b) GC_NEON(i_gt)((a), (b))
#define vlookup(row, idx) GC_NEON(lookup)((row), (idx))

#define vmor(m1, m2) GC_NEON(mor)((m1), (m2))
#define vmand(m1, m2) GC_NEON(mand)((m1), (m2))
#define vkeep(m, a) GC_NEON(keep)((m), (a))
#define vkeep_not(m, a) GC_NEON(keep_not)((m), (a))
#define vi_and(a, b) GC_NEON(i_and)((a), (b))
#define vi_or(a, b) GC_NEON(i_or)((a), (b))
#define vi_xor(a, b) GC_NEON(i_xor)((a), (b))
#define vi_keep(m, a) GC_NEON(i_keep)((m), (a))
#define vi_keep_not(m, a) GC_NEON(i_keep_not)((m), (a))
#define vi_sel(m, a, b) GC_NEON(i_sel)((m), (a), (b))
#define vall(m) GC_NEON(all)(m)
#define vany(m) GC_NEON(any)(m)

/* ---- memory ---- */

/* Elements p, p + stride, ..., n of them (n <= GC_LANES), the rest zero. */
static GC_ALWAYS_INLINE VT GC_NEON(load_lanes)(const char *p, ptrdiff_t stride, ptrdiff_t n)
{
    GC_T buf[GC_LANES] = {0};
    for (ptrdiff_t i = 0; i < n; i++)
        memcpy(&buf[i], p + i * stride, sizeof(GC_T));
    return GC_CAT(vld1q, GC_KEY)(buf);
}
static GC_ALWAYS_INLINE void GC_NEON(store_lanes)(char *p, ptrdiff_t stride, ptrdiff_t n, VT a)
{
    GC_T buf[GC_LANES];
    GC_CAT(vst1q, GC_KEY)(buf, a);
    for (ptrdiff_t i = 0; i < n; i++)
        memcpy(p + i * stride, &buf[i], sizeof(GC_T));
}
/* A full vector at any stride: the loops pass contiguous data (strided operands reach
 * the kernels through loops.h's chunk buffers) with a constant stride, so the branch
 * folds away. */
static GC_ALWAYS_INLINE VT GC_NEON(load)(const char *p, ptrdiff_t stride)
{
    if (stride == (ptrdiff_t)sizeof(GC_T))
        return GC_CAT(vld1q, GC_KEY)((const GC_T *)p);
    return GC_NEON(load_lanes)(p, stride, GC_LANES);
}
static GC_ALWAYS_INLINE void GC_NEON(store)(char *p, ptrdiff_t stride, VT a)
{
    if (stride == (ptrdiff_t)sizeof(GC_T))
        GC_CAT(vst1q, GC_KEY)((GC_T *)p, a);
    else
        GC_NEON(store_lanes)(p, stride, GC_LANES, a);
}
#define vload(p, stride) GC_NEON(load)((p), (stride))
#define vstore(p, stride, a) GC_NEON(store)((p), (stride), (a))
#define vload_part(p, stride, n) GC_NEON(load_lanes)((p), (stride), (n))
#define vstore_part(p, stride, n, a) GC_NEON(store_lanes)((p), (stride), (n), (a))
