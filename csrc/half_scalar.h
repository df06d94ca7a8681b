/* The one-lane half layer: the hot loops of loops_half.h in plain C, one element at a
 * time, with half_format.h's exact rounding. Included per format (HKEY, HF_*). */

/* out[i] = tab[x[i]]; returns GC_H_SNAN if some x is a signaling NaN (the table holds
 * its quiet result, but IEEE arithmetic would also have raised "invalid"). The check is
 * a separate pass, which the compiler vectorizes, made before o (maybe x) is written. */
static int HN(lookup_run)(const uint16_t *tab, const uint16_t *x, uint16_t *o, ptrdiff_t n)
{
    int snan = 0;       /* first: in place, o is x */
    for (ptrdiff_t i = 0; i < n; i++)
        snan |= gc_h_is_snan(x[i], HF_MBITS);
    for (ptrdiff_t i = 0; i < n; i++)
        o[i] = tab[x[i]];
    return snan ? GC_H_SNAN : 0;
}

/* o[i] = dy[i] * G[x[i]] rounded once; dy = +-inf or NaN is left to the caller
 * (GC_H_LATER), which runs the float64 backward kernel there. */
static int HN(backward_run)(const double *G, const uint16_t *dy, const uint16_t *x,
                            uint16_t *o, ptrdiff_t n)
{
    int status = 0;
    for (ptrdiff_t i = 0; i < n; i++) {
        if (gc_h_nonfinite(dy[i], HF_MBITS)) {
            o[i] = 0;
            status |= GC_H_LATER;
            continue;
        }
        double d = (double)HF_DECODE(dy[i]), g = G[x[i]], p = d * g;
        if (gc_h_is_snan(x[i], HF_MBITS))        /* before o[i]: in place, o is x */
            status |= GC_H_SNAN;
        o[i] = gc_h_round(p, fma(d, g, -p), HF_MBITS, HF_EMIN);
        if (gc_h_overflowed(o[i], p, HF_MBITS))
            status |= GC_H_OVERFLOW;
    }
    return status;
}
