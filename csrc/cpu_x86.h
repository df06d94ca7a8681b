/* What the CPU (and the OS) can run: CPUID and XGETBV, read once. */
#ifndef GELU_C_CPU_X86_H
#define GELU_C_CPU_X86_H
typedef struct {
    int is_x86, avx2, fma, f16c, avx512f, os_ymm;
} gelu_c_cpu_info;

const gelu_c_cpu_info *gelu_c_cpu(void);
/* AVX2 and FMA on the CPU, and YMM state saved by the OS. */
int gelu_c_cpu_has_avx2_path(void);
/* One line for show_config(). */
const char *gelu_c_cpu_features(void);
#endif
