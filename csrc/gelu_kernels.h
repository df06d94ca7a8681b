/* The GELU family's algorithms, written once over the vector layer.
 *
 * Included once per (ISA, dtype) pair, after dtype_<key>.h, vec_<isa>.h and dword.h.
 * Nothing here knows the lane count or the dtype width: the same text is the scalar
 * float32, scalar float64, AVX2 float32 and AVX2 float64 kernel.
 *
 * Accuracy plan (p = 24 or 53 significand bits). Every result is formed as a
 * double-word mantissa m = m.hi + m.lo with relative error ~2^-(p+4) and a power of two
 * s1*s2, then rounded once: out = fl(fl(m.hi*s1 + m.lo*s1) * s2). The power of two is
 * applied in two halves so that results far below the normal range (subnormal GELU
 * tails) are formed without intermediate underflow; when the result is subnormal the
 * first rounding (to p bits) costs at most 2^-(p+1) * 2^(emin) < 1/4 ulp of the final
 * one, so the total stays below 1 ulp. Everything inside runs on clamped, NaN-free
 * inputs, so no spurious overflow/invalid flag reaches NumPy's error checks; NaN,
 * +-inf and huge inputs are patched in at the end by selects.
 *
 * Phi and GELU:  with t = |x|,  Phi(-t) = exp(-t^2/2) * R(t)  and  GELU'(-t) =
 * exp(-t^2/2) * D(t), where R and D are smooth tables (tools/fit_coeffs.py). t^2 is
 * split exactly with an FMA (h + l), so exp(-t^2/2) is computed from an exact argument:
 * this is what keeps the tail at ~0.5 ulp where erfc(-x/sqrt2) with a rounded argument
 * loses tens of ulps (its condition number grows like t^2). For x > 0 the result is
 * 1 - Phi(-t) (or x*(1 - Phi(-t))), subtracted in double-word.
 *
 * The sigmoid forms: x*sigma(z) with z = x (SiLU), 1.702x, or 2*sqrt(2/pi)*(x +
 * 0.044715x^3) (tanh form, since (1+tanh u)/2 = sigma(2u)). z is carried in double-word
 * from the exact decimal constants, because exp(-|z|) turns an absolute error in z
 * into the same relative error of the result: rounding 0.044715 or 1.702 to working
 * precision would cost many ulps in the negative tail. With w = exp(-|z|):
 * sigma(|z|) = 1/(1+w), sigma(-|z|) = w/(1+w), both in double-word, and the
 * derivative is s*(1 + x*z'*(1-s)): its zero (1 + x z'(1-s) = 0) is a cancellation
 * of double-words, so it keeps relative accuracy up to the zero. */

#define K(name) GC_CAT(name, GC_KEY)          /* per-dtype constant/table */

/* exp(a) for a = a.hi + a.lo, -1400 < a.hi <= 0 (float64; -170 float32):
 * exp(a) = (m.hi + m.lo) * s1 * s2 with m in [1, 2) and relative error ~2^-(p+10). */
typedef struct { DW m; VT s1, s2; } FN(scaled);
#define SCALED FN(scaled)

static inline SCALED FN(exp_dw)(DW a)
{
    const VT magic = vset1(GC_IS_F32 ? 0x1.8p23 : 0x1.8p52);
    /* k = round(a * 8/ln2) by the magic-number trick: the integer lands in the low
     * bits of `sh`, so k is read off the bits with no float->int conversion. */
    VT sh = vadd(vmul(a.hi, vset1(K(INV_L_HI))), magic);
    VT kf = vsub(sh, magic);
    /* r = a - k*ln2/8: L_HI has few enough bits that r.hi is exact (Cody-Waite). */
    VT rhi = vfma(kf, vset1(-K(L_HI)), a.hi);
    VT rlo = vfma(kf, vset1(-K(L_LO)), a.lo);
    /* k = 8n + j; k is biased positive so that unsigned shifts floor it. */
    VI kb = vi_add(vi_sub(vasint(sh), vasint(magic)), vi_set1(8 * GC_KB));
    VI j = vi_and(kb, vi_set1(7));
    VI mneg = vi_sub(vi_set1(GC_KB), vi_srl(kb, 3));              /* -n >= 0 */
    VI m1 = vi_srl(mneg, 1);
    VI m2 = vi_sub(mneg, m1);
    SCALED e;
    e.s1 = vasflt(vi_sll(vi_sub(vi_set1(GC_BIAS), m1), GC_P - 1));
    e.s2 = vasflt(vi_sll(vi_sub(vi_set1(GC_BIAS), m2), GC_P - 1));
    /* exp(r) - 1 = r + r^2 P(r), |r| <= ln2/16; the r.lo term enters to first order
     * (r.lo^2 is below 2^-(p+10)). */
    VT p = vset1(K(EXP_P)[GC_PDEG]);
    for (int i = GC_PDEG - 1; i >= 0; i--)
        p = vfma(p, rhi, vset1(K(EXP_P)[i]));
    VT w = vfma(vmul(rhi, rhi), p, vfma(rhi, rlo, rlo));
    DW s = FN(fast_two_sum)(rhi, w);
    /* exp(a) = 2^n * T_j * (1 + s), T_j = 2^(j/8) as hi + lo. */
    VT thi = vlookup(K(EXP_T)[0], j);
    VT tlo = vlookup(K(EXP_T)[1], j);
    DW q = FN(two_prod)(thi, s.hi);
    e.m = FN(fast_two_sum)(thi, q.hi);
    e.m.lo = vadd(e.m.lo, vadd(q.lo, vfma(thi, s.lo, vfma(tlo, s.hi, tlo))));
    return e;
}

