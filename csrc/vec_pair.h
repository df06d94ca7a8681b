/* A vector layer of two registers of a base layer (GC_PAIR_BASE: "vec_avx2.h",
 * "vec_neon.h") per layer vector (AVX2: 16 floats or 8 doubles; NEON: 8 or 4), every
 * operation applied to both halves back to back.
 *
 * Why: a kernel is one long dependency chain (about 150 cycles from x to the result)
 * of 90-170 vector operations. With one register per vector, the program order lists
 * a whole chain before the next one, so the scheduler's window fills with operations
 * that wait on their predecessors and the vector ports idle; unrolling the loop
 * does not help, since the out-of-order core sees the chains one after the other
 * anyway. Here each step of the chain appears twice in a row, for two independent
 * halves, so every wait is covered by the other half's work. Measured on AVX2
 * (Golden Cove class), together with GCC's first scheduling pass (setup.py): +17-28%
 * throughput on the float32 kernels, with the loop's own two-vector unrolling kept
 * (four chains in flight); three or four registers per vector lose it again to
 * register spills. On AMD Zen 3 one register per vector is 15-25% slower too (and the
 * loop's unrolling makes no difference there). AArch64 cores have as many or more FP
 * pipes for narrower registers and 32 of them, so NEON takes the same layout (not
 * measured: no Arm machine here).
 *
 * Each operation is the base layer's on each half, so the lanes compute exactly what
 * they computed there (and what the scalar layer computes). vall/vany combine both
 * halves: the kernels branch on them only to skip a recipe no lane needs, never to
 * change a result, so this changes which vectors run a recipe, never a bit of the output.
 *
 * Include after dtype_<key>.h, in place of the base layer. */
#include GC_PAIR_BASE

#define GC_PAIR(name) GC_CAT(GC_CAT(gc_pair, name), GC_KEY)
typedef struct { VT a, b; } GC_PAIR(vt);
typedef struct { VI a, b; } GC_PAIR(vi);
#define PT GC_PAIR(vt)
#define PI GC_PAIR(vi)

/* One function per layer operation: name, result and argument types, the base op. */
#define GC_PAIR_OP1(name, R, A, op) \
    static GC_ALWAYS_INLINE R GC_PAIR(name)(A x) { R r; r.a = op(x.a); r.b = op(x.b); return r; }
#define GC_PAIR_OP2(name, R, A, B, op)                                      \
    static GC_ALWAYS_INLINE R GC_PAIR(name)(A x, B y)                      \
    { R r; r.a = op(x.a, y.a); r.b = op(x.b, y.b); return r; }
#define GC_PAIR_OP3(name, R, A, B, C, op)                                   \
    static GC_ALWAYS_INLINE R GC_PAIR(name)(A x, B y, C z)                 \
    { R r; r.a = op(x.a, y.a, z.a); r.b = op(x.b, y.b, z.b); return r; }

GC_PAIR_OP3(fma, PT, PT, PT, PT, vfma)
GC_PAIR_OP3(fms, PT, PT, PT, PT, vfms)
GC_PAIR_OP3(fnma, PT, PT, PT, PT, vfnma)
GC_PAIR_OP2(add, PT, PT, PT, vadd)
GC_PAIR_OP2(sub, PT, PT, PT, vsub)
GC_PAIR_OP2(mul, PT, PT, PT, vmul)
GC_PAIR_OP2(div, PT, PT, PT, vdiv)
GC_PAIR_OP1(neg, PT, PT, vneg)
GC_PAIR_OP1(abs, PT, PT, vabs)
GC_PAIR_OP2(lt, PT, PT, PT, vlt)
GC_PAIR_OP2(gt, PT, PT, PT, vgt)
GC_PAIR_OP2(gt_un, PT, PT, PT, vgt_un)
GC_PAIR_OP1(isnan, PT, PT, visnan)
GC_PAIR_OP2(mor, PT, PT, PT, vmor)
GC_PAIR_OP2(mand, PT, PT, PT, vmand)
GC_PAIR_OP3(sel, PT, PT, PT, PT, vsel)
GC_PAIR_OP3(sel_sign, PT, PT, PT, PT, vsel_sign)
GC_PAIR_OP2(keep, PT, PT, PT, vkeep)
GC_PAIR_OP2(keep_not, PT, PT, PT, vkeep_not)
GC_PAIR_OP2(min, PT, PT, PT, vmin)
GC_PAIR_OP2(max, PT, PT, PT, vmax)
GC_PAIR_OP1(asint, PI, PT, vasint)
GC_PAIR_OP1(asflt, PT, PI, vasflt)
GC_PAIR_OP2(i_add, PI, PI, PI, vi_add)
GC_PAIR_OP2(i_sub, PI, PI, PI, vi_sub)
GC_PAIR_OP2(i_and, PI, PI, PI, vi_and)
GC_PAIR_OP2(i_or, PI, PI, PI, vi_or)
GC_PAIR_OP2(i_xor, PI, PI, PI, vi_xor)
GC_PAIR_OP2(i_min, PI, PI, PI, vi_min)
GC_PAIR_OP2(i_max, PI, PI, PI, vi_max)
GC_PAIR_OP2(i_gt, PT, PI, PI, vi_gt)
GC_PAIR_OP2(i_keep, PI, PT, PI, vi_keep)
GC_PAIR_OP2(i_keep_not, PI, PT, PI, vi_keep_not)
GC_PAIR_OP3(i_sel, PI, PT, PI, PI, vi_sel)

