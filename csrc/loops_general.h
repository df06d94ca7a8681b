/* Strided loops for the functions with parameters (gelu_general(x, mu, sigma), its
 * derivatives and backward pass): NIN inputs, NOUT outputs, one kernel call per vector
 * FN(gelu_general_kernel)-style (const VT *in, VT *out).
 * As loops.h: strided operands go through stack chunks, a broadcast operand (stride 0:
 * a scalar mu or sigma, or a per-channel one along the other axis) fills its chunk once,
 * the array's last vector is a partial one through the same kernel, and any overlap of
 * an output with an input other than element for element runs one element at a time.
 * The one-lane layer loads at any stride: no chunks. */

#define GC_NCHUNK 256
_Static_assert(GC_NCHUNK % (2 * GC_LANES) == 0, "a chunk is whole loop iterations");

#define GC_PARAM_LOOP(name, nin, nout, call)                                          \
    static GC_ALWAYS_INLINE void FN(k_##name)(const VT *in, VT *out) { call; }       \
    /* m elements, contiguous operands */                                             \
    static GC_ALWAYS_INLINE void FN(run_##name)(const char *const *src, char *const *dst, \
                                                ptrdiff_t m)                          \
    {                                                                                 \
        const ptrdiff_t e = (ptrdiff_t)sizeof(GC_T);                                  \
        ptrdiff_t j = 0;                                                              \
        for (; j + 2 * GC_LANES <= m; j += 2 * GC_LANES) {                            \
            VT a[nin], b[nin], ra[nout], rb[nout];                                    \
            for (int k = 0; k < nin; k++) {                                           \
                a[k] = vload(src[k] + j * e, e);                                      \
                b[k] = vload(src[k] + (j + GC_LANES) * e, e);                         \
            }                                                                         \
            FN(k_##name)(a, ra);                                                      \
            FN(k_##name)(b, rb);                                                      \
            for (int k = 0; k < nout; k++) {                                          \
                vstore(dst[k] + j * e, e, ra[k]);                                     \
                vstore(dst[k] + (j + GC_LANES) * e, e, rb[k]);                        \
            }                                                                         \
        }                                                                             \
        for (; j < m; j += GC_LANES) {                                                \
            ptrdiff_t p = m - j < GC_LANES ? m - j : GC_LANES;                        \
            (void)p;                                                                  \
            VT a[nin], r[nout];                                                       \
            for (int k = 0; k < nin; k++)                                             \
                a[k] = vload_part(src[k] + j * e, e, p);                              \
            FN(k_##name)(a, r);                                                       \
            for (int k = 0; k < nout; k++)                                            \
                vstore_part(dst[k] + j * e, e, p, r[k]);                              \
        }                                                                             \
    }                                                                                 \
    static void FN(name)(char **args, const ptrdiff_t *steps, ptrdiff_t n)            \
    {                                                                                 \
        if (n <= 0)                                                                   \
            return;                                                                   \
        int seq = GC_LANES == 1;                                                      \
        for (int o = 0; o < nout; o++)                                                \
            for (int k = 0; k < nin + o; k++)                                         \
                seq |= FN(overlaps)(args[k], steps[k], args[nin + o], steps[nin + o], n); \
        if (seq) {                                                                    \
            for (ptrdiff_t i = 0; i < n; i++) {                                       \
                VT a[nin], r[nout];                                                   \
                for (int k = 0; k < nin; k++)                                         \
                    a[k] = vload_part(args[k] + i * steps[k], steps[k], 1);           \
                FN(k_##name)(a, r);                                                   \
                for (int k = 0; k < nout; k++)                                        \
                    vstore_part(args[nin + k] + i * steps[nin + k], steps[nin + k], 1, r[k]); \
            }                                                                         \
            return;                                                                   \
        }                                                                             \
        GC_T buf[nin + nout][GC_NCHUNK];                                              \
        const char *src[nin];                                                         \
        char *dst[nout];                                                              \
        for (int k = 0; k < nin; k++)                                                 \
            if (steps[k] == 0) {                                                      \
                GC_T v;                                                               \
                memcpy(&v, args[k], sizeof v);                                        \
                for (int j = 0; j < GC_NCHUNK; j++)                                   \
                    buf[k][j] = v;                                                    \
            }                                                                         \
        for (ptrdiff_t i = 0; i < n; i += GC_NCHUNK) {                                \
            ptrdiff_t m = n - i < GC_NCHUNK ? n - i : GC_NCHUNK;                      \
            for (int k = 0; k < nin; k++)                                             \
                src[k] = steps[k] == 0 ? (const char *)buf[k]                         \
                       : FN(chunk_in)(buf[k], args[k] + i * steps[k], steps[k], m);   \
            for (int k = 0; k < nout; k++)                                            \
                dst[k] = steps[nin + k] == GC_CONTIG ? args[nin + k] + i * GC_CONTIG  \
                                                     : (char *)buf[nin + k];          \
            FN(run_##name)(src, dst, m);                                              \
            for (int k = 0; k < nout; k++)                                            \
                if (steps[nin + k] != GC_CONTIG)                                      \
                    FN(chunk_out)(args[nin + k] + i * steps[nin + k], steps[nin + k], \
                                  buf[nin + k], m);                                   \
        }                                                                             \
    }

GELU_C_PARAM_FUNCS(GC_PARAM_LOOP)
#undef GC_PARAM_LOOP
#undef GC_NCHUNK
