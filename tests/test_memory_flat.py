"""Memory stays flat over many calls: 10^5 calls spread over every ufunc of both tiers,
every dtype, small arrays of every length up to a few vectors, out= calls (in place,
strided, misaligned), calls with where=, NumPy scalars, and calls that raise (read-only
out, wrong out dtype or shape, unsupported input types), after a warm-up that builds every
lazily allocated table (the half formats' 65,536-entry tables) and starts the thread pool
(with calls large enough to be split across threads).

* The process's resident memory (``/proc/self/statm``; elsewhere the peak from
  ``resource.getrusage``, which a leak also raises) grows by less than LEAK_BOUND over the
  10^5 calls: a leak of one small array, or of a few dozen bytes, per call exceeds it.
* The reference counts of the operands, the out= arrays, the ufunc objects and the dtypes
  are what they were before the calls, and the arrays the calls return are freed (a weak
  reference to each dies with its last reference).
"""
import gc
import os
import sys
import weakref
from operator import attrgetter

import numpy as np
import pytest

import gelu_c
from gelu_c import registry

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from half_formats import BFLOAT16  # noqa: E402

NAMES = registry.names(tier=None, params=None)
UFUNCS = [attrgetter(n)(gelu_c) for n in NAMES]
DTYPES = [np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)] + (
    [BFLOAT16] if BFLOAT16 is not None else [])
CALLS = 100_000
#: allowed growth of the resident set over CALLS calls (after the warm-up)
LEAK_BOUND = 2 * 2 ** 20


