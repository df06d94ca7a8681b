/* Prints, for every kernel of one dtype, how many vector-layer operations one vector
 * takes, by category (see vec_count.h). Built and run by tools/count_ops.py. */
#include <stdio.h>
#include "funcs.h"
#include "gc_macros.h"
#include "coeffs_f32.h"
#include "coeffs_f64.h"
#include "coeffs_fast_gelu_f32.h"
#include "coeffs_fast_gelu_f64.h"
#include "coeffs_f32via64.h"
#include "coeffs_sigmoid_f32via64.h"
#define GC_ISA count
/* float64 always (the float32 Phi and GELU call its layer: gelu_f32via64.h), then
 * float32 unless the float64 kernels are counted */
#include "dtype_f64.h"
#include "vec_count.h"
#include "dword.h"
#include "kernels.h"
#ifndef COUNT_F64
#undef DW
#include "vec_undef.h"
#include "dtype_undef.h"
#include "dtype_f32.h"
#include "vec_count.h"
#include "dword.h"
#include "kernels.h"
#endif

static void report(const char *name)
{
    printf("%s", name);
    for (int c = 0; c < C_N; c++) {
        printf(" %s=%ld", gc_cat_names[c], gc_cnt[c]);
        gc_cnt[c] = 0;
    }
    printf("\n");
}

int main(void)
{
    volatile GC_T x = (GC_T)-1.25, dy = (GC_T)0.5, sink;
#define GC_U(name) sink = FN(k_##name)(x); report(#name);
#define GC_B(name) sink = FN(k_##name)(dy, x); report(#name);
    GELU_C_UNARY_FUNCS(GC_U)
    GELU_C_BINARY_FUNCS(GC_B)
    (void)sink;
    return 0;
}
