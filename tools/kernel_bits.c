/* Bit-exactness driver for the kernel loops across paths, builds and architectures.
 *
 * For every ufunc of gelu_c_ufunc_defs (dispatch.h), every dtype (float16, float32,
 * float64, bfloat16) and every kernel path available in this build, it runs the ufunc's
 * inner loop (NumPy's PyUFuncGenericFunction signature, through dispatch.c's trampoline
 * and gelu_c_set_path) over a deterministic input set and records every output bit and
 * the floating-point exception flags (invalid, divide-by-zero, overflow) each input group
 * raises. Three ways of calling the loop must agree bit for bit and flag for flag:
 *   A  one call per input group, contiguous operands (the parameters mu and sigma of
 *      gelu_general* with stride 0: one value per group, NumPy's scalar-parameter case);
 *   B  one call per element (n = 1: every element is a vector tail);
 *   C  one call over the whole set with every operand strided (input k: k + 2 elements;
 *      outputs: -1, 2, -3 elements, a negative stride included), the parameters as
 *      arrays; the gaps between strided outputs must stay untouched.
 * and every path must agree with the scalar path (the project's rule).
 *
 * Input sets (all bit patterns, generated with integer arithmetic only, so that every
 * build generates the same ones):
 *   float16, bfloat16: all 65,536 patterns; binary ufuncs (dy, x): 16 dy values
 *     (+-0, +-1, least/greatest subnormal, least normal, +-greatest finite, +-inf, quiet
 *     and signaling NaNs with payloads, two random) times all 65,536 x, plus 65,536
 *     random pairs; functions with parameters: 12 (mu, sigma) pairs (sigma 0, -0,
 *     least subnormal, negative, inf, NaN mu and sigma ...) times all x for two of them
 *     and times a subset (every 16th pattern) for the rest; dy (backward) cycles
 *     through the dy set.
 *   float32, float64: specials (+-0, +-inf, quiet and signaling NaNs with payloads,
 *     least/greatest subnormal and normal, +-1 and neighbours), every power of two times
 *     {1, 1.5} with its neighbours (every exponent, subnormal ones too), the grid k/64 for
 *     |x| <= 64 with neighbours (the kernels' pieces and clamps sit on such dyadic
 *     points), 4096 random bit patterns and 4096 random values in [-40, 40]. Binary:
 *     the dy set times a subset of that, plus the whole x set with random dy.
 * Every set is split into groups by source and by class of x (zero, subnormal, normal,
 * inf, qnan, snan), so the flags say which kind of input raised them.
 *
 * Usage: kernel_bits --write FILE     run, check paths and call forms, write the reference
 *        kernel_bits --compare FILE   run, check, and compare with a reference FILE
 *                                     (e.g. written on another architecture)
 *        [--max-print N]              mismatch lines printed (default 200)
 * Prints one line per (ufunc, dtype, path): a 64-bit FNV-1a hash of the output bits, the
 * result count and the flags; then a summary. Exit status 0 only if nothing differs.
 *
 * Mismatches are classed: "default-NaN sign" (an invalid operation's NaN: x86 makes it
 * negative, Arm positive; IEEE 754 leaves the sign open), "NaN payload" (both NaN, other
 * bits differ), "value"; --allow-default-nan-sign counts the first class but does not fail.
 *
 * The reference file (little-endian, as both x86-64 and aarch64 are) holds, for every
 * (ufunc, dtype, path): the hash, the per-group counts and flags, and the output bits:
 * all of them for the scalar path, and for every other path the elements where it
 * differs from scalar (normally none). --compare checks this build's scalar path against
 * every path of the reference, element by element, and its other paths (NEON on aarch64)
 * against its scalar path, so each equals every path of the reference. */
#define _POSIX_C_SOURCE 200809L
#include <fenv.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dispatch.h"

/* ---------------------------------------------------------------- formats */

typedef struct {
    const char *name;
    int es;         /* bytes */
    int mbits;      /* fraction bits */
    int ebits;      /* exponent bits */
} fmt_t;

/* in the order of gelu_c_ufunc_def.loops */
static const fmt_t fmts[4] = {
    {"float16", 2, 10, 5},
    {"float32", 4, 23, 8},
    {"float64", 8, 52, 11},
    {"bfloat16", 2, 7, 8},
};

static int fbits(const fmt_t *f) { return 8 * f->es; }
static uint64_t fmask(const fmt_t *f) { return f->es == 8 ? ~0ull : (1ull << fbits(f)) - 1; }
static uint64_t fsign(const fmt_t *f) { return 1ull << (fbits(f) - 1); }
static uint64_t finf(const fmt_t *f) { return ((1ull << f->ebits) - 1) << f->mbits; }
static uint64_t fqbit(const fmt_t *f) { return 1ull << (f->mbits - 1); }
static uint64_t ffrac(const fmt_t *f) { return (1ull << f->mbits) - 1; }
static uint64_t fone(const fmt_t *f) { return ((1ull << (f->ebits - 1)) - 1) << f->mbits; }

enum { C_ZERO, C_SUB, C_NORMAL, C_INF, C_QNAN, C_SNAN, N_CLASS };
static const char *class_names[N_CLASS] = {"zero", "sub", "normal", "inf", "qnan", "snan"};

static int classify(const fmt_t *f, uint64_t b)
{
    uint64_t a = b & ~fsign(f) & fmask(f), inf = finf(f);
    if (a == 0) return C_ZERO;
    if (a < (1ull << f->mbits)) return C_SUB;
    if (a < inf) return C_NORMAL;
    if (a == inf) return C_INF;
    return (a & fqbit(f)) ? C_QNAN : C_SNAN;
}

