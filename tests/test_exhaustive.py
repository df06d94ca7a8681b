"""Exhaustive float32 check of ``gelu`` and ``norm_cdf``: all 2**32 bit patterns.

Opt-in: the test is marked ``exhaustive`` and runs only with
``pytest --exhaustive`` (minutes per kernel path).  It can also be run
directly::

    python tests/test_exhaustive.py [--path scalar] [--func gelu] [--workers N]

Reference: ``scipy.special.ndtr`` evaluated in float64 (relative error about
1e-13 over the float32 range, i.e. about 1e-6 float32 ULP), ``gelu`` as
``x * ndtr(x)`` in float64.  Error: ``|got - ref| / ulp32(ref)`` with
``ulp32(y) = 2**(floor(log2|y|) - 23)`` floored at ``2**-149`` (also for
``y == 0``).  Bound: max error <= 1.0 ULP; NaN in -> NaN out; no NaN for a
non-NaN input; the infinities give the limits (``gelu(-inf) = -0.0``,
``gelu(+inf) = +inf``, ``Phi(-inf) = 0``, ``Phi(+inf) = 1``).

The 2**32 inputs are processed in chunks of 2**24 by a pool of
``os.cpu_count()`` worker processes.
"""
import argparse
import multiprocessing
import os
import sys
import time

import numpy as np
import pytest

CHUNK = 1 << 24
TOTAL = 1 << 32
FUNCS = ("gelu", "norm_cdf")
BOUND = 1.0
MIN_SUB = 2.0 ** -149


def _ulp32(ref):
    """float32 ULP of float64 values, floored at the smallest subnormal.

    ``2**(floor(log2|y|) - 23)`` built directly from the float64 exponent field:
    floor(log2|y|) = biased exponent - 1023 for normal float64 values; zero and
    float64-subnormal values (far below 2**-149) get the floor ``2**-149``.
    """
    e = (ref.view(np.uint64) >> np.uint64(52)) & np.uint64(0x7FF)
    e = e.astype(np.int64)
    e -= 23
    np.maximum(e, 1023 - 149, out=e)
    return (e.astype(np.uint64) << np.uint64(52)).view(np.float64)


def _init_worker(path):
    import gelu_c

    gelu_c.set_kernel_path(path)


SUB = 1 << 18          # inner block: keeps the float64 temporaries cache-sized


def _check_block(start, n, funcs, ndtr, gelu_c):
    bits = (np.arange(n, dtype=np.uint64) + np.uint64(start)).astype(np.uint32)
    x = bits.view(np.float32)
    with np.errstate(all="ignore"):
        xd = x.astype(np.float64)
        nd = ndtr(xd)
    nan_in = np.isnan(x)
    result = {}
    for func in funcs:
        with np.errstate(all="ignore"):
            got = getattr(gelu_c, func)(x)
            if func == "norm_cdf":
                ref = nd
            else:
                ref = xd * nd
                ref[xd == -np.inf] = -0.0
            g = got.astype(np.float64)
            err = np.subtract(g, ref)
            np.abs(err, out=err)
            err /= _ulp32(ref)
        ref_inf = np.isinf(ref)
        if ref_inf.any():
            err[ref_inf] = np.where(g[ref_inf] == ref[ref_inf], 0.0, np.inf)
        got_inf = np.isinf(g) & ~ref_inf
        err[got_inf] = np.inf
        got_nan = np.isnan(g)
        err[nan_in] = 0.0
        err[got_nan & ~nan_in] = np.inf
        nan_bad = int(np.count_nonzero(nan_in & ~got_nan))
        # -inf gives -0.0 (gelu) / 0 (norm_cdf); +inf its limit: exact equality
        special_bad = []
        for xv in (np.inf, -np.inf):
            sel = np.flatnonzero(x == xv)
            if sel.size:
                gv = got[sel[0]]
                wv = ref[sel[0]]
                if not (gv == wv and (func != "gelu" or xv > 0 or np.signbit(gv))):
                    special_bad.append((float(xv), float(gv), float(wv)))
        i = int(np.argmax(err))
        over = err > BOUND
        result[func] = dict(
            max_err=float(err[i]), x=float(x[i]), bits=int(bits[i]),
            got=float(got[i]), ref=float(ref[i]),
            n_over=int(np.count_nonzero(over)),
            examples=[(float(x[j]), float(got[j]), float(ref[j]), float(err[j]))
                      for j in np.flatnonzero(over)[:3]],
            nan_bad=nan_bad, special_bad=special_bad, n=n,
        )
    return result


