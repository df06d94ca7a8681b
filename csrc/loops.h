/* Strided 1-D loops around the kernels, generic over the lane count.
 *
 * Full vectors first (two independent ones per iteration, so that the out-of-order
 * core always has a second dependency chain to work on while one waits on a
 * latency), then one partial vector: the tail goes through the same kernel
 * (vload_part pads it with zeros, vstore_part writes only n lanes), so a result never
 * depends on an element's position, the array's length or its alignment.
 *
 * Each block is loaded before it is stored, so in-place calls (out is x, same
 * stride) are safe. Any other overlap of the output with an input (NumPy's
 * reduce/accumulate pass out[i-1] or a stride-0 out as an input) has sequential
 * semantics, so it runs one element at a time, still through the vector kernel.
 *
 * The body is written once (GC_LOOP_BODY_*) and instantiated twice: with strides
 * that are the constant sizeof(GC_T), which the compiler folds into plain vector
 * loads/stores, and with the general strides. */

/* Do [a, a + (n-1)*sa] and [o, o + (n-1)*so] (element extents included) overlap
 * other than element for element? */
static inline int FN(overlaps)(const char *a, ptrdiff_t sa, const char *o, ptrdiff_t so, ptrdiff_t n)
{
    if (a == o && sa == so && so != 0)     /* in place, element for element */
        return 0;
    uintptr_t pa = (uintptr_t)a, po = (uintptr_t)o;
    uintptr_t alo = sa < 0 ? pa + (uintptr_t)((n - 1) * sa) : pa;
    uintptr_t ahi = sa < 0 ? pa : pa + (uintptr_t)((n - 1) * sa);
    uintptr_t olo = so < 0 ? po + (uintptr_t)((n - 1) * so) : po;
    uintptr_t ohi = so < 0 ? po : po + (uintptr_t)((n - 1) * so);
    return alo < ohi + sizeof(GC_T) && olo < ahi + sizeof(GC_T);
}

#define GC_CONTIG (ptrdiff_t)sizeof(GC_T)

#define GC_UNARY_LOOP(name)                                                           \
    static GC_ALWAYS_INLINE void FN(run_##name)(const char *x, ptrdiff_t sx, char *out, \
                                                ptrdiff_t so, ptrdiff_t n)            \
    {                                                                                 \
        ptrdiff_t i = 0;                                                              \
        for (; i + 2 * GC_LANES <= n; i += 2 * GC_LANES) {                            \
            VT a = vload(x + i * sx, sx);                                             \
            VT b = vload(x + (i + GC_LANES) * sx, sx);                                \
            a = FN(k_##name)(a);                                                      \
            b = FN(k_##name)(b);                                                      \
            vstore(out + i * so, so, a);                                              \
            vstore(out + (i + GC_LANES) * so, so, b);                                 \
        }                                                                             \
        for (; i + GC_LANES <= n; i += GC_LANES)                                      \
            vstore(out + i * so, so, FN(k_##name)(vload(x + i * sx, sx)));            \
        if (i < n)                                                                    \
            vstore_part(out + i * so, so, n - i,                                      \
                        FN(k_##name)(vload_part(x + i * sx, sx, n - i)));             \
    }                                                                                 \
    static void FN(name)(const char *x, ptrdiff_t sx, char *out, ptrdiff_t so,        \
                         ptrdiff_t n)                                                 \
    {                                                                                 \
        if (n <= 0)                                                                   \
            return;                                                                   \
        if (FN(overlaps)(x, sx, out, so, n)) {                                        \
            for (ptrdiff_t i = 0; i < n; i++)                                         \
                vstore_part(out + i * so, so, 1,                                      \
                            FN(k_##name)(vload_part(x + i * sx, sx, 1)));             \
        } else if (sx == GC_CONTIG && so == GC_CONTIG) {                              \
            FN(run_##name)(x, GC_CONTIG, out, GC_CONTIG, n);                          \
        } else {                                                                      \
            FN(run_##name)(x, sx, out, so, n);                                        \
        }                                                                             \
    }

#define GC_BINARY_LOOP(name)                                                          \
    static GC_ALWAYS_INLINE void FN(run_##name)(const char *dy, ptrdiff_t sdy,        \
                                                const char *x, ptrdiff_t sx,          \
                                                char *out, ptrdiff_t so, ptrdiff_t n) \
    {                                                                                 \
        ptrdiff_t i = 0;                                                              \
        for (; i + 2 * GC_LANES <= n; i += 2 * GC_LANES) {                            \
            VT a = FN(k_##name)(vload(dy + i * sdy, sdy), vload(x + i * sx, sx));     \
            VT b = FN(k_##name)(vload(dy + (i + GC_LANES) * sdy, sdy),                \
                                vload(x + (i + GC_LANES) * sx, sx));                  \
            vstore(out + i * so, so, a);                                              \
            vstore(out + (i + GC_LANES) * so, so, b);                                 \
        }                                                                             \
        for (; i + GC_LANES <= n; i += GC_LANES)                                      \
            vstore(out + i * so, so,                                                  \
                   FN(k_##name)(vload(dy + i * sdy, sdy), vload(x + i * sx, sx)));    \
        if (i < n)                                                                    \
            vstore_part(out + i * so, so, n - i,                                      \
                        FN(k_##name)(vload_part(dy + i * sdy, sdy, n - i),            \
                                     vload_part(x + i * sx, sx, n - i)));             \
    }                                                                                 \
    static void FN(name)(const char *dy, ptrdiff_t sdy, const char *x, ptrdiff_t sx,  \
                         char *out, ptrdiff_t so, ptrdiff_t n)                        \
    {                                                                                 \
        if (n <= 0)                                                                   \
            return;                                                                   \
        if (FN(overlaps)(dy, sdy, out, so, n) || FN(overlaps)(x, sx, out, so, n)) {   \
            for (ptrdiff_t i = 0; i < n; i++)                                         \
                vstore_part(out + i * so, so, 1,                                      \
                            FN(k_##name)(vload_part(dy + i * sdy, sdy, 1),            \
                                         vload_part(x + i * sx, sx, 1)));             \
        } else if (sdy == GC_CONTIG && sx == GC_CONTIG && so == GC_CONTIG) {          \
            FN(run_##name)(dy, GC_CONTIG, x, GC_CONTIG, out, GC_CONTIG, n);           \
        } else {                                                                      \
            FN(run_##name)(dy, sdy, x, sx, out, so, n);                               \
        }                                                                             \
    }

GELU_C_UNARY_FUNCS(GC_UNARY_LOOP)
GELU_C_BINARY_FUNCS(GC_BINARY_LOOP)
#undef GC_UNARY_LOOP
#undef GC_BINARY_LOOP
#undef GC_CONTIG