/* exact dyadic value k * 2^s (|k| < 2^min(mbits+1, 53), result normal) as bits */
static uint64_t dyadic(const fmt_t *f, int64_t k, int s)
{
    if (k == 0) return 0;
    uint64_t sign = k < 0 ? fsign(f) : 0, m = (uint64_t)(k < 0 ? -k : k);
    int top = 63 - __builtin_clzll(m);                  /* m = 1.xxx * 2^top */
    int e = top + s, bias = (1 << (f->ebits - 1)) - 1;
    uint64_t frac = (m ^ (1ull << top));
    frac = top <= f->mbits ? frac << (f->mbits - top) : frac >> (top - f->mbits);
    return sign | ((uint64_t)(e + bias) << f->mbits) | frac;
}

/* ---------------------------------------------------------------- randomness */

static uint64_t rng_state;
static uint64_t xorshift(void)
{
    uint64_t x = rng_state;
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    return rng_state = x;
}

/* ---------------------------------------------------------------- value lists */

typedef struct { uint64_t *v; size_t n, cap; } list_t;

static void push(list_t *l, uint64_t b)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v) { perror("realloc"); exit(2); }
    }
    l->v[l->n++] = b;
}

/* a value and its neighbours one unit in the last place away (towards and away from 0),
 * staying inside the finite range and not crossing 0 */
static void push_nb(list_t *l, const fmt_t *f, uint64_t b)
{
    uint64_t s = b & fsign(f), a = b & ~fsign(f) & fmask(f);
    push(l, b);
    if (a > 0) push(l, s | (a - 1));
    if (a + 1 < finf(f)) push(l, s | (a + 1));
}

static void specials(list_t *l, const fmt_t *f)
{
    uint64_t S = fsign(f), inf = finf(f), q = fqbit(f), fr = ffrac(f), one = fone(f);
    uint64_t pay = 0x5A5A5A5A5A5A5A5Aull & (q - 1);
    uint64_t v[] = {
        0, S, inf, S | inf,
        inf | q, S | inf | q, inf | q | 1, S | inf | q | pay, inf | fr, inf | q | (pay >> 1),
        inf | 1, S | inf | 1, inf | (q >> 1), S | inf | (q - 1), inf | pay, S | inf | (pay | 1),
        1, S | 1, 2, 3, fr, S | fr, q, S | (q | 1), fr - 1,
        1ull << f->mbits, S | (1ull << f->mbits), (1ull << f->mbits) + 1, inf - 1, S | (inf - 1),
        inf - 2, one, S | one, one - 1, one + 1, S | (one - 1), S | (one + 1),
        one - (1ull << f->mbits), one + (1ull << f->mbits), S | (one + (1ull << f->mbits)),
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        push(l, v[i] & fmask(f));
}

/* every power of two times {1, 1.5} (subnormal ones too) and neighbours, both signs */
static void powers(list_t *l, const fmt_t *f)
{
    for (int sgn = 0; sgn < 2; sgn++) {
        uint64_t S = sgn ? fsign(f) : 0;
        for (int j = 0; j < f->mbits; j++) {        /* subnormal 2^(emin - mbits + j) */
            push_nb(l, f, S | (1ull << j));
            if (j > 0) push_nb(l, f, S | (3ull << (j - 1)));
        }
        for (uint64_t e = 1; e < (1ull << f->ebits) - 1; e++) {
            push_nb(l, f, S | (e << f->mbits));
            push_nb(l, f, S | (e << f->mbits) | fqbit(f));
        }
    }
}

/* k/64 for |x| <= 64, with neighbours */
static void grid(list_t *l, const fmt_t *f, int step)
{
    for (int k = -4096; k <= 4096; k += step)
        push_nb(l, f, dyadic(f, k, -6));
}

static void randbits(list_t *l, const fmt_t *f, int n)
{
    for (int i = 0; i < n; i++)
        push(l, xorshift() & fmask(f));
}

/* uniform in [-40, 40]: k * 2^-17 (float32) or k * 2^-40 (float64), exact */
static void randmod(list_t *l, const fmt_t *f, int n)
{
    int s = f->es == 4 ? 17 : 40;
    int64_t range = (int64_t)40 << s;
    for (int i = 0; i < n; i++) {
        int64_t k = (int64_t)(xorshift() % (uint64_t)(2 * range + 1)) - range;
        push(l, dyadic(f, k, -s));
    }
}

/* ---------------------------------------------------------------- cases */

#define MAXG 512
typedef struct { char name[48]; size_t start, len; } group_t;

typedef struct {
    const fmt_t *f;
    int nin, nout;
    int first_param;            /* inputs >= this are mu, sigma (constant in a group); nin: none */
    size_t n;
    list_t in[4];
    group_t g[MAXG];
    int ng;
} case_t;

static void case_init(case_t *c, const fmt_t *f, int nin, int nout)
{
    memset(c, 0, sizeof *c);
    c->f = f;
    c->nin = nin;
    c->nout = nout;
    c->first_param = nin >= 3 ? nin - 2 : nin;
}

static void case_free(case_t *c)
{
    for (int k = 0; k < 4; k++) free(c->in[k].v);
}

/* Append elements as groups "<prefix>/<class of x>": xs the x values, the other inputs
 * given per element by `other(k, i)` (k = input index, i = element of xs) */
typedef uint64_t (*other_fn)(void *ctx, int k, size_t i);

static void add_groups(case_t *c, const char *prefix, const list_t *xs, int xin,
                       other_fn other, void *ctx)
{
    for (int cl = 0; cl < N_CLASS; cl++) {
        size_t start = c->n;
        for (size_t i = 0; i < xs->n; i++) {
            if (classify(c->f, xs->v[i]) != cl) continue;
            for (int k = 0; k < c->nin; k++)
                push(&c->in[k], k == xin ? xs->v[i] : other(ctx, k, i));
            c->n++;
        }
        if (c->n > start) {
            if (c->ng == MAXG) { fprintf(stderr, "too many groups\n"); exit(2); }
            group_t *g = &c->g[c->ng++];
            snprintf(g->name, sizeof g->name, "%s/%s", prefix, class_names[cl]);
            g->start = start;
            g->len = c->n - start;
        }
    }
}

/* contexts for `other` */
typedef struct { uint64_t dy; } const_dy_t;
static uint64_t other_const_dy(void *ctx, int k, size_t i) { (void)k; (void)i; return ((const_dy_t *)ctx)->dy; }

typedef struct { const fmt_t *f; const list_t *dys; int randmod_dy; } rand_dy_t;
static uint64_t other_rand_dy(void *ctx, int k, size_t i)
{
    (void)k; (void)i;
    rand_dy_t *r = ctx;
    if (r->randmod_dy) {
        list_t t = {0};
        randmod(&t, r->f, 1);
        uint64_t b = t.v[0];
        free(t.v);
        return b;
    }
    return xorshift() & fmask(r->f);
}

typedef struct { uint64_t mu, sigma; const list_t *dys; int has_dy; } param_t;
static uint64_t other_param(void *ctx, int k, size_t i)
{
    param_t *p = ctx;
    int base = p->has_dy ? 1 : 0;   /* inputs: [dy,] x, mu, sigma */
    if (p->has_dy && k == 0) return p->dys->v[i % p->dys->n];
    if (k == base + 1) return p->mu;
    return p->sigma;
}

/* the dy set: 16 values */
static void dy_set(list_t *l, const fmt_t *f)
{
    uint64_t S = fsign(f), inf = finf(f), q = fqbit(f), one = fone(f);
    uint64_t v[] = {0, S, one, S | one, 1, ffrac(f), 1ull << f->mbits, inf - 1, S | (inf - 1),
                    inf, S | inf, inf | q, inf | 1 | (q >> 2), S | inf | q | 0x15};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) push(l, v[i]);
    if (f->es >= 4) {
        randmod(l, f, 2);
    } else {
        for (int i = 0; i < 2; i++) {      /* random finite values */
            uint64_t b;
            do b = xorshift() & fmask(f); while ((b & ~S & fmask(f)) >= inf);
            push(l, b);
        }
    }
}

