/* Prints, for every kernel of one dtype, how many inputs of a sweep make some
 * intermediate floating-point result subnormal (see vec_subnormal.h), with the first
 * such input. Built and run by tools/subnormal_check.py.
 *
 * The sweep: x on a fine grid over both tails and the clamps, powers of ten of both
 * signs down to 1e-18, and the special values; dy for the backward kernels from a set
 * spanning 2^-60 to near the overflow threshold. Inputs below 2^-60 in magnitude are
 * left out: there a subnormal result is formed by a multiply on purpose (the result
 * itself, or dy * f'(x), is subnormal or nearly). */
#include <stdio.h>
#include <stdlib.h>
#include "funcs.h"
#include "gc_macros.h"
#include "coeffs_f32.h"
#include "coeffs_f64.h"
#include "coeffs_fast_gelu_f32.h"
#include "coeffs_fast_gelu_f64.h"
#include "coeffs_f32via64.h"
#include "coeffs_sigmoid_f32via64.h"
#define GC_ISA subnormal
/* float64 always (the float32 Phi and GELU call its layer: gelu_f32via64.h) */
#include "dtype_f64.h"
#include "vec_subnormal.h"
#include "dword.h"
#include "kernels.h"
#undef gc_chk
#undef gc_sel
#ifdef CHECK_F64
#define XMAX 3000.0
#define DY_HUGE 1e300
#else
#undef DW
#include "vec_undef.h"
#include "dtype_undef.h"
#include "dtype_f32.h"
#define XMAX 300.0
#define DY_HUGE 2.5e38
#include "vec_subnormal.h"
#include "dword.h"
#include "kernels.h"
#endif

static GC_T *xs;
static long nx;

static void add(double x) { xs[nx++] = (GC_T)x; }

static void build_sweep(void)
{
    xs = malloc(sizeof(GC_T) * 2000000);
    for (long i = 0; i <= 600000; i++)             /* [-XMAX, XMAX], step ~0.01 (f64: 0.01) */
        add(-XMAX + 2 * XMAX * (double)i / 600000);
    for (long i = 0; i <= 400000; i++)             /* [-45, 0], step ~1e-4: every tail */
        add(-45.0 * (double)i / 400000);
    for (int e = -18; e <= 38; e++) {
        double p = 1.0;
        for (int k = 0; k < (e < 0 ? -e : e); k++)
            p = e < 0 ? p / 10 : p * 10;
        add(p), add(-p), add(1.37 * p), add(-1.37 * p);
    }
    add(0.0), add(-0.0), add(INFINITY), add(-INFINITY), add(NAN);
}

static long report(const char *name, long n, GC_T x, GC_T dy)
{
    printf("%s %ld %a %a\n", name, n, (double)x, (double)dy);
    return n;
}

int main(void)
{
    static const double dys[] = {1.0, -0.3, 3e-5, -7e4, 0x1.3p-60, DY_HUGE};
    volatile GC_T sink;
    build_sweep();
#define GC_U(name)                                                     \
    {                                                                  \
        long bad = 0; GC_T bx = 0;                                     \
        for (long i = 0; i < nx; i++) {                                \
            gc_subnormal_ops = 0;                                      \
            sink = FN(k_##name)(xs[i]);                                \
            if (gc_subnormal_ops && !bad++) bx = xs[i];                \
        }                                                              \
        report(#name, bad, bx, 0);                                     \
    }
#define GC_B(name)                                                     \
    {                                                                  \
        long bad = 0; GC_T bx = 0, bdy = 0;                            \
        for (int d = 0; d < (int)(sizeof dys / sizeof dys[0]); d++)    \
            for (long i = 0; i < nx; i++) {                            \
                gc_subnormal_ops = 0;                                  \
                sink = FN(k_##name)((GC_T)dys[d], xs[i]);              \
                if (gc_subnormal_ops && !bad++) bx = xs[i], bdy = (GC_T)dys[d]; \
            }                                                          \
        report(#name, bad, bx, bdy);                                   \
    }
    GELU_C_UNARY_FUNCS(GC_U)
    GELU_C_BINARY_FUNCS(GC_B)
    /* functions with parameters: every 7th x, a few (mu, sigma), dy from dys[0..2] */
    static const double params[][2] = {{0.0, 1.0}, {0.5, 0.3}, {-2.0, 4.0}};
#define GC_P(name, nin, nout, call, sp)                                \
    {                                                                  \
        long bad = 0; GC_T bx = 0, bdy = 0;                            \
        for (int d = 0; d < ((nin) == 4 ? 3 : 1); d++)                 \
            for (int q = 0; q < 3; q++)                                \
                for (long i = 0; i < nx; i += 7) {                     \
                    VT in[4], out[3];                                  \
                    int j = 0;                                         \
                    if ((nin) == 4) in[j++] = (GC_T)dys[d];            \
                    in[j++] = xs[i];                                   \
                    in[j++] = (GC_T)params[q][0];                      \
                    in[j++] = (GC_T)params[q][1];                      \
                    gc_subnormal_ops = 0;                              \
                    call;                                              \
                    sink = out[0];                                     \
                    if (gc_subnormal_ops && !bad++)                    \
                        bx = xs[i], bdy = (nin) == 4 ? (GC_T)dys[d] : 0; \
                }                                                      \
        report(#name, bad, bx, bdy);                                   \
    }
    GELU_C_PARAM_FUNCS(GC_P)
    (void)sink;
    free(xs);
    return 0;
}