/* A piecewise polynomial table (R or D) at t in [0, TCLAMP]. The piece comes from the
 * exponent and top bits of t + 1; inside it f(c + u) = c0 + u*(c1 + u*(c2 + ...)).
 * c2.. are summed in working precision; the last two steps are double-word, so the
 * working-precision part only contributes ~kappa2 * 2^-p with kappa2 < 0.08 (the fit
 * script prints it per piece). */
static inline DW FN(piece_poly)(const GC_T (*tab)[GC_NPIECE], VT t)
{
    VT y = vadd(t, vset1(1));
    VI idx = vi_sub(vi_srl(vasint(y), GC_P - 1 - GC_MBITS), vi_set1((VI)GC_BIAS << GC_MBITS));
    VT chi = vlookup(tab[0], idx);
    /* u = t - c exactly: t - c.hi is exact (Sterbenz) or captured by fast_two_sum
     * when t is far below the centre; c.lo is nonzero only where D is centred on its
     * zero t0. */
    DW u = FN(fast_two_sum)(vneg(chi), t);
    u.lo = vsub(u.lo, vlookup(tab[1], idx));
    VT v = vlookup(tab[4 + GC_DEG], idx);
    for (int k = GC_DEG - 1; k >= 2; k--)
        v = vfma(v, u.hi, vlookup(tab[4 + k], idx));
    /* c1 + u*v */
    DW p = FN(two_prod)(u.hi, v);
    p.lo = vfma(u.lo, v, p.lo);
    DW v1 = FN(fast_two_sum)(vlookup(tab[4], idx), p.hi);
    v1.lo = vadd(v1.lo, vadd(p.lo, vlookup(tab[5], idx)));
    /* c0 + u*v1 */
    DW q = FN(two_prod)(u.hi, v1.hi);
    q.lo = vfma(u.hi, v1.lo, vfma(u.lo, v1.hi, q.lo));
    DW r = FN(fast_two_sum)(vlookup(tab[2], idx), q.hi);
    r.lo = vadd(r.lo, vadd(q.lo, vlookup(tab[3], idx)));
    return r;
}

/* A result before its final rounding: (m.hi + m.lo) * s1 * s2. */
typedef struct { DW m; VT s1, s2; } FN(pre);
#define PRE FN(pre)

#define GC_PHI 0
#define GC_GELU 1
#define GC_GELU_GRAD 2

