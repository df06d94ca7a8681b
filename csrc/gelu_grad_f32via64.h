/* The exact tier's GELU' and dy GELU', float32: computed in float64, rounded once.
 * Method (as gelu_f32via64.h's Phi): GELU'(-t) = 2^-k 2^-f (t0 - t) S(t), t = |x| exact
 * in a double, 2^-f = (E + O)/(E - O), S = P/Q (tools/fit_f32via64.py), one division:
 * (E + O)(t0 - t) P / ((E - O) Q), 2^-k on the numerator's exponent; GELU'(t) =
 * 1 - GELU'(-t). t0 - t = (t0_hi - t) + t0_lo, the first difference exact, so beside the
 * zero t0 the value keeps its relative accuracy and its sign.
 * Error budget: S 2^-33.6 and 2^-f 2^-32.3 relative, double roundings ~2^-50; for x > 0
 * 1 - y cannot cancel (y <= 1/2). The double is within ~2^-31.8 of GELU', and of dy GELU'
 * (one more rounding), and its narrowing to float32 within 1/2 + 2^-7.8 ulp (bound: 2);
 * a result below the normal range may raise "underflow" there, as in sigmoid_f32via64.h.
 * Rare vectors (a lane past TSAFE, or NaN) clamp t at TCLAMP_G (TBACK for the backward
 * function), past which the results round to their limits, NaN lanes computed at 0 and
 * put back at the end; dy GELU'(-inf) is dy times an exact 0 (inf * 0 is
 * invalid).
 * float64 keeps the double-word kernels (family_gelu.h). */

#if !GC_IS_F32
/* In the float64 instantiation: GELU'(x), or dy GELU'(x) (`backward`), for float32 x in
 * xd (and dy in dyd), before the narrowing. */
static GC_ALWAYS_INLINE VT FN(v64_grad)(VT xd, VT dyd, int backward, int rare)
{
    /* rare vectors: past the clamp every result is at its limit (1, or 0 with f's sign);
     * NaN lanes compute at 0 (min is safe once no NaN is left) */
    VT t = vabs(xd);
    if (rare)
        t = vmin(vkeep_not(visnan(xd), t), vset1(backward ? V64_TBACK : V64_TCLAMP_G));
    VT h = vmul(t, t);
    FN(v64_exp) ex = FN(v64_exp_parts)(h);
    VT sh = ex.sh, pe = ex.pe, qe = ex.qe;
    VT d = vadd(vsub(vset1(V64_T0_HI), t), vset1(V64_T0_LO));
    VT num = vmul(vmul(pe, d), FN(v64_poly)(V64_SP, GELU_C_V64_SP_DEG, 0, t, h));
    VT den = vmul(qe, FN(v64_poly)(V64_SQ, GELU_C_V64_SQ_DEG, 1, t, h));
    /* times 2^-k on the exponent field (|num| >= 2^-300 for t <= TBACK: normal) */
    num = vasflt(vi_add(vasint(num), vi_sll(vasint(sh), 52)));
    /* x's sign set (-0 too): y; clear: 1 - y */
    VT n = vsel_sign(xd, num, vsub(den, num));
    if (backward) {
        n = vmul(n, dyd);
        if (rare) {
            VM ninf = vlt(xd, vset1(-0x1.fffffep127));
            n = vsel(ninf, vmul(vkeep(ninf, dyd), vset1(0)), n);
        }
    }
    return vdiv(n, den);
}
#endif

/* GELU'(x): the whole kernel */
static GC_ALWAYS_INLINE VT FN(gelu_exact_grad)(VT x)
{
#if GC_IS_F32
    int rare = vany(vgt_un(vabs(x), vset1(V64_TSAFE)));
    GC_W w[GC_WIDE_N];
    vwiden(x, w);
    for (int i = 0; i < GC_WIDE_N; i++)
        w[i] = GC_S64(v64_grad)(w[i], w[i], 0, rare);
    VT y = vnarrow(w);
    return rare ? vsel(visnan(x), vadd(x, vset1(0)), y) : y;
#else
    return FN(fast_round_value)(FN(gelu_family)(x, GC_GELU_GRAD, 0), x, 0);
#endif
}

/* dy GELU'(x): the whole kernel (NaN x as kernels_exact.h's GC_BACKWARD) */
static GC_ALWAYS_INLINE VT FN(gelu_exact_backward)(VT dy, VT x)
{
#if GC_IS_F32
    int rare = vany(vgt_un(vabs(x), vset1(V64_TSAFE)));
    GC_W w[GC_WIDE_N], v[GC_WIDE_N];
    vwiden(x, w);
    vwiden(dy, v);
    for (int i = 0; i < GC_WIDE_N; i++)
        w[i] = GC_S64(v64_grad)(w[i], v[i], 1, rare);
    VT y = vnarrow(w);
    return rare ? FN(backward_nan_x)(y, dy, x) : y;
#else
    return FN(fast_round_value_times)(FN(gelu_family)(x, GC_GELU_GRAD, 1), dy, x);
#endif
}