static const char *dy_names[16] = {"+0", "-0", "+1", "-1", "tiny", "maxsub", "minnorm", "+huge",
                                   "-huge", "+inf", "-inf", "qnan", "snan", "-qnan", "rand1", "rand2"};

/* (mu, sigma) pairs */
static void param_set(const fmt_t *f, uint64_t mu[12], uint64_t sg[12], const char *names[12])
{
    uint64_t S = fsign(f), inf = finf(f), q = fqbit(f), one = fone(f);
    int i = 0;
#define PS(m, s, nm) (mu[i] = (m) & fmask(f), sg[i] = (s) & fmask(f), names[i++] = nm)
    PS(0, one, "mu0,s1");
    PS(dyadic(f, 1, -1), dyadic(f, 2, 0), "mu0.5,s2");
    PS(S | dyadic(f, 5, -2), dyadic(f, 3, -3), "mu-1.25,s0.375");
    PS(dyadic(f, 3, 0), dyadic(f, 1, -10), "mu3,s2^-10");
    PS(0, 0, "mu0,s+0");
    PS(dyadic(f, 1, 0), S, "mu1,s-0");
    PS(0, 1, "mu0,stiny");
    PS(dyadic(f, 1, 0), S | one, "mu1,s-1");
    PS(0, inf, "mu0,s+inf");
    PS(inf | q | 3, one, "muqnan,s1");
    PS(dyadic(f, 1, 0), inf | 5, "mu1,ssnan");
    PS(f->es == 2 ? dyadic(f, 3, 8) : dyadic(f, 3, 60), f->es == 2 ? dyadic(f, 1, -5) : dyadic(f, 1, -60),
       "mubig,ssmall");
#undef PS
}

