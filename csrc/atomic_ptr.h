/* A pointer published once by whichever thread gets there first (the half-precision
 * tables, filled at first use by any thread of the pool). */
#ifndef GELU_C_ATOMIC_PTR_H
#define GELU_C_ATOMIC_PTR_H
#if defined(_MSC_VER)
#include <intrin.h>
static inline void *gc_atomic_load_ptr(void **slot)
{
    return _InterlockedCompareExchangePointer(slot, NULL, NULL);
}
/* store t if the slot is empty; returns what the slot holds afterwards */
static inline void *gc_atomic_publish_ptr(void **slot, void *t)
{
    void *old = _InterlockedCompareExchangePointer(slot, t, NULL);
    return old ? old : t;
}
#else
static inline void *gc_atomic_load_ptr(void **slot)
{
    return __atomic_load_n(slot, __ATOMIC_ACQUIRE);
}
static inline void *gc_atomic_publish_ptr(void **slot, void *t)
{
    void *expected = NULL;
    if (__atomic_compare_exchange_n(slot, &expected, t, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return t;
    return expected;
}
#endif
#endif
