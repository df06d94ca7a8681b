/* The C side of gelu_c's function table. The lists (GELU_C_UNARY_FUNCS,
 * GELU_C_BINARY_FUNCS) and each function's kernel (GELU_C_KERNELS) are
 * generated from gelu_c/registry.py into functions_generated.h, which also names every
 * symbol they expand to; this header adds the types built from them. */
#ifndef GELU_C_FUNCS_H
#define GELU_C_FUNCS_H

#include <stddef.h>

#include "functions_generated.h"

/* Strided 1-D kernels: n elements, strides in bytes (any sign). */
typedef void (*gelu_c_unary_fn)(const char *x, ptrdiff_t sx, char *out, ptrdiff_t so, ptrdiff_t n);
typedef void (*gelu_c_binary_fn)(const char *dy, ptrdiff_t sdy, const char *x, ptrdiff_t sx,
                                 char *out, ptrdiff_t so, ptrdiff_t n);

/* A function with parameters: NumPy's args (inputs, then outputs) and byte steps. */
typedef void (*gelu_c_param_fn)(char **args, const ptrdiff_t *steps, ptrdiff_t n);

/* One kernel path (scalar, avx2, ...): every function for every dtype (float16,
 * float32, float64, bfloat16). */
typedef struct {
#define GELU_C_U_(name) gelu_c_unary_fn name##_f16, name##_f32, name##_f64, name##_bf16;
#define GELU_C_B_(name) gelu_c_binary_fn name##_f16, name##_f32, name##_f64, name##_bf16;
#define GELU_C_P_(name, nin, nout, call, sp) \
    gelu_c_param_fn name##_f16, name##_f32, name##_f64, name##_bf16;
    GELU_C_UNARY_FUNCS(GELU_C_U_)
    GELU_C_BINARY_FUNCS(GELU_C_B_)
    GELU_C_PARAM_FUNCS(GELU_C_P_)
#undef GELU_C_U_
#undef GELU_C_B_
#undef GELU_C_P_
} gelu_c_kernel_table;

#endif
