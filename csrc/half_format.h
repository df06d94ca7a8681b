/* float16 and bfloat16 in plain C: exact conversions to wider types, the one rounding
 * from float64, signaling-NaN tests and the flags a conversion must raise. Every path
 * uses these for what is not its hot loop; the one-lane path uses them for everything.
 *
 * A format is (mbits, emin): fraction bits and least normal exponent. float16 (IEEE
 * binary16) is (10, -14); bfloat16 (float32's exponent, 7 fraction bits) is (7, -126).
 * Both have 15 - mbits exponent bits, so the bits of +inf are ((1 << (15 - mbits)) - 1)
 * << mbits, and the quiet bit is the fraction's top bit, as in IEEE formats.
 * Derivation and proofs: docs/half_precision.md. */
#ifndef GELU_C_HALF_FORMAT_H
#define GELU_C_HALF_FORMAT_H
#include <stdint.h>
#include <string.h>

#define GC_F16_MBITS 10
#define GC_F16_EMIN (-14)
#define GC_BF16_MBITS 7
#define GC_BF16_EMIN (-126)

/* What a half loop reports besides its results: a signaling NaN input, an overflow that
 * no hardware operation raised, and elements left for a second pass (loops_half.h). */
#define GC_H_SNAN 1
#define GC_H_OVERFLOW 2
#define GC_H_LATER 4

static inline float gc_h_f32_of_bits(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint32_t gc_h_bits_of_f32(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }
static inline double gc_h_f64_of_bits(uint64_t u) { double d; memcpy(&d, &u, 8); return d; }
static inline uint64_t gc_h_bits_of_f64(double d) { uint64_t u; memcpy(&u, &d, 8); return u; }

static inline uint16_t gc_h_inf(int mbits) { return (uint16_t)(((1u << (15 - mbits)) - 1) << mbits); }

/* float16 -> float32, exact. A signaling NaN stays signaling (its payload moves up
 * unchanged), so the float64 kernels raise "invalid" for it as for any sNaN. */
static inline float gc_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16, e = (h >> 10) & 0x1Fu, m = h & 0x3FFu;
    if (e == 0x1F)
        return gc_h_f32_of_bits(sign | 0x7F800000u | (m << 13));
    if (e == 0) {       /* zero or subnormal: m * 2^-24, exact */
        float v = (float)m * 0x1p-24f;
        return sign ? -v : v;
    }
    return gc_h_f32_of_bits(sign | ((e + 112) << 23) | (m << 13));
}

/* bfloat16 is the top half of a float32 */
static inline float gc_bf16_to_f32(uint16_t h) { return gc_h_f32_of_bits((uint32_t)h << 16); }

/* Signaling NaN: all-ones exponent, a non-zero fraction, quiet bit clear. As one
 * unsigned compare: |h| - (inf + 1) < qbit - 1. */
static inline int gc_h_is_snan(uint16_t h, int mbits)
{
    uint16_t lo = (uint16_t)(gc_h_inf(mbits) + 1);
    return (uint16_t)((h & 0x7FFFu) - lo) < (uint16_t)((1u << (mbits - 1)) - 1);
}

/* The value p + e rounded once to the format, to nearest, ties to even. e is zero or
 * the exact remainder of a product p = fl(a*b) (e = fma(a, b, -p), |e| <= ulp(p)/2): p
 * decides every case except an exact tie, where e's sign does. Integer arithmetic on
 * p's significand, so subnormal results round once too. Overflow gives +-inf (the
 * caller raises the flag: gc_h_overflowed); a NaN keeps its sign and top payload bits
 * and becomes quiet, as the hardware conversions do. */
static inline uint16_t gc_h_round(double p, double e, int mbits, int emin)
{
    uint64_t u = gc_h_bits_of_f64(p);
    uint16_t sign = (uint16_t)((u >> 48) & 0x8000u);
    uint64_t a = u & 0x7FFFFFFFFFFFFFFFull;
    uint16_t inf = gc_h_inf(mbits);
    if (a >= 0x7FF0000000000000ull) {
        if (a == 0x7FF0000000000000ull)
            return sign | inf;
        return (uint16_t)(sign | inf | (1u << (mbits - 1))
                          | ((a >> (52 - mbits)) & ((1u << mbits) - 1)));
    }
    if ((a >> 52) == 0)     /* zero, or below 2^-1022: far under either format's half
                               least subnormal, so a signed zero */
        return sign;
    int E = (int)(a >> 52) - 1023;
    int eq = E > emin ? E : emin;            /* the result's exponent */
    int s = (eq - mbits) - (E - 52);         /* significand bits below the result's ulp */
    if (s > 63)                              /* below a quarter of the least subnormal */
        return sign;
    uint64_t M = (a & 0xFFFFFFFFFFFFFull) | (1ull << 52);
    uint64_t R = M >> s, rem = M & ((1ull << s) - 1), half = 1ull << (s - 1);
    int up;
    if (rem != half)
        up = rem > half;
    else if (e != 0)
        up = (e > 0) == (p > 0);             /* an exact product decides the tie */
    else
        up = (int)(R & 1);
    /* for a normal result R carries the implicit bit, which adds the 1 of the biased
     * exponent eq - emin + 1; a carry out of the significand bumps the exponent */
    uint64_t bits = ((uint64_t)(eq - emin) << mbits) + R + (uint64_t)up;
    if (bits >= inf)
        return sign | inf;
    return (uint16_t)(sign | bits);
}

/* Non-finite tests on the bits: arithmetic (p - p) would raise "invalid" for an inf. */
static inline int gc_h_nonfinite(uint16_t h, int mbits)
{
    return (h & gc_h_inf(mbits)) == gc_h_inf(mbits);
}

static inline int gc_h_finite64(double p)
{
    return (gc_h_bits_of_f64(p) & 0x7FF0000000000000ull) != 0x7FF0000000000000ull;
}

/* Did rounding a finite value give an infinity? (the overflow flag's condition) */
static inline int gc_h_overflowed(uint16_t h, double p, int mbits)
{
    return (h & 0x7FFFu) == gc_h_inf(mbits) && gc_h_finite64(p);
}

/* Raise the flags IEEE arithmetic would have raised but a table lookup or an integer
 * conversion does not. volatile: the operation must happen at run time. */
static inline void gc_h_raise_overflow(void)
{
    volatile double big = 0x1p1023;
    big = big * 2.0;
    (void)big;
}

static inline void gc_h_raise_invalid(void)
{
    volatile double zero = 0.0;
    zero = zero / zero;
    (void)zero;
}
#endif