/* Phi(x), GELU(x) or GELU'(x), unrounded. */
static inline PRE FN(gelu_family)(VT x, int which)
{
    const VT one = vset1(1), zero = vset1(0);
    VT xs = vsel(visnan(x), zero, x);
    VT t = vabs(xs);
    VM neg = vlt(xs, zero);
    VM big = vgt(t, vset1(K(TCLAMP)));
    VT tc = vmin(t, vset1(K(TCLAMP)));
    DW h = FN(two_prod)(tc, tc);
    SCALED e = FN(exp_dw)(FN(dw_make)(vmul(h.hi, vset1(-0.5)), vmul(h.lo, vset1(-0.5))));
    DW tail = FN(piece_poly)(which == GC_GELU_GRAD ? K(D) : K(R), tc);
    /* Phi(-t) = E*R and GELU'(-t) = E*D (double-word, still scaled by s1*s2) */
    DW pm = FN(dw_mul_dw)(e.m, tail);
    /* x > 0: 1 - (that), unscaled; where it underflows it no longer matters. */
    VT ph = vmul(vmul(pm.hi, e.s1), e.s2);
    VT pl = vmul(vmul(pm.lo, e.s1), e.s2);
    DW o = FN(fast_two_sum)(one, vneg(ph));
    o.lo = vsub(o.lo, pl);
    PRE r;
    r.m = FN(dw_make)(vsel(neg, pm.hi, o.hi), vsel(neg, pm.lo, o.lo));
    r.s1 = vsel(neg, e.s1, one);
    r.s2 = vsel(neg, e.s2, one);
    if (which == GC_GELU)
        r.m = FN(dw_mul_v)(r.m, vsel(neg, vneg(tc), tc));
    /* |x| > TCLAMP: Phi -> 0 | 1, GELU -> -0 | x, GELU' -> -0 | 1 (x = +inf included). */
    VT lim_neg = which == GC_PHI ? zero : vset1(-0.0);
    VT lim_pos = which == GC_GELU ? xs : one;
    r.m.hi = vsel(big, vsel(neg, lim_neg, lim_pos), r.m.hi);
    r.m.lo = vsel(big, vsel(neg, lim_neg, zero), r.m.lo);
    r.s1 = vsel(big, one, r.s1);
    r.s2 = vsel(big, one, r.s2);
    return r;
}

#define GC_SILU 0
#define GC_SIGMOID 1
#define GC_TANH 2

/* x*sigma(z(x)) (deriv = 0) or its derivative (deriv = 1), unrounded. */
static inline PRE FN(sigmoid_family)(VT x, int kind, int deriv)
{
    const VT one = vset1(1), zero = vset1(0);
    const VT zclamp = vset1(K(ZCLAMP));
    VT xs = vsel(visnan(x), zero, x);
    /* Beyond |x| = 30 (tanh form) or ZCLAMP the results are at their limits; clamping
     * first keeps z, and x*z', finite. */
    VT xb = vset1(kind == GC_TANH ? 30.0 : K(ZCLAMP));
    VT xc = vmax(vmin(xs, xb), vneg(xb));
    DW z, xdz = FN(dw_make)(xc, zero);
    if (kind == GC_SILU) {
        z = FN(dw_make)(xc, zero);
    } else if (kind == GC_SIGMOID) {
        z = FN(dw_mul_v)(FN(dw_make)(vset1(K(SIG_K_HI)), vset1(K(SIG_K_LO))), xc);
        xdz = z;
    } else {
        /* z = 2 sqrt(2/pi) * x * (1 + a x^2), x z' = 2 sqrt(2/pi) * x * (1 + 3a x^2) */
        const DW c = FN(dw_make)(vset1(K(SQRT_2_OVER_PI_X2_HI)), vset1(K(SQRT_2_OVER_PI_X2_LO)));
        DW x2 = FN(two_prod)(xc, xc);
        DW ax = FN(dw_mul_dw)(FN(dw_make)(vset1(K(TANH_A_HI)), vset1(K(TANH_A_LO))), x2);
        DW u = FN(two_sum)(one, ax.hi);
        u.lo = vadd(u.lo, ax.lo);
        z = FN(dw_mul_dw)(c, FN(dw_mul_v)(u, xc));
        if (deriv) {
            DW a3x = FN(dw_mul_dw)(FN(dw_make)(vset1(K(TANH_3A_HI)), vset1(K(TANH_3A_LO))), x2);
            DW u3 = FN(two_sum)(one, a3x.hi);
            u3.lo = vadd(u3.lo, a3x.lo);
            xdz = FN(dw_mul_dw)(c, FN(dw_mul_v)(u3, xc));
        }
    }
    VM zneg = vlt(z.hi, zero);
    VT az = vabs(z.hi);
    VM big = vmor(vgt(vabs(xs), xb), vgt(az, zclamp));
    /* a = -|z| in double-word */
    DW a = FN(dw_make)(vneg(vmin(az, zclamp)),
                       vsel(vgt(az, zclamp), zero, vsel(zneg, z.lo, vneg(z.lo))));
    SCALED e = FN(exp_dw)(a);                       /* w = exp(-|z|) = e.m * s1 * s2 */
    DW wv = FN(dw_make)(vmul(vmul(e.m.hi, e.s1), e.s2), vmul(vmul(e.m.lo, e.s1), e.s2));
    DW d = FN(fast_two_sum)(one, wv.hi);
    d.lo = vadd(d.lo, wv.lo);
    DW ra = FN(dw_recip)(d);                        /* sigma(|z|)  = 1/(1+w) */
    DW rb = FN(dw_mul_dw)(e.m, ra);                 /* sigma(-|z|) = w/(1+w), scaled */
    PRE r;
    r.m = FN(dw_make)(vsel(zneg, rb.hi, ra.hi), vsel(zneg, rb.lo, ra.lo));   /* s = sigma(z) */
    r.s1 = vsel(zneg, e.s1, one);
    r.s2 = vsel(zneg, e.s2, one);
    VT lim_pos;
    if (!deriv) {
        r.m = FN(dw_mul_v)(r.m, xc);
        lim_pos = xs;
    } else {
        /* 1 - s = sigma(-z): unscaled value needed here */
        DW sc = FN(dw_make)(vsel(zneg, ra.hi, vmul(vmul(rb.hi, e.s1), e.s2)),
                            vsel(zneg, ra.lo, vmul(vmul(rb.lo, e.s1), e.s2)));
        DW q = FN(dw_mul_dw)(xdz, sc);
        DW g = FN(two_sum)(one, q.hi);
        g.lo = vadd(g.lo, q.lo);
        r.m = FN(dw_mul_dw)(r.m, g);
        lim_pos = one;
    }
    VT negzero = vset1(-0.0);
    r.m.hi = vsel(big, vsel(zneg, negzero, lim_pos), r.m.hi);
    r.m.lo = vsel(big, vsel(zneg, negzero, zero), r.m.lo);
    r.s1 = vsel(big, one, r.s1);
    r.s2 = vsel(big, one, r.s2);
    return r;
}

