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
    (void)sink;
    free(xs);
    return 0;
}
