"""Accuracy of the functions with parameters: gelu_general(x, mu, sigma), its partial
derivatives and its backward pass, against mpmath.

With z = (x - mu)/sigma: the value x Phi(z), d/dx = Phi(z) + (x/sigma) phi(z),
d/dmu = -(x/sigma) phi(z), d/dsigma = z d/dmu, each evaluated exactly from the float
inputs (mpmath, 50 digits by default). Errors are in ULPs of the output type; within
``zero_band`` (in z) of a zero of d/dx its bound is absolute (the registry's
``zero_band_ulps_of_half`` ULPs of 0.5, times |dy| for the backward pass); d/dmu and
d/dsigma are products, whose zeros (x = 0, z = 0) keep relative accuracy. Signs are
never covered by an allowance.

    python -m gelu_c.accuracy --general [--n-ulp N] [--tier all]
"""
import mpmath
import numpy as np

from .. import registry
from .ulps import ulp

__all__ = ["exact", "samples", "near_dx_zero", "errors", "measure", "table", "bound"]

OUTPUTS = ("value", "dx", "dmu", "dsigma")
#: the error columns of :func:`measure`'s rows
COLUMNS = OUTPUTS + ("dy*dx", "dy*dmu", "dy*dsigma")


def bound(tier, column):
    """The registry's bound (ULPs) of one output column in a tier."""
    name = {"value": "gelu_general"}.get(column, "gelu_general_backward" if "*" in column
                                         else "gelu_general_grad")
    return registry.get(name if tier == "exact" else f"{tier}.{name}").accuracy.ulps


def exact(x, mu, sigma, dps=50):
    """(x Phi(z), d/dx, d/dmu, d/dsigma) as mpf for float inputs (sigma > 0 finite).
    The working precision grows with |z|: exp(-z^2/2)'s exponent alone has the digits
    of z^2 (mpmath's ncdf and npdf disagree in it at |z| ~ 1e58 with 50 digits)."""
    big = abs(float(x) - float(mu)) / float(sigma) if float(sigma) > 0 else 0.0
    if big > 1e3:
        dps += 2 * int(np.log10(big)) + 10
    with mpmath.workdps(dps):
        x, mu, sigma = mpmath.mpf(float(x)), mpmath.mpf(float(mu)), mpmath.mpf(float(sigma))
        z = (x - mu) / sigma
        Phi, phi = mpmath.ncdf(z), mpmath.npdf(z)
        dmu = -x / sigma * phi
        return (x * Phi, Phi + x / sigma * phi, dmu, z * dmu)


def _dx(zv, ratio):
    """d/dx as a function of z for a fixed mu/sigma (x/sigma = z + mu/sigma)."""
    return mpmath.ncdf(zv) + (zv + ratio) * mpmath.npdf(zv)


def near_dx_zero(x, mu, sigma, band=None, dps=30):
    """Whether d/dx has a zero within ``band`` (in z; the registry's) of this input."""
    band = band if band is not None else registry.get("gelu_general_grad").accuracy.zero_band
    with mpmath.workdps(dps):
        x, mu, sigma = mpmath.mpf(float(x)), mpmath.mpf(float(mu)), mpmath.mpf(float(sigma))
        z, ratio = (x - mu) / sigma, mu / sigma
        lo, mid, hi = (_dx(z - band, ratio), _dx(z, ratio), _dx(z + band, ratio))
        return mid == 0 or lo * mid <= 0 or mid * hi <= 0


def samples(dtype, n, seed=0):
    """(x, mu, sigma) of the dtype: half drawn through z (uniform over both tails, up to
    where x Phi(z) underflows), half with x, mu over many magnitudes; sigma log-uniform."""
    dtype = np.dtype(dtype)
    rng = np.random.default_rng(seed)
    zmax = 19.0 if dtype == np.float32 else 38.0
    emax = 30 if dtype == np.float32 else 200
    h = n // 2
    sigma = np.exp(rng.uniform(np.log(1e-3), np.log(1e3), n))
    mu = rng.standard_normal(n) * 10.0 ** rng.uniform(-3, 3, n)
    z = rng.uniform(-zmax, zmax, h)
    x = np.empty(n)
    x[:h] = mu[:h] + z * sigma[:h]
    x[h:] = rng.choice([-1.0, 1.0], n - h) * 10.0 ** rng.uniform(-emax / 3, emax / 3, n - h)
    out = tuple(a.astype(dtype) for a in (x, mu, sigma))
    return tuple(np.where(np.isfinite(a), a, dtype.type(1)) for a in out)


