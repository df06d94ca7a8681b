/* The fast tier's sigmoid family (<= 4 ulp): x*sigma(z(x)) and its derivative for
 * z = x (SiLU), 1.702x (sigmoid form) and 2*sqrt(2/pi)*(x + 0.044715x^3) (tanh form).
 * Method: e^-z = 2^j E with j signed, so that x*sigma(z) = x / (1 + 2^j E) is one
 * division and no select. Forward: z is reduced modulo M = ln2/K in x's own units
 * (t = x*g + j*M, exact for SiLU and the sigmoid form, g = 1 + 0.044715x^2 in
 * double-word for the tanh form), E = F_K(t) ~ exp(-K t) in working precision.
 * Derivative: f' = N / D^2, D = 1 + v, N = D + v*xz', v = e^-z, with v, D, x*z' in
 * double-word and N's cancellation beside the zero kept exact (Sterbenz), so one
 * rounding reaches it; D^2 rounded once; N / D^2 as a quotient and its remainder.
 * Two ways to scale, the same operations: the fast path (all lanes within XF or XD:
 * 2^j a normal float, nothing overflows, no subnormal) uses D = 1 + 2^j E; the
 * derivative's VALUE below scales every quantity by 2^-max(j, 0) (rho = 2^-max(j,0)
 * in place of 1, sigma = 2^min(j,0) in place of 2^j) and leaves 2^-max(j,0) to the
 * final rounding, which gives the same bits wherever both apply and reaches the deep
 * tails (the forward one scales by a constant: fast_rounding_sigmoid.h).
 * Error budget (docs/design.md, "Fast tier: the sigmoid family"): forward <= 3 ulp,
 * derivatives and backward products <= 3.5 ulp (absolute beside a derivative's zero),
 * from at most three roundings plus the polynomials' 2^-(p+4) and less.
 * Coefficients and bounds: tools/fit_fast_sigmoid.py (fast_sigmoid_coeffs.h). */

#include "fast_sigmoid_coeffs.h"

/* per-form constants: FK(SILU, M_HI) -> FS_SILU_M_HI_f32 ... */
#define FK(form, name) K(GC_CAT(GC_CAT(FS, form), name))
#define FS_PICK(kind, name)                                                   \
    ((kind) == GC_SILU ? FK(SILU, name) : (kind) == GC_SIGMOID ? FK(SIGMOID, name) \
                                                               : FK(TANH, name))
#define FS_FDEG GC_CAT(GELU_C_FS_FDEG, GC_KEY)
#define FS_DDEG GC_CAT(GELU_C_FS_DDEG, GC_KEY)
/* the bits of FS_MAGIC (the biased j sits in its low bits) */
#define FS_MAGIC_BITS (GC_IS_F32 ? (uint64_t)0x4b400000 + GC_BIAS : (uint64_t)0x4338000000000000 + GC_BIAS)
/* the power-of-two clamp of the scaled form: below 2^-(2p+20) a term next to 1 no
 * longer changes a rounded result (as in family_sigmoid.h) */
#define FS_CL (2 * GC_P + 20)

/* ---- forward: E with e^-z = 2^j E, j in the low bits of `sh` ---- */

typedef struct { VT e, sh; } FN(fs_exp);

/* x is finite and within the form's XC (the VALUE clamps it), ax = |x|. */
static GC_ALWAYS_INLINE FN(fs_exp) FN(fs_forward_exp)(VT x, VT ax, int kind)
{
    const VT one = vset1(1), magic = vset1(K(FS_MAGIC));
    FN(fs_exp) r;
    VT t;
    if (kind == GC_TANH) {
        /* t = x*g + j*M, g = 1 + a x^2 in double-word (a x^2 = fl(a.hi m) + its
         * error, exact since 1 - gh is, plus a.lo m and a.hi ml). |x| is held at
         * 2^-20 (float64: 2^-40) for the square, as in family_sigmoid.h: below it a x^2
         * moves z by < 2^-40 ulp, and ml would go subnormal. */
        VT xq = vmax(ax, vset1(GC_IS_F32 ? 0x1p-20 : 0x1p-40));
        VT m = vmul(xq, xq), ml = vfms(xq, xq, m);
        const VT ah = vset1(K(TANH_A_HI));
        VT gh = vfma(ah, m, one);
        VT gl = vfma(ah, ml, vfma(vset1(K(TANH_A_LO)), m, vfma(ah, m, vsub(one, gh))));
        r.sh = vfma(vmul(x, gh), vset1(FK(TANH, NEG_INV_M)), magic);
        VT jf = vsub(r.sh, magic);
        /* j*M.hi is exact (M.hi has p - 8 bits, p - 11 for float64) and the sum is
         * small: one rounding of 2^-(p+3) at most */
        VT th = vfma(x, gh, vmul(jf, vset1(FK(TANH, M_HI))));
        t = vfma(x, gl, vfma(jf, vset1(FK(TANH, M_LO)), th));
    } else {
        r.sh = vfma(x, vset1(FS_PICK(kind, NEG_INV_M)), magic);
        VT jf = vsub(r.sh, magic);
        /* x + j*M.hi is exact (Cody-Waite with the FMA: a multiple of 2^-(p+1) or
         * 2^-(p+2) below 1/2 or 1/4) */
        t = vfma(jf, vset1(FS_PICK(kind, M_LO)), vfma(jf, vset1(FS_PICK(kind, M_HI)), x));
    }
    const GC_T *F = kind == GC_SILU ? K(FS_SILU_F) : kind == GC_SIGMOID ? K(FS_SIGMOID_F) : K(FS_TANH_F);
    VT e = vset1(F[FS_FDEG]);
    for (int i = FS_FDEG - 1; i >= 0; i--)
        e = vfma(e, t, vset1(F[i]));
    r.e = e;
    return r;
}

