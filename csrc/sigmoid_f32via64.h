/* The exact tier's sigmoid family, float32: x*sigma(z(x)), its derivative and dy times
 * it for z = x (SiLU), 1.702x (sigmoid form) and 2 sqrt(2/pi)(x + 0.044715x^3) (tanh
 * form), computed in float64 and rounded once to float32.
 * Method: x (a float32, exact in a double) gives u = z log2(e) = k + f, |f| <= 1/2, and
 * e^-z = 2^-k (E + O)/(E - O) (coeffs_sigmoid_f32via64.h). With B = E - O and
 * S = 2^-k (E + O) (2^-k put on the exponent field):
 *   x sigma(z) = x B / (B + S),   f' = B (B + S (1 + x z')) / (B + S)^2,
 * each one division, and dy f' = (dy B (B + S (1 + x z'))) / (B + S)^2. Beside the
 * derivative's zero, B + S (1 + x z') cancels: its error is that of e^-z, relative
 * 2^-32.3, times at most 2^7.2 (SiLU; 2^6.8 sigmoid form, 2^6.4 tanh form) outside
 * 1e-3 of the zero, so the double is within 2^-25 of f' there and within 2^-31 of every
 * other result; its one rounding to float32 (the narrowing, correct for normal and
 * subnormal results alike) gives <= 1/2 + 2^-1 ulp for derivatives, 1/2 + 2^-7 for values.
 * A result below the normal range raises "underflow" there when inexact, as IEEE
 * arithmetic on the true result would (not tracked: README).
 * Plain double arithmetic: no double-word steps, no tables, no branch on the data in the
 * common vector. A vector with a lane past the form's XN (|z| >= 260) or NaN clamps x to
 * [-XN, XN] (NaN lanes computed at 0 and put back at the end), which keeps every double
 * normal and every result at its float32 limit there; the forward's numerator keeps x
 * itself above XN (x sigma(z) = x). See docs/design.md, "float32 through float64".
 * float64 keeps the double-word kernels (family_sigmoid.h rounded as kernels_exact.h does). */

