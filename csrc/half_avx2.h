/* The AVX2 + F16C half layer: the hot loops of loops_half.h, 16 table lookups per
 * gather pair and 8 backward products per iteration. Included per format (HKEY, HF_*).
 *
 * The backward product p + e (e = fma(dy, f', -p), exact) is rounded to odd at
 * float32's 24 bits and then to nearest even in the format, by vcvtps2ph (float16) or
 * integer arithmetic (bfloat16). Rounding to odd keeps the information a second
 * rounding needs as long as the first has at least two more bits than the second
 * (24 >= 11 + 2), so the two roundings give the correctly rounded p + e
 * (docs/half_precision.md). Outside float32's normal range the odd rounding is not
 * exact: float16 results there are +-0 whatever happens, bfloat16 ones (below 2^-126)
 * are left to the exact scalar rounding (GC_H_LATER). */
#include <immintrin.h>

#if !defined(__F16C__) && !defined(_MSC_VER)
#error "half_avx2.h needs F16C (-mf16c)"
#endif

/* 16 lookups: gather 32 bits at tab + 2x (little-endian: the entry is the low half) */
static GC_ALWAYS_INLINE __m256i HN(lookup16)(const uint16_t *tab, __m256i v)
{
    const __m256i lo16 = _mm256_set1_epi32(0xFFFF);
    __m256i i0 = _mm256_cvtepu16_epi32(_mm256_castsi256_si128(v));
    __m256i i1 = _mm256_cvtepu16_epi32(_mm256_extracti128_si256(v, 1));
    __m256i g0 = _mm256_and_si256(_mm256_i32gather_epi32((const int *)tab, i0, 2), lo16);
    __m256i g1 = _mm256_and_si256(_mm256_i32gather_epi32((const int *)tab, i1, 2), lo16);
    return _mm256_permute4x64_epi64(_mm256_packus_epi32(g0, g1), 0xD8);
}

/* the running minimum of |h| - (inf + 1): below qbit - 1 somewhere iff a signaling NaN */
#define HV_SNAN_STEP(acc, v)                                                          \
    acc = _mm256_min_epu16(acc, _mm256_sub_epi16(                                     \
        _mm256_and_si256(v, _mm256_set1_epi16(0x7FFF)),                               \
        _mm256_set1_epi16((short)(gc_h_inf(HF_MBITS) + 1))))

static GC_ALWAYS_INLINE int HN(snan_seen)(__m256i acc)
{
    const __m256i limit = _mm256_set1_epi16((short)((1u << (HF_MBITS - 1)) - 1));
    /* acc < limit (unsigned) iff min(acc, limit - 1) == acc */
    __m256i lt = _mm256_cmpeq_epi16(_mm256_min_epu16(acc, _mm256_sub_epi16(limit, _mm256_set1_epi16(1))), acc);
    return _mm256_movemask_epi8(lt) != 0;
}

static int HN(lookup_run)(const uint16_t *tab, const uint16_t *x, uint16_t *o, ptrdiff_t n)
{
    __m256i acc = _mm256_set1_epi16(-1);
    ptrdiff_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(x + i));
        HV_SNAN_STEP(acc, v);
        _mm256_storeu_si256((__m256i *)(o + i), HN(lookup16)(tab, v));
    }
    if (i < n) {        /* the tail through the same code, padded */
        uint16_t bx[16] = {0}, bo[16];
        memcpy(bx, x + i, (size_t)(n - i) * 2);
        __m256i v = _mm256_loadu_si256((const __m256i *)bx);
        HV_SNAN_STEP(acc, v);
        _mm256_storeu_si256((__m256i *)bo, HN(lookup16)(tab, v));
        memcpy(o + i, bo, (size_t)(n - i) * 2);
    }
    return HN(snan_seen)(acc) ? GC_H_SNAN : 0;
}

/* p + e rounded to odd at 24 bits, as float32 (exact where float32 is normal). A
 * negative e (relative to p) puts the value just below |p|: truncating p - 1ulp then
 * gives the right 24 bits, and e != 0 makes them inexact. */