/* 2^j from the exponent's bits (fast path: -126 <= j <= 127, float64 -1022 .. 1023) */
static GC_ALWAYS_INLINE VT FN(fs_pow2)(VT sh)
{
    return vasflt(vi_sll(vasint(sh), GC_P - 1));
}

/* The scaled form's factors from j + GC_KB: rho = 2^-min(max(j,0), CL) (1's stand-in),
 * sigma = 2^max(min(j,0), -CL) (2^j's), nneg = max(j, 0). */
typedef struct { VT rho, sigma; VI nneg; } FN(fs_scale);

static GC_ALWAYS_INLINE FN(fs_scale) FN(fs_scaled)(VT sh)
{
    FN(fs_scale) s;
    VI jb = vi_sub(vasint(sh), vi_set1(FS_MAGIC_BITS - GC_KB));
    VI jp = vi_max(jb, vi_set1(GC_KB));                       /* KB + max(j, 0) */
    s.nneg = vi_sub(jp, vi_set1(GC_KB));
    s.rho = vasflt(vi_sll(vi_sub(vi_set1(GC_BIAS + GC_KB), vi_min(jp, vi_set1(GC_KB + FS_CL))),
                          GC_P - 1));
    s.sigma = vasflt(vi_sll(vi_add(vi_max(vi_min(jb, vi_set1(GC_KB)), vi_set1(GC_KB - FS_CL)),
                                   vi_set1(GC_BIAS - GC_KB)), GC_P - 1));
    return s;
}

/* ---- derivative ---- */

/* z and x*z' in double-word, E = e^-(z + j ln2) in double-word (j in sh) */
typedef struct { VT eh, el, sh, ph, pl; } FN(fs_dexp);

static GC_ALWAYS_INLINE FN(fs_dexp) FN(fs_deriv_exp)(VT x, VT ax, int kind)
{
    const VT one = vset1(1), magic = vset1(K(FS_MAGIC));
    FN(fs_dexp) r;
    VT zh, zl = vset1(0);
    if (kind == GC_SILU) {
        zh = x;
        r.ph = x;
        r.pl = vset1(0);
    } else if (kind == GC_SIGMOID) {
        const VT kh = vset1(K(SIG_K_HI));
        zh = vmul(kh, x);
        zl = vfma(vset1(K(SIG_K_LO)), x, vfms(kh, x, zh));
        r.ph = zh;
        r.pl = zl;
    } else {
        /* z = cx*g, x z' = cx*g3, g = 1 + a x^2, g3 = 1 + 3a x^2, cx = c x, each in
         * double-word (as in the forward; |x| held at 2^-20 / 2^-40 for the square) */
        VT xq = vmax(ax, vset1(GC_IS_F32 ? 0x1p-20 : 0x1p-40));
        VT m = vmul(xq, xq), ml = vfms(xq, xq, m);
        const VT ah = vset1(K(TANH_A_HI)), a3h = vset1(K(TANH_3A_HI));
        VT gh = vfma(ah, m, one);
        VT gl = vfma(ah, ml, vfma(vset1(K(TANH_A_LO)), m, vfma(ah, m, vsub(one, gh))));
        VT g3h = vfma(a3h, m, one);
        VT g3l = vfma(a3h, ml, vfma(vset1(K(TANH_3A_LO)), m, vfma(a3h, m, vsub(one, g3h))));
        const VT ch = vset1(K(SQRT_2_OVER_PI_X2_HI));
        VT cxh = vmul(ch, x);
        VT cxl = vfma(vset1(K(SQRT_2_OVER_PI_X2_LO)), x, vfms(ch, x, cxh));
        zh = vmul(cxh, gh);
        zl = vfma(cxh, gl, vfma(cxl, gh, vfms(cxh, gh, zh)));
        r.ph = vmul(cxh, g3h);
        r.pl = vfma(cxh, g3l, vfma(cxl, g3h, vfms(cxh, g3h, r.ph)));
    }
    r.sh = vfma(zh, vset1(K(FS_NEG_LOG2E)), magic);
    VT jf = vsub(r.sh, magic);
    /* t = z + j ln2: th exact (Cody-Waite with the FMA), tl its low part */
    VT th = vfma(jf, vset1(K(FS_LN2_HI)), zh);
    VT tl = kind == GC_SILU ? vmul(jf, vset1(K(FS_LN2_LO))) : vfma(jf, vset1(K(FS_LN2_LO)), zl);
    /* G(t) = 1 + t(-1 + t(1/2 + t A(t))): A in working precision, the last three
     * Horner steps in double-word, each as s = fma(t, a, c) and its error
     * fma(t, a, c - s) (c - s exact: Sterbenz), a's low word added by one more fma */
    const GC_T *G = K(FS_G);
    VT a = vset1(G[FS_DDEG]);
    for (int i = FS_DDEG - 1; i >= 3; i--)
        a = vfma(a, th, vset1(G[i]));
    const VT half = vset1(0.5), mone = vset1(-1);
    VT a2h = vfma(th, a, half);
    VT a2l = vfma(th, a, vsub(half, a2h));
    VT a1h = vfma(th, a2h, mone);
    VT a1l = vfma(th, a2l, vfma(th, a2h, vsub(mone, a1h)));
    r.eh = vfma(th, a1h, one);
    VT el = vfma(th, a1l, vfma(th, a1h, vsub(one, r.eh)));
    /* G(th + tl) = G(th) (1 - tl) */
    r.el = vfnma(tl, r.eh, el);
    return r;
}

