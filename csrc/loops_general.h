/* Strided loops for the functions with parameters (gelu_general(x, mu, sigma), its
 * derivatives and backward pass): NIN inputs, NOUT outputs, one kernel call per vector
 * FN(gelu_general_kernel)-style (const VT *in, VT *out).
 * As loops.h: strided operands go through stack chunks, a broadcast operand (stride 0:
 * a scalar mu or sigma, or a per-channel one along the other axis) fills its chunk once,
 * the array's last vector is a partial one through the same kernel, and any overlap of
 * an output with an input other than element for element runs one element at a time.
 * The one-lane layer loads at any stride: no chunks. gelu_general with one mu and one
 * sigma for the whole array has a loop of its own (scalar_params). */

#define GC_NCHUNK 256
_Static_assert(GC_NCHUNK % (2 * GC_LANES) == 0, "a chunk is whole loop iterations");

/* gelu_general over contiguous x and out with one mu and one sigma for the whole array
 * (the common case: one learnable pair per layer): 1/sigma is computed once, the same
 * IEEE division the kernel does per element, so the bits do not depend on how mu and
 * sigma were passed; the parameters' range checks are made once too. Returns 0 (not
 * handled: the general loop runs) for strided operands and for parameters that are not
 * ordinary (NaN, sigma <= 0 or infinite). */
static int FN(gelu_general_scalar_params)(char **args, const ptrdiff_t *steps,
                                                            ptrdiff_t n)
{
    const ptrdiff_t e = (ptrdiff_t)sizeof(GC_T);
    GC_T mu, sigma;
    if (steps[0] != e || steps[3] != e || GC_LANES == 1)
        return 0;
    memcpy(&mu, args[1], sizeof mu);
    memcpy(&sigma, args[2], sizeof sigma);
    if (!(isgreater(sigma, (GC_T)0x1p-100) && isless(sigma, (GC_T)0x1p100)
          && isless(fabs((double)mu), 0x1p100)))
        return 0;
    const char *x = args[0];
    char *out = args[3];
#if GC_IS_F32
    GC_W mud = GC_GG64(gg_bcast)(mu), sd = GC_GG64(gg_bcast)(sigma);
    GC_W rs = GC_GG64(gg_bcast)(1.0 / (double)sigma);
#define GG_SP_KERNEL(v) FN(gg_value_f32_sp)((v), mud, sd, rs)
#else
    VT mud = vset1(mu), sd = vset1(sigma), rs = vset1(1.0 / sigma);
#define GG_SP_KERNEL(v) FN(gg_value64)((v), mud, sd, 1, rs)
#endif
    ptrdiff_t j = 0;
    for (; j + GC_LANES <= n; j += GC_LANES)
        vstore(out + j * e, e, GG_SP_KERNEL(vload(x + j * e, e)));
    for (; j < n; j += GC_LANES) {
        ptrdiff_t p = n - j < GC_LANES ? n - j : GC_LANES;
        (void)p;
        vstore_part(out + j * e, e, p, GG_SP_KERNEL(vload_part(x + j * e, e, p)));
    }
#undef GG_SP_KERNEL
    return 1;
}

/* The fast tier's, for one mu and one sigma: mu = 0 and sigma = 1 is fast.gelu's loop */
static int FN(fast_gelu_general_scalar_params)(char **args,
                                                                 const ptrdiff_t *steps,
                                                                 ptrdiff_t n)
{
    GC_T mu, sigma;
    memcpy(&mu, args[1], sizeof mu);
    memcpy(&sigma, args[2], sizeof sigma);
    if (mu == 0 && sigma == 1) {
        FN(fast_gelu)(args[0], steps[0], args[3], steps[3], n);
        return 1;
    }
    return FN(gelu_general_scalar_params)(args, steps, n);
}

/* for the functions with parameters that have no such specialisation */
static GC_ALWAYS_INLINE int FN(no_scalar_params)(char **args, const ptrdiff_t *steps,
                                                 ptrdiff_t n)
{
    (void)args;
    (void)steps;
    (void)n;
    return 0;
}

#define GC_PARAM_LOOP(name, nin, nout, call, scalar_params)                                          \
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
        if (!seq && steps[1] == 0 && steps[2] == 0                                    \
            && FN(scalar_params)(args, steps, n))                                     \
            return;                                                                   \
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
