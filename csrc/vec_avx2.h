/* The vector layer, AVX2+FMA instantiation: 8 floats or 4 doubles per vector.
 *
 * Same macro names and the same IEEE operations as vec_scalar.h, so the kernels of
 * kernels.h give the same bits on both paths:
 *   - vfma is the fused vfmadd (one rounding, as C's fma()); vfms (a*b - c) and vfnma
 *     (c - a*b) are vfmsub/vfnmadd, i.e. fma() with an operand negated, which is exact:
 *     they spare the XOR a negation would cost;
 *   - comparisons use the ordered, quiet predicates (_CMP_LT_OQ ...: false on NaN and no
 *     invalid flag), as isless()/isgreater() do;
 *   - vmin/vmax are minps/maxps, whose "second operand unless a < b" rule is exactly the
 *     scalar layer's definition (NaN and signed zeros included);
 *   - division is the correctly rounded vdivps/vdivpd, never a reciprocal estimate.
 * Only translation units compiled for AVX2+FMA include this header (path_avx2.c).
 *
 * Memory: contiguous data moves with unaligned loads/stores; other strides lane by
 * lane (the loops hand the kernels strided operands through contiguous chunk
 * buffers, loops.h, so only single elements of an overlapping call get here). A partial vector
 * (the last n < GC_LANES elements) is read with a masked load, which never touches
 * memory past the array, and its missing lanes are zeros. */
#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* a blend computes both of its operands in every lane (see vec_scalar.h) */
#define GC_LAZY_SELECT 0

#if GC_IS_F32
#define VT __m256
#define VM __m256
#define VI __m256i
#define GC_LANES 8
#define vfma(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define vfms(a, b, c) _mm256_fmsub_ps((a), (b), (c))
#define vfnma(a, b, c) _mm256_fnmadd_ps((a), (b), (c))
#define vset1(c) _mm256_set1_ps((float)(c))
#define vadd(a, b) _mm256_add_ps((a), (b))
#define vsub(a, b) _mm256_sub_ps((a), (b))
#define vmul(a, b) _mm256_mul_ps((a), (b))
#define vdiv(a, b) _mm256_div_ps((a), (b))
#define vneg(a) _mm256_xor_ps((a), _mm256_set1_ps(-0.0f))
#define vabs(a) _mm256_andnot_ps(_mm256_set1_ps(-0.0f), (a))
#define vlt(a, b) _mm256_cmp_ps((a), (b), _CMP_LT_OQ)
#define vgt(a, b) _mm256_cmp_ps((a), (b), _CMP_GT_OQ)
#define vgt_un(a, b) _mm256_cmp_ps((a), (b), _CMP_NLE_UQ)   /* greater or unordered */
#define visnan(a) _mm256_cmp_ps((a), (a), _CMP_UNORD_Q)
#define vmor(m1, m2) _mm256_or_ps((m1), (m2))
#define vmand(m1, m2) _mm256_and_ps((m1), (m2))
#define vsel(m, a, b) _mm256_blendv_ps((b), (a), (m))
#define vsel_sign(s, a, b) _mm256_blendv_ps((b), (a), (s))
#define vkeep(m, a) _mm256_and_ps((m), (a))
#define vkeep_not(m, a) _mm256_andnot_ps((m), (a))
#define vmin(a, b) _mm256_min_ps((a), (b))
#define vmax(a, b) _mm256_max_ps((a), (b))
#define vasint(a) _mm256_castps_si256(a)
#define vasflt(i) _mm256_castsi256_ps(i)
#define vi_set1(c) _mm256_set1_epi32((int)(uint32_t)(c))
#define vi_add(a, b) _mm256_add_epi32((a), (b))
#define vi_sub(a, b) _mm256_sub_epi32((a), (b))
#define vi_srl(a, n) _mm256_srli_epi32((a), (n))
#define vi_sll(a, n) _mm256_slli_epi32((a), (n))
#define vi_min(a, b) _mm256_min_epu32((a), (b))
#define vi_max(a, b) _mm256_max_epu32((a), (b))
#define vi_gt(a, b) _mm256_castsi256_ps(_mm256_cmpgt_epi32((a), (b)))
#define vi_sel(m, a, b) _mm256_blendv_epi8((b), (a), _mm256_castps_si256(m))
#define vall(m) (_mm256_movemask_ps(m) == 0xff)
#define vany(m) (_mm256_movemask_ps(m) != 0)
/* An 8-entry table sits in one register; vpermps picks each lane's entry in one
 * instruction (port 5 on Intel), off the FMA ports the kernels saturate. */