def _merge(total, res):
    for f, r in res.items():
        t = total[f]
        t["n"] += r["n"]
        if r["max_err"] > t["max_err"]:
            for key in ("max_err", "x", "bits", "got", "ref"):
                t[key] = r[key]
        t["n_over"] += r["n_over"]
        t["nan_bad"] += r["nan_bad"]
        t["special_bad"] += r["special_bad"]
        t["examples"] = (t["examples"] + r["examples"])[:10]


def _empty_summary(funcs):
    return {f: dict(max_err=-1.0, x=None, bits=None, got=None, ref=None, n_over=0,
                    examples=[], nan_bad=0, special_bad=[], n=0) for f in funcs}


def _check_chunk(job):
    """Check one chunk of CHUNK inputs; returns {func: summary dict}."""
    start, funcs = job
    import gelu_c
    from scipy.special import ndtr

    total = _empty_summary(funcs)
    for s in range(start, start + CHUNK, SUB):
        _merge(total, _check_block(s, SUB, funcs, ndtr, gelu_c))
    return total


def run(path, funcs=FUNCS, workers=None, chunks=None, verbose=False):
    """Sweep all float32 inputs (or ``chunks`` evenly spaced chunks) on ``path``.

    Returns {func: aggregated summary}.
    """
    workers = workers or os.cpu_count() or 1
    starts = list(range(0, TOTAL, CHUNK))
    if chunks is not None and chunks < len(starts):
        starts = starts[:: max(1, len(starts) // chunks)][:chunks]
    total = _empty_summary(funcs)
    ctx = multiprocessing.get_context("fork")
    t0 = time.time()
    with ctx.Pool(workers, initializer=_init_worker, initargs=(path,)) as pool:
        for k, res in enumerate(pool.imap_unordered(
                _check_chunk, [(s, tuple(funcs)) for s in starts])):
            _merge(total, res)
            if verbose and (k + 1) % 16 == 0:
                print(f"  [{path}] {k + 1}/{len(starts)} chunks, {time.time() - t0:.0f} s",
                      flush=True)
    for t in total.values():
        t["seconds"] = time.time() - t0
    return total


def summary_line(func, path, t):
    return (f"{func} [float32, path={path}]: {t['n']} inputs, max error {t['max_err']:.6f} ULP "
            f"at x={t['x']!r} (bits 0x{t['bits']:08x}): got {t['got']!r}, ref {t['ref']!r}; "
            f"{t['n_over']} inputs > {BOUND} ULP; NaN-in-not-NaN-out: {t['nan_bad']}; "
            f"special mismatches: {t['special_bad']}; {t['seconds']:.0f} s")


def _available_paths():
    import gelu_c

    return tuple(gelu_c.available_kernel_paths())


@pytest.mark.exhaustive
def test_exhaustive_float32(kernel_path):
    res = run(kernel_path, FUNCS)
    lines = [summary_line(f, kernel_path, res[f]) for f in FUNCS]
    print("\n" + "\n".join(lines))
    problems = []
    for f in FUNCS:
        t = res[f]
        if not (t["max_err"] <= BOUND and t["n_over"] == 0 and t["nan_bad"] == 0
                and not t["special_bad"]):
            problems.append(summary_line(f, kernel_path, t)
                            + f"; examples (x, got, ref, ULP): {t['examples']}")
    assert not problems, "\n".join(problems)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--path", action="append",
                    help="kernel path (repeatable; default: every available path)")
    ap.add_argument("--func", action="append", choices=FUNCS,
                    help="function (repeatable; default: gelu and norm_cdf)")
    ap.add_argument("--workers", type=int, default=None,
                    help="worker processes (default: os.cpu_count())")
    ap.add_argument("--chunks", type=int, default=None,
                    help="check only this many evenly spaced chunks of 2**24 (smoke run)")
    args = ap.parse_args(argv)
    paths = args.path or _available_paths()
    funcs = tuple(args.func or FUNCS)
    ok = True
    for p in paths:
        res = run(p, funcs, workers=args.workers, chunks=args.chunks, verbose=True)
        for f in funcs:
            t = res[f]
            good = (t["max_err"] <= BOUND and t["n_over"] == 0 and t["nan_bad"] == 0
                    and not t["special_bad"])
            ok &= good
            print(("PASS " if good else "FAIL ") + summary_line(f, p, t), flush=True)
            if not good:
                print(f"     examples (x, got, ref, ULP): {t['examples']}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