def _rss_bytes():
    """Resident memory now (Linux), or the peak so far (other POSIX systems), or None."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024     # bytes on macOS, KiB elsewhere


class Workload:
    """Operands and outputs for every (ufunc, dtype), built once; ``run(n)`` makes n
    calls cycling through every kind of call."""

    def __init__(self):
        rng = np.random.default_rng(0)
        self.cases = []
        for uf, name in zip(UFUNCS, NAMES):
            f = registry.get(name)
            for dt in DTYPES:
                n = 2 + len(self.cases) % 19          # lengths 2..20: vectors and tails
                vals = {"dy": rng.uniform(-2, 2, n), "x": rng.normal(0, 3, n),
                        "mu": rng.uniform(-1, 1, n), "sigma": rng.uniform(0.2, 2, n)}
                ins = [vals[a].astype(dt) for a in f.args]
                outs = tuple(np.empty(n, dt) for _ in range(f.nout))
                strided_buf = np.empty(3 * n * f.nout + 1, dt)
                strided = tuple(strided_buf[1 + j::3 * f.nout][:n] for j in range(f.nout))
                raw = np.empty(n * dt.itemsize * f.nout + 3, np.uint8)
                misaligned = tuple(np.ndarray(n, dt, buffer=raw, offset=3 + j * dt.itemsize,
                                              strides=(f.nout * dt.itemsize,))
                                   for j in range(f.nout))
                ro = tuple(np.zeros(n, dt) for _ in range(f.nout))
                for a in ro:
                    a.flags.writeable = False
                bad_dtype = tuple(np.zeros(n, np.int32) for _ in range(f.nout))
                bad_shape = tuple(np.zeros(n + 1, dt) for _ in range(f.nout))
                mask = np.arange(n) % 2 == 0
                scalars = [a[0] for a in ins]                      # NumPy scalars
                self.cases.append(dict(uf=uf, f=f, ins=ins, outs=outs, strided=strided,
                                       misaligned=misaligned, ro=ro, bad_dtype=bad_dtype,
                                       bad_shape=bad_shape, mask=mask, scalars=scalars,
                                       keep=(strided_buf, raw)))
        self.objects = [uf for uf in UFUNCS] + DTYPES
        for c in self.cases:
            self.objects += c["ins"] + list(c["outs"]) + list(c["strided"]) + list(c["misaligned"])
            self.objects += list(c["ro"]) + list(c["bad_dtype"]) + list(c["bad_shape"])
            self.objects += [c["mask"]]
        self.results = []

    KINDS = 10

    def call(self, i, track=False):
        c = self.cases[i % len(self.cases)]
        uf, ins = c["uf"], c["ins"]
        kind = (i // len(self.cases)) % self.KINDS
        if kind == 0:
            r = uf(*ins)
        elif kind == 1:
            r = uf(*ins, out=c["outs"])
        elif kind == 2:
            r = uf(*ins, out=c["strided"])
        elif kind == 3:
            r = uf(*ins, out=c["misaligned"])
        elif kind == 4:
            r = uf(*ins, out=c["outs"], where=c["mask"])
        elif kind == 5:
            r = uf(*c["scalars"])
        elif kind == 6:
            r = uf(*[a[::-1] for a in ins])                  # strided views, fresh each time
        elif kind == 7:
            try:
                uf(*ins, out=c["ro"])
            except ValueError:
                r = None
            else:
                raise AssertionError("a read-only out= did not raise")
        elif kind == 8:
            try:
                uf(*ins, out=c["bad_dtype"] if i % 2 else c["bad_shape"])
            except (TypeError, ValueError):
                r = None
            else:
                raise AssertionError("a bad out= did not raise")
        else:
            try:
                uf(*([np.array([1.0, 2.0], dtype=object)] + ins[1:]))
            except TypeError:
                r = None
            else:
                raise AssertionError("an object operand did not raise")
        if track and r is not None:
            for a in (r if isinstance(r, tuple) else (r,)):
                if isinstance(a, np.ndarray) and not any(a is o for o in c["outs"] + c["strided"]
                                                         + c["misaligned"]):
                    self.results.append(weakref.ref(a))
        return r

    def run(self, n, track=False):
        with np.errstate(all="ignore"):
            for i in range(n):
                self.call(i, track)


def _large_calls():
    """A few calls large enough to be split across threads (the pool's memory)."""
    x = np.linspace(-5, 5, (1 << 20) + 5)
    with gelu_c.threads(2):
        for dt in DTYPES:
            gelu_c.gelu(x.astype(dt))
            gelu_c.fast.gelu_backward(x.astype(dt), x.astype(dt))


@pytest.fixture(scope="module")
def workload():
    w = Workload()
    # warm-up: every ufunc, dtype and kind of call, twice over, builds every lazy table
    # and NumPy's own caches (loop resolution, dtype promotion)
    w.run(2 * len(w.cases) * Workload.KINDS)
    # twice: the second time the allocator reuses what the first one's 8 MB arrays left
    # resident (glibc raises its mmap threshold after freeing one), a one-off, not a leak
    _large_calls()
    _large_calls()
    return w


def test_resident_memory_flat_over_10_5_calls(workload):
    if _rss_bytes() is None:
        pytest.skip("no way to read this process's resident memory here")
    gc.collect()
    before = _rss_bytes()
    for _ in range(CALLS // 10_000):
        workload.run(10_000)
    gc.collect()
    grown = _rss_bytes() - before
    assert grown < LEAK_BOUND, (
        f"resident memory grew by {grown / 2 ** 20:.2f} MiB over {CALLS} calls "
        f"({grown / CALLS:.1f} bytes per call)")


def test_reference_counts_unchanged(workload):
    gc.collect()
    objs = workload.objects
    before = [sys.getrefcount(o) for o in objs]
    workload.results.clear()
    workload.run(20_000, track=True)
    gc.collect()
    after = [sys.getrefcount(o) for o in objs]
    changed = [(type(o).__name__, getattr(o, "__name__", getattr(o, "dtype", "")), b, a)
               for o, b, a in zip(objs, before, after) if a != b]
    assert not changed, f"reference counts changed: {changed[:10]}"
    assert workload.results, "no result was tracked"
    alive = sum(r() is not None for r in workload.results)
    assert alive == 0, f"{alive} of {len(workload.results)} returned arrays are still alive"