static void build_case(case_t *c, const fmt_t *f, const gelu_c_ufunc_def *u)
{
    case_init(c, f, u->nin, u->nout);
    int half = f->es == 2;
    rng_state = 0x9E3779B97F4A7C15ull ^ (uint64_t)f->es * 0x100000001B3ull;
    list_t all = {0}, sub = {0}, dys = {0};
    dy_set(&dys, f);
    if (half) {
        for (uint64_t b = 0; b < 65536; b++) {
            push(&all, b);
            if (b % 16 == 5 || classify(f, b) != C_NORMAL) push(&sub, b);
        }
    }
    if (u->nin == 1) {
        if (half) {
            add_groups(c, "all", &all, 0, NULL, NULL);
        } else {
            list_t l = {0};
            specials(&l, f); add_groups(c, "special", &l, 0, NULL, NULL); l.n = 0;
            powers(&l, f); add_groups(c, "pow2", &l, 0, NULL, NULL); l.n = 0;
            grid(&l, f, 1); add_groups(c, "grid64", &l, 0, NULL, NULL); l.n = 0;
            randbits(&l, f, 4096); add_groups(c, "randbits", &l, 0, NULL, NULL); l.n = 0;
            randmod(&l, f, 4096); add_groups(c, "rand40", &l, 0, NULL, NULL);
            free(l.v);
        }
    } else if (u->nin == 2) {          /* (dy, x) */
        list_t xs = {0}, full = {0};
        if (half) {
            xs = all;
        } else {
            specials(&xs, f);
            grid(&xs, f, 8);
            for (int sgn = 0; sgn < 2; sgn++)
                for (uint64_t e = 0; e < (1ull << f->ebits) - 1; e += (f->es == 8 ? 7 : 1))
                    push(&xs, (sgn ? fsign(f) : 0) | (e << f->mbits) | (e & 1 ? fqbit(f) : 1));
            randbits(&xs, f, 512);
            randmod(&xs, f, 512);
            specials(&full, f); powers(&full, f); grid(&full, f, 1);
            randbits(&full, f, 4096); randmod(&full, f, 4096);
        }
        for (size_t d = 0; d < dys.n; d++) {
            char p[32];
            snprintf(p, sizeof p, "dy=%s", dy_names[d]);
            const_dy_t cd = {dys.v[d]};
            add_groups(c, p, &xs, 1, other_const_dy, &cd);
        }
        if (half) {
            list_t rx = {0};
            randbits(&rx, f, 65536);
            rand_dy_t rd = {f, &dys, 0};
            add_groups(c, "randpair", &rx, 1, other_rand_dy, &rd);
            free(rx.v);
        } else {
            rand_dy_t rd = {f, &dys, 1};
            add_groups(c, "dy=rand40", &full, 1, other_rand_dy, &rd);
            rand_dy_t rb = {f, &dys, 0};
            list_t rx = {0};
            randbits(&rx, f, 2048);
            add_groups(c, "randpair", &rx, 1, other_rand_dy, &rb);
            free(rx.v);
            free(xs.v);
            free(full.v);
        }
    } else {                           /* [dy,] x, mu, sigma */
        uint64_t mu[12], sg[12];
        const char *names[12];
        param_set(f, mu, sg, names);
        list_t xs = {0};
        if (!half) {
            specials(&xs, f);
            grid(&xs, f, 4);
            for (int sgn = 0; sgn < 2; sgn++)
                for (uint64_t e = 0; e < (1ull << f->ebits) - 1; e += (f->es == 8 ? 5 : 1))
                    push_nb(&xs, f, (sgn ? fsign(f) : 0) | (e << f->mbits) | (e & 1 ? fqbit(f) : 1));
            randbits(&xs, f, 1024);
            randmod(&xs, f, 1024);
        }
        int has_dy = u->nin == 4;
        for (int p = 0; p < 12; p++) {
            param_t pp = {mu[p], sg[p], &dys, has_dy};
            const list_t *x = half ? (p < 2 ? &all : &sub) : &xs;
            add_groups(c, names[p], x, has_dy ? 1 : 0, other_param, &pp);
        }
        free(xs.v);
    }
    free(all.v);
    free(sub.v);
    free(dys.v);
}

/* ---------------------------------------------------------------- running */

static int norm_flags(int raised)
{
    return ((raised & FE_INVALID) ? 1 : 0) | ((raised & FE_DIVBYZERO) ? 2 : 0)
           | ((raised & FE_OVERFLOW) ? 4 : 0);
}

static const char *flag_str(int fl)
{
    static char buf[8][8];
    static int k;
    char *s = buf[k++ & 7];
    snprintf(s, 8, "%s%s%s%s", fl & 1 ? "I" : "", fl & 2 ? "Z" : "", fl & 4 ? "O" : "", fl ? "" : "-");
    return s;
}

static void put_bits(char *p, int es, uint64_t b)
{
    if (es == 2) { uint16_t v = (uint16_t)b; memcpy(p, &v, 2); }
    else if (es == 4) { uint32_t v = (uint32_t)b; memcpy(p, &v, 4); }
    else memcpy(p, &b, 8);
}

static uint64_t get_bits(const char *p, int es)
{
    if (es == 2) { uint16_t v; memcpy(&v, p, 2); return v; }
    if (es == 4) { uint32_t v; memcpy(&v, p, 4); return v; }
    uint64_t v; memcpy(&v, p, 8); return v;
}

typedef struct {
    char ufunc[48], dtype[16], path[16];
    int nin, nout, es, ng;
    uint64_t n, hash;
    group_t g[MAXG];
    int flags[MAXG];
    const char *bits;           /* nout arrays of n elements; NULL: not stored */
} record_t;

static uint64_t fnv(const void *p, size_t len, uint64_t h)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < len; i++) { h ^= s[i]; h *= 0x100000001B3ull; }
    return h;
}

static long mismatches_value, mismatches_flags, mismatches_form, printed, max_print = 200;
/* value mismatches by kind: an invalid operation's default NaN whose sign differs (x86
 * produces -NaN, Arm +NaN: hardware-defined, IEEE 754 leaves it open), other NaN payload
 * or sign differences (which NaN operand propagates), anything else */
enum { K_DNAN_SIGN, K_NAN, K_OTHER, N_KIND };
static const char *kind_names[N_KIND] = {"default-NaN sign", "NaN payload", "value"};
static long mismatches_kind[N_KIND];
static int allow_dnan_sign;

static int mismatch_kind(const fmt_t *f, uint64_t exp, uint64_t got, int cross)
{
    uint64_t dnan = finf(f) | fqbit(f);
    /* only between builds: on one machine every path makes the same default NaN */
    if (cross && (exp & ~fsign(f)) == dnan && got == (exp ^ fsign(f))) return K_DNAN_SIGN;
    if (classify(f, exp) >= C_QNAN && classify(f, got) >= C_QNAN) return K_NAN;
    return K_OTHER;
}
/* comparisons made, per kind ("path vs scalar (this build)", "vs reference avx2" ...) */
#define MAXWHAT 8
static struct { char what[64]; long long records, results, diff[4]; } tally[MAXWHAT + 1];
static int ntally;

/* the tally of `what`; diff[kind] value mismatches, diff[3] group flag mismatches */
static long long *count(const char *what, long long records, long long results)
{
    int i = 0;
    while (i < ntally && strcmp(tally[i].what, what)) i++;
    if (i == ntally) {
        if (ntally == MAXWHAT) return tally[MAXWHAT].diff;
        snprintf(tally[ntally++].what, sizeof tally[0].what, "%s", what);
    }
    tally[i].records += records;
    tally[i].results += results;
    return tally[i].diff;
}