/* shift counts are constants at every call; after inlining they are immediates */
static GC_ALWAYS_INLINE PI GC_PAIR(i_srl)(PI x, int n) { PI r; r.a = vi_srl(x.a, n); r.b = vi_srl(x.b, n); return r; }
static GC_ALWAYS_INLINE PI GC_PAIR(i_sll)(PI x, int n) { PI r; r.a = vi_sll(x.a, n); r.b = vi_sll(x.b, n); return r; }
static GC_ALWAYS_INLINE PT GC_PAIR(set1)(GC_T c) { PT r; r.a = r.b = vset1(c); return r; }
static GC_ALWAYS_INLINE PI GC_PAIR(i_set1)(uint64_t c) { PI r; r.a = r.b = vi_set1(c); return r; }
static GC_ALWAYS_INLINE int GC_PAIR(all)(PT m) { return vall(vkeep(m.a, m.b)); }
static GC_ALWAYS_INLINE int GC_PAIR(any)(PT m) { return vany(vmor(m.a, m.b)); }
static GC_ALWAYS_INLINE PT GC_PAIR(lookup)(const GC_T *row, PI i)
{
    PT r;
    r.a = vlookup(row, i.a);
    r.b = vlookup(row, i.b);
    return r;
}

#ifdef vlookup_pair    /* the base layer's own two-row lookup, on each half */
#define GC_PAIR_HAS_LPAIR 1
static GC_ALWAYS_INLINE void GC_PAIR(lookup_pair)(const GC_T (*rows)[8], const GC_T (*byentry)[2],
                                                  PI i, PT *hi, PT *lo)
{
    vlookup_pair(rows, byentry, i.a, hi->a, lo->a);
    vlookup_pair(rows, byentry, i.b, hi->b, lo->b);
}
#else
#define GC_PAIR_HAS_LPAIR 0
#endif

#ifdef vlookup_group   /* the base layer's own grouped lookup, on each half */
#define GC_PAIR_HAS_GROUP 1
static GC_ALWAYS_INLINE void GC_PAIR(lookup_group)(const GC_T (*tab)[GC_NPIECE],
                                                   const GC_T (*bypiece)[GC_NROW4],
                                                   const int *order, PI i, int g, int n,
                                                   PT *out)
{
    VT a[4], b[4];
    vlookup_group(tab, bypiece, order, i.a, g, n, a);
    vlookup_group(tab, bypiece, order, i.b, g, n, b);
    for (int q = 0; q < n; q++) {
        out[q].a = a[q];
        out[q].b = b[q];
    }
}
#else
#define GC_PAIR_HAS_GROUP 0
#endif

#if GC_IS_F32
_Static_assert(GC_WIDE_N == 2, "a float32 base vector widens to two float64 ones");
/* float32 <-> float64 (gelu_f32via64.h): each float32 half widens to GC_WIDE_N = 2
 * float64 base vectors, one float64 pair vector, so the float64 layer (instantiated
 * first: path_<isa>.c) must exist */
static GC_ALWAYS_INLINE void GC_PAIR(widen)(PT x, gc_pair_vt_f64 w[2])
{
    GC_W t[2];
    vwiden(x.a, t);
    w[0].a = t[0], w[0].b = t[1];
    vwiden(x.b, t);
    w[1].a = t[0], w[1].b = t[1];
}
static GC_ALWAYS_INLINE PT GC_PAIR(narrow)(const gc_pair_vt_f64 w[2])
{
    PT r;
    GC_W t[2] = {w[0].a, w[0].b}, u[2] = {w[1].a, w[1].b};
    r.a = vnarrow(t);
    r.b = vnarrow(u);
    return r;
}
#endif

/* memory: the low half is elements 0..GC_LANES-1 (of the base layer), the high half
 * the next GC_LANES; a partial vector reads and writes only its n elements */
