/* Runtime CPU detection for the kernel paths (x86-64; elsewhere every answer is "no").
 *
 * The AVX2 path needs the CPU to have AVX2 and FMA (CPUID) and the OS to save the
 * YMM registers on a context switch (CPUID.1:ECX.OSXSAVE, then XGETBV: XCR0 bits 1
 * and 2, SSE and AVX state). Without the OS check an AVX2 CPU under an OS or
 * hypervisor that disabled AVX would fault on the first vector instruction. This file
 * is compiled without any ISA flag: XGETBV is inline asm (GCC/Clang; the intrinsic
 * would need -mxsave) or MSVC's _xgetbv, and it only runs once OSXSAVE says it exists. */
#include <stdio.h>
#include <string.h>
#include "cpu_x86.h"

#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__) || defined(_M_IX86)
#define GC_X86 1
#if defined(_MSC_VER)
#include <intrin.h>
#include <immintrin.h>
static void gc_cpuid(int leaf, int sub, unsigned r[4])
{
    int v[4];
    r[0] = r[1] = r[2] = r[3] = 0;
    __cpuid(v, 0);
    if (leaf > v[0])
        return;
    __cpuidex(v, leaf, sub);
    for (int i = 0; i < 4; i++)
        r[i] = (unsigned)v[i];
}
static unsigned long long gc_xgetbv0(void) { return _xgetbv(0); }
#else
#include <cpuid.h>
static void gc_cpuid(int leaf, int sub, unsigned r[4])
{
    r[0] = r[1] = r[2] = r[3] = 0;
    if ((unsigned)leaf > __get_cpuid_max(0, NULL))
        return;
    __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
}
static unsigned long long gc_xgetbv0(void)
{
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}
#endif
#else
#define GC_X86 0
#endif

static int detected = 0;
static gelu_c_cpu_info info;

const gelu_c_cpu_info *gelu_c_cpu(void)
{
    if (detected)
        return &info;
    memset(&info, 0, sizeof info);
#if GC_X86
    unsigned r1[4], r7[4];
    gc_cpuid(1, 0, r1);
    gc_cpuid(7, 0, r7);
    info.fma = (r1[2] >> 12) & 1;
    info.f16c = (r1[2] >> 29) & 1;
    int osxsave = (r1[2] >> 27) & 1;   /* XGETBV exists and the OS uses XSAVE */
    int avx = (r1[2] >> 28) & 1;
    info.avx2 = (r7[1] >> 5) & 1;
    info.avx512f = (r7[1] >> 16) & 1;
    info.os_ymm = osxsave && avx && (gc_xgetbv0() & 6) == 6;
    info.is_x86 = 1;
#endif
    detected = 1;
    return &info;
}

int gelu_c_cpu_has_avx2_path(void)
{
    const gelu_c_cpu_info *c = gelu_c_cpu();
    return c->avx2 && c->fma && c->f16c && c->os_ymm;
}

const char *gelu_c_cpu_features(void)
{
    static char text[160];
    const gelu_c_cpu_info *c = gelu_c_cpu();
    if (!c->is_x86) {
#if defined(__aarch64__) || defined(_M_ARM64)
        return "AArch64: Advanced SIMD (NEON) and FMA in the baseline";
#else
        return "not x86 or AArch64 (portable path only)";
#endif
    }
    snprintf(text, sizeof text, "AVX2 %s, FMA %s, F16C %s, AVX512F %s, OS saves YMM %s",
             c->avx2 ? "yes" : "no", c->fma ? "yes" : "no", c->f16c ? "yes" : "no",
             c->avx512f ? "yes" : "no", c->os_ymm ? "yes" : "no");
    return text;
}
