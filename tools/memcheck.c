/* Memory-safety driver for the kernel loops: every function of both tiers, every dtype
 * (float16, float32, float64, bfloat16) and every compiled path
 * on buffers allocated to the exact byte (no slack), for every length 0..67 and
 * 255, 256, 257, 600 (the strided loops' chunks), strides
 * of +-1, 2 and 3 elements, in place, and with overlapping output (reduce-style); the
 * functions with parameters also with one mu and one sigma (stride 0).
 * Run it under AddressSanitizer or valgrind (tools/memcheck.sh): any read or write past
 * an array is reported there; this program itself only checks that the paths agree. */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include "funcs.h"
#include "cpu_x86.h"

extern const gelu_c_kernel_table gelu_c_kernels_scalar;
#ifdef GELU_C_HAVE_AVX2
extern const gelu_c_kernel_table gelu_c_kernels_avx2;
#endif

static unsigned long long rng = 88172645463325252ull;
static double next_value(void)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return ((double)(rng % 2000001) - 1000000.0) / 50000.0;   /* [-20, 20] */
}

/* An input element of each dtype: float32/float64 from [-20, 20]; float16 and bfloat16
 * (stored as uint16_t) any bit pattern, NaNs and infinities included. `positive`: the
 * sign cleared (sigma). */
static double gen_f64(int positive) { double v = next_value(); return positive ? (v < 0 ? -v : v) + 0.125 : v; }
static float gen_f32(int positive) { return (float)gen_f64(positive); }
static uint16_t gen_bits16(int positive)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint16_t)((rng >> 24) & (positive ? 0x7fffu : 0xffffu));
}
#define gen_f16 gen_bits16
#define gen_bf16 gen_bits16

static int failures = 0;

/* Runs one unary or binary kernel of element size `es` on a fresh exact-size buffer. */
#define RUN(table, fn, es, T, gen, n, st, binary, out_bytes)                                  \
    do {                                                                                  \
        ptrdiff_t span = (n) > 0 ? ((n) - 1) * (ptrdiff_t)(st > 0 ? st : -st) + 1 : 0;    \
        T *x = malloc((size_t)(span ? span : 1) * sizeof(T));                            \
        T *dy = malloc((size_t)(span ? span : 1) * sizeof(T));                           \
        T *o = calloc((size_t)(span ? span : 1), sizeof(T)); /* gaps compare equal */     \
        for (ptrdiff_t i = 0; i < span; i++) { x[i] = gen(0); dy[i] = gen(0); }          \
        char *xb = (char *)x + (st < 0 ? (span - 1) * (ptrdiff_t)sizeof(T) : 0);         \
        char *db = (char *)dy + (st < 0 ? (span - 1) * (ptrdiff_t)sizeof(T) : 0);        \
        char *ob = (char *)o + (st < 0 ? (span - 1) * (ptrdiff_t)sizeof(T) : 0);         \
        ptrdiff_t sb = (ptrdiff_t)(st) * (ptrdiff_t)sizeof(T);                           \
        if (binary) ((gelu_c_binary_fn)(void *)(fn))(db, sb, xb, sb, ob, sb, (n));       \
        else ((gelu_c_unary_fn)(void *)(fn))(xb, sb, ob, sb, (n));                       \
        memcpy(out_bytes, o, (size_t)span * sizeof(T));                                  \
        /* in place: out is x */                                                          \
        if (binary) ((gelu_c_binary_fn)(void *)(fn))(db, sb, xb, sb, xb, sb, (n));       \
        else ((gelu_c_unary_fn)(void *)(fn))(xb, sb, xb, sb, (n));                       \
        /* reduce-style: out is dy with stride 0 */                                       \
        if (binary && (n) > 0) ((gelu_c_binary_fn)(void *)(fn))(db, 0, xb, sb, db, 0, (n)); \
        free(x); free(dy); free(o);                                                       \
    } while (0)

/* A function with parameters (nin inputs, nout outputs): every operand strided by st,
 * or (bcast) the parameters one element each with stride 0 (the scalar-parameter loop);
 * then in place (output 0 is x) and with output 0 over input 0 at stride 0. The last
 * input (sigma) is kept positive. Outputs are copied one after the other to out_bytes. */
