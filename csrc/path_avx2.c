/* The AVX2+FMA(+F16C) path: the same kernels (kernels.h) over the AVX2 layer (vec_avx2.h:
 * 8 floats or 4 doubles per register), two registers per layer vector so that two
 * chains interleave (vec_pair.h). This is the only translation unit built with -mavx2
 * -mfma (setup.py gives it a library of its own); everything it defines is static
 * except the table below, so no AVX2 code can leak into the baseline objects through
 * a shared inline function. dispatch.c only hands this table out after cpu_x86.c has
 * seen AVX2, FMA and the OS's YMM state support. */
#include "funcs.h"
#include "gc_macros.h"
#include "coeffs_f32.h"
#include "coeffs_f64.h"
#include "coeffs_fast_gelu_f32.h"
#include "coeffs_fast_gelu_f64.h"
#include "coeffs_f32via64.h"
#include "coeffs_sigmoid_f32via64.h"

#if !defined(__AVX2__) || (!defined(__FMA__) && !defined(_MSC_VER))  /* MSVC: /arch:AVX2 implies FMA */
#error "path_avx2.c must be compiled with AVX2, FMA and F16C enabled (-mavx2 -mfma -mf16c or /arch:AVX2)"
#endif

#define GC_ISA avx2
#define GC_PAIR_BASE "vec_avx2.h"

/* float64 first: the float32 Phi and GELU call its layer (gelu_f32via64.h) */
#include "dtype_f64.h"
#include "vec_pair.h"
#include "instantiate.h"

#include "dtype_f32.h"
#include "vec_pair.h"
#include "instantiate.h"

/* float16 and bfloat16: the float64 loops' results rounded once */
#define GC_HALF_LAYER "half_avx2.h"
#include "instantiate_half.h"

#include "path_table.h"
