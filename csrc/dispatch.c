/* Ufunc inner loops and the runtime choice of kernel path.
 *
 * Each ufunc loop is a trampoline through `active`, so the path can be switched at any
 * time (tests force every path; NumPy may cache which loop it picked for a ufunc, but
 * that loop is ours and reads `active` on every call). */
#include <string.h>
#include "funcs.h"
#include "dispatch.h"
#include "cpu_x86.h"
#include "threads.h"

extern const gelu_c_kernel_table gelu_c_kernels_scalar;
#ifdef GELU_C_HAVE_AVX2
extern const gelu_c_kernel_table gelu_c_kernels_avx2;   /* path_avx2.c, own flags */
#endif
#ifdef GELU_C_HAVE_NEON
extern const gelu_c_kernel_table gelu_c_kernels_neon;   /* path_neon.c, AArch64 baseline */
#endif

typedef struct {
    const char *name;
    const gelu_c_kernel_table *table;   /* NULL: not compiled in */
    int (*supported)(void);             /* NULL: always */
} gc_path;

static const gc_path paths[] = {
    {"scalar", &gelu_c_kernels_scalar, NULL},
#ifdef GELU_C_HAVE_AVX2
    {"avx2", &gelu_c_kernels_avx2, gelu_c_cpu_has_avx2_path},
#else
    {"avx2", NULL, NULL},               /* not compiled in (not x86-64, or disabled) */
#endif
#ifdef GELU_C_HAVE_NEON
    {"neon", &gelu_c_kernels_neon, NULL},  /* NEON is in every AArch64 CPU */
#else
    {"neon", NULL, NULL},               /* not compiled in (not AArch64, or disabled) */
#endif
};
#define GC_NPATHS ((int)(sizeof paths / sizeof paths[0]))

static const gelu_c_kernel_table *volatile active = &gelu_c_kernels_scalar;
static int active_index = 0;

int gelu_c_n_paths(void) { return GC_NPATHS; }
const char *gelu_c_path_name(int i) { return (i >= 0 && i < GC_NPATHS) ? paths[i].name : NULL; }

int gelu_c_path_available(int i)
{
    if (i < 0 || i >= GC_NPATHS || paths[i].table == NULL)
        return 0;
    return paths[i].supported == NULL || paths[i].supported();
}

int gelu_c_set_path(const char *name)
{
    int pick = -1;
    if (strcmp(name, "auto") == 0) {
        for (int i = 0; i < GC_NPATHS; i++)
            if (gelu_c_path_available(i))
                pick = i;
    } else {
        for (int i = 0; i < GC_NPATHS; i++)
            if (strcmp(name, paths[i].name) == 0)
                pick = i;
        if (pick < 0)
            return -1;
        if (!gelu_c_path_available(pick))
            return -2;
    }
    active = paths[pick].table;
    active_index = pick;
    return 0;
}

const char *gelu_c_get_path(void) { return paths[active_index].name; }

#ifndef GELU_C_CFLAGS
#define GELU_C_CFLAGS "unknown"
#endif
const char *gelu_c_build_flags(void) { return GELU_C_CFLAGS; }

/* ---- trampolines: NumPy's (args, dims, steps) -> the active path's kernel, split across
 * threads for large calls (threads.c); the path is read once per call ---- */
static void part_unary(char **a, const intptr_t *s, intptr_t n, gelu_c_any_fn k)
{
    ((gelu_c_unary_fn)k)(a[0], s[0], a[1], s[1], n);
}
static void part_binary(char **a, const intptr_t *s, intptr_t n, gelu_c_any_fn k)
{
    ((gelu_c_binary_fn)k)(a[0], s[0], a[1], s[1], a[2], s[2], n);
}
static void part_param(char **a, const intptr_t *s, intptr_t n, gelu_c_any_fn k)
{
    ((gelu_c_param_fn)k)(a, s, n);
}
#define GC_TRAMPOLINE(name, key, size, nin, nout, part)                                \
    static void loop_##name##_##key(char **a, intptr_t const *d, intptr_t const *s, void *u) \
    { (void)u; gelu_c_parallel(nin, nout, size, a, s, d[0], part, (gelu_c_any_fn)active->name##_##key); }
#define GC_TRAMPOLINES(name, nin, nout, part)                                         \
    GC_TRAMPOLINE(name, f16, 2, nin, nout, part)                                      \
    GC_TRAMPOLINE(name, f32, 4, nin, nout, part)                                      \
    GC_TRAMPOLINE(name, f64, 8, nin, nout, part)                                      \
    GC_TRAMPOLINE(name, bf16, 2, nin, nout, part)                                     \
    static gelu_c_loop_fn loops_##name[4] = {loop_##name##_f16, loop_##name##_f32,    \
                                             loop_##name##_f64, loop_##name##_bf16};
#define GC_U_LOOPS(name) GC_TRAMPOLINES(name, 1, 1, part_unary)
#define GC_B_LOOPS(name) GC_TRAMPOLINES(name, 2, 1, part_binary)
#define GC_P_LOOPS(name, nin, nout, call, sp) GC_TRAMPOLINES(name, nin, nout, part_param)
GELU_C_UNARY_FUNCS(GC_U_LOOPS)
GELU_C_BINARY_FUNCS(GC_B_LOOPS)
GELU_C_PARAM_FUNCS(GC_P_LOOPS)

#define GC_U_DEF(name) {#name, 1, 1, loops_##name},
#define GC_B_DEF(name) {#name, 2, 1, loops_##name},
#define GC_P_DEF(name, nin, nout, call, sp) {#name, nin, nout, loops_##name},
const gelu_c_ufunc_def gelu_c_ufunc_defs[] = {
    GELU_C_UNARY_FUNCS(GC_U_DEF)
    GELU_C_BINARY_FUNCS(GC_B_DEF)
    GELU_C_PARAM_FUNCS(GC_P_DEF)
};
const int gelu_c_n_ufuncs = (int)(sizeof gelu_c_ufunc_defs / sizeof gelu_c_ufunc_defs[0]);
