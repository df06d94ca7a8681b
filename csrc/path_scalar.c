/* The portable path: the kernels (kernels.h) over the one-lane layer
 * (vec_scalar.h). Compiled without any ISA flag; it is the fallback everywhere and
 * the reference the SIMD paths must match bit for bit. */
#include "funcs.h"
#include "gc_macros.h"
#include "coeffs_f32.h"
#include "coeffs_f64.h"
#include "coeffs_fast_gelu_f32.h"
#include "coeffs_fast_gelu_f64.h"
#include "coeffs_f32via64.h"
#include "coeffs_sigmoid_f32via64.h"

#define GC_ISA scalar

/* float64 first: the float32 Phi and GELU call its layer (gelu_f32via64.h) */
#include "dtype_f64.h"
#include "vec_scalar.h"
#include "instantiate.h"

#include "dtype_f32.h"
#include "vec_scalar.h"
#include "instantiate.h"

/* float16 and bfloat16: the float64 loops' results rounded once */
#define GC_HALF_LAYER "half_scalar.h"
#include "instantiate_half.h"

#include "path_table.h"