static void fmt_hex(char *s, size_t sz, uint64_t b, int es) { snprintf(s, sz, "0x%0*" PRIx64, 2 * es, b); }

static void report_elem(const char *what, const char *uf, const char *dt, const char *path,
                        const case_t *c, int gi, size_t i, int o, uint64_t exp, uint64_t got)
{
    if (printed++ >= max_print) return;
    char ins[200] = "", h[24], e[24], g[24];
    size_t pos = 0;
    for (int k = 0; k < c->nin; k++) {
        fmt_hex(h, sizeof h, c->in[k].v[i], c->f->es);
        pos += (size_t)snprintf(ins + pos, sizeof ins - pos, "%s%s", k ? "," : "", h);
    }
    fmt_hex(e, sizeof e, exp, c->f->es);
    fmt_hex(g, sizeof g, got, c->f->es);
    printf("MISMATCH %s: %s %s %s group=%s input=(%s) out%d expected=%s got=%s [%s]\n", what, uf, dt,
           path, c->g[gi].name, ins, o, e, g, kind_names[mismatch_kind(c->f, exp, got, strncmp(what, "vs reference", 12) == 0)]);
}

static void report_flags(const char *what, const char *uf, const char *dt, const char *path,
                         const char *group, int exp, int got)
{
    if (printed++ >= max_print) return;
    printf("MISMATCH %s: %s %s %s group=%s flags expected=%s got=%s\n", what, uf, dt, path, group,
           flag_str(exp), flag_str(got));
}

/* run one (ufunc, dtype, path): forms A, B, C; returns the record (bits: form A's) */
static void run_case(const gelu_c_ufunc_def *u, int d, const char *path, const case_t *c,
                     record_t *r, char *outA)
{
    const fmt_t *f = c->f;
    const int es = f->es, nin = c->nin, nout = c->nout;
    const size_t n = c->n;
    gelu_c_loop_fn loop = u->loops[d];
    char *inb[4];
    for (int k = 0; k < nin; k++) {
        inb[k] = malloc(n * es);
        for (size_t i = 0; i < n; i++) put_bits(inb[k] + i * es, es, c->in[k].v[i]);
    }
    memset(r, 0, sizeof *r);
    snprintf(r->ufunc, sizeof r->ufunc, "%s", u->name);
    snprintf(r->dtype, sizeof r->dtype, "%s", f->name);
    snprintf(r->path, sizeof r->path, "%s", path);
    r->nin = nin; r->nout = nout; r->es = es; r->ng = c->ng; r->n = n;
    memcpy(r->g, c->g, sizeof(group_t) * c->ng);

    /* A: one call per group, contiguous; parameters with stride 0 */
    memset(outA, 0xA5, (size_t)nout * n * es);
    for (int gi = 0; gi < c->ng; gi++) {
        const group_t *g = &c->g[gi];
        char *args[8];
        intptr_t steps[8], dims[1] = {(intptr_t)g->len};
        for (int k = 0; k < nin; k++) {
            args[k] = inb[k] + g->start * es;
            steps[k] = k >= c->first_param ? 0 : es;
        }
        for (int o = 0; o < nout; o++) {
            args[nin + o] = outA + ((size_t)o * n + g->start) * es;
            steps[nin + o] = es;
        }
        feclearexcept(FE_ALL_EXCEPT);
        loop(args, dims, steps, NULL);
        r->flags[gi] = norm_flags(fetestexcept(FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW));
    }
    /* B: n = 1 per call */
    char *outB = malloc((size_t)nout * n * es);
    memset(outB, 0x5A, (size_t)nout * n * es);
    for (int gi = 0; gi < c->ng; gi++) {
        const group_t *g = &c->g[gi];
        int fl = 0;
        for (size_t i = g->start; i < g->start + g->len; i++) {
            char *args[8];
            intptr_t steps[8] = {0}, dims[1] = {1};
            for (int k = 0; k < nin; k++) { args[k] = inb[k] + i * es; steps[k] = es; }
            for (int o = 0; o < nout; o++) { args[nin + o] = outB + ((size_t)o * n + i) * es; steps[nin + o] = es; }
            feclearexcept(FE_ALL_EXCEPT);
            loop(args, dims, steps, NULL);
            fl |= norm_flags(fetestexcept(FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW));
        }
        if (fl != r->flags[gi]) {
            mismatches_form++;
            report_flags("n=1 calls vs one call per group", u->name, f->name, path, g->name, r->flags[gi], fl);
        }
    }
    /* C: the whole set in one call, every operand strided */
    static const int ostride[3] = {-1, 2, -3};
    char *inC[4], *outC[3];
    char *args[8];
    intptr_t steps[8], dims[1] = {(intptr_t)n};
    for (int k = 0; k < nin; k++) {
        int s = k + 2;
        inC[k] = malloc(n * s * es + es);
        memset(inC[k], 0xC3, n * s * es + es);
        for (size_t i = 0; i < n; i++) memcpy(inC[k] + i * s * es, inb[k] + i * es, es);
        args[k] = inC[k];
        steps[k] = (intptr_t)s * es;
    }
    for (int o = 0; o < nout; o++) {
        int s = ostride[o], as = s < 0 ? -s : s;
        outC[o] = malloc(n * as * es + es);
        memset(outC[o], 0x3C, n * as * es + es);
        args[nin + o] = s < 0 ? outC[o] + (n - 1) * as * es : outC[o];
        steps[nin + o] = (intptr_t)s * es;
    }
    feclearexcept(FE_ALL_EXCEPT);
    loop(args, dims, steps, NULL);
    int flC = norm_flags(fetestexcept(FE_INVALID | FE_DIVBYZERO | FE_OVERFLOW)), flA = 0;
    for (int gi = 0; gi < c->ng; gi++) flA |= r->flags[gi];
    if (flC != flA) {
        mismatches_form++;
        report_flags("strided whole-set call vs calls per group", u->name, f->name, path, "(all)", flA, flC);
    }
    /* compare B and C with A, element by element; the strided outputs' gaps untouched */
    for (int o = 0; o < nout; o++) {
        int s = ostride[o], as = s < 0 ? -s : s;
        for (int gi = 0; gi < c->ng; gi++)
            for (size_t i = c->g[gi].start; i < c->g[gi].start + c->g[gi].len; i++) {
                uint64_t a = get_bits(outA + ((size_t)o * n + i) * es, es);
                uint64_t b = get_bits(outB + ((size_t)o * n + i) * es, es);
                size_t ci = s < 0 ? (n - 1 - i) : i;
                uint64_t cc = get_bits(outC[o] + ci * as * es, es);
                if (b != a) { mismatches_form++; report_elem("n=1 call vs group call", u->name, f->name, path, c, gi, i, o, a, b); }
                if (cc != a) { mismatches_form++; report_elem("strided call vs group call", u->name, f->name, path, c, gi, i, o, a, cc); }
            }
        for (size_t j = 0; j < n * as * es + es; j++)
            if ((j % (as * es)) >= (size_t)es && (unsigned char)outC[o][j] != 0x3C) {
                mismatches_form++;
                if (printed++ < max_print)
                    printf("MISMATCH write outside the strided output: %s %s %s out%d byte %zu\n",
                           u->name, f->name, path, o, j);
                break;
            }
    }
    r->hash = fnv(outA, (size_t)nout * n * es, 0xCBF29CE484222325ull);
    for (int k = 0; k < nin; k++) { free(inb[k]); free(inC[k]); }
    for (int o = 0; o < nout; o++) free(outC[o]);
    free(outB);
}

