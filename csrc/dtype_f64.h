/* float64 parameters for one instantiation of the kernels. */
#define GC_T double
#define GC_KEY f64
#define GC_IS_F32 0
#define GC_P 53
#define GC_BIAS 1023
#define GC_KB 4096
#define GC_NPIECE GELU_C_F64_NPIECE
#define GC_DEG GELU_C_F64_DEG
#define GC_MBITS GELU_C_F64_PIECE_MBITS
#define GC_PDEG GELU_C_F64_PDEG
#define GC_NROW (GC_DEG + 5)        /* piece table rows: centre, c0, c1 (hi, lo), c2 .. c_deg */
#define GC_NROW4 GELU_C_F64_NROW4  /* the same, padded to a multiple of 4 */
#define GC_MAX 0x1.fffffffffffffp1023
#define GC_X86_NAN 0xfff8000000000000ull   /* x86's default NaN (GC_AS_X86_NAN) */
