"""Exhaustive float32 check of the exact functions (``gelu``, ``norm_cdf``): all 2**32 inputs.

The functions checked are those :mod:`gelu_c.registry` marks ``exhaustive``
(:data:`FUNCS`), each held to its registry bound (1 ULP).  Reference:
``scipy.special.ndtr`` evaluated in float64 (relative error about 1e-13 over the
float32 range, i.e. about 1e-6 float32 ULP), ``gelu`` as ``x * ndtr(x)`` in float64
(:data:`REFERENCES`).  Error: ``|got - ref| / ulp32(ref)`` with
``ulp32(y) = 2**(floor(log2|y|) - 23)`` floored at ``2**-149`` (also for
``y == 0``).  Bound: max error <= the function's bound; NaN in -> NaN out; no NaN
for a non-NaN input; the infinities give the limits (``gelu(-inf) = -0.0``,
``gelu(+inf) = +inf``, ``Phi(-inf) = 0``, ``Phi(+inf) = 1``), signed for a function
whose result has x's sign.  A result counts as correctly rounded when its error is
<= 0.5 ULP (the reference's own error can only misjudge results within ~1e-6 ULP of
a rounding midpoint).

The inputs are processed in blocks of 2**24 bit patterns by a pool of worker
processes (2 by default), each forced to the kernel path under test; a progress
bar is drawn on stderr.  ``python -m gelu_c.accuracy --exhaustive`` runs it,
and so does the opt-in test ``pytest tests/test_exhaustive.py --exhaustive``.
"""
import argparse
import multiprocessing
import sys
import time
from operator import attrgetter

import numpy as np

from .. import registry
from .progress import Progress

__all__ = ["BLOCK", "TOTAL", "FUNCS", "REFERENCES", "bound", "ulp32", "check_range", "run",
           "passed", "summary_line", "sweep", "main"]

BLOCK = 1 << 24        # bit patterns per job handed to a worker
TOTAL = 1 << 32        # every float32 bit pattern
SUB = 1 << 18          # inner block: keeps the float64 temporaries cache-sized
WORKERS = 2


def _gelu_reference(xd, nd):
    ref = xd * nd
    ref[xd == -np.inf] = -0.0
    return ref


#: The float64 reference of each function the sweep can check, from ``xd`` (the inputs
#: in float64) and ``nd`` (``ndtr(xd)``, computed once per block for all of them).
REFERENCES = {
    "norm_cdf": lambda xd, nd: nd,
    "gelu": _gelu_reference,
}

#: The functions checked: those the registry marks ``exhaustive``, in every tier, in
#: registry order (``gelu``, ``fast.gelu``: references are by the plain name).
FUNCS = tuple(name for name in registry.names(tier=None) if registry.get(name).exhaustive)

_missing = [name for name in FUNCS if registry.get(name).name not in REFERENCES]
if _missing:
    raise LookupError(f"the registry marks {', '.join(_missing)} exhaustive, but "
                      "gelu_c/accuracy/exhaustive.py has no float64 reference for it "
                      "(REFERENCES)")


def bound(func):
    """The bound of ``func`` in ULPs (the registry's), which the sweep holds it to."""
    return registry.get(func).accuracy.ulps


def ulp32(ref):
    """float32 ULP of float64 values, floored at the smallest subnormal.

    ``2**(floor(log2|y|) - 23)`` built directly from the float64 exponent field:
    floor(log2|y|) = biased exponent - 1023 for normal float64 values; zero and
    float64-subnormal values (far below 2**-149) get the floor ``2**-149``.

    Parameters
    ----------
    ref : numpy.ndarray of float64
        Finite reference values.

    Returns
    -------
    numpy.ndarray of float64
    """
    e = (ref.view(np.uint64) >> np.uint64(52)) & np.uint64(0x7FF)
    e = e.astype(np.int64)
    e -= 23
    np.maximum(e, 1023 - 149, out=e)
    return (e.astype(np.uint64) << np.uint64(52)).view(np.float64)


def _empty(funcs):
    return {f: dict(max_err=-1.0, x=None, bits=None, got=None, ref=None, n_over=0,
                    n_not_cr=0, sum_err=0.0, examples=[], nan_bad=0, special_bad=[], n=0,
                    bound=bound(f))
            for f in funcs}


