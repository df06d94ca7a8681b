/* float16 and bfloat16 loops of every function, for one ISA (GC_ISA) and one format
 * (half_f16.h or half_bf16.h, which set HKEY, HF_MBITS, HF_EMIN, HF_BF16 and
 * HF_DECODE). Include after the float64 instantiation of the same ISA: every result is
 * the float64 kernel's, rounded once to the format (half_format.h), which is correctly
 * rounded wherever the float64 result is not within its own error of a rounding
 * boundary of the format; the exhaustive tests show that this never happens
 * (docs/half_precision.md).
 *
 * - f(x): 65,536 inputs, so a table of the rounded float64 results, filled at the
 *   first call (per ISA, format and function; 128 KB) and then looked up (the ISA's
 *   half layer: half_scalar.h, half_avx2.h).
 * - dy * f'(x): a table of f'(x) in float64 (512 KB); dy * f'(x) = p + e exactly
 *   (e = fma(dy, f', -p), dy having few bits) is rounded once. dy = +-inf or NaN goes
 *   through the float64 backward kernel (its limits and flags).
 * - The functions with parameters: the float64 loop on chunks, rounded once.
 * Both tiers are correctly rounded here, so a fast function reads the exact one's
 * table. If a table cannot be allocated, the float64 loop runs on chunks instead. */
#define F64(name) GC_CAT(GC_CAT(name, f64), GC_ISA)
#define GC_HCHUNK 256
#define GC_HTAB_N 65536

/* ---- the tables ---- */

/* Near 0, x s(x) = x/2 + c x^2 (1 + O(x)) with c = s'(0) > 0 (near_zero = 1), and its
 * derivative is 1/2 + 2c x (near_zero = 2). float64 loses those terms (below |x| ~ 2^-53),
 * which matters where x/2 is a midpoint of the format (bfloat16 |x| < 2^-125:
 * gelu(2^-133) is just above 2^-134, so it rounds up, not to even) and where dy/2 is one
 * (dy * f'(x), dy subnormal). Below |x| = 2^-30 the terms are far smaller than the gap
 * between dy/2 (or x/2) and any rounding boundary but itself, so only their sign counts:
 * the value is rounded from x/2 with c x^2 > 0 breaking a tie, and the derivative is
 * stored one float64 ulp from 1/2 on x's side (docs/half_precision.md). */
#define GC_H_TINY 0x1p-30

static double HN(near_zero_grad)(double x, double g)
{
    if (x != 0 && fabs(x) < GC_H_TINY)
        return x > 0 ? 0.5 + 0x1p-53 : 0.5 - 0x1p-54;
    return g;
}

/* f(x) for every bit pattern x, rounded once; 2 entries of padding, which the AVX2
 * gather reads past the last one. */
static uint16_t *HN(build_value_table)(gelu_c_unary_fn f64, int near_zero)
{
    uint16_t *t = (uint16_t *)malloc((GC_HTAB_N + 2) * sizeof *t);
    double *v = (double *)malloc(GC_HTAB_N * sizeof *v);
    if (!t || !v) {
        free(t);
        free(v);
        return NULL;
    }
    fenv_t env;
    feholdexcept(&env);        /* sNaN inputs raise invalid here: not the caller's flags */
    for (uint32_t i = 0; i < GC_HTAB_N; i++)
        v[i] = (double)HF_DECODE((uint16_t)i);
    f64((const char *)v, sizeof *v, (char *)v, sizeof *v, GC_HTAB_N);
    for (uint32_t i = 0; i < GC_HTAB_N; i++) {
        double x = (double)HF_DECODE((uint16_t)i);
        if (near_zero == 1 && x != 0 && fabs(x) < GC_H_TINY)
            t[i] = gc_h_round(x * 0.5, x * x, HF_MBITS, HF_EMIN);
        else
            t[i] = gc_h_round(near_zero == 2 ? HN(near_zero_grad)(x, v[i]) : v[i], 0.0,
                              HF_MBITS, HF_EMIN);
    }
    t[GC_HTAB_N] = t[GC_HTAB_N + 1] = 0;
    fesetenv(&env);
    free(v);
    return t;
}

/* f'(x) in float64 for every bit pattern x (the backward passes' table), followed by
 * the same rounded to float32 (the vector paths' first try: half_avx2.h) */