static GC_ALWAYS_INLINE __m128 HN(round_odd24)(__m256d p, __m256d e)
{
    const __m256i low = _mm256_set1_epi64x(0x1FFFFFFF), odd = _mm256_set1_epi64x(0x20000000);
    __m256i pb = _mm256_castpd_si256(p);
    __m256i enz = _mm256_castpd_si256(_mm256_cmp_pd(e, _mm256_setzero_pd(), _CMP_NEQ_OQ));
    __m256i opposite = _mm256_cmpgt_epi64(_mm256_setzero_si256(),
                                          _mm256_xor_si256(pb, _mm256_castpd_si256(e)));
    pb = _mm256_add_epi64(pb, _mm256_and_si256(enz, opposite));      /* -1 where so */
    __m256i exact = _mm256_andnot_si256(enz, _mm256_cmpeq_epi64(_mm256_and_si256(pb, low),
                                                                _mm256_setzero_si256()));
    pb = _mm256_or_si256(_mm256_andnot_si256(low, pb), _mm256_andnot_si256(exact, odd));
    return _mm256_cvtpd_ps(_mm256_castsi256_pd(pb));
}

/* float32 -> the format, to nearest even; bfloat16 reports an overflow (the integer
 * rounding raises nothing; vcvtps2ph raises it itself). */
static GC_ALWAYS_INLINE __m128i HN(encode8)(__m256 f, int *status)
{
#if HF_BF16
    __m256i u = _mm256_castps_si256(f);
    __m256i a = _mm256_and_si256(u, _mm256_set1_epi32(0x7FFFFFFF));
    __m256i nan = _mm256_cmpgt_epi32(a, _mm256_set1_epi32(0x7F800000));
    __m256i bias = _mm256_add_epi32(_mm256_set1_epi32(0x7FFF),
                                    _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1)));
    __m256i r = _mm256_srli_epi32(_mm256_add_epi32(u, bias), 16);
    __m256i qnan = _mm256_or_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(0x40));
    r = _mm256_blendv_epi8(r, qnan, nan);
    __m256i became_inf = _mm256_cmpeq_epi32(_mm256_and_si256(r, _mm256_set1_epi32(0x7FFF)),
                                            _mm256_set1_epi32(0x7F80));
    __m256i finite = _mm256_cmpgt_epi32(_mm256_set1_epi32(0x7F800000), a);
    if (_mm256_movemask_epi8(_mm256_and_si256(became_inf, finite)))
        *status |= GC_H_OVERFLOW;
    return _mm_packus_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
#else
    (void)status;
    return _mm256_cvtps_ph(f, _MM_FROUND_TO_NEAREST_INT);
#endif
}

static GC_ALWAYS_INLINE __m256 HN(decode8)(__m128i h)
{
#if HF_BF16
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
#else
    return _mm256_cvtph_ps(h);
#endif
}

/* 8 products dy * G[x], rounded once; dy = +-inf or NaN is replaced by 0 here and left
 * to the caller, as are (bfloat16) products below 2^-126. */
static GC_ALWAYS_INLINE __m128i HN(backward8)(const double *G, __m128i hd, __m128i hx,
                                              int *status)
{
    const __m256i expo = _mm256_set1_epi32(0x7F800000);
    __m256 d = HN(decode8)(hd);
    __m256i nonfinite = _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_castps_si256(d), expo), expo);
    if (_mm256_movemask_epi8(nonfinite)) {
        *status |= GC_H_LATER;
        d = _mm256_andnot_ps(_mm256_castsi256_ps(nonfinite), d);
    }
    __m256i ix = _mm256_cvtepu16_epi32(hx);
    __m256d g0 = _mm256_i32gather_pd(G, _mm256_castsi256_si128(ix), 8);
    __m256d g1 = _mm256_i32gather_pd(G, _mm256_extracti128_si256(ix, 1), 8);
    __m256d d0 = _mm256_cvtps_pd(_mm256_castps256_ps128(d));
    __m256d d1 = _mm256_cvtps_pd(_mm256_extractf128_ps(d, 1));
    __m256d p0 = _mm256_mul_pd(d0, g0), p1 = _mm256_mul_pd(d1, g1);
    __m256d e0 = _mm256_fmsub_pd(d0, g0, p0), e1 = _mm256_fmsub_pd(d1, g1, p1);
