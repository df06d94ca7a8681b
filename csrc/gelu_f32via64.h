/* The exact tier's Phi and GELU, float32: computed in float64, rounded once.
 * Method: x (a float32, so t = |x| and t^2 are exact in a double) is widened to double;
 * Phi(-t) = 2^-k * 2^-f * R(t) with k + f = t^2/(2 ln2) (f = t^2 INV_C - k in one
 * rounding), 2^-f = (E + O)/(E - O) and R = P(t)/Q(t) rational (tools/fit_f32via64.py),
 * all in one division: (E + O) P / ((E - O) Q), the 2^-k put on the numerator's exponent.
 * x > 0: Phi(x) = (den - num)/den, GELU(x) = x - t Phi(-t); x < 0: num/den, -t Phi(-t).
 * Plain double arithmetic: no double-word steps, no tables.
 * Error budget: R 2^-33.5 and 2^-f 2^-32.3 relative (coeffs_f32via64.h), double roundings
 * ~2^-50; for x > 0 the value 1 - y (y <= 1/2) cannot cancel. So the double is within
 * ~2^-31.9 of the value and its one rounding to float32 (vcvtpd2ps, correct for normal and
 * subnormal results alike: double has no subnormal float32 value) is within
 * 1/2 + 2^-7.9 ulp. Exhaustive float32: see docs/design.md, "float32 Phi and GELU
 * through float64".
 * float64 keeps the double-word kernel (family_gelu.h rounded as kernels_exact.h does). */

#if !GC_IS_F32
/* In the float64 instantiation (VT: doubles): the core for float32 x held in xd
 * (|x| <= V64_TCLAMP, not NaN). Phi: -Phi(x) for x < 0 (the kernel takes |.|), GELU:
 * GELU(x) but +0 where it rounds to a zero (the kernel ORs x's sign in). `tiny`: results
 * below 2^-126 are rounded to float32's subnormal grid here (an add of 2^-97, whose ulp is
 * 2^-149, rounds once, ties to even, as the narrowing would), so that the narrowing is
 * exact and raises no underflow flag, as the exact tier never does. */
static GC_ALWAYS_INLINE VT FN(v64_poly)(const double *c, int deg, int monic, VT t, VT h)
{
    /* c[0] + c[1] t + ... + c[deg] t^deg (c[deg] = 1 if monic): pairs in t, Horner in
     * h = t^2 (Estrin: the same operations as Horner, half its dependency chain) */
    int k = (deg - 1) / 2;                  /* the highest pair (c[2k], c[2k+1]) */
    VT top = (deg & 1) && monic ? vadd(t, vset1(c[2 * k])) : vfma(vset1(c[2 * k + 1]), t, vset1(c[2 * k]));
    VT acc = (deg & 1) ? top : monic ? vadd(top, h) : vfma(vset1(c[deg]), h, top);
    for (k--; k >= 0; k--)
        acc = vfma(acc, h, vfma(vset1(c[2 * k + 1]), t, vset1(c[2 * k])));
    return acc;
}

/* exp(-h/2) = 2^-k 2^-f for h = t^2: sh (whose low bits hold -k), and 2^-f = pe/qe */
typedef struct { VT sh, pe, qe; } FN(v64_exp);

static GC_ALWAYS_INLINE FN(v64_exp) FN(v64_exp_parts)(VT h)
{
    const VT one = vset1(1), magic = vset1(V64_MAGIC), invc = vset1(V64_INV_C);
    FN(v64_exp) e;
    /* k = round(t^2/(2 ln2)) from the magic-number difference (low bits -k), then
     * f = t^2 INV_C - k with the product fused (one rounding, |f| <= 1/2) */
    e.sh = vfnma(h, invc, magic);
    VT f = vfms(h, invc, vsub(magic, e.sh));
    VT f2 = vmul(f, f);
    VT ev = vfma(f2, vset1(V64_A2), one), od = vfma(f2, vset1(V64_A3), vset1(V64_A1));
    e.pe = vfma(f, od, ev);
    e.qe = vfnma(f, od, ev);
    return e;
}