def _ulp_err(got, want, dtype):
    """|got - want| in ULPs of want; an infinity against a finite value is inf."""
    got = float(got)
    if not np.isfinite(got):
        return float("inf")
    return float(abs(mpmath.mpf(got) - want) / ulp(want, dtype))


def _sign_ok(got, want):
    """The result has the exact value's sign (a zero result its sign bit)."""
    if want == 0:
        return True
    return bool(np.signbit(got)) == (want < 0)


def errors(x, mu, sigma, tier="exact", dy=None, refs=None, dps=50):
    """Worst errors of one tier on the given inputs (the current kernel path).

    Returns ``{output: (max ULP error, index)}`` for the value, the three partial
    derivatives and, with ``dy``, the three backward products (``"dy*dx"``, ...), and
    ``"sign"``: the indices where a result has the wrong sign. ``refs`` (from
    :func:`exact`, one tuple per input) may be passed to reuse them.
    """
    import gelu_c
    mod = gelu_c if tier == "exact" else getattr(gelu_c, tier)
    dtype = x.dtype
    refs = refs if refs is not None else [exact(*a) for a in zip(x, mu, sigma)]
    got = {"value": mod.gelu_general(x, mu, sigma)}
    got.update(zip(OUTPUTS[1:], mod.gelu_general_grad(x, mu, sigma)))
    if dy is not None:
        got.update(zip(("dy*dx", "dy*dmu", "dy*dsigma"), mod.gelu_general_backward(dy, x, mu, sigma)))
    acc = registry.get(("" if tier == "exact" else tier + ".") + "gelu_general_grad").accuracy
    half_ulp = float(np.spacing(dtype.type(0.5)))
    worst = {k: (0.0, -1) for k in got}
    wrong_sign = []
    with mpmath.workdps(dps):       # dy * exact and the differences: no rounding to 53 bits
        _errors_into(worst, wrong_sign, got, refs, x, mu, sigma, dy, acc, half_ulp, dtype)
    worst["sign"] = wrong_sign
    return worst


def _errors_into(worst, wrong_sign, got, refs, x, mu, sigma, dy, acc, half_ulp, dtype):
    for i, r in enumerate(refs):
        near = None
        for k, v in got.items():
            which = OUTPUTS.index(k.split("*")[-1])
            want = r[which] * (mpmath.mpf(float(dy[i])) if k.startswith("dy*") else 1)
            if not _sign_ok(v[i], want):
                wrong_sign.append((k, i))
            e = _ulp_err(v[i], want, dtype)
            if which == 1 and e > 1:        # d/dx: absolute beside its zero
                near = near_dx_zero(x[i], mu[i], sigma[i]) if near is None else near
                if near:
                    # the absolute error as a fraction of the allowance, times the bound
                    scale = half_ulp * (abs(float(dy[i])) if k.startswith("dy*") else 1.0)
                    e = min(e, float(abs(mpmath.mpf(float(v[i])) - want)) / scale
                            / acc.zero_band_ulps_of_half * acc.ulps)
            if e > worst[k][0]:
                worst[k] = (e, i)


def measure(n=600, dtypes=("float32", "float64"), tiers=("exact",), paths=None, seed=0):
    """Worst errors per tier, dtype and kernel path: a list of row dicts."""
    import gelu_c
    paths = paths or gelu_c.available_kernel_paths()
    rows = []
    for dtype in dtypes:
        x, mu, sigma = samples(dtype, n, seed)
        dy = np.random.default_rng(seed + 1).uniform(-4, 4, n).astype(dtype)
        refs = [exact(*a) for a in zip(x, mu, sigma)]
        for tier in tiers:
            for path in paths:
                with gelu_c.kernel_path(path):
                    w = errors(x, mu, sigma, tier, dy, refs)
                rows.append({"tier": tier, "dtype": dtype, "path": path, "n": n,
                             "signs_wrong": len(w.pop("sign")),
                             **{k: v[0] for k, v in w.items()}})
    return rows


def table(rows):
    """The rows as a Markdown table (max ULP errors; d/dx absolute beside its zero)."""
    keys = [k for k in rows[0] if k not in ("tier", "dtype", "path", "n", "signs_wrong")]
    out = ["| tier | dtype | path | " + " | ".join(keys) + " | wrong signs |",
           "|---|---|---|" + "--:|" * (len(keys) + 1)]
    for r in rows:
        out.append(f"| {r['tier']} | {r['dtype']} | {r['path']} | "
                   + " | ".join(f"{r[k]:.3f}" for k in keys) + f" | {r['signs_wrong']} |")
    return "\n".join(out)