#define vlookup(row, idx) _mm256_permutevar8x32_ps(_mm256_loadu_ps(row), (idx))
_Static_assert(GELU_C_F32_NPIECE <= 8, "float32 tables must fit one vpermps");
/* float32 <-> float64 (gelu_f32via64.h): lanes 0-3 and 4-7 in two __m256d */
#define GC_W __m256d
#define GC_WIDE_N 2
#define vwiden(x, w) ((w)[0] = _mm256_cvtps_pd(_mm256_castps256_ps128(x)), \
                      (w)[1] = _mm256_cvtps_pd(_mm256_extractf128_ps((x), 1)))
#define vnarrow(w) _mm256_insertf128_ps(_mm256_castps128_ps256(_mm256_cvtpd_ps((w)[0])), \
                                        _mm256_cvtpd_ps((w)[1]), 1)
#else
#define VT __m256d
#define VM __m256d
#define VI __m256i
#define GC_LANES 4
#define vfma(a, b, c) _mm256_fmadd_pd((a), (b), (c))
#define vfms(a, b, c) _mm256_fmsub_pd((a), (b), (c))
#define vfnma(a, b, c) _mm256_fnmadd_pd((a), (b), (c))
#define vset1(c) _mm256_set1_pd((double)(c))
#define vadd(a, b) _mm256_add_pd((a), (b))
#define vsub(a, b) _mm256_sub_pd((a), (b))
#define vmul(a, b) _mm256_mul_pd((a), (b))
#define vdiv(a, b) _mm256_div_pd((a), (b))
#define vneg(a) _mm256_xor_pd((a), _mm256_set1_pd(-0.0))
#define vabs(a) _mm256_andnot_pd(_mm256_set1_pd(-0.0), (a))
#define vlt(a, b) _mm256_cmp_pd((a), (b), _CMP_LT_OQ)
#define vgt(a, b) _mm256_cmp_pd((a), (b), _CMP_GT_OQ)
#define vgt_un(a, b) _mm256_cmp_pd((a), (b), _CMP_NLE_UQ)
#define visnan(a) _mm256_cmp_pd((a), (a), _CMP_UNORD_Q)
#define vmor(m1, m2) _mm256_or_pd((m1), (m2))
#define vmand(m1, m2) _mm256_and_pd((m1), (m2))
#define vsel(m, a, b) _mm256_blendv_pd((b), (a), (m))
#define vsel_sign(s, a, b) _mm256_blendv_pd((b), (a), (s))
#define vkeep(m, a) _mm256_and_pd((m), (a))
#define vkeep_not(m, a) _mm256_andnot_pd((m), (a))
#define vmin(a, b) _mm256_min_pd((a), (b))
#define vmax(a, b) _mm256_max_pd((a), (b))
#define vasint(a) _mm256_castpd_si256(a)
#define vasflt(i) _mm256_castsi256_pd(i)
#define vi_set1(c) _mm256_set1_epi64x((long long)(uint64_t)(c))
#define vi_add(a, b) _mm256_add_epi64((a), (b))
#define vi_sub(a, b) _mm256_sub_epi64((a), (b))
#define vi_srl(a, n) _mm256_srli_epi64((a), (n))
#define vi_sll(a, n) _mm256_slli_epi64((a), (n))
/* AVX2 has no 64-bit min/max. Every operand the kernels pass to vi_min/vi_max is in
 * [0, 2^31) (the scalar layer's rule), so its upper 32-bit half is zero and the 32-bit
 * unsigned min/max of each half is the 64-bit result: one uop, where a compare and a
 * byte blend cost four. */
#define vi_min(a, b) _mm256_min_epu32((a), (b))
#define vi_max(a, b) _mm256_max_epu32((a), (b))
#define vi_gt(a, b) _mm256_castsi256_pd(_mm256_cmpgt_epi64((a), (b)))
#define vi_sel(m, a, b) _mm256_blendv_epi8((b), (a), _mm256_castpd_si256(m))
#define vall(m) (_mm256_movemask_pd(m) == 0xf)
#define vany(m) (_mm256_movemask_pd(m) != 0)
/* float64 vlookup: a gather. The kernels' tables go through vlookup_group and
 * vlookup_pair below, which load by piece or by entry instead. */