#define S64_PICK(kind, name)                                                             \
    ((kind) == GC_SILU ? S64_SILU_##name : (kind) == GC_SIGMOID ? S64_SIGMOID_##name       \
                                                                : S64_TANH_##name)

#if !GC_IS_F32
/* In the float64 instantiation (VT: doubles): the double result for float32 x in xd
 * (and dy in dyd for the backward function: what = 2; 0 forward, 1 derivative).
 * `rare`: the vector has a lane past XN or NaN (see above). */
static GC_ALWAYS_INLINE VT FN(s64_core)(VT xd, VT dyd, int kind, int what, int rare)
{
    const VT one = vset1(1), magic = vset1(S64_MAGIC);
    VT xn = xd, xc = xd;
    if (rare) {
        const VT xn_max = vset1((double)S64_PICK(kind, XN));
        xn = vmax(vkeep_not(visnan(xd), xd), vneg(xn_max));   /* x's value for the numerator */
        xc = vmin(xn, xn_max);
    }
    /* u = z log2(e), k = round(u) in sh's low bits (as -k), f = u - k in one rounding */
    VT w = xc, cl = vset1(S64_PICK(kind, KL)), m = one;
    if (kind == GC_TANH) {
        m = vmul(xc, xc);                                 /* exact: xc is a float32 */
        w = vmul(xc, vfma(vset1(S64_TANH_A), m, one));
    }
    VT sh = vfnma(w, cl, magic);
    VT f = vfms(w, cl, vsub(magic, sh));
    VT f2 = vmul(f, f);
    VT ev = vfma(f2, vset1(S64_A2), one), od = vfma(f2, vset1(S64_A3), vset1(S64_A1));
    VT b = vfnma(f, od, ev);                              /* E - O */
    VT s = vfma(f, od, ev);                               /* E + O, then times 2^-k */
    s = vasflt(vi_add(vasint(s), vi_sll(vasint(sh), 52)));
    VT d = vadd(b, s);
    if (what == 0)
        return vdiv(vmul(xn, b), d);
    /* 1 + x z'(x) */
    VT p1;
    if (kind == GC_SILU)
        p1 = vadd(xc, one);
    else if (kind == GC_SIGMOID)
        p1 = vfma(xc, vset1(S64_SIGMOID_K), one);
    else
        p1 = vfma(vmul(xc, vset1(S64_TANH_C)), vfma(vset1(S64_TANH_3A), m, one), one);
    VT num = vmul(b, vfma(s, p1, b));
    if (what == 2) {
        num = vmul(num, dyd);
        /* x = -inf: f' = 0 exactly, so that inf * f' is invalid, as IEEE has it */
        if (rare) {
            VM ninf = vlt(xd, vset1(-0x1.fffffep127));
            num = vsel(ninf, vmul(vkeep(ninf, dyd), vset1(0)), num);
        }
    }
    return vdiv(num, vmul(d, d));
}
#endif

#define GC_S64(name) GC_CAT(GC_CAT(name, f64), GC_ISA)


/* x sigma(z(x)) (grad = 0) or its derivative (grad = 1): the whole kernel. */
static GC_ALWAYS_INLINE VT FN(sigmoid_exact_kernel)(VT x, int kind, int grad)
{
#if GC_IS_F32
    VM big = vgt_un(vabs(x), vset1(S64_PICK(kind, XN)));
    int rare = vany(big);
    if (rare && vall(big)) {
        /* every lane past XN or NaN (NaN-padded or saturated data): the limits, x or -0
         * (forward), 1 or -0 (derivative: negative in the left tail) */
        VM pos = vgt(x, vset1(0));
        VT lim = grad ? vsel(pos, vset1(1), vset1(-0.0f))
                      : vasflt(vi_or(vasint(vkeep(pos, x)), FN(sign_bits)(x)));
        return vsel(visnan(x), vadd(x, vset1(0)), lim);
    }
    GC_W w[GC_WIDE_N];
    vwiden(x, w);
    for (int i = 0; i < GC_WIDE_N; i++)
        w[i] = GC_S64(s64_core)(w[i], w[i], kind, grad, rare);
    VT y = vnarrow(w);
    return rare ? vsel(visnan(x), vadd(x, vset1(0)), y) : y;
#else
    return FN(fast_round_value)(FN(sigmoid_family)(x, kind, grad, 0), x, !grad);
#endif
}

/* dy times the derivative: the whole kernel (NaN x as kernels_exact.h's GC_BACKWARD). */
static GC_ALWAYS_INLINE VT FN(sigmoid_exact_backward)(VT dy, VT x, int kind)
{
#if GC_IS_F32
    int rare = vany(vgt_un(vabs(x), vset1(S64_PICK(kind, XN))));
    GC_W w[GC_WIDE_N], v[GC_WIDE_N];
    vwiden(x, w);
    vwiden(dy, v);
    for (int i = 0; i < GC_WIDE_N; i++)
        w[i] = GC_S64(s64_core)(w[i], v[i], kind, 2, rare);
    VT y = vnarrow(w);
    return rare ? FN(backward_nan_x)(y, dy, x) : y;
#else
    return FN(fast_round_value_times)(FN(sigmoid_family)(x, kind, 1, 1), dy, x);
#endif
}

/* The fast tier's float32 derivatives and backward products of this family are these
 * kernels: within their 1/2 + 2^-1 ulp they are also faster than the fast tier's own
 * float32-arithmetic ones (fast_rounding_sigmoid.h: 42-77 operations per vector against
 * 41-56 here); float64 keeps those. */
static GC_ALWAYS_INLINE VT FN(fast_sigmoid_grad_kernel)(VT x, int kind)
{
#if GC_IS_F32
    return FN(sigmoid_exact_kernel)(x, kind, 1);
#else
    return FN(fast_sigmoid_grad)(x, kind);
#endif
}

static GC_ALWAYS_INLINE VT FN(fast_sigmoid_backward_kernel)(VT dy, VT x, int kind)
{
#if GC_IS_F32
    return FN(sigmoid_exact_backward)(dy, x, kind);
#else
    return FN(fast_sigmoid_backward)(dy, x, kind);
#endif
}