static double *HN(build_grad_table)(gelu_c_unary_fn f64, int near_zero)
{
    double *v = (double *)malloc(GC_HTAB_N * (sizeof(double) + sizeof(float)));
    if (!v)
        return NULL;
    fenv_t env;
    feholdexcept(&env);
    for (uint32_t i = 0; i < GC_HTAB_N; i++)
        v[i] = (double)HF_DECODE((uint16_t)i);
    f64((const char *)v, sizeof *v, (char *)v, sizeof *v, GC_HTAB_N);
    if (near_zero == 2)
        for (uint32_t i = 0; i < GC_HTAB_N; i++)
            v[i] = HN(near_zero_grad)((double)HF_DECODE((uint16_t)i), v[i]);
    float *v32 = (float *)(v + GC_HTAB_N);
    for (uint32_t i = 0; i < GC_HTAB_N; i++)
        v32[i] = (float)v[i];
    fesetenv(&env);
    return v;
}

/* The table in *slot, built at the first call; concurrent first calls each build one
 * and the first to publish it wins. Tables live as long as the process. */
static const uint16_t *HN(value_table)(void **slot, gelu_c_unary_fn f64, int near_zero)
{
    void *t = gc_atomic_load_ptr(slot);
    if (t)
        return (const uint16_t *)t;
    t = HN(build_value_table)(f64, near_zero);
    if (!t)
        return NULL;
    void *won = gc_atomic_publish_ptr(slot, t);
    if (won != t)
        free(t);
    return (const uint16_t *)won;
}

static const double *HN(grad_table)(void **slot, gelu_c_unary_fn f64, int near_zero)
{
    void *t = gc_atomic_load_ptr(slot);
    if (t)
        return (const double *)t;
    t = HN(build_grad_table)(f64, near_zero);
    if (!t)
        return NULL;
    void *won = gc_atomic_publish_ptr(slot, t);
    if (won != t)
        free(t);
    return (const double *)won;
}

