/* The AArch64 Advanced SIMD path: the same kernels (kernels.h) over the NEON layer
 * (vec_neon.h: 4 floats or 2 doubles per register), two registers per layer vector so
 * that two dependency chains interleave (vec_pair.h, as on AVX2). NEON is in the AArch64
 * baseline, so this file needs no flag and the path no CPU check; setup.py compiles it
 * only for aarch64. */
#include "funcs.h"
#include "gc_macros.h"
#include "coeffs_f32.h"
#include "coeffs_f64.h"
#include "coeffs_fast_gelu_f32.h"
#include "coeffs_fast_gelu_f64.h"
#include "coeffs_f32via64.h"
#include "coeffs_sigmoid_f32via64.h"

#if !defined(__aarch64__) && !defined(_M_ARM64)
#error "path_neon.c is for AArch64 only"
#endif

#define GC_ISA neon
#define GC_PAIR_BASE "vec_neon.h"

/* float64 first: the float32 Phi and GELU call its layer (gelu_f32via64.h) */
#include "dtype_f64.h"
#include "vec_pair.h"
#include "instantiate.h"

#include "dtype_f32.h"
#include "vec_pair.h"
#include "instantiate.h"

/* float16 and bfloat16: the float64 loops' results rounded once; the hot loops are table
 * lookups, which the one-lane half layer does as well as NEON could (no gather) */
#define GC_HALF_LAYER "half_scalar.h"
#include "instantiate_half.h"

#include "path_table.h"