#define vlookup(row, idx) _mm256_i64gather_pd((row), (idx), 8)
/* Four coefficients of each lane's piece (vlookup_group: see piece_poly.h), from the
 * table stored by piece: per lane two 16-byte loads, then unpacks put coefficient q of
 * the four lanes in one register. A gather per coefficient (vgatherqpd, ~5 uops and a
 * long latency each; one per coefficient) made the float64 ndtr family 1.6x slower than
 * it is with free lookups; here two coefficients cost four loads, two inserts and two
 * unpacks. Padding rows are zeros, so all four are always loaded. */
static GC_ALWAYS_INLINE void gc_lookup_group_f64(const double (*bypiece)[GELU_C_F64_NROW4],
                                                 __m256i idx, int g, __m256d out[4])
{
    __m128i ilo = _mm256_castsi256_si128(idx), ihi = _mm256_extracti128_si256(idx, 1);
    const double *p0 = bypiece[_mm_cvtsi128_si64(ilo)] + 4 * g;
    const double *p1 = bypiece[_mm_extract_epi64(ilo, 1)] + 4 * g;
    const double *p2 = bypiece[_mm_cvtsi128_si64(ihi)] + 4 * g;
    const double *p3 = bypiece[_mm_extract_epi64(ihi, 1)] + 4 * g;
    for (int h = 0; h < 4; h += 2) {
        /* a = (p0[h], p0[h+1] | p2[h], p2[h+1]), b the same for lanes 1 and 3 */
        __m256d a = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_loadu_pd(p0 + h)),
                                         _mm_loadu_pd(p2 + h), 1);
        __m256d b = _mm256_insertf128_pd(_mm256_castpd128_pd256(_mm_loadu_pd(p1 + h)),
                                         _mm_loadu_pd(p3 + h), 1);
        out[h] = _mm256_unpacklo_pd(a, b);
        out[h + 1] = _mm256_unpackhi_pd(a, b);
    }
}
#define vlookup_group(tab, bypiece, order, idx, g, n, out) \
    ((void)(tab), (void)(order), gc_lookup_group_f64((bypiece), (idx), (g), (out)))
/* exp's 2^(j/8) as hi and lo (vlookup_pair: see exp_dw.h) from the table stored
 * by entry: one 16-byte load per lane, two inserts and two unpacks, where two gathers
 * made the float64 kernels 3-13% slower (Zen 3). */
static GC_ALWAYS_INLINE void gc_lookup_pair_f64(const double (*byentry)[2], __m256i idx,
                                                __m256d *hi, __m256d *lo)
{
    __m128i ilo = _mm256_castsi256_si128(idx), ihi = _mm256_extracti128_si256(idx, 1);
    /* a = (e0.hi, e0.lo | e2.hi, e2.lo), b the same for lanes 1 and 3 */
    __m256d a = _mm256_insertf128_pd(
        _mm256_castpd128_pd256(_mm_loadu_pd(byentry[_mm_cvtsi128_si64(ilo)])),
        _mm_loadu_pd(byentry[_mm_cvtsi128_si64(ihi)]), 1);
    __m256d b = _mm256_insertf128_pd(
        _mm256_castpd128_pd256(_mm_loadu_pd(byentry[_mm_extract_epi64(ilo, 1)])),
        _mm_loadu_pd(byentry[_mm_extract_epi64(ihi, 1)]), 1);
    *hi = _mm256_unpacklo_pd(a, b);
    *lo = _mm256_unpackhi_pd(a, b);
}
#define vlookup_pair(rows, byentry, idx, hi, lo) \
    ((void)(rows), gc_lookup_pair_f64((byentry), (idx), &(hi), &(lo)))
#endif
#define vi_and(a, b) _mm256_and_si256((a), (b))
#define vi_or(a, b) _mm256_or_si256((a), (b))
#define vi_xor(a, b) _mm256_xor_si256((a), (b))
/* a where m is set, else 0: one AND, where vsel's vblendv is 3 uops on Golden Cove.
 * A mask has the vector type, so vasint reads it as integer lanes. */
#define vi_keep(m, a) _mm256_and_si256(vasint(m), (a))
#define vi_keep_not(m, a) _mm256_andnot_si256(vasint(m), (a))

/* ---- memory ---- */

/* Lanes 0..n-1 set (all ones), the rest zero: the mask of a partial vector. */
static GC_ALWAYS_INLINE __m256i GC_CAT(gc_lane_mask, GC_KEY)(ptrdiff_t n)
{
#if GC_IS_F32
    const __m256i iota = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)n), iota);
