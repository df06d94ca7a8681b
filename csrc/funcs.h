/* The one table of gelu_c's functions. Every per-function artefact (kernel loops,
 * dispatch tables, ufunc trampolines, the Python-side ufunc list) is generated from
 * these X-macros, so adding a function means adding one line here and its kernel. */
#ifndef GELU_C_FUNCS_H
#define GELU_C_FUNCS_H

#include <stddef.h>

/* f(x): name */
#define GELU_C_UNARY_FUNCS(X) \
    X(norm_cdf)               \
    X(gelu)                   \
    X(gelu_grad)              \
    X(gelu_tanh)              \
    X(gelu_tanh_grad)         \
    X(gelu_sigmoid)           \
    X(gelu_sigmoid_grad)      \
    X(silu)                   \
    X(silu_grad)

/* dy * f'(x): name(dy, x) */
#define GELU_C_BINARY_FUNCS(X) \
    X(gelu_backward)           \
    X(gelu_tanh_backward)      \
    X(gelu_sigmoid_backward)   \
    X(silu_backward)

/* The dtypes every function has a loop for. */
#define GELU_C_DTYPES(X) X(f32) X(f64)

/* Strided 1-D kernels: n elements, strides in bytes (any sign). */
typedef void (*gelu_c_unary_fn)(const char *x, ptrdiff_t sx, char *out, ptrdiff_t so, ptrdiff_t n);
typedef void (*gelu_c_binary_fn)(const char *dy, ptrdiff_t sdy, const char *x, ptrdiff_t sx,
                                 char *out, ptrdiff_t so, ptrdiff_t n);

/* One kernel path (scalar, avx2, ...): every function for every dtype. */
typedef struct {
#define GELU_C_U_(name) gelu_c_unary_fn name##_f32, name##_f64;
#define GELU_C_B_(name) gelu_c_binary_fn name##_f32, name##_f64;
    GELU_C_UNARY_FUNCS(GELU_C_U_)
    GELU_C_BINARY_FUNCS(GELU_C_B_)
#undef GELU_C_U_
#undef GELU_C_B_
} gelu_c_kernel_table;

#endif
