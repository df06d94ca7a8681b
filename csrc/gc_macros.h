/* Token pasting used to give each (ISA, dtype) instantiation its own names. */
#ifndef GELU_C_MACROS_H
#define GELU_C_MACROS_H
#define GC_CAT_(a, b) a##_##b
#define GC_CAT(a, b) GC_CAT_(a, b)
/* FN(gelu) -> gelu_f32_scalar, gelu_f64_avx2, ... (GC_KEY and GC_ISA set by the includer) */
#define FN(name) GC_CAT(GC_CAT(name, GC_KEY), GC_ISA)
#endif