#if HF_BF16
    {
        const __m256d absmask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7FFFFFFFFFFFFFFF));
        const __m256d tiny = _mm256_set1_pd(0x1p-126), zero = _mm256_setzero_pd();
        __m256d t0 = _mm256_and_pd(_mm256_cmp_pd(_mm256_and_pd(p0, absmask), tiny, _CMP_LT_OQ),
                                   _mm256_cmp_pd(p0, zero, _CMP_NEQ_OQ));
        __m256d t1 = _mm256_and_pd(_mm256_cmp_pd(_mm256_and_pd(p1, absmask), tiny, _CMP_LT_OQ),
                                   _mm256_cmp_pd(p1, zero, _CMP_NEQ_OQ));
        if (_mm256_movemask_pd(_mm256_or_pd(t0, t1)))
            *status |= GC_H_LATER;
    }
#endif
    __m256 f = _mm256_set_m128(HN(round_odd24)(p1, e1), HN(round_odd24)(p0, e0));
    return HN(encode8)(f, status);
}

/* The first try, in float32: p = dy * G32[x] rounded to float32 (G32 is f'(x) rounded
 * to float32), which is within 1.5 float32 ulps of dy * f'(x) (f'(x) the float64 one:
 * half an ulp for p's rounding, G32's half ulp times dy). If |p| - 2 ulps and |p| + 2
 * ulps round to the same value of the format, so does dy * f'(x), and that is the
 * result; otherwise (a midpoint of the format nearby), and for a tiny f', a product
 * near overflow or NaN, or a non-finite dy, the vector goes through backward8 (float64),
 * which gives the same bits everywhere. Magnitudes and then the sign: rounding to
 * nearest is symmetric, and |p| +- 2 ulps is an integer step on the bits. */
static GC_ALWAYS_INLINE __m128i HN(round_mag8)(__m256i a)
{
#if HF_BF16
    __m256i r = _mm256_srli_epi32(_mm256_add_epi32(_mm256_add_epi32(a, _mm256_set1_epi32(0x7FFF)),
                                                   _mm256_and_si256(_mm256_srli_epi32(a, 16),
                                                                    _mm256_set1_epi32(1))), 16);
    return _mm_packus_epi32(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1));
#else
    return _mm256_cvtps_ph(_mm256_castsi256_ps(a), _MM_FROUND_TO_NEAREST_INT);
#endif
}

static GC_ALWAYS_INLINE int HN(backward8_f32)(const float *G32, __m128i hd, __m128i hx,
                                              __m128i *res)
{
    const __m256i absm = _mm256_set1_epi32(0x7FFFFFFF);
    __m256 d = HN(decode8)(hd);
    __m256i da = _mm256_and_si256(_mm256_castps_si256(d), absm);
    __m256i nonfinite = _mm256_cmpgt_epi32(da, _mm256_set1_epi32(0x7F7FFFFF));
    d = _mm256_andnot_ps(_mm256_castsi256_ps(nonfinite), d);     /* inf * 0: no flag */
    __m256 g = _mm256_i32gather_ps(G32, _mm256_cvtepu16_epi32(hx), 4);
    __m256i u = _mm256_castps_si256(_mm256_mul_ps(d, g));
    __m256i a = _mm256_and_si256(u, absm);
    __m256i ga = _mm256_and_si256(_mm256_castps_si256(g), absm);
    /* f' below 2^-100 (G32 inexact or 0), dy not finite, p above the format's largest
     * finite (or NaN) */
    const __m256i top = _mm256_set1_epi32(HF_BF16 ? 0x7F7F0000 : 0x477FE000);
    __m256i slow = _mm256_or_si256(
        _mm256_cmpgt_epi32(_mm256_set1_epi32(0x0D800000), ga),
        _mm256_or_si256(nonfinite, _mm256_cmpgt_epi32(a, top)));
    a = _mm256_min_epi32(a, top);   /* those lanes are redone: no conversion flags here */
#if HF_BF16
    /* bfloat16 rounds at bit 16 everywhere (subnormals too): the midpoint test is on the
     * low 16 bits, and the result one rounding */
    __m256i mid = _mm256_abs_epi32(_mm256_sub_epi32(_mm256_and_si256(a, _mm256_set1_epi32(0xFFFF)),
                                                    _mm256_set1_epi32(0x8000)));
    slow = _mm256_or_si256(slow, _mm256_cmpgt_epi32(_mm256_set1_epi32(3), mid));
    if (_mm256_movemask_epi8(slow))
        return 0;
    __m128i hi = HN(round_mag8)(a);
#else
    __m128i lo = HN(round_mag8)(_mm256_max_epi32(_mm256_sub_epi32(a, _mm256_set1_epi32(2)),
                                                 _mm256_setzero_si256()));
    __m128i hi = HN(round_mag8)(_mm256_add_epi32(a, _mm256_set1_epi32(2)));
    __m128i differ = _mm_xor_si128(_mm_cmpeq_epi16(lo, hi), _mm_set1_epi32(-1));
    if (_mm256_movemask_epi8(slow) | _mm_movemask_epi8(differ))
        return 0;
#endif
    __m256i sign = _mm256_srli_epi32(_mm256_andnot_si256(absm, u), 16);
    *res = _mm_or_si128(hi, _mm_packus_epi32(_mm256_castsi256_si128(sign),
                                             _mm256_extracti128_si256(sign, 1)));
    return 1;
}