static GC_ALWAYS_INLINE PT GC_PAIR(load)(const char *p, ptrdiff_t s)
{
    PT r;
    r.a = vload(p, s);
    r.b = vload(p + GC_LANES * s, s);
    return r;
}
static GC_ALWAYS_INLINE void GC_PAIR(store)(char *p, ptrdiff_t s, PT x)
{
    vstore(p, s, x.a);
    vstore(p + GC_LANES * s, s, x.b);
}
static GC_ALWAYS_INLINE PT GC_PAIR(load_part)(const char *p, ptrdiff_t s, ptrdiff_t n)
{
    PT r;
    r.a = n >= GC_LANES ? vload(p, s) : vload_part(p, s, n);
    r.b = n > GC_LANES ? vload_part(p + GC_LANES * s, s, n - GC_LANES) : vset1(0);
    return r;
}
static GC_ALWAYS_INLINE void GC_PAIR(store_part)(char *p, ptrdiff_t s, ptrdiff_t n, PT x)
{
    if (n >= GC_LANES) {
        vstore(p, s, x.a);
        if (n > GC_LANES)
            vstore_part(p + GC_LANES * s, s, n - GC_LANES, x.b);
    } else {
        vstore_part(p, s, n, x.a);
    }
}

/* Re-point the layer's names at the pairs. */
enum { GC_PAIR(lanes) = 2 * GC_LANES };
#include "vec_undef.h"
#undef PT
#undef PI
#undef GC_PAIR_OP1
#undef GC_PAIR_OP2
#undef GC_PAIR_OP3
#define VT GC_PAIR(vt)
#define VM GC_PAIR(vt)
#define VI GC_PAIR(vi)
#define GC_LANES GC_PAIR(lanes)
#define GC_LAZY_SELECT 0
#define vfma GC_PAIR(fma)
#define vfms GC_PAIR(fms)
#define vfnma GC_PAIR(fnma)
#define vset1(c) GC_PAIR(set1)((GC_T)(c))
#define vadd GC_PAIR(add)
#define vsub GC_PAIR(sub)
#define vmul GC_PAIR(mul)
#define vdiv GC_PAIR(div)
#define vneg GC_PAIR(neg)
#define vabs GC_PAIR(abs)
#define vlt GC_PAIR(lt)
#define vgt GC_PAIR(gt)
#define vgt_un GC_PAIR(gt_un)
#define visnan GC_PAIR(isnan)
#define vmor GC_PAIR(mor)
#define vmand GC_PAIR(mand)
#define vsel GC_PAIR(sel)
#define vsel_sign GC_PAIR(sel_sign)
#define vkeep GC_PAIR(keep)
#define vkeep_not GC_PAIR(keep_not)
#define vmin GC_PAIR(min)
#define vmax GC_PAIR(max)
#define vasint GC_PAIR(asint)
#define vasflt GC_PAIR(asflt)
#define vi_set1(c) GC_PAIR(i_set1)((uint64_t)(c))
#define vi_add GC_PAIR(i_add)
#define vi_sub GC_PAIR(i_sub)
#define vi_and GC_PAIR(i_and)
#define vi_or GC_PAIR(i_or)
#define vi_xor GC_PAIR(i_xor)
#define vi_srl GC_PAIR(i_srl)
#define vi_sll GC_PAIR(i_sll)
#define vi_min GC_PAIR(i_min)
#define vi_max GC_PAIR(i_max)
#define vi_gt GC_PAIR(i_gt)
#define vi_keep GC_PAIR(i_keep)
#define vi_keep_not GC_PAIR(i_keep_not)
#define vi_sel GC_PAIR(i_sel)
#define vall GC_PAIR(all)
#define vany GC_PAIR(any)
#define vlookup GC_PAIR(lookup)
#if GC_PAIR_HAS_GROUP       /* otherwise piece_poly.h's per-row default applies */
#define vlookup_group GC_PAIR(lookup_group)
#endif
#undef GC_PAIR_HAS_GROUP
#if GC_PAIR_HAS_LPAIR
#define vlookup_pair(rows, byentry, idx, hi, lo) GC_PAIR(lookup_pair)((rows), (byentry), (idx), &(hi), &(lo))
#endif
#undef GC_PAIR_HAS_LPAIR
#if GC_IS_F32
#define GC_W gc_pair_vt_f64
#define GC_WIDE_N 2
#define vwiden(x, w) GC_PAIR(widen)((x), (w))
#define vnarrow(w) GC_PAIR(narrow)(w)
#endif
#define vload GC_PAIR(load)
#define vstore GC_PAIR(store)
#define vload_part GC_PAIR(load_part)
#define vstore_part GC_PAIR(store_part)
