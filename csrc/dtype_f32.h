/* float32 parameters for one instantiation of the kernels. */
#define GC_T float
#define GC_KEY f32
#define GC_IS_F32 1
#define GC_P 24                 /* significand bits */
#define GC_BIAS 127             /* exponent bias */
#define GC_KB 512               /* exp: k is biased by 8*GC_KB so that unsigned shifts floor it */
#define GC_NPIECE GELU_C_F32_NPIECE
#define GC_DEG GELU_C_F32_DEG
#define GC_MBITS GELU_C_F32_PIECE_MBITS
#define GC_PDEG GELU_C_F32_PDEG
#define GC_NROW (GC_DEG + 5)        /* piece table rows: centre, c0, c1 (hi, lo), c2 .. c_deg */
#define GC_NROW4 GELU_C_F32_NROW4  /* the same, padded to a multiple of 4 */
#define GC_MAX 0x1.fffffep127f
#define GC_X86_NAN 0xffc00000u           /* x86's default NaN (GC_AS_X86_NAN) */