/* compare record `got` (this run) with `exp` (bits given: element by element; else hash) */
static void compare_records(const char *what, const record_t *exp, const record_t *got,
                            const char *exp_bits, const char *got_bits, const case_t *c)
{
    if (exp->n != got->n || exp->ng != got->ng || exp->nout != got->nout || exp->es != got->es) {
        mismatches_value++;
        printf("MISMATCH %s: %s %s %s: different input sets (%" PRIu64 " vs %" PRIu64 " elements)\n",
               what, got->ufunc, got->dtype, got->path, exp->n, got->n);
        return;
    }
    for (int gi = 0; gi < got->ng; gi++) {
        if (strcmp(exp->g[gi].name, got->g[gi].name) || exp->g[gi].len != got->g[gi].len) {
            mismatches_value++;
            printf("MISMATCH %s: %s %s %s: different groups\n", what, got->ufunc, got->dtype, got->path);
            return;
        }
        if (exp->flags[gi] != got->flags[gi]) {
            mismatches_flags++;
            count(what, 0, 0)[3]++;
            report_flags(what, got->ufunc, got->dtype, got->path, got->g[gi].name, exp->flags[gi],
                         got->flags[gi]);
        }
    }
    const int es = got->es;
    if (exp_bits) {
        long long *diff = count(what, 1, (long long)got->nout * got->n);
        if (memcmp(exp_bits, got_bits, (size_t)got->nout * got->n * es) == 0) return;
        long kinds[N_KIND] = {0};
        for (int o = 0; o < got->nout; o++)
            for (int gi = 0; gi < got->ng; gi++)
                for (size_t i = got->g[gi].start; i < got->g[gi].start + got->g[gi].len; i++) {
                    uint64_t a = get_bits(exp_bits + ((size_t)o * got->n + i) * es, es);
                    uint64_t b = get_bits(got_bits + ((size_t)o * got->n + i) * es, es);
                    if (a != b) {
                        int k = mismatch_kind(c->f, a, b, strncmp(what, "vs reference", 12) == 0);
                        kinds[k]++;
                        diff[k]++;
                        mismatches_kind[k]++;
                        if (k != K_DNAN_SIGN || !allow_dnan_sign) {
                            mismatches_value++;
                            report_elem(what, got->ufunc, got->dtype, got->path, c, gi, i, o, a, b);
                        }
                    }
                }
        printf("  %s %s %s %s: %ld %s, %ld %s, %ld %s mismatches%s\n", got->ufunc, got->dtype,
               got->path, what, kinds[K_OTHER], kind_names[K_OTHER], kinds[K_NAN],
               kind_names[K_NAN], kinds[K_DNAN_SIGN], kind_names[K_DNAN_SIGN],
               allow_dnan_sign && kinds[K_DNAN_SIGN] ? " (default-NaN sign allowed)" : "");
    } else {
        count("(hash only)", 1, (long long)got->nout * got->n);
        if (exp->hash != got->hash) {
            mismatches_value++;
            printf("MISMATCH %s: %s %s %s: hash %016" PRIx64 " expected %016" PRIx64 "\n", what,
                   got->ufunc, got->dtype, got->path, got->hash, exp->hash);
        }
    }
}

/* ---------------------------------------------------------------- the reference file */

static const char MAGIC[8] = "GCBITS2\n";

/* bits: the record's output bits; base: NULL (store them all: the scalar path) or the
 * scalar path's (store only the elements that differ: normally none) */