/* N / D^2 (and the quotient's remainder term, `lo`) from E and the scale:
 * v = sigma E, D = rho + v, N = D + v x z'. With rho = 1, sigma = 2^j this is f'
 * itself; with the scaled factors it is 2^max(j,0) f'. */
typedef struct { VT qh, ql; } FN(fs_quot);

static GC_ALWAYS_INLINE FN(fs_quot) FN(fs_deriv_quot)(FN(fs_dexp) d, VT rho, VT sigma, int kind,
                                                     int lo)
{
    VT vh = vmul(d.eh, sigma), vl = vmul(d.el, sigma);
    /* D = rho + v, a fast two-sum ordered by max/min (finite, NaN-free operands) */
    VT a = vmax(vh, rho), b = vmin(vh, rho);
    VT dh = vadd(a, b);
    VT dl = vadd(vadd(vsub(a, dh), b), vl);
    /* D^2 with one rounding: fma(dh, dh, 2 dh dl) */
    VT t1 = vmul(dh, dl);
    VT d2 = vfma(dh, dh, vadd(t1, t1));
    /* N = D + v P: v.hi P.hi as an exact product; beside the zero dh + qh cancels
     * exactly (Sterbenz), so N is rounded once there */
    VT qh = vmul(vh, d.ph);
    VT c = vadd(dl, vfms(vh, d.ph, qh));
    if (kind != GC_SILU)
        c = vfma(vh, d.pl, c);
    c = vfma(vl, d.ph, c);
    VT n = vadd(vadd(dh, qh), c);
    FN(fs_quot) q;
    q.qh = vdiv(n, d2);
    q.ql = lo ? vdiv(vfnma(q.qh, d2, n), d2) : vset1(0);
    return q;
}

/* ---- the family as a VALUE ---- */

/* The derivative of x*sigma(z(x)), unrounded, in the scaled form; `wide` for the
 * backward functions. Lanes past the form's XCG (XCB) and NaN compute at x = 0 and
 * take the limit. m.lo is 0 except for the backward functions (the quotient's
 * remainder term). (The forward function needs no VALUE: fast_rounding_sigmoid.h.) */
static GC_ALWAYS_INLINE VALUE FN(fast_sigmoid_family)(VT x, int kind, int wide)
{
    VT xb = vset1(wide ? FS_PICK(kind, XCB) : FS_PICK(kind, XCG));
    VM big = vgt_un(vabs(x), xb);
    VT xc = vkeep_not(big, x);
    VT ax = kind == GC_TANH ? vabs(xc) : xc;         /* |x| only for the tanh form's x^2 */
    VALUE r;
    r.big = big;
    r.lim = FN(limit)(x, vlt(x, vset1(0)), 0, 1);
    r.f = vset1(1);
    FN(fs_dexp) d = FN(fs_deriv_exp)(xc, ax, kind);
    FN(fs_scale) s = FN(fs_scaled)(d.sh);
    FN(fs_quot) q = FN(fs_deriv_quot)(d, s.rho, s.sigma, kind, wide);
    r.m = FN(dw_make)(q.qh, q.ql);
    r.nneg = s.nneg;
    return r;
}