static void HN(backward_redo)(const double *G, const uint16_t *dy, const uint16_t *x,
                              uint16_t *o, const ptrdiff_t *at, int k, int *status)
{
    for (int j = 0; j < k; j++) {
        __m128i r = HN(backward8)(G, _mm_loadu_si128((const __m128i *)(dy + at[j])),
                                  _mm_loadu_si128((const __m128i *)(x + at[j])), status);
        _mm_storeu_si128((__m128i *)(o + at[j]), r);
    }
}

static int HN(backward_run)(const double *G, const uint16_t *dy, const uint16_t *x,
                            uint16_t *o, ptrdiff_t n)
{
    const float *G32 = (const float *)(G + 65536);
    int status = 0;
    __m256i acc = _mm256_set1_epi16(-1);
    ptrdiff_t i = 0;
    /* the float32 try on every vector, the float64 one after it on those it left (a
     * separate loop: the float64 code inline in the first would spill its registers) */
    ptrdiff_t redo[64];
    int nredo = 0;
    for (; i + 8 <= n; i += 8) {
        __m128i hx = _mm_loadu_si128((const __m128i *)(x + i));
        __m128i hd = _mm_loadu_si128((const __m128i *)(dy + i)), r;
        HV_SNAN_STEP(acc, _mm256_set_m128i(_mm_setzero_si128(), hx));
        if (HN(backward8_f32)(G32, hd, hx, &r)) {
            _mm_storeu_si128((__m128i *)(o + i), r);
        } else {
            redo[nredo++] = i;
            if (nredo == 64) {
                HN(backward_redo)(G, dy, x, o, redo, nredo, &status);
                nredo = 0;
            }
        }
    }
    HN(backward_redo)(G, dy, x, o, redo, nredo, &status);
    if (i < n) {
        uint16_t bd[8] = {0}, bx[8] = {0}, bo[8];
        memcpy(bd, dy + i, (size_t)(n - i) * 2);
        memcpy(bx, x + i, (size_t)(n - i) * 2);
        __m128i hx = _mm_loadu_si128((const __m128i *)bx);
        HV_SNAN_STEP(acc, _mm256_set_m128i(_mm_setzero_si128(), hx));
        __m128i r = HN(backward8)(G, _mm_loadu_si128((const __m128i *)bd), hx, &status);
        _mm_storeu_si128((__m128i *)bo, r);
        memcpy(o + i, bo, (size_t)(n - i) * 2);
    }
    if (HN(snan_seen)(acc))
        status |= GC_H_SNAN;
    return status;
}
#undef HV_SNAN_STEP