def _merge(total, res):
    for f, r in res.items():
        t = total[f]
        t["n"] += r["n"]
        if r["max_err"] > t["max_err"]:
            for key in ("max_err", "x", "bits", "got", "ref"):
                t[key] = r[key]
        for key in ("n_over", "n_not_cr", "sum_err", "nan_bad"):
            t[key] += r[key]
        t["special_bad"] += r["special_bad"]
        t["examples"] = (t["examples"] + r["examples"])[:10]


def _special_mismatches(func, x, got, ref):
    """(x, got, want) for +-inf inputs whose result is not the limit (signed for a
    function whose result has x's sign: -0.0 at -inf)."""
    signed = registry.get(func).sign_of_x
    bad = []
    for xv in (np.inf, -np.inf):
        sel = np.flatnonzero(x == xv)
        if sel.size:
            gv, wv = got[sel[0]], ref[sel[0]]
            if not (gv == wv and (not signed or xv > 0 or np.signbit(gv))):
                bad.append((float(xv), float(gv), float(wv)))
    return bad


def _check_block(start, n, funcs, impl, ndtr):
    bits = (np.arange(n, dtype=np.uint64) + np.uint64(start)).astype(np.uint32)
    x = bits.view(np.float32)
    with np.errstate(all="ignore"):
        xd = x.astype(np.float64)
        nd = ndtr(xd)
    nan_in = np.isnan(x)
    result = {}
    for func in funcs:
        with np.errstate(all="ignore"):
            got = impl[func](x)
            ref = REFERENCES[registry.get(func).name](xd, nd)
            g = got.astype(np.float64)
            err = np.subtract(g, ref)
            np.abs(err, out=err)
            err /= ulp32(ref)
        ref_inf = np.isinf(ref)
        if ref_inf.any():
            err[ref_inf] = np.where(g[ref_inf] == ref[ref_inf], 0.0, np.inf)
        err[np.isinf(g) & ~ref_inf] = np.inf
        got_nan = np.isnan(g)
        err[nan_in] = 0.0
        err[got_nan & ~nan_in] = np.inf
        i = int(np.argmax(err))
        over = err > bound(func)
        result[func] = dict(
            max_err=float(err[i]), x=float(x[i]), bits=int(bits[i]),
            got=float(got[i]), ref=float(ref[i]),
            n_over=int(np.count_nonzero(over)),
            n_not_cr=int(np.count_nonzero(err > 0.5)),
            sum_err=float(np.sum(err)),
            examples=[(float(x[j]), float(got[j]), float(ref[j]), float(err[j]))
                      for j in np.flatnonzero(over)[:3]],
            nan_bad=int(np.count_nonzero(nan_in & ~got_nan)),
            special_bad=_special_mismatches(func, x, got, ref), n=n,
        )
    return result


def check_range(start, stop, funcs=FUNCS, impl=None):
    """Check the float32 bit patterns ``start <= b < stop`` in this process.

    Parameters
    ----------
    start, stop : int
        Bit-pattern bounds (``0 <= start < stop <= 2**32``).
    funcs : sequence of str
        Names from :data:`FUNCS`.
    impl : dict, optional
        ``{name: callable}`` computing each function on a float32 array
        (default: the gelu_c ufuncs on the current kernel path); used to test
        the checker itself with planted errors.

    Returns
    -------
    dict
        ``{name: summary}``; a summary has ``n`` (inputs), ``max_err`` (ULP),
        ``x``/``bits``/``got``/``ref`` of the worst input, ``bound`` (the
        function's, in ULPs), ``n_over`` (inputs above it), ``n_not_cr`` (above
        0.5 ULP), ``sum_err``, ``examples`` (up to 10 ``(x, got, ref, ulp)`` above the bound),
        ``nan_bad`` (NaN inputs without a NaN result) and ``special_bad``
        (infinite inputs without their limit).
    """
    from scipy.special import ndtr

    if impl is None:
        import gelu_c

        impl = {f: attrgetter(f)(gelu_c) for f in funcs}
    total = _empty(funcs)
    for s in range(start, stop, SUB):
        _merge(total, _check_block(s, min(SUB, stop - s), funcs, impl, ndtr))
    return total


def _init_worker(path):
    import gelu_c

    gelu_c.set_kernel_path(path)


def _worker(job):
    start, stop, funcs = job
    import gelu_c

    return gelu_c.get_kernel_path(), check_range(start, stop, funcs)


