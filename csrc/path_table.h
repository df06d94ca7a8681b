/* The kernel table of one ISA (GC_ISA): every function's loop for every dtype. */
#define GC_ENTRY(name) .name##_f16 = GC_CAT(GC_CAT(name, f16), GC_ISA), \
                       .name##_f32 = GC_CAT(GC_CAT(name, f32), GC_ISA), \
                       .name##_f64 = GC_CAT(GC_CAT(name, f64), GC_ISA), \
                       .name##_bf16 = GC_CAT(GC_CAT(name, bf16), GC_ISA),
const gelu_c_kernel_table GC_CAT(gelu_c_kernels, GC_ISA) = {
    GELU_C_UNARY_FUNCS(GC_ENTRY)
    GELU_C_BINARY_FUNCS(GC_ENTRY)
#define GC_PARAM_ENTRY(name, nin, nout, call, sp) GC_ENTRY(name)
    GELU_C_PARAM_FUNCS(GC_PARAM_ENTRY)
#undef GC_PARAM_ENTRY
};
#undef GC_ENTRY