#define GC_H_SLOT(name, near_zero)                                                  \
    static void *HN(table_##name);                                                    \
    enum { HN(near_zero_##name) = near_zero };
GELU_C_HALF_VALUE_TABLES(GC_H_SLOT)
#undef GC_H_SLOT
#define GC_H_SLOT(name) static void *HN(grad_table_##name);
GELU_C_HALF_GRAD_TABLES(GC_H_SLOT)
#undef GC_H_SLOT

/* ---- strided operands through contiguous chunks ---- */

static GC_ALWAYS_INLINE const uint16_t *HN(chunk_in)(uint16_t *buf, const char *p, ptrdiff_t s,
                                                      ptrdiff_t m)
{
    if (s == 2)
        return (const uint16_t *)p;
    for (ptrdiff_t j = 0; j < m; j++, p += s)
        memcpy(&buf[j], p, 2);
    return buf;
}

static GC_ALWAYS_INLINE void HN(chunk_out)(char *p, ptrdiff_t s, const uint16_t *buf, ptrdiff_t m)
{
    if (s == 2)
        return;
    for (ptrdiff_t j = 0; j < m; j++, p += s)
        memcpy(p, &buf[j], 2);
}

static void HN(raise)(int status)
{
    if (status & GC_H_SNAN)
        gc_h_raise_invalid();
    if (status & GC_H_OVERFLOW)
        gc_h_raise_overflow();
}

/* ---- the float64 loops on chunks: the functions with parameters, and the fallback
 * when a table cannot be allocated ---- */

/* gelu_general near z = (x - mu)/sigma = 0, as near_zero_grad for gelu: x Phi(z) =
 * x/2 + phi(0) x z (1 + O(z^2)) (near_zero = 1), and dy times d/dx = Phi(z) + (x/sigma)
 * phi(z) = 1/2 + phi(0) (2x - mu)/sigma + O(z^3 + (x/sigma) z^2) (near_zero = 2; when
 * 2x = mu exactly, 1/2 + phi(0) z^3/3). Below 2^-30 only the sign of the small term
 * counts: the result is p = x/2 (dy/2) with e of that sign breaking a tie. */
static void HN(general_near_zero)(int near_zero, const double *const in[4], ptrdiff_t j,
                                  double *p, double *e)
{
    int b = near_zero == 2;
    double dy = b ? in[0][j] : 1.0, x = in[b][j], mu = in[b + 1][j], s = in[b + 2][j];
    if (x == 0 || dy == 0 || !isfinite(x) || !isfinite(mu) || !isfinite(s) || !isfinite(dy)
        || !isgreater(s, 0) || !isless(fabs(x - mu), GC_H_TINY * s))
        return;
    if (!b) {
        *p = x * 0.5;
        *e = x * (x - mu);
    } else if (isless(fabs(x), GC_H_TINY * s)) {
        double d = 2 * x - mu;
        *p = dy * 0.5;
        *e = d != 0 ? dy * d : -dy * x;
    }
}

static void HN(via_f64)(int nin, int nout, gelu_c_any_fn f64, int kind, int near_zero,
                        char **args, const ptrdiff_t *steps, ptrdiff_t n)
{
    double in_[4][GC_HCHUNK], out[3][GC_HCHUNK];
    const double *const ins[4] = {in_[0], in_[1], in_[2], in_[3]};
    int overflow = 0;
    /* an output overlapping an input (other than in place) has sequential semantics */
    ptrdiff_t chunk = GC_HCHUNK;
    for (int i = 0; i < nin; i++)
        for (int o = 0; o < nout; o++)
            if (gelu_c_overlaps(args[i], steps[i], args[nin + o], steps[nin + o], n, 2))
                chunk = 1;
    for (ptrdiff_t i0 = 0; i0 < n; i0 += chunk) {
        ptrdiff_t m = n - i0 < chunk ? n - i0 : chunk;
        char *a[7];
        ptrdiff_t st[7];
        for (int i = 0; i < nin; i++) {
            const char *p = args[i] + i0 * steps[i];
            for (ptrdiff_t j = 0; j < m; j++) {
                uint16_t h;
                memcpy(&h, p + j * steps[i], 2);
                in_[i][j] = (double)HF_DECODE(h);
            }
            a[i] = (char *)in_[i];
            st[i] = sizeof(double);
        }
        for (int o = 0; o < nout; o++) {
            a[nin + o] = (char *)out[o];
            st[nin + o] = sizeof(double);
        }
        if (kind == 1)
            ((gelu_c_unary_fn)f64)(a[0], st[0], a[1], st[1], m);
        else if (kind == 2)
            ((gelu_c_binary_fn)f64)(a[0], st[0], a[1], st[1], a[2], st[2], m);
        else
            ((gelu_c_param_fn)f64)(a, st, m);
        for (int o = 0; o < nout; o++) {
            char *p = args[nin + o] + i0 * steps[nin + o];
            for (ptrdiff_t j = 0; j < m; j++) {
                double r = out[o][j], e = 0.0;
                if (o == 0 && near_zero)
                    HN(general_near_zero)(near_zero, ins, j, &r, &e);
                uint16_t h = gc_h_round(r, e, HF_MBITS, HF_EMIN);
                overflow |= gc_h_overflowed(h, r, HF_MBITS);
                memcpy(p + j * steps[nin + o], &h, 2);
            }
        }
    }
    if (overflow)
        gc_h_raise_overflow();
}

/* ---- f(x) ---- */

static void HN(lookup)(const uint16_t *tab, const char *x, ptrdiff_t sx, char *out,
                       ptrdiff_t so, ptrdiff_t n)
{
    int status = 0;
    if (n <= 0)
        return;
    if (gelu_c_overlaps(x, sx, out, so, n, 2)) {
        for (ptrdiff_t i = 0; i < n; i++) {
            uint16_t h, r;
            memcpy(&h, x + i * sx, 2);
            status |= HN(lookup_run)(tab, &h, &r, 1);
            memcpy(out + i * so, &r, 2);
        }
    } else if (sx == 2 && so == 2) {
        status = HN(lookup_run)(tab, (const uint16_t *)x, (uint16_t *)out, n);
    } else {
        uint16_t bx[GC_HCHUNK], bo[GC_HCHUNK];
        for (ptrdiff_t i = 0; i < n; i += GC_HCHUNK) {
            ptrdiff_t m = n - i < GC_HCHUNK ? n - i : GC_HCHUNK;
            const uint16_t *src = HN(chunk_in)(bx, x + i * sx, sx, m);
            uint16_t *dst = so == 2 ? (uint16_t *)(out + i * so) : bo;
            status |= HN(lookup_run)(tab, src, dst, m);
            HN(chunk_out)(out + i * so, so, bo, m);
        }
    }
    HN(raise)(status);
}

#define GC_H_UNARY(name, exact)                                                       \
    static void HN(name)(const char *x, ptrdiff_t sx, char *out, ptrdiff_t so, ptrdiff_t n) \
    {                                                                                 \
        const uint16_t *tab = HN(value_table)(&HN(table_##exact), F64(exact),     \
                                                 HN(near_zero_##exact));        \
        if (tab) {                                                                    \
            HN(lookup)(tab, x, sx, out, so, n);                                       \
        } else {                                                                      \
            char *a[2] = {(char *)x, out};                                            \
            ptrdiff_t s[2] = {sx, so};                                                \
            HN(via_f64)(1, 1, (gelu_c_any_fn)F64(exact), 1, 0, a, s, n);                 \
        }                                                                             \
    }
GELU_C_HALF_UNARY(GC_H_UNARY)
#undef GC_H_UNARY

/* ---- dy * f'(x) ---- */

/* The elements the ISA's run left for later: dy = +-inf or NaN through the float64
 * backward loop (its limits: inf * f' with f' underflowed is still inf; inf * 0 at
 * x = -inf is NaN with "invalid"); on AVX2, bfloat16 results below float32's normal
 * range, rounded here from the exact product. */
static int HN(backward_fixup)(gelu_c_binary_fn f64, const double *G, const uint16_t *dy,
                              const uint16_t *x, uint16_t *o, ptrdiff_t m)
{
    int status = 0;
    for (ptrdiff_t j = 0; j < m; j++) {
        double d = (double)HF_DECODE(dy[j]);
        if (gc_h_nonfinite(dy[j], HF_MBITS)) {
            double xd = (double)HF_DECODE(x[j]), r;
            f64((const char *)&d, 0, (const char *)&xd, 0, (char *)&r, 0, 1);
            o[j] = gc_h_round(r, 0.0, HF_MBITS, HF_EMIN);
            continue;
        }
        double g = G[x[j]], p = d * g;
        if (p != 0 && isless(fabs(p), 0x1p-126)) {     /* isless: quiet for a NaN p */
            o[j] = gc_h_round(p, fma(d, g, -p), HF_MBITS, HF_EMIN);
            if (gc_h_overflowed(o[j], p, HF_MBITS))
                status |= GC_H_OVERFLOW;
        }
    }
    return status;
}

static void HN(backward)(const double *G, gelu_c_binary_fn f64, const char *dy, ptrdiff_t sdy,
                         const char *x, ptrdiff_t sx, char *out, ptrdiff_t so, ptrdiff_t n)
{
    int status = 0;
    if (n <= 0)
        return;
    ptrdiff_t chunk = GC_HCHUNK;
    if (gelu_c_overlaps(dy, sdy, out, so, n, 2) || gelu_c_overlaps(x, sx, out, so, n, 2))
        chunk = 1;
    uint16_t bd[GC_HCHUNK], bx[GC_HCHUNK], bo[GC_HCHUNK];
    for (ptrdiff_t i = 0; i < n; i += chunk) {
        ptrdiff_t m = n - i < chunk ? n - i : chunk;
        const uint16_t *sd = HN(chunk_in)(bd, dy + i * sdy, sdy, m);
        const uint16_t *sv = HN(chunk_in)(bx, x + i * sx, sx, m);
        /* straight into out, unless out is an input (in place): the fixup rereads them */
        uint16_t *dst = (so == 2 && chunk > 1) ? (uint16_t *)(out + i * so) : bo;
        if ((const uint16_t *)dst == sd || (const uint16_t *)dst == sv)
            dst = bo;
        int st = HN(backward_run)(G, sd, sv, dst, m);
        if (st & GC_H_LATER)
            st |= HN(backward_fixup)(f64, G, sd, sv, dst, m);
        status |= st;
        if (dst == bo) {
            if (chunk == 1 || so == 2)
                memcpy(out + i * so, bo, (size_t)m * 2);
            else
                HN(chunk_out)(out + i * so, so, bo, m);
        }
    }
    HN(raise)(status);
}

#define GC_H_BINARY(name, grad, exact)                                                \
    static void HN(name)(const char *dy, ptrdiff_t sdy, const char *x, ptrdiff_t sx,  \
                         char *out, ptrdiff_t so, ptrdiff_t n)                        \
    {                                                                                 \
        const double *G = HN(grad_table)(&HN(grad_table_##grad), F64(grad),           \
                                         HN(near_zero_##grad));                       \
        if (G) {                                                                      \
            HN(backward)(G, F64(exact), dy, sdy, x, sx, out, so, n);                  \
        } else {                                                                      \
            char *a[3] = {(char *)dy, (char *)x, out};                                \
            ptrdiff_t s[3] = {sdy, sx, so};                                           \
            HN(via_f64)(2, 1, (gelu_c_any_fn)F64(exact), 2, 0, a, s, n);                 \
        }                                                                             \
    }
GELU_C_HALF_BINARY(GC_H_BINARY)
#undef GC_H_BINARY

/* ---- the functions with parameters ---- */

#define GC_H_PARAM(name, nin, nout, exact, near_zero)                                 \
    static void HN(name)(char **args, const ptrdiff_t *steps, ptrdiff_t n)            \
    {                                                                                 \
        HN(via_f64)(nin, nout, (gelu_c_any_fn)F64(exact), 0, near_zero, args, steps, n); \
    }
GELU_C_HALF_PARAM(GC_H_PARAM)
#undef GC_H_PARAM

#undef F64
#undef GC_HCHUNK
#undef GC_HTAB_N
#undef GC_H_TINY
