/* How many of each AVX2 operation the kernels use can this core start per cycle, alone
 * and in pairs? The answer says which operations compete for the same pipes, which
 * the operation counts of tools/count_ops.py alone cannot: on Zen 3, for instance,
 * adds have pipes of their own while a vpermps holds an FMA pipe, and on Intel cores
 * compares and blends share the FMA ports. No performance counters needed.
 *
 * Build and run (x86-64 with AVX2 and FMA), from the repository root:
 *     gcc -O2 -mavx2 -mfma tools/pipe_throughput.c -o /tmp/pipe_throughput
 *     /tmp/pipe_throughput
 * Each line: cycles per operation (alone) or per pair (mixed), 12 independent chains
 * so that latency never limits; the clock comes from a chain of dependent one-cycle
 * integer adds, as in bench/clock.py. "0.50" alone means 2 per cycle; a pair at 1.00
 * shares pipes, a pair at 0.50 does not. The last lines rotate four operations and
 * print operations per cycle: on Zen 3 every mix with floating-point operations in it
 * stops at 3.0 (4.0 for integer and logic operations alone), the ceiling that
 * bench/bound.py's Zen 3 floor uses. */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#define N 120000000L

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double clock_hz(void)
{
    long n = 200000000L, a = 0, b = 1;
    double t = now();
    for (long i = 0; i < n / 8; i++)
        __asm__("add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\t"
                "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0"
                : "+r"(a) : "r"(b));
    t = now() - t;
    __asm__ volatile("" ::"r"(a));
    return (double)n / t;
}

/* One operation on chain a (float) or i (integer); the empty asm keeps the compiler
 * from folding or reordering the chains away. */
#define FMA(a, i) a = _mm256_fmadd_ps(a, b, b); __asm__("" : "+x"(a));
#define MUL(a, i) a = _mm256_mul_ps(a, b); __asm__("" : "+x"(a));
#define ADD(a, i) a = _mm256_add_ps(a, b); __asm__("" : "+x"(a));
#define CMP(a, i) a = _mm256_cmp_ps(a, b, _CMP_LT_OQ); __asm__("" : "+x"(a));
#define MAX(a, i) a = _mm256_max_ps(a, b); __asm__("" : "+x"(a));
#define BLENDV(a, i) a = _mm256_blendv_ps(a, b, a); __asm__("" : "+x"(a));
#define AND(a, i) a = _mm256_and_ps(a, b); __asm__("" : "+x"(a));
#define PERMPS(a, i) a = _mm256_permutevar8x32_ps(a, ix); __asm__("" : "+x"(a));
#define PERMILPS(a, i) a = _mm256_permutevar_ps(a, ix); __asm__("" : "+x"(a));
#define PADDD(a, i) i = _mm256_add_epi32(i, ix); __asm__("" : "+x"(i));
#define PSLLD(a, i) i = _mm256_slli_epi32(i, 1); __asm__("" : "+x"(i));
#define PMINUD(a, i) i = _mm256_min_epu32(i, ix); __asm__("" : "+x"(i));
#define PSHUFB(a, i) i = _mm256_shuffle_epi8(i, ix); __asm__("" : "+x"(i));

/* Seconds for N operations W, X, Y, Z, W, X, ... spread over 12 independent chains
 * (three of each; W X W X for a pair, all four the same alone). */
#define TIMED(W, X, Y, Z, seconds)                                                      \
    {                                                                                   \
        __m256 a0 = _mm256_set1_ps(1.0f), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;  \
        __m256 a6 = a0, a7 = a0, a8 = a0, a9 = a0, a10 = a0, a11 = a0;                  \
        __m256 b = _mm256_set1_ps(0.999f);                                              \
        __m256i ix = _mm256_set_epi32(7, 6, 5, 4, 3, 2, 1, 0);                          \
        __m256i i0 = _mm256_set1_epi32(1), i1 = i0, i2 = i0, i3 = i0, i4 = i0, i5 = i0; \
        __m256i i6 = i0, i7 = i0, i8 = i0, i9 = i0, i10 = i0, i11 = i0;                 \
        (void)b;                                                                        \
        (void)ix;                                                                       \
        double t_ = now();                                                              \
        for (long k = 0; k < N / 12; k++) {                                             \
            W(a0, i0) X(a1, i1) Y(a2, i2) Z(a3, i3) W(a4, i4) X(a5, i5)                 \
            Y(a6, i6) Z(a7, i7) W(a8, i8) X(a9, i9) Y(a10, i10) Z(a11, i11)             \
        }                                                                               \
        seconds = now() - t_;                                                           \
        __asm__ volatile("" ::"x"(a0), "x"(a1), "x"(a2), "x"(a3), "x"(a4), "x"(a5));    \
        __asm__ volatile("" ::"x"(a6), "x"(a7), "x"(a8), "x"(a9), "x"(a10), "x"(a11));  \
        __asm__ volatile("" ::"x"(i0), "x"(i1), "x"(i2), "x"(i3), "x"(i4), "x"(i5));    \
        __asm__ volatile("" ::"x"(i6), "x"(i7), "x"(i8), "x"(i9), "x"(i10), "x"(i11));  \
    }
#define ALONE(X)                                                                        \
    {                                                                                   \
        double t;                                                                       \
        TIMED(X, X, X, X, t)                                                            \
        printf("%-9s alone     %.2f cycles/op\n", #X, t / N * hz);                     \
    }
#define PAIR(X, Y)                                                                      \
    {                                                                                   \
        double t;                                                                       \
        TIMED(X, Y, X, Y, t)                                                            \
        printf("%-9s + %-9s %.2f cycles/pair\n", #X, #Y, t / N * hz * 2);              \
    }
/* Four operations in rotation: how many vector operations per cycle the core
 * sustains on a mix, whatever the pipes (the kernels are such mixes). */
#define MIX4(W, X, Y, Z)                                                                \
    {                                                                                   \
        double t;                                                                       \
        TIMED(W, X, Y, Z, t)                                                            \
        printf("%-6s + %-6s + %-6s + %-6s %.2f ops/cycle\n", #W, #X, #Y, #Z, N / (t * hz)); \
    }

int main(void)
{
    double hz = clock_hz();
    printf("clock %.2f GHz (dependent integer adds)\n", hz * 1e-9);
    ALONE(FMA) ALONE(MUL) ALONE(ADD) ALONE(CMP) ALONE(MAX) ALONE(BLENDV) ALONE(AND)
    ALONE(PERMPS) ALONE(PERMILPS) ALONE(PADDD) ALONE(PSLLD) ALONE(PMINUD)
    PAIR(FMA, ADD) PAIR(FMA, CMP) PAIR(FMA, MAX) PAIR(FMA, BLENDV) PAIR(FMA, AND)
    PAIR(FMA, PERMPS) PAIR(FMA, PERMILPS) PAIR(FMA, PADDD) PAIR(FMA, PSLLD)
    PAIR(ADD, PERMPS) PAIR(ADD, BLENDV) PAIR(ADD, CMP) PAIR(PERMPS, PADDD)
    PAIR(FMA, FMA) PAIR(FMA, PSHUFB) PAIR(ADD, PSHUFB) PAIR(PERMPS, PERMILPS)
    MIX4(FMA, FMA, ADD, ADD) MIX4(FMA, ADD, FMA, ADD) MIX4(FMA, ADD, AND, PADDD)
    MIX4(MUL, ADD, AND, PADDD) MIX4(FMA, AND, FMA, AND) MIX4(FMA, ADD, PSLLD, AND)
    MIX4(PADDD, AND, PADDD, AND)
    return 0;
}
