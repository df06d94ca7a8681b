/* Double-word ("hi + lo") arithmetic over the vector layer.
 *
 * Included once per (ISA, dtype) instantiation, after the layer; FN() makes the names
 * unique. A DW value is hi + lo with |lo| <= ~ulp(hi); products are not renormalised
 * (callers only add them or round them once), which saves a fast-two-sum per product.
 * Error bounds are the classical ones (Dekker 1971; Muller et al., Handbook of
 * Floating-Point Arithmetic, ch. 4): two_sum and two_prod are exact, fast_two_sum is
 * exact when |a| >= |b| or a == 0, dw_mul_dw has relative error ~ 2^(1-2p). */
typedef struct { VT hi, lo; } FN(dw);
#define DW FN(dw)

static GC_ALWAYS_INLINE DW FN(dw_make)(VT hi, VT lo) { DW r; r.hi = hi; r.lo = lo; return r; }

/* a + b exactly, given |a| >= |b| (or a == 0, or a + b exact). */
static GC_ALWAYS_INLINE DW FN(fast_two_sum)(VT a, VT b)
{
    VT s = vadd(a, b);
    return FN(dw_make)(s, vsub(b, vsub(s, a)));
}

/* a + b exactly, any order (Knuth). */
static GC_ALWAYS_INLINE DW FN(two_sum)(VT a, VT b)
{
    VT s = vadd(a, b);
    VT bb = vsub(s, a);
    return FN(dw_make)(s, vadd(vsub(a, vsub(s, bb)), vsub(b, bb)));
}

/* a * b exactly (the FMA recovers the rounding error of the product). */
static GC_ALWAYS_INLINE DW FN(two_prod)(VT a, VT b)
{
    VT p = vmul(a, b);
    return FN(dw_make)(p, vfms(a, b, p));
}

/* (a.hi + a.lo) * b */
static GC_ALWAYS_INLINE DW FN(dw_mul_v)(DW a, VT b)
{
    DW p = FN(two_prod)(a.hi, b);
    p.lo = vfma(a.lo, b, p.lo);
    return p;
}

/* (a.hi + a.lo) * (b.hi + b.lo); the a.lo * b.lo term is below the error bound. */
static GC_ALWAYS_INLINE DW FN(dw_mul_dw)(DW a, DW b)
{
    DW p = FN(two_prod)(a.hi, b.hi);
    p.lo = vfma(a.hi, b.lo, vfma(a.lo, b.hi, p.lo));
    return p;
}

/* 1 / (d.hi + d.lo) for d in [1, 2]: one division, then one Newton correction
 * carried in the low word (the residual 1 - q*d.hi is exact with an FMA). */
static GC_ALWAYS_INLINE DW FN(dw_recip)(DW d)
{
    VT q = vdiv(vset1(1), d.hi);
    VT rho = vfnma(q, d.hi, vset1(1));
    rho = vfnma(q, d.lo, rho);
    return FN(dw_make)(q, vmul(q, rho));
}
