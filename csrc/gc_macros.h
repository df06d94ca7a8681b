/* Token pasting used to give each (ISA, dtype) instantiation its own names. */
#ifndef GELU_C_MACROS_H
#define GELU_C_MACROS_H
#define GC_CAT_(a, b) a##_##b
#define GC_CAT(a, b) GC_CAT_(a, b)
/* FN(gelu) -> gelu_f32_scalar, gelu_f64_avx2, ... (GC_KEY and GC_ISA set by the includer) */
#define FN(name) GC_CAT(GC_CAT(name, GC_KEY), GC_ISA)
/* Every kernel helper is forced inline. The loops instantiate one body twice (constant
 * and general strides), and only inlining folds the constant-stride copy into plain
 * vector loads. Left to itself, gcc -O3 keeps gelu_family & co. as out-of-line calls:
 * `which`/`deriv` then become run-time arguments, the SCALED result travels through
 * memory, and every ymm register is spilled around the call (the SysV ABI saves none). */
#if defined(_MSC_VER)
#define GC_ALWAYS_INLINE __forceinline
#elif defined(__GNUC__)
#define GC_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define GC_ALWAYS_INLINE inline
#endif
/* x86 (its default NaN has the sign bit set; Arm's has it clear): loops.h gives a NaN
 * made from non-NaN operands x86's bits on the other platforms */
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#define GC_ON_X86 1
#else
#define GC_ON_X86 0
#endif
/* r, with a NaN that no NaN input explains (in_nan clear: an invalid operation's default
 * NaN) given x86's bits, GC_X86_NAN of the dtype; on x86 r itself */
#if GC_ON_X86
#define GC_AS_X86_NAN(r, in_nan) (r)
#else
#define GC_AS_X86_NAN(r, in_nan) \
    vsel(visnan(r), vsel((in_nan), (r), vasflt(vi_set1(GC_X86_NAN))), (r))
#endif
#endif