static void write_record(FILE *fp, const record_t *r, const char *bits, const char *base)
{
    uint32_t hdr[4] = {(uint32_t)r->nin, (uint32_t)r->nout, (uint32_t)r->es, (uint32_t)r->ng};
    uint64_t nh[2] = {r->n, r->hash};
    uint32_t has = base ? 2 : 1;
    fwrite(r->ufunc, 1, sizeof r->ufunc, fp);
    fwrite(r->dtype, 1, sizeof r->dtype, fp);
    fwrite(r->path, 1, sizeof r->path, fp);
    fwrite(hdr, sizeof hdr, 1, fp);
    fwrite(nh, sizeof nh, 1, fp);
    fwrite(&has, sizeof has, 1, fp);
    for (int gi = 0; gi < r->ng; gi++) {
        uint64_t sl[2] = {r->g[gi].start, r->g[gi].len};
        uint32_t fl = (uint32_t)r->flags[gi];
        fwrite(r->g[gi].name, 1, sizeof r->g[gi].name, fp);
        fwrite(sl, sizeof sl, 1, fp);
        fwrite(&fl, sizeof fl, 1, fp);
    }
    size_t total = (size_t)r->nout * r->n;
    if (!base) {
        fwrite(bits, 1, total * r->es, fp);
        return;
    }
    uint64_t ndiff = 0;
    for (size_t i = 0; i < total; i++)
        ndiff += memcmp(bits + i * r->es, base + i * r->es, r->es) != 0;
    fwrite(&ndiff, sizeof ndiff, 1, fp);
    for (size_t i = 0; i < total; i++)
        if (memcmp(bits + i * r->es, base + i * r->es, r->es) != 0) {
            uint64_t e[2] = {i, get_bits(bits + i * r->es, r->es)};
            fwrite(e, sizeof e, 1, fp);
        }
}

static record_t *refs;
static int nrefs;
static char *ref_data;

#define TAKE(dst, len) do { if (p + (len) > end) goto bad; memcpy((dst), p, (len)); p += (len); } while (0)
static int load_reference(const char *file)
{
    FILE *fp = fopen(file, "rb");
    if (!fp) { perror(file); return -1; }
    fseek(fp, 0, SEEK_END);
    long sz = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    ref_data = malloc((size_t)sz);
    if (!ref_data || fread(ref_data, 1, (size_t)sz, fp) != (size_t)sz) { perror(file); return -1; }
    fclose(fp);
    const char *p = ref_data, *end = ref_data + sz;
    if (sz < 8 || memcmp(p, MAGIC, 8) != 0) goto bad;
    p += 8;
    int cap = 0;
    while (p < end) {
        if (nrefs == cap) { cap = cap ? 2 * cap : 256; refs = realloc(refs, cap * sizeof *refs); }
        record_t *r = &refs[nrefs++];
        memset(r, 0, sizeof *r);
        uint32_t hdr[4], has;
        uint64_t nh[2];
        TAKE(r->ufunc, sizeof r->ufunc);
        TAKE(r->dtype, sizeof r->dtype);
        TAKE(r->path, sizeof r->path);
        TAKE(hdr, sizeof hdr);
        TAKE(nh, sizeof nh);
        TAKE(&has, sizeof has);
        r->nin = (int)hdr[0]; r->nout = (int)hdr[1]; r->es = (int)hdr[2]; r->ng = (int)hdr[3];
        r->n = nh[0]; r->hash = nh[1];
        if (r->ng > MAXG || r->nout > 3 || (r->es != 2 && r->es != 4 && r->es != 8)) goto bad;
        for (int gi = 0; gi < r->ng; gi++) {
            uint64_t sl[2];
            uint32_t fl;
            TAKE(r->g[gi].name, sizeof r->g[gi].name);
            TAKE(sl, sizeof sl);
            TAKE(&fl, sizeof fl);
            r->g[gi].start = sl[0]; r->g[gi].len = sl[1];
            r->flags[gi] = (int)fl;
        }
        size_t total = (size_t)r->nout * r->n, len = total * r->es;
        if (has == 1) {
            if (p + len > end) goto bad;
            r->bits = p;
            p += len;
        } else if (has == 2) {      /* the scalar record's bits (written first), patched */
            const record_t *s = NULL;
            for (int j = nrefs - 2; j >= 0 && !s; j--)
                if (!strcmp(refs[j].ufunc, r->ufunc) && !strcmp(refs[j].dtype, r->dtype)
                    && !strcmp(refs[j].path, "scalar"))
                    s = &refs[j];
            if (!s || s->n != r->n || s->nout != r->nout || s->es != r->es) goto bad;
            char *b = malloc(len);
            memcpy(b, s->bits, len);
            uint64_t ndiff;
            TAKE(&ndiff, sizeof ndiff);
            for (uint64_t k = 0; k < ndiff; k++) {
                uint64_t e[2];
                TAKE(e, sizeof e);
                if (e[0] >= total) goto bad;
                put_bits(b + e[0] * r->es, r->es, e[1]);
            }
            r->bits = b;
        } else {
            goto bad;
        }
    }
    return 0;
bad:
    fprintf(stderr, "%s: not a kernel_bits reference file (or truncated)\n", file);
    return -1;
}
#undef TAKE