static GC_ALWAYS_INLINE VT FN(f32via64)(VT xd, int which, int tiny)
{
    const VT one = vset1(1);
    VT t = vabs(xd), h = vmul(t, t);
    FN(v64_exp) ex = FN(v64_exp_parts)(h);
    VT sh = ex.sh, pe = ex.pe, qe = ex.qe;
    if (which == GC_GELU)
        pe = vmul(pe, t);
    VT num = vmul(pe, FN(v64_poly)(V64_P, GELU_C_V64_P_DEG, 0, t, h));
    VT den = vmul(qe, FN(v64_poly)(V64_Q, GELU_C_V64_Q_DEG, 1, t, h));
    /* times 2^-k on the exponent field (num stays normal: >= 2^-160 for t <= TCLAMP) */
    num = vasflt(vi_add(vasint(num), vi_sll(vasint(sh), 52)));
    VT a = vsel_sign(xd, vset1(0), one);     /* 1 where x's sign is clear */
    VT r = which == GC_GELU ? vfms(xd, a, vdiv(num, den))   /* x a - t Phi(-t): -0 at -0 */
                            : vdiv(vfms(a, den, num), den);  /* 1 - y | -y */
    if (tiny) {
        VT ar = vabs(r);
        VT q = vsub(vadd(ar, vset1(0x1p-97)), vset1(0x1p-97));
        r = vsel(vlt(ar, vset1(0x1p-126)), q, r);
    }
    return r;
}
#endif

#define GC_V64_CORE GC_CAT(GC_CAT(f32via64, f64), GC_ISA)

/* Phi(x) (which = GC_PHI) or GELU(x) (GC_GELU): the whole kernel, rounded result. */
static GC_ALWAYS_INLINE VT FN(gelu_exact_kernel)(VT x, int which)
{
#if GC_IS_F32
    /* Rare vectors: a lane past TSAFE = TCLAMP (or NaN), or for GELU one whose result could
     * be below the normal range because x is (|x| < 2^-124, zeros too: one compare): NaN
     * lanes compute at 0, |x| is clamped to TCLAMP (min is safe once no NaN is left), and
     * results below 2^-126 are rounded in double (no underflow flag). Every other lane
     * gives the same bits either way. The tails (|x| <= TCLAMP) are common vectors, whose
     * subnormal results the narrowing rounds (raising underflow where inexact). Keeping
     * the rare vectors' code distinct from the common one matters: with the rare
     * rounding removed, the compiler's merged code ran Phi 10% slower. */
    VT ax = vabs(x);
    VM big = vgt_un(ax, vset1(V64_TSAFE)), rare = big;
    if (which == GC_GELU)
        rare = vmor(rare, vlt(ax, vset1(0x1p-124f)));
    int any = vany(rare);
    VT xc = x;
    if (any) {
        if (vall(big)) {
            /* every lane past TSAFE or NaN (NaN-padded or saturated data): the limits */
            VM pos = vgt(x, vset1(0));
            VT lim = which == GC_PHI ? vkeep(pos, vset1(1))
                                     : vasflt(vi_or(vasint(vkeep(pos, x)), FN(sign_bits)(x)));
            return vsel(visnan(x), vadd(x, vset1(0)), lim);
        }
        VT cl = vmin(vkeep_not(visnan(x), ax), vset1((float)V64_TCLAMP));
        xc = vasflt(vi_or(vasint(cl), FN(sign_bits)(x)));
    }
    GC_W w[GC_WIDE_N];
    vwiden(xc, w);
    for (int i = 0; i < GC_WIDE_N; i++)
        w[i] = GC_V64_CORE(w[i], which, any);
    VT y = vnarrow(w);
    if (which == GC_PHI) {
        y = vabs(y);
        return any ? vsel(visnan(x), vadd(x, vset1(0)), y) : y;
    }
    if (any) {
        y = vsel(vgt(x, vset1((float)V64_TCLAMP)), x, y);       /* x > TCLAMP (+inf): x */
        y = vsel(visnan(x), vadd(x, vset1(0)), y);
    }
    return vasflt(vi_or(vasint(y), FN(sign_bits)(x)));
#else
    return FN(fast_round_value)(FN(gelu_family)(x, which, 0), x, which == GC_GELU);
#endif
}