#else
    const __m256i iota = _mm256_setr_epi64x(0, 1, 2, 3);
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)n), iota);
#endif
}

/* Elements p, p + stride, ..., n of them (n <= GC_LANES), the rest zero. */
static GC_ALWAYS_INLINE VT GC_CAT(gc_load_lanes, GC_KEY)(const char *p, ptrdiff_t stride, ptrdiff_t n)
{
    GC_T buf[GC_LANES] = {0};
    for (ptrdiff_t i = 0; i < n; i++)
        memcpy(&buf[i], p + i * stride, sizeof(GC_T));
#if GC_IS_F32
    return _mm256_loadu_ps(buf);
#else
    return _mm256_loadu_pd(buf);
#endif
}

static GC_ALWAYS_INLINE void GC_CAT(gc_store_lanes, GC_KEY)(char *p, ptrdiff_t stride, ptrdiff_t n, VT a)
{
    GC_T buf[GC_LANES];
#if GC_IS_F32
    _mm256_storeu_ps(buf, a);
#else
    _mm256_storeu_pd(buf, a);
#endif
    for (ptrdiff_t i = 0; i < n; i++)
        memcpy(p + i * stride, &buf[i], sizeof(GC_T));
}

/* A full vector at any stride. The loops call this with stride == sizeof(GC_T)
 * spelled as a constant (strided operands reach the kernels through the chunk
 * buffers of loops.h, which beat a vector gather), so the branch folds away. */
static GC_ALWAYS_INLINE VT GC_CAT(gc_load, GC_KEY)(const char *p, ptrdiff_t stride)
{
    if (stride == (ptrdiff_t)sizeof(GC_T))
#if GC_IS_F32
        return _mm256_loadu_ps((const float *)p);
#else
        return _mm256_loadu_pd((const double *)p);
#endif
    return GC_CAT(gc_load_lanes, GC_KEY)(p, stride, GC_LANES);
}

static GC_ALWAYS_INLINE void GC_CAT(gc_store, GC_KEY)(char *p, ptrdiff_t stride, VT a)
{
#if GC_IS_F32
    if (stride == (ptrdiff_t)sizeof(float)) {
        _mm256_storeu_ps((float *)p, a);
        return;
    }
#else
    if (stride == (ptrdiff_t)sizeof(double)) {
        _mm256_storeu_pd((double *)p, a);
        return;
    }
#endif
    GC_CAT(gc_store_lanes, GC_KEY)(p, stride, GC_LANES, a);
}

static GC_ALWAYS_INLINE VT GC_CAT(gc_load_part, GC_KEY)(const char *p, ptrdiff_t stride, ptrdiff_t n)
{
    if (stride == (ptrdiff_t)sizeof(GC_T)) {
        /* vmaskmov never reads (or faults on) the masked-off lanes */
#if GC_IS_F32
        return _mm256_maskload_ps((const float *)p, GC_CAT(gc_lane_mask, GC_KEY)(n));
#else
        return _mm256_maskload_pd((const double *)p, GC_CAT(gc_lane_mask, GC_KEY)(n));
#endif
    }
    return GC_CAT(gc_load_lanes, GC_KEY)(p, stride, n);
}

static GC_ALWAYS_INLINE void GC_CAT(gc_store_part, GC_KEY)(char *p, ptrdiff_t stride, ptrdiff_t n, VT a)
{
    if (stride == (ptrdiff_t)sizeof(GC_T)) {
#if GC_IS_F32
        _mm256_maskstore_ps((float *)p, GC_CAT(gc_lane_mask, GC_KEY)(n), a);
#else
        _mm256_maskstore_pd((double *)p, GC_CAT(gc_lane_mask, GC_KEY)(n), a);
#endif
        return;
    }
    GC_CAT(gc_store_lanes, GC_KEY)(p, stride, n, a);
}

#define vload(p, stride) GC_CAT(gc_load, GC_KEY)((p), (stride))
#define vstore(p, stride, a) GC_CAT(gc_store, GC_KEY)((p), (stride), (a))
#define vload_part(p, stride, n) GC_CAT(gc_load_part, GC_KEY)((p), (stride), (n))
#define vstore_part(p, stride, n, a) GC_CAT(gc_store_part, GC_KEY)((p), (stride), (n), (a))
