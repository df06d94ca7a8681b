/* Strided 1-D loops around the kernels, generic over the lane count.
 *
 * Full vectors first, then one partial vector: the tail goes through the same kernel
 * (vload_part pads it, vstore_part writes only n lanes), so a result never depends on
 * an element's position, the array's length or its alignment. Each block is loaded
 * before it is stored, so in-place calls (out is x) are safe. */
#define GC_UNARY_LOOP(name)                                                           \
    static void FN(name)(const char *x, ptrdiff_t sx, char *out, ptrdiff_t so,        \
                         ptrdiff_t n)                                                 \
    {                                                                                 \
        ptrdiff_t i = 0;                                                              \
        for (; i + GC_LANES <= n; i += GC_LANES)                                      \
            vstore(out + i * so, so, FN(k_##name)(vload(x + i * sx, sx)));            \
        if (i < n)                                                                    \
            vstore_part(out + i * so, so, n - i,                                      \
                        FN(k_##name)(vload_part(x + i * sx, sx, n - i)));             \
    }
#define GC_BINARY_LOOP(name)                                                          \
    static void FN(name)(const char *dy, ptrdiff_t sdy, const char *x, ptrdiff_t sx,  \
                         char *out, ptrdiff_t so, ptrdiff_t n)                        \
    {                                                                                 \
        ptrdiff_t i = 0;                                                              \
        for (; i + GC_LANES <= n; i += GC_LANES)                                      \
            vstore(out + i * so, so,                                                  \
                   FN(k_##name)(vload(dy + i * sdy, sdy), vload(x + i * sx, sx)));    \
        if (i < n)                                                                    \
            vstore_part(out + i * so, so, n - i,                                      \
                        FN(k_##name)(vload_part(dy + i * sdy, sdy, n - i),            \
                                     vload_part(x + i * sx, sx, n - i)));             \
    }
GELU_C_UNARY_FUNCS(GC_UNARY_LOOP)
GELU_C_BINARY_FUNCS(GC_BINARY_LOOP)
#undef GC_UNARY_LOOP
#undef GC_BINARY_LOOP
