/* One ufunc inner-loop call split across threads (threads.c).
 *
 * A call of n elements runs in contiguous parts on a small pool of worker threads plus
 * the calling thread, when n is at least twice the per-thread minimum, more than one
 * thread is configured, no other gelu_c call is in flight, and no output overlaps an
 * input other than element for element (in place). Every element goes through the same
 * kernel whatever part it falls in (the kernels' results depend only on the element's
 * own inputs), so the bits are those of one thread. */
#ifndef GELU_C_THREADS_H
#define GELU_C_THREADS_H
#include <stdint.h>

/* A path's kernel of any kind (unary, binary, with parameters), called through `body`. */
typedef void (*gelu_c_any_fn)(void);
/* Run `kernel` over n elements of the arrays args[0..nargs) (inputs first, then
 * outputs) with byte steps `steps`. */
typedef void (*gelu_c_part_fn)(char **args, const intptr_t *steps, intptr_t n,
                               gelu_c_any_fn kernel);

#define GELU_C_MAX_ARGS 8

void gelu_c_parallel(int nin, int nout, intptr_t elsize, char **args, const intptr_t *steps,
                     intptr_t n, gelu_c_part_fn body, gelu_c_any_fn kernel);

/* Threads a call may use (>= 1; the pool starts its workers on first use). */
void gelu_c_set_num_threads(int n);
int gelu_c_get_num_threads(void);
/* Elements per thread below which a call is not split further. */
void gelu_c_set_min_per_thread(intptr_t n);
intptr_t gelu_c_get_min_per_thread(void);
/* Whether this build can run threads (POSIX threads); 0: every call runs on its caller. */
int gelu_c_threads_supported(void);
#endif
