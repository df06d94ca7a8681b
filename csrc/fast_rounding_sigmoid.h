/* The fast tier's sigmoid-family kernels, whole: one vector in, one rounded vector
 * out, special values, signs and flags included.
 * Method: a vector whose lanes all lie in the fast range (|x| <= XF forward, XD
 * derivative; backward also |dy| <= 2^60 and |dy f'| >= 2^-78) is computed directly:
 * x / (1 + 2^j E) is the forward result itself (its division the only rounding that
 * counts), the quotient N / D^2 the derivative's, and fma(dy, q, dy q_lo) the backward
 * product's. No operation there overflows, reads or returns a subnormal, or meets a
 * NaN. Any other vector takes the VALUE of fast_sigmoid_family (its scaled form,
 * which gives the same bits in the fast range) and the exact tier's roundings
 * (round_pre, round_pre_times: limits, signed zeros, NaN quieting, subnormal results,
 * dy = 0 or infinite), so a lane's result never depends on its neighbours.
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
    /* every lane at its limit or NaN (NaN-padded or saturated data): the VALUE
     * path's bits without its value */
    if (vall(vgt_un(ax, vset1(FS_PICK(kind, XCF))))) {
        VT lim = FN(limit)(x, vlt(x, vset1(0)), 1, 1);
        return vasflt(vi_or(vasint(lim), FN(sign_bits)(x)));
    }
    /* x's sign on every result (-0 tails, f(-0) = -0), NaN quieted by the limit */
    VT y = FN(round_pre)(FN(fast_sigmoid_family)(x, kind, 0, 0));
    return vasflt(vi_or(vasint(y), FN(sign_bits)(x)));
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
        y = FN(round_pre)(FN(fast_sigmoid_family)(x, kind, 1, 0));
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
    return vsel(visnan(x), qn, FN(round_pre_times)(FN(fast_sigmoid_family)(x, kind, 1, 1), dy, x));
}