#define RUN_P(fn, T, gen, n, st, nin, nout, bcast, out_bytes)                                 \
    do {                                                                                  \
        ptrdiff_t span = (n) > 0 ? ((n) - 1) * (ptrdiff_t)(st > 0 ? st : -st) + 1 : 0;    \
        size_t cells = (size_t)(span ? span : 1);                                        \
        T *buf[8];                                                                        \
        char *args[8];                                                                    \
        ptrdiff_t steps[8];                                                               \
        ptrdiff_t sb = (ptrdiff_t)(st) * (ptrdiff_t)sizeof(T);                           \
        int first_param = (nin) - 2;                                                      \
        for (int a = 0; a < (nin) + (nout); a++) {                                        \
            int one = (bcast) && a >= first_param && a < (nin);                           \
            buf[a] = a < (nin) ? malloc((one ? 1 : cells) * sizeof(T))                    \
                               : calloc(cells, sizeof(T));                                \
            if (a < (nin))                                                                \
                for (size_t i = 0; i < (one ? 1 : (size_t)span); i++)                     \
                    buf[a][i] = gen(a == (nin) - 1);                                      \
            args[a] = (char *)buf[a] + (!one && st < 0 ? (span - 1) * (ptrdiff_t)sizeof(T) : 0); \
            steps[a] = one ? 0 : sb;                                                      \
        }                                                                                 \
        ((gelu_c_param_fn)(void *)(fn))(args, steps, (n));                                \
        for (int k = 0; k < (nout); k++)                                                  \
            memcpy((out_bytes) + (size_t)k * span * sizeof(T), buf[(nin) + k],            \
                   (size_t)span * sizeof(T));                                             \
        char *keep = args[(nin)];                                                         \
        ptrdiff_t ks = steps[(nin)];                                                      \
        args[(nin)] = args[(nin) - 3];          /* in place: output 0 is x */            \
        steps[(nin)] = steps[(nin) - 3];                                                  \
        ((gelu_c_param_fn)(void *)(fn))(args, steps, (n));                                \
        if ((n) > 0) {                          /* output 0 over input 0, stride 0 */    \
            args[(nin)] = args[0];                                                        \
            steps[(nin)] = 0;                                                             \
            ptrdiff_t s0 = steps[0];                                                      \
            steps[0] = 0;                                                                 \
            ((gelu_c_param_fn)(void *)(fn))(args, steps, (n));                            \
            steps[0] = s0;                                                                \
        }                                                                                 \
        args[(nin)] = keep;                                                               \
        steps[(nin)] = ks;                                                                \
        for (int a = 0; a < (nin) + (nout); a++)                                          \
            free(buf[a]);                                                                 \
    } while (0)

static unsigned char ref_out[3 * 4096 * 8], got_out[3 * 4096 * 8];

static void check(const char *name, const char *dt, ptrdiff_t n, int st, size_t bytes)
{
    if (memcmp(ref_out, got_out, bytes) != 0) {
        failures++;
        fprintf(stderr, "paths differ: %s %s n=%td stride=%d\n", name, dt, n, st);
    }
}

int main(void)
{
    static const int strides[] = {1, 2, -1, 3};
    const gelu_c_kernel_table *tables[2] = {&gelu_c_kernels_scalar, NULL};
#ifdef GELU_C_HAVE_AVX2
    if (gelu_c_cpu_has_avx2_path())
        tables[1] = &gelu_c_kernels_avx2;
#endif
    /* and a few lengths around and past the strided loops' 256-element chunk buffers */
    static const ptrdiff_t long_lengths[] = {255, 256, 257, 600};
    const size_t n_short = 68, n_long = sizeof long_lengths / sizeof long_lengths[0];
    long calls = 0;
    for (size_t q = 0; q < n_short + n_long; q++)
        for (size_t k = 0; k < sizeof strides / sizeof strides[0]; k++) {
            ptrdiff_t n = q < n_short ? (ptrdiff_t)q : long_lengths[q - n_short];
            int st = strides[k];
            size_t span = n > 0 ? (size_t)((n - 1) * (st > 0 ? st : -st) + 1) : 0;
            unsigned long long seed = rng;
#define ONE_T(name, binary, sfx, T)                                                    \
            for (int t = 0; t < 2; t++) {                                                 \
                if (!tables[t]) continue;                                                 \
                rng = seed;                                                               \
                RUN(tables[t], tables[t]->name##_##sfx, sizeof(T), T, gen_##sfx, n, st, binary, \
                    t ? got_out : ref_out);                                               \
                calls++;                                                                  \
            }                                                                             \
            if (tables[1]) check(#name, #sfx, n, st, span * sizeof(T));
#define ONE(name, binary) ONE_T(name, binary, f32, float) ONE_T(name, binary, f64, double) \
            ONE_T(name, binary, f16, uint16_t) ONE_T(name, binary, bf16, uint16_t)
#define U(name) ONE(name, 0)
#define B(name) ONE(name, 1)
            GELU_C_UNARY_FUNCS(U)
            GELU_C_BINARY_FUNCS(B)
#define ONE_P_T(name, nin, nout, sfx, T, bcast)                                         \
            for (int t = 0; t < 2; t++) {                                                 \
                if (!tables[t]) continue;                                                 \
                rng = seed;                                                               \
                RUN_P(tables[t]->name##_##sfx, T, gen_##sfx, n, st, nin, nout, bcast,    \
                      t ? got_out : ref_out);                                             \
                calls++;                                                                  \
            }                                                                             \
            if (tables[1]) check(#name, #sfx, n, st, (size_t)(nout) * span * sizeof(T));
#define P(name, nin, nout, call, sp)                                                     \
            ONE_P_T(name, nin, nout, f32, float, 0) ONE_P_T(name, nin, nout, f64, double, 0) \
            ONE_P_T(name, nin, nout, f32, float, 1) ONE_P_T(name, nin, nout, f64, double, 1) \
            ONE_P_T(name, nin, nout, f16, uint16_t, 0) ONE_P_T(name, nin, nout, bf16, uint16_t, 0) \
            ONE_P_T(name, nin, nout, f16, uint16_t, 1) ONE_P_T(name, nin, nout, bf16, uint16_t, 1)
            GELU_C_PARAM_FUNCS(P)
        }
    printf("memcheck: %ld kernel calls (x3: out-of-place, in place, overlapping), both tiers, "
           "float16/32/64 and bfloat16, paths: scalar%s; "
           "path mismatches: %d\n", calls, tables[1] ? ", avx2" : "", failures);
    return failures != 0;
}