/* ---------------------------------------------------------------- main */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    const char *write_file = NULL, *compare_file = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--write") && i + 1 < argc) write_file = argv[++i];
        else if (!strcmp(argv[i], "--compare") && i + 1 < argc) compare_file = argv[++i];
        else if (!strcmp(argv[i], "--max-print") && i + 1 < argc) max_print = atol(argv[++i]);
        else if (!strcmp(argv[i], "--allow-default-nan-sign")) allow_dnan_sign = 1;
        else {
            fprintf(stderr, "usage: %s (--write FILE | --compare FILE) [--max-print N] [--allow-default-nan-sign]\n", argv[0]);
            return 2;
        }
    }
    if (!!write_file == !!compare_file) {
        fprintf(stderr, "usage: %s (--write FILE | --compare FILE) [--max-print N] [--allow-default-nan-sign]\n", argv[0]);
        return 2;
    }
    double t0 = now_s();
    FILE *wf = NULL;
    if (write_file) {
        wf = fopen(write_file, "wb");
        if (!wf) { perror(write_file); return 2; }
        fwrite(MAGIC, 1, 8, wf);
    } else if (load_reference(compare_file) != 0) {
        return 2;
    }
    int paths[8], npaths = 0;
    printf("paths available:");
    for (int i = 0; i < gelu_c_n_paths(); i++)
        if (gelu_c_path_available(i)) {
            paths[npaths++] = i;
            printf(" %s", gelu_c_path_name(i));
        }
    printf("\n");
    /* what a user gets by default ("auto": the last path available) */
    if (gelu_c_set_path("auto") != 0) { fprintf(stderr, "cannot set path auto\n"); return 2; }
    printf("default path: %s\n", gelu_c_get_path());
    if (npaths == 0 || strcmp(gelu_c_path_name(paths[0]), "scalar") != 0) {
        fprintf(stderr, "the scalar path must be available and first\n");
        return 2;
    }
    long combos = 0;
    long long results_run = 0;
    int *ref_seen = compare_file ? calloc((size_t)nrefs + 1, sizeof(int)) : NULL;
    record_t *rec = malloc(sizeof *rec), *rec_s = malloc(sizeof *rec_s);
    for (int ui = 0; ui < gelu_c_n_ufuncs; ui++) {
        const gelu_c_ufunc_def *u = &gelu_c_ufunc_defs[ui];
        for (int d = 0; d < 4; d++) {
            case_t c;
            build_case(&c, &fmts[d], u);
            size_t bytes = (size_t)u->nout * c.n * fmts[d].es;
            char *bits_s = malloc(bytes), *bits = malloc(bytes);
            for (int pi = 0; pi < npaths; pi++) {
                const char *pname = gelu_c_path_name(paths[pi]);
                if (gelu_c_set_path(pname) != 0) { fprintf(stderr, "cannot set path %s\n", pname); return 2; }
                record_t *r = pi == 0 ? rec_s : rec;
                run_case(u, d, pname, &c, r, pi == 0 ? bits_s : bits);
                combos++;
                results_run += (long long)u->nout * c.n;
                int any = 0;
                for (int gi = 0; gi < r->ng; gi++) any |= r->flags[gi];
                printf("%-28s %-8s %-6s hash=%016" PRIx64 " results=%" PRIu64 " groups=%d flags=%s\n",
                       u->name, fmts[d].name, pname, r->hash, (uint64_t)u->nout * c.n, c.ng, flag_str(any));
                if (pi > 0)      /* the project's rule: every path gives the scalar path's bits */
                    compare_records("path vs scalar (this build)", rec_s, r, bits_s, bits, &c);
                if (wf)
                    write_record(wf, r, pi == 0 ? bits_s : bits, pi == 0 ? NULL : bits_s);
                if (compare_file && pi == 0) {
                    /* this build's scalar path against every path of the reference */
                    int found = 0;
                    for (int j = 0; j < nrefs; j++) {
                        if (strcmp(refs[j].ufunc, u->name) || strcmp(refs[j].dtype, fmts[d].name)) continue;
                        char what[64];
                        snprintf(what, sizeof what, "vs reference %s", refs[j].path);
                        compare_records(what, &refs[j], r, refs[j].bits, bits_s, &c);
                        ref_seen[j] = 1;
                        found++;
                    }
                    if (!found) {
                        mismatches_value++;
                        printf("MISMATCH: %s %s not in the reference\n", u->name, fmts[d].name);
                    }
                }
            }
            free(bits_s);
            free(bits);
            case_free(&c);
        }
    }
    if (compare_file)
        for (int j = 0; j < nrefs; j++)
            if (!ref_seen[j]) {
                mismatches_value++;
                printf("MISMATCH: reference has %s %s %s, this build does not\n", refs[j].ufunc,
                       refs[j].dtype, refs[j].path);
            }
    if (wf && fclose(wf) != 0) { perror(write_file); return 2; }
    if (printed > max_print) printf("(%ld more mismatch lines not printed)\n", printed - max_print);
    printf("kernel_bits: %d ufuncs x 4 dtypes x %d path(s) = %ld combinations, %lld results "
           "(each computed 3 ways: per group, n=1 per call, strided whole set)\n",
           gelu_c_n_ufuncs, npaths, combos, results_run);
    for (int i = 0; i < ntally; i++)
        printf("kernel_bits: %s: %lld (ufunc, dtype, path) records, %lld results compared bit by "
               "bit, and the flags of each input group; differ: %lld %s, %lld %s, %lld %s, "
               "%lld groups' flags\n", tally[i].what, tally[i].records, tally[i].results,
               tally[i].diff[K_OTHER], kind_names[K_OTHER], tally[i].diff[K_NAN], kind_names[K_NAN],
               tally[i].diff[K_DNAN_SIGN], kind_names[K_DNAN_SIGN], tally[i].diff[3]);
    printf("kernel_bits: mismatches: values %ld (%s %ld, %s %ld, %s %ld%s), flags %ld, call forms %ld; "
           "%.1f s\n", mismatches_value, kind_names[K_OTHER], mismatches_kind[K_OTHER],
           kind_names[K_NAN], mismatches_kind[K_NAN], kind_names[K_DNAN_SIGN],
           mismatches_kind[K_DNAN_SIGN], allow_dnan_sign ? ": allowed" : "", mismatches_flags,
           mismatches_form, now_s() - t0);
    return (mismatches_value || mismatches_flags || mismatches_form) ? 1 : 0;
}
