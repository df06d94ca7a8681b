/* Do two strided runs of n elements of `elsize` bytes, [a, a + (n-1)*sa] and
 * [o, o + (n-1)*so] (extents included, strides of any sign), meet other than element
 * for element (the same start and stride: in place)? The loops (loops.h) run such calls
 * one element at a time, and the thread pool (threads.c) does not split them. */
#ifndef GELU_C_OVERLAP_H
#define GELU_C_OVERLAP_H
#include <stddef.h>
#include <stdint.h>

static inline int gelu_c_overlaps(const char *a, ptrdiff_t sa, const char *o, ptrdiff_t so,
                                  ptrdiff_t n, size_t elsize)
{
    if (a == o && sa == so && so != 0)     /* in place, element for element */
        return 0;
    uintptr_t pa = (uintptr_t)a, po = (uintptr_t)o;
    uintptr_t alo = sa < 0 ? pa + (uintptr_t)((n - 1) * sa) : pa;
    uintptr_t ahi = sa < 0 ? pa : pa + (uintptr_t)((n - 1) * sa);
    uintptr_t olo = so < 0 ? po + (uintptr_t)((n - 1) * so) : po;
    uintptr_t ohi = so < 0 ? po : po + (uintptr_t)((n - 1) * so);
    return alo < ohi + elsize && olo < ahi + elsize;
}
#endif
