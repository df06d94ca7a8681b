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
 * The body is written once and instantiated with strides that are the constant
 * sizeof(GC_T), which the compiler folds into plain vector loads/stores: strided
 * operands reach it through chunk buffers (below). The one-lane layer also
 * instantiates it with the general strides. */

static inline int FN(overlaps)(const char *a, ptrdiff_t sa, const char *o, ptrdiff_t so, ptrdiff_t n)
{
    return gelu_c_overlaps(a, sa, o, so, n, sizeof(GC_T));     /* overlap.h */
}

#define GC_CONTIG (ptrdiff_t)sizeof(GC_T)

/* Non-contiguous operands (any stride but the element size) of a SIMD layer go through
 * stack buffers, GC_CHUNK elements at a time: each chunk of every strided input is
 * copied in, the kernel runs on contiguous data, and a strided output is copied out.
 * A vector gather costs more than the copy: stride-2 float32 gelu ran at 0.62 of its
 * contiguous speed with vgatherdps (AMD Zen 3; the copy alone costs 0.15 of the
 * kernel's time). Chunks are read whole before they are written, so in place at any
 * stride stays safe; each element still goes through the same vector code, and the
 * chunk is a multiple of two vectors, so only the array's last vector is partial, as
 * on the contiguous path. The one-lane layer loads at any stride anyway: no buffers. */
#define GC_CHUNK 256
_Static_assert(GC_CHUNK % (2 * GC_LANES) == 0, "a chunk is whole loop iterations");

static GC_ALWAYS_INLINE const char *FN(chunk_in)(GC_T *buf, const char *p, ptrdiff_t s,
                                                  ptrdiff_t m)
{
    if (s == GC_CONTIG)
        return p;
    ptrdiff_t j = 0;
    /* four per iteration: the copy is load/store-port work, not loop overhead */
    for (; j + 4 <= m; j += 4, p += 4 * s) {
        memcpy(&buf[j], p, sizeof(GC_T));
        memcpy(&buf[j + 1], p + s, sizeof(GC_T));
        memcpy(&buf[j + 2], p + 2 * s, sizeof(GC_T));
        memcpy(&buf[j + 3], p + 3 * s, sizeof(GC_T));
    }
    for (; j < m; j++, p += s)
        memcpy(&buf[j], p, sizeof(GC_T));
    return (const char *)buf;
}

static GC_ALWAYS_INLINE void FN(chunk_out)(char *p, ptrdiff_t s, const GC_T *buf, ptrdiff_t m)
{
    ptrdiff_t j = 0;
    for (; j + 4 <= m; j += 4, p += 4 * s) {
        memcpy(p, &buf[j], sizeof(GC_T));
        memcpy(p + s, &buf[j + 1], sizeof(GC_T));
        memcpy(p + 2 * s, &buf[j + 2], sizeof(GC_T));
        memcpy(p + 3 * s, &buf[j + 3], sizeof(GC_T));
    }
    for (; j < m; j++, p += s)
        memcpy(p, &buf[j], sizeof(GC_T));
}

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
        } else if (GC_LANES == 1) {                                                   \
            FN(run_##name)(x, sx, out, so, n);                                        \
        } else {                                                                      \
            GC_T bx[GC_CHUNK], bo[GC_CHUNK];                                          \
            for (ptrdiff_t i = 0; i < n; i += GC_CHUNK) {                             \
                ptrdiff_t m = n - i < GC_CHUNK ? n - i : GC_CHUNK;                    \
                const char *src = FN(chunk_in)(bx, x + i * sx, sx, m);                \
                char *dst = so == GC_CONTIG ? out + i * so : (char *)bo;              \
                FN(run_##name)(src, GC_CONTIG, dst, GC_CONTIG, m);                    \
                if (so != GC_CONTIG)                                                  \
                    FN(chunk_out)(out + i * so, so, bo, m);                           \
            }                                                                         \
        }                                                                             \
    }

/* dy * f'(x) is a NaN made from non-NaN operands only as inf * 0 (|dy| = inf where f'(x)
 * is exactly 0). IEEE leaves that NaN's sign open: x86 sets it, Arm clears it. Elsewhere
 * than on x86 it is given x86's bits (GC_AS_X86_NAN), so every platform returns the same. */
#define GC_BINARY_LOOP(name)                                                          \
    static GC_ALWAYS_INLINE VT FN(b_##name)(VT dy, VT x)                              \
    {                                                                                 \
        VT r = FN(k_##name)(dy, x);                                                   \
        return GC_AS_X86_NAN(r, vmor(visnan(dy), visnan(x)));                         \
    }                                                                                 \
    static GC_ALWAYS_INLINE void FN(run_##name)(const char *dy, ptrdiff_t sdy,        \
                                                const char *x, ptrdiff_t sx,          \
                                                char *out, ptrdiff_t so, ptrdiff_t n) \
    {                                                                                 \
        ptrdiff_t i = 0;                                                              \
        for (; i + 2 * GC_LANES <= n; i += 2 * GC_LANES) {                            \
            VT a = FN(b_##name)(vload(dy + i * sdy, sdy), vload(x + i * sx, sx));     \
            VT b = FN(b_##name)(vload(dy + (i + GC_LANES) * sdy, sdy),                \
                                vload(x + (i + GC_LANES) * sx, sx));                  \
            vstore(out + i * so, so, a);                                              \
            vstore(out + (i + GC_LANES) * so, so, b);                                 \
        }                                                                             \
        for (; i + GC_LANES <= n; i += GC_LANES)                                      \
            vstore(out + i * so, so,                                                  \
                   FN(b_##name)(vload(dy + i * sdy, sdy), vload(x + i * sx, sx)));    \
        if (i < n)                                                                    \
            vstore_part(out + i * so, so, n - i,                                      \
                        FN(b_##name)(vload_part(dy + i * sdy, sdy, n - i),            \
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
                            FN(b_##name)(vload_part(dy + i * sdy, sdy, 1),            \
                                         vload_part(x + i * sx, sx, 1)));             \
        } else if (sdy == GC_CONTIG && sx == GC_CONTIG && so == GC_CONTIG) {          \
            FN(run_##name)(dy, GC_CONTIG, x, GC_CONTIG, out, GC_CONTIG, n);           \
        } else if (GC_LANES == 1) {                                                   \
            FN(run_##name)(dy, sdy, x, sx, out, so, n);                               \
        } else {                                                                      \
            GC_T bdy[GC_CHUNK], bx[GC_CHUNK], bo[GC_CHUNK];                           \
            for (ptrdiff_t i = 0; i < n; i += GC_CHUNK) {                             \
                ptrdiff_t m = n - i < GC_CHUNK ? n - i : GC_CHUNK;                    \
                const char *sd = FN(chunk_in)(bdy, dy + i * sdy, sdy, m);             \
                const char *sv = FN(chunk_in)(bx, x + i * sx, sx, m);                 \
                char *dst = so == GC_CONTIG ? out + i * so : (char *)bo;              \
                FN(run_##name)(sd, GC_CONTIG, sv, GC_CONTIG, dst, GC_CONTIG, m);      \
                if (so != GC_CONTIG)                                                  \
                    FN(chunk_out)(out + i * so, so, bo, m);                           \
            }                                                                         \
        }                                                                             \
    }

GELU_C_UNARY_FUNCS(GC_UNARY_LOOP)
GELU_C_BINARY_FUNCS(GC_BINARY_LOOP)
#undef GC_UNARY_LOOP
#undef GC_BINARY_LOOP

#include "loops_general.h"   /* the functions with parameters (x, mu, sigma) */
#undef GC_CONTIG
#undef GC_CHUNK
