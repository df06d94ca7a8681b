/* The interface between the C kernels and the Cython module: ufunc inner loops that
 * call through the active kernel path, and the path switch. No Python or NumPy
 * header is needed: the loop signature matches PyUFuncGenericFunction (npy_intp is
 * intptr_t). */
#ifndef GELU_C_DISPATCH_H
#define GELU_C_DISPATCH_H
#include <stdint.h>

typedef void (*gelu_c_loop_fn)(char **args, intptr_t const *dims, intptr_t const *steps, void *data);

typedef struct {
    const char *name;       /* the ufunc's name */
    int nin;                /* inputs */
    int nout;               /* outputs */
    gelu_c_loop_fn *loops;  /* [float16, float32, float64, bfloat16 loop] */
} gelu_c_ufunc_def;

extern const gelu_c_ufunc_def gelu_c_ufunc_defs[];
extern const int gelu_c_n_ufuncs;

/* Kernel paths, best last. A path is "available" when it is compiled in and the CPU
 * (and OS) support it. */
int gelu_c_n_paths(void);
const char *gelu_c_path_name(int i);
int gelu_c_path_available(int i);
/* 0: done; -1: unknown name; -2: known but not available here. "auto" picks the best. */
int gelu_c_set_path(const char *name);
const char *gelu_c_get_path(void);
/* compile flags of the kernels and the CPU features detected, for show_config() */
const char *gelu_c_build_flags(void);
const char *gelu_c_cpu_features(void);
#endif
