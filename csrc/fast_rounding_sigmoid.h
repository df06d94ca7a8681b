/* The fast tier's sigmoid-family kernels, whole: one vector in, one rounded vector
 * out, special values, signs and flags included.
 * Method: a vector whose lanes all lie in the fast range (|x| <= XF forward, XD
 * derivative; backward also |dy| <= 2^60 and |dy f'| >= 2^-78) is computed directly:
 * x / (1 + 2^j E) is the forward result itself (its division the only rounding that
 * counts), the quotient N / D^2 the derivative's, and fma(dy, q, dy q_lo) the backward
 * product's. No operation there overflows, reads or returns a subnormal, or meets a
 * NaN. Any other forward vector computes the same quotient scaled by a power of two
 * and rounds it once with scale_round (subnormal results) beside its limits; any
 * other derivative or backward vector takes the VALUE of fast_sigmoid_family (its
 * scaled form, which gives the same bits in the fast range) and the exact tier's
 * roundings (round_pre, round_pre_times: limits, signed zeros, NaN quieting,
 * subnormal results, dy = 0 or infinite). A lane's result never depends on its
 * neighbours.
 * Error budget: none beyond the family's (docs/design.md, "Fast tier: the sigmoid
 * family"). Why not VALUE and round_pre for every vector: scale_round, the limit's
 * branch and the sign's OR are 11 operations of a forward kernel's 26 (SiLU). */

/* FN(fast_sigmoid_forward)(x, kind): x * sigma(z(x)) */
static GC_ALWAYS_INLINE VT FN(fast_sigmoid_forward)(VT x, int kind)
{
    VT ax = vabs(x);
    if (!vany(vgt_un(ax, vset1(FS_PICK(kind, XF))))) {
        FN(fs_exp) e = FN(fs_forward_exp)(x, ax, kind);
        return vdiv(x, vfma(e.e, FN(fs_pow2)(e.sh), vset1(1)));
    }
    /* lanes past XCF (and NaN) take the limit with x's sign (-0 tails), NaN quieted
     * by it; a vector of them alone (NaN-padded or saturated data) nothing else */
    VM big = vgt_un(ax, vset1(FS_PICK(kind, XCF)));
    VT lim = vasflt(vi_or(vasint(FN(limit)(x, vlt(x, vset1(0)), 1, 1)), FN(sign_bits)(x)));
    if (vall(big))
        return lim;
    /* the others (results near or below the normal range among them): the fast path's
     * quotient scaled by 2^TS (2^(j-TS) E + 2^-TS in the denominator), so that every
     * intermediate is normal, and scale_round's one rounding of it times 2^-TS. Where
     * the fast path applies, that is its result (a power of two's scaling of normal
     * numbers commutes with each rounding); the sign is x's, in the quotient. TS is
     * scale_round's least forward k (bias/2 + 1), and 2^(j-TS) is normal for j from
     * the hold (float32 -40, float64 -CL: below it 1 + 2^j E rounds to 1 anyway) up to
     * z(XCF)/ln2 (float32 162, float64 1112). */
    const int ts = GC_BIAS / 2 + 1;
    VT xc = vkeep_not(big, x);
    FN(fs_exp) e = FN(fs_forward_exp)(xc, vabs(xc), kind);
    VT sh = vmax(e.sh, vset1(K(FS_MAGIC) - (GC_IS_F32 ? 40 : FS_CL)));
    VT s = vasflt(vi_sll(vi_sub(vasint(sh), vi_set1(ts)), GC_P - 1));
    VT q = vdiv(xc, vfma(e.e, s, vset1(GC_IS_F32 ? 0x1p-64 : 0x1p-512)));
    VT y = FN(scale_round)(q, vi_set1(ts), 0, 1);
    return vany(big) ? vsel(big, lim, y) : y;
}

/* FN(fast_sigmoid_grad)(x, kind): the derivative of x * sigma(z(x)) */
static GC_ALWAYS_INLINE VT FN(fast_sigmoid_grad)(VT x, int kind)
{
    VT ax = vabs(x);
    if (!vany(vgt_un(ax, vset1(FS_PICK(kind, XD))))) {
        FN(fs_dexp) d = FN(fs_deriv_exp)(x, ax, kind);
        return FN(fs_deriv_quot)(d, vset1(1), FN(fs_pow2)(d.sh), kind, 0).qh;
    }
    VT y;
    if (vall(vgt_un(ax, vset1(FS_PICK(kind, XCG)))))
        y = FN(limit)(x, vlt(x, vset1(0)), 0, 1);   /* every lane at its limit or NaN */
    else
        y = FN(round_pre)(FN(fast_sigmoid_family)(x, kind, 0));
    return vsel(visnan(x), vadd(x, vset1(0)), y);
}

/* FN(fast_sigmoid_backward)(dy, x, kind): dy * f'(x) */
static GC_ALWAYS_INLINE VT FN(fast_sigmoid_backward)(VT dy, VT x, int kind)
{
    VT ax = vabs(x);
    if (!vany(vmor(vgt_un(ax, vset1(FS_PICK(kind, XD))),
                   vgt_un(vabs(dy), vset1(GC_IS_F32 ? 0x1p60 : 0x1p500))))) {
        FN(fs_dexp) d = FN(fs_deriv_exp)(x, ax, kind);
        FN(fs_quot) q = FN(fs_deriv_quot)(d, vset1(1), FN(fs_pow2)(d.sh), kind, 1);
        /* one rounding; |dy q.lo| >= 2^-48 |y| (q.lo is the remainder of a correctly
         * rounded division, or 0), so |y| >= 2^-78 keeps it normal, and dy = +-0
         * (whose zero must have dy's sign times f's) goes the other way */
        VT y = vfma(dy, q.qh, vmul(dy, q.ql));
        if (!vany(vlt(vabs(y), vset1(0x1p-78))))
            return y;
    }
    /* as kernels_exact.h's GC_BACKWARD: x's quiet NaN whatever dy is, and a signaling
     * dy raises "invalid" on the one-lane layer too */
    VT qn = GC_LAZY_SELECT ? vadd(x, vkeep(vlt(dy, vset1(0)), vset1(1))) : vadd(x, vset1(0));
    if (vall(vgt_un(ax, vset1(FS_PICK(kind, XCB))))) {
        /* every lane past the clamp or NaN: round_pre_times would take big_times in
         * every lane */
        VALUE r;
        r.big = vgt_un(ax, vset1(FS_PICK(kind, XCB)));
        r.lim = FN(limit)(x, vlt(x, vset1(0)), 0, 1);
        return vsel(visnan(x), qn, FN(big_times)(r, dy, x));
    }
    return vsel(visnan(x), qn, FN(round_pre_times)(FN(fast_sigmoid_family)(x, kind, 1), dy, x));
}