/* The single rounding: fl(fl(m.hi*s1 + m.lo*s1) * s2). */
static inline VT FN(round_pre)(PRE r)
{
    return vmul(vadd(vmul(r.m.hi, r.s1), vmul(r.m.lo, r.s1)), r.s2);
}

/* dy * f'(x) rounded once: fl(fl(dy*(m.hi*s1) + dy*(m.lo*s1)) * s2). The low product
 * uses a finite dy so that dy = +-inf times a zero low word raises no invalid flag. */
static inline VT FN(round_pre_times)(PRE r, VT dy)
{
    VM finite = vlt(vabs(dy), vset1(HUGE_VAL));
    VT dyf = vsel(finite, dy, vset1(0));
    return vmul(vfma(dy, vmul(r.m.hi, r.s1), vmul(dyf, vmul(r.m.lo, r.s1))), r.s2);
}

/* ---- the public kernels: one vector in, one vector out ---- */

/* Forward functions pass NaN through unchanged (payload kept) and, where f(+-0) =
 * +-0, the zero too (the double-word sum would lose its sign). */
#define GC_FORWARD(name, call, zero_passes)                                    \
    static inline VT FN(k_##name)(VT x)                                        \
    {                                                                          \
        VT y = FN(round_pre)(call);                                            \
        VM pass = zero_passes ? vmor(visnan(x), veq(x, vset1(0))) : visnan(x); \
        return vsel(pass, x, y);                                               \
    }
#define GC_BACKWARD(name, call)                                                \
    static inline VT FN(k_##name)(VT dy, VT x)                                 \
    {                                                                          \
        return vsel(visnan(x), x, FN(round_pre_times)(call, dy));              \
    }

GC_FORWARD(norm_cdf, FN(gelu_family)(x, GC_PHI), 0)
GC_FORWARD(gelu, FN(gelu_family)(x, GC_GELU), 1)
GC_FORWARD(gelu_grad, FN(gelu_family)(x, GC_GELU_GRAD), 0)
GC_FORWARD(gelu_tanh, FN(sigmoid_family)(x, GC_TANH, 0), 1)
GC_FORWARD(gelu_tanh_grad, FN(sigmoid_family)(x, GC_TANH, 1), 0)
GC_FORWARD(gelu_sigmoid, FN(sigmoid_family)(x, GC_SIGMOID, 0), 1)
GC_FORWARD(gelu_sigmoid_grad, FN(sigmoid_family)(x, GC_SIGMOID, 1), 0)
GC_FORWARD(silu, FN(sigmoid_family)(x, GC_SILU, 0), 1)
GC_FORWARD(silu_grad, FN(sigmoid_family)(x, GC_SILU, 1), 0)
GC_BACKWARD(gelu_backward, FN(gelu_family)(x, GC_GELU_GRAD))
GC_BACKWARD(gelu_tanh_backward, FN(sigmoid_family)(x, GC_TANH, 1))
GC_BACKWARD(gelu_sigmoid_backward, FN(sigmoid_family)(x, GC_SIGMOID, 1))
GC_BACKWARD(silu_backward, FN(sigmoid_family)(x, GC_SILU, 1))

#undef GC_FORWARD
#undef GC_BACKWARD
#undef SCALED
#undef PRE
#undef K