def run(path, funcs=FUNCS, workers=WORKERS, start=0, stop=TOTAL, block=BLOCK, chunks=None,
        stream=sys.stderr):
    """Check every float32 input in ``[start, stop)`` on one kernel path.

    Parameters
    ----------
    path : str
        The gelu_c kernel path every worker is forced to.
    funcs : sequence of str, optional
        Names from :data:`FUNCS` (default all).
    workers : int, optional
        Worker processes (default 2).
    start, stop : int, optional
        Bit-pattern bounds (default: all 2**32 patterns).
    block : int, optional
        Bit patterns per job (default 2**24).
    chunks : int, optional
        Check only this many evenly spaced blocks (a smoke run).
    stream : file-like, optional
        Where the progress bar goes (default stderr; ``None`` for none).

    Returns
    -------
    dict
        ``{name: summary}`` as from :func:`check_range`, each with ``path`` and
        ``seconds`` added.

    Raises
    ------
    RuntimeError
        If a worker did not run on ``path``.
    """
    funcs = tuple(funcs)
    starts = list(range(start, stop, block))
    if chunks is not None and chunks < len(starts):
        starts = starts[:: max(1, len(starts) // chunks)][:chunks]
    jobs = [(s, min(s + block, stop), funcs) for s in starts]
    total = _empty(funcs)
    bar = Progress(len(jobs), f"exhaustive float32 [{path}] {','.join(funcs)}", stream)
    t0 = time.monotonic()
    ctx = multiprocessing.get_context("spawn")     # no fork: torch/JAX threads may be live
    with ctx.Pool(workers, initializer=_init_worker, initargs=(path,)) as pool:
        for used, res in pool.imap_unordered(_worker, jobs):
            if used != path:
                raise RuntimeError(f"a worker ran on kernel path {used!r}, not {path!r}")
            _merge(total, res)
            bar.step()
    bar.close()
    for t in total.values():
        t["path"] = path
        t["seconds"] = time.monotonic() - t0
    return total


def passed(t):
    """Whether one function's summary meets the bound and the special-value rules."""
    return (t["max_err"] <= t["bound"] and t["n_over"] == 0 and t["nan_bad"] == 0
            and not t["special_bad"])


def summary_line(func, t):
    """One line of text describing a summary from :func:`run`."""
    n = max(t["n"], 1)
    return (f"{func} [float32, path={t['path']}]: {t['n']} inputs, max error "
            f"{t['max_err']:.6f} ULP at x={t['x']!r} (bits 0x{t['bits']:08x}): got "
            f"{t['got']!r}, ref {t['ref']!r}; mean {t['sum_err'] / n:.4f} ULP; correctly "
            f"rounded {100 * (1 - t['n_not_cr'] / n):.4f}%; {t['n_over']} inputs > {t['bound']} "
            f"ULP; NaN-in-not-NaN-out: {t['nan_bad']}; special mismatches: "
            f"{t['special_bad']}; {t['seconds']:.0f} s")


def sweep(paths, funcs=FUNCS, workers=WORKERS, chunks=None, out=sys.stdout, stream=sys.stderr):
    """Run :func:`run` for each path and print a PASS/FAIL line per function.

    Returns
    -------
    (dict, bool)
        ``{path: {name: summary}}`` and whether everything passed.
    """
    results, ok = {}, True
    for p in paths:
        res = run(p, funcs, workers=workers, chunks=chunks, stream=stream)
        results[p] = res
        for f in funcs:
            good = passed(res[f])
            ok &= good
            print(("PASS " if good else "FAIL ") + summary_line(f, res[f]), file=out, flush=True)
            if not good:
                print(f"     examples (x, got, ref, ULP): {res[f]['examples']}", file=out)
    return results, ok


def main(argv=None):
    """Command line: ``[--path P]... [--func F]... [--workers N] [--chunks N]``."""
    import gelu_c

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--path", action="append",
                    help="kernel path (repeatable; default: every available path)")
    ap.add_argument("--func", action="append", choices=FUNCS,
                    help=f"function (repeatable; default: {' and '.join(FUNCS)})")
    ap.add_argument("--workers", type=int, default=WORKERS,
                    help=f"worker processes (default {WORKERS})")
    ap.add_argument("--chunks", type=int, default=None,
                    help="check only this many evenly spaced blocks of 2**24 (smoke run)")
    args = ap.parse_args(argv)
    paths = args.path or gelu_c.available_kernel_paths()
    _, ok = sweep(paths, tuple(args.func or FUNCS), args.workers, args.chunks)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
