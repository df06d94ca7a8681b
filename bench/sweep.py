"""Throughput against size and threads: a sweep of 2^10 to 2^26 elements, and its picture.

Usage::

    python bench/sweep.py [--quick] [--markdown] [--json PATH] [--plot PNG]
                          [--sizes 10,12,...] [--dtypes float32,float64]
                          [--functions gelu,gelu_backward] [--threads 1,2] [--path auto]

For every function, dtype and size (2^10, 2^12, ..., 2^26 by default) one interleaved
timing group (``bench/timing.py``'s method: min of rotating rounds, each sample at least
``min_sample`` seconds) holds, on the same standard-normal data (``bench/inputs.py``)
and a preallocated output:

* ``gelu_c`` and ``gelu_c.fast`` at each thread count of ``--threads`` (default 1 and
  the CPUs this process may run on), set with ``gelu_c.set_num_threads`` before each
  sample, not each call; calls below ``2 * min_per_thread`` elements (2^19) run on one
  thread whatever the count;
* the naive NumPy/SciPy expression (``bench/naive.py``; allocates, skipped without SciPy);
* PyTorch (aten ``.out`` overloads on the same arrays, ``bench/peers.py``) at its
  default thread count and at one thread, and JAX (``jax.jit``, ``block_until_ready``,
  one thread, allocates its result) when they are installed;
* the copy bound: ``np.copyto(out, x)`` on one thread, and split in contiguous parts
  over k Python threads for each count k > 1 of ``--threads`` (NumPy releases the GIL
  while it copies). A function with a third stream (``dy`` of a backward) is held to
  2/3 of the copy speed in elements, as in ``bench/report.py``'s 2^26 section.

A timing group caps its cost: each callable gets enough rounds to fill about
``budget`` seconds (three times that for gelu_c and the copies, whose figures the
ratios use), between ``min_rounds`` and ``rounds`` (the calibration's last sample
counts as one), so small sizes get many repeats and the 1 s naive calls at 2^26 a few.
Samples are short (2 ms), and the whole sweep runs twice, keeping the better figure:
see :class:`Settings`. Arrays are made per size and freed before the next.

Output: G elements/s per (function, dtype, implementation, threads) and size, then
the ratios the thread targets need at 2^24 and 2^26 float32: N threads over one thread
(≥ 0.9 N, 1.8 at two threads, where compute-bound), N threads over the best copy with
up to N threads (≥ 0.85 where memory-bound: where N times the one-thread speed would
reach 0.85 of the copy bound), and both tiers against PyTorch at its default thread count
(information). ``--plot`` draws throughput against size, one panel per (function,
dtype), copy bounds dashed (matplotlib is imported only then).
"""
import argparse
import concurrent.futures
import datetime
import gc
import json
import math
import os
import platform
import sys
import time
from operator import attrgetter

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import clock  # noqa: E402
import inputs  # noqa: E402
import naive  # noqa: E402
import peers  # noqa: E402
import report  # noqa: E402
import table  # noqa: E402
import timing  # noqa: E402

import gelu_c  # noqa: E402
from gelu_c.accuracy.progress import Progress  # noqa: E402

DEFAULT_SIZES = tuple(range(10, 27, 2))          # exponents: 2^10, 2^12, ..., 2^26
QUICK_SIZES = (12, 16, 20, 24)
DTYPES = ("float32", "float64")
FUNCTIONS = ("gelu", "gelu_backward")
RATIO_SIZES = (24, 26)                           # where the thread targets are read
RATIO_DTYPE = "float32"
SCALING_TARGET_PER_THREAD = 0.9                  # N threads ≥ 0.9 N one-thread (1.8 at 2)
COPY_TARGET = 0.85                               # within 15% of the copy bound
#: the implementations the thread ratios are read from: a larger timing budget
PRIMARY = ("gelu_c", "gelu_c.fast", "copy")
#: implementation keys in table order, and their labels
IMPLS = ("gelu_c", "gelu_c.fast", "naive", "torch", "jax", "copy")
LABELS = {"gelu_c": "gelu_c", "gelu_c.fast": "gelu_c.fast", "naive": "naive NumPy/SciPy",
          "torch": "PyTorch", "jax": "JAX jit", "copy": "np.copyto"}


class Settings:
    """Timing effort: ``passes`` passes over the whole sweep, each timing every group with
    up to ``rounds`` interleaved samples of at least ``min_sample`` seconds per callable,
    fewer for slow callables (about ``budget`` seconds each, ``min_rounds`` at least);
    the callables the thread ratios are read from (gelu_c and the copies) get ``primary``
    times that budget. A figure is the minimum over every sample of every pass.

    Samples are short (2 ms, where ``bench/report.py`` takes 10 ms) and rounds many: on
    2 shared vCPUs something else runs on one of them every few milliseconds, and a
    two-thread call waits for its slower half, so a 10 ms sample of 2^20-element calls
    almost always holds a disturbed call (two threads read 1.4x one thread there, 1.9x
    in 2 ms samples). Disturbances also come in bursts of seconds, longer than one
    group's timing: the second pass, a minute later, gives each figure another chance.
    """

    def __init__(self, quick):
        self.quick = quick
        self.passes = 1 if quick else 2
        self.rounds = 5 if quick else 13
        self.min_rounds = 1 if quick else 2
        self.min_sample = 0.001 if quick else 0.002
        self.budget = 0.03 if quick else 0.15
        self.primary = 3.0

    def describe(self):
        return (f"min over {self.passes} pass{'es' if self.passes > 1 else ''} of up to {self.rounds} "
                f"interleaved rounds (at least {self.min_rounds}, about {self.budget:g} s per callable "
                f"and size, {self.primary * self.budget:g} s for gelu_c and the copies), samples "
                f"≥ {self.min_sample * 1e3:g} ms")

    def time(self, fns, setups, primary=()):
        """Seconds per call of each callable: :func:`timing.interleaved_min`'s rotating
        rounds, with ``setups[name]()`` run before each sample of ``name`` (thread
        counts are per process: set per sample, never inside the timed calls); the
        names in ``primary`` get the larger budget."""
        names = list(fns)
        calib, best = {}, {}
        for name in names:
            setups[name]()
            # warm-up (thread pools, lazy init); a call that long is its own calibration
            t0 = time.perf_counter()
            fns[name]()
            t = time.perf_counter() - t0
            number, per_call = (1, t) if t >= self.min_sample else timing._calibrate(fns[name], self.min_sample)
            calib[name] = number, per_call
            best[name] = per_call       # the calibration's last sample is a sample
        budget = {name: self.budget * (self.primary if name in primary else 1.0) for name in names}
        rounds = {name: max(self.min_rounds - 1,
                            min(self.rounds - 1, int(budget[name] / (n * t)) - 1))
                  for name, (n, t) in calib.items()}
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            for r in range(max(rounds.values(), default=0)):
                k = r % len(names)
                for name in names[k:] + names[:k]:
                    if r >= rounds[name]:
                        continue
                    setups[name]()
                    number, per_call = calib[name]
                    best[name] = min(best[name],
                                     timing._sample(fns[name], number, per_call < timing.WARM_BELOW))
        finally:
            if gc_was_enabled:
                gc.enable()
        return best


# --------------------------------------------------------------------------- peers

class Torch:
    """PyTorch, if importable, with the thread count it chose itself (read before
    ``peers.import_torch`` sets one thread)."""

    def __init__(self):
        try:
            import torch
        except ImportError:
            self.torch, self.default_threads = None, None
            return
        self.default_threads = torch.get_num_threads()
        self.torch = peers.import_torch()

    def counts(self):
        """Thread counts to time: the default first, then one."""
        return [] if self.torch is None else list(dict.fromkeys((self.default_threads, 1)))

    def setup(self, k):
        return lambda: self.torch.set_num_threads(k)

    def info(self):
        if self.torch is None:
            return "torch not installed"
        return (f"torch {self.torch.__version__} ({peers.torch_capability()}), "
                f"default {self.default_threads} threads")


def _jax_version():
    jax = peers.import_jax()
    return None if jax is None else jax.__version__


class CopyPool:
    """``np.copyto(out, x)`` split into ``k`` contiguous parts, the caller copying the
    first and ``k - 1`` pool threads the rest (NumPy drops the GIL while copying)."""

    def __init__(self):
        self._pools = {}

    def call(self, out, x, k):
        if k == 1:
            return lambda: np.copyto(out, x)
        if k not in self._pools:
            self._pools[k] = concurrent.futures.ThreadPoolExecutor(k - 1, "sweep-copy")
        pool = self._pools[k]
        # part boundaries on 4 KiB multiples: no cache line or page written by two threads
        step = max(1, 4096 // x.itemsize)
        cuts = [min(x.size, -(-x.size * i // k // step) * step) for i in range(k + 1)]
        parts = [(out[a:b], x[a:b]) for a, b in zip(cuts, cuts[1:])]
        first, rest = parts[0], parts[1:]

        def copy():
            futures = [pool.submit(np.copyto, o, s) for o, s in rest]
            np.copyto(*first)
            for f in futures:
                f.result()
        return copy

    def close(self):
        for pool in self._pools.values():
            pool.shutdown()
        self._pools.clear()


# --------------------------------------------------------------------------- measuring

def _binary(name):
    return gelu_c.registry.get(name).nin == 2


def _streams(name):
    """Arrays a call moves: its inputs and its output."""
    return gelu_c.registry.get(name).nin + 1


def has_fast(name):
    return f"fast.{name}" in gelu_c.registry.names(tier="fast")


def group_callables(name, x, dy, out, thread_counts, torch, copies, with_jax):
    """The timing group of one function on one set of arrays.

    Returns
    -------
    (dict, dict)
        ``(implementation, threads) -> callable`` and ``-> setup`` (run before each sample).
    """
    args = (dy, x) if _binary(name) else (x,)
    fns, setups = {}, {}
    tiers = [("gelu_c", name)] + ([("gelu_c.fast", f"fast.{name}")] if has_fast(name) else [])
    for impl, attr in tiers:
        f = attrgetter(attr)(gelu_c)
        for k in thread_counts:
            fns[impl, k] = lambda f=f: f(*args, out=out)
            setups[impl, k] = lambda k=k: gelu_c.set_num_threads(k)
    one = lambda: gelu_c.set_num_threads(1)     # noqa: E731  (the others on one thread)
    if naive.HAVE_SCIPY:
        g = naive.NAIVE[name]
        fns["naive", 1], setups["naive", 1] = (lambda: g(*args)), one
    for k in torch.counts():
        ref = peers.torch_call(name, x, out, dy)
        if ref is not None:
            fns["torch", k], setups["torch", k] = ref, torch.setup(k)
    if with_jax:
        ref = peers.jax_call(name, x, dy)
        if ref is not None:
            fns["jax", 1], setups["jax", 1] = ref, one
    for k in thread_counts:
        fns["copy", k], setups["copy", k] = copies.call(out, x, k), one
    return fns, setups


def measure_group(cfg, name, dtype, n, data, thread_counts, torch, copies, with_jax):
    """G elements/s of every implementation of ``name`` at one size: a list of rows."""
    x, dy, out = data
    fns, setups = group_callables(name, x, dy if _binary(name) else None, out,
                                  thread_counts, torch, copies, with_jax)
    previous = gelu_c.get_num_threads()
    try:
        with np.errstate(all="ignore"):         # the naive forms overflow in exp, harmlessly
            t = cfg.time(fns, setups, primary={key for key in fns if key[0] in PRIMARY})
    finally:
        gelu_c.set_num_threads(previous)
        if torch.torch is not None:
            torch.torch.set_num_threads(torch.default_threads)
    rows = []
    for (impl, k), seconds in t.items():
        gps = n / seconds / 1e9
        rows.append({"function": name, "dtype": dtype, "implementation": impl, "threads": k, "n": n,
                     "seconds": seconds, "gps": gps,
                     # a backward moves 3 arrays to copyto's 2: its bound in elements is 2/3
                     "bound_gps": gps * 2 / _streams(name) if impl == "copy" else None})
    return rows


def _weight(n):
    """Progress steps of one timing group: about its cost (fixed, then growing with n)."""
    return 1 + round(n / (1 << 23))


def sweep(cfg, sizes, dtypes, functions, thread_counts, torch, with_jax, progress):
    """Every timing group, ``cfg.passes`` times; arrays made per (dtype, size) and freed
    before the next. Each figure is the best over the passes."""
    best, copies = {}, CopyPool()
    with_dy = any(_binary(name) for name in functions)
    try:
        for p in range(cfg.passes):
            for dtype in dtypes:
                for n in sizes:
                    out = np.empty(n, dtype)
                    out.fill(0)             # touch the pages now, not inside a timed call
                    data = (inputs.make_x("normal", n, dtype), inputs.make_dy(n, dtype) if with_dy else None,
                            out)
                    del out
                    for name in functions:
                        progress.label = (f"sweep{f' pass {p + 1}/{cfg.passes}' if cfg.passes > 1 else ''} "
                                          f"{name} {dtype} {report._nlabel(n):>5}")
                        progress.step(0)
                        for row in measure_group(cfg, name, dtype, n, data, thread_counts, torch, copies,
                                                 with_jax):
                            key = tuple(row[k] for k in ("function", "dtype", "implementation", "threads", "n"))
                            if key not in best or row["seconds"] < best[key]["seconds"]:
                                best[key] = row
                        progress.step(_weight(n))
                    del data
                    gc.collect()
    finally:
        copies.close()
    return list(best.values())


# --------------------------------------------------------------------------- ratios

def ratio_rows(rows, thread_counts, gelu_c_default, torch, min_split):
    """The thread targets' ratios at 2^24 and 2^26 float32 (or, when the sweep has neither,
    at its largest size): one row per function, tier and size. Sizes below gelu_c's
    split (``2 * min_split``) run on one thread: shown, not judged."""
    index = {(r["function"], r["dtype"], r["implementation"], r["threads"], r["n"]): r for r in rows}
    sizes = sorted({r["n"] for r in rows if r["dtype"] == RATIO_DTYPE})
    wanted = [n for n in sizes if n.bit_length() - 1 in RATIO_SIZES] or sizes[-1:]
    many = max(thread_counts)
    if many == 1:
        return [], wanted
    target = SCALING_TARGET_PER_THREAD * many
    dflt = gelu_c_default if gelu_c_default in thread_counts else many
    out = []
    for name in dict.fromkeys(r["function"] for r in rows):
        for impl in ("gelu_c", "gelu_c.fast"):
            for n in wanted:
                def g(i, k, impl=impl, n=n, name=name):
                    r = index.get((name, RATIO_DTYPE, i, k, n))
                    return None if r is None else r["gps"]
                g1, gn = g(impl, 1), g(impl, many)
                if g1 is None or gn is None:
                    continue
                bound = max(index[name, RATIO_DTYPE, "copy", k, n]["bound_gps"]
                            for k in thread_counts if k <= many)
                scaling, to_copy = gn / g1, gn / bound
                memory = many * g1 >= COPY_TARGET * bound     # linear scaling would reach it
                split = n >= 2 * min_split
                met = (scaling >= target or to_copy >= COPY_TARGET) if split else None
                if not split:
                    limit_target = f"— (one thread below {report._nlabel(2 * min_split)})"
                elif memory:
                    limit_target = f"copy ≥ {COPY_TARGET:.2f}"
                else:
                    limit_target = f"×{many} ≥ {target:.2f}"
                tg = g("torch", torch.default_threads) if torch.torch is not None else None
                out.append({"function": name, "tier": impl, "dtype": RATIO_DTYPE, "n": n,
                            "threads": many, "gps_1": g1, "gps_n": gn, "scaling": scaling,
                            "copy_bound_gps": bound, "to_copy": to_copy,
                            "limit": "memory" if memory else "compute",
                            "target": limit_target,
                            "met": met, "gelu_c_default_threads": dflt, "gps_default": g(impl, dflt),
                            "torch_threads": torch.default_threads, "torch_gps": tg,
                            "vs_torch": g(impl, dflt) / tg if tg else None})
    return out, wanted


# --------------------------------------------------------------------------- output

def _impl_label(impl, k, torch):
    if impl == "torch" and k == torch.default_threads:
        return f"{LABELS[impl]} (default)"
    return LABELS[impl]


def throughput_table(rows, sizes, torch, markdown):
    keys = list(dict.fromkeys((r["function"], r["dtype"], r["implementation"], r["threads"])
                              for r in rows))
    order = {impl: i for i, impl in enumerate(IMPLS)}
    fn_order = {f: i for i, f in enumerate(dict.fromkeys(k[0] for k in keys))}
    keys.sort(key=lambda k: (fn_order[k[0]], k[1], order[k[2]], k[3]))
    index = {(r["function"], r["dtype"], r["implementation"], r["threads"], r["n"]): r for r in rows}
    heads = ("function", "dtype", "implementation", "threads") + tuple(report._nlabel(n) for n in sizes)
    cells = []
    for name, dtype, impl, k in keys:
        label = _impl_label(impl, k, torch)
        if impl == "copy" and _streams(name) != 2:
            label += f" ×2/{_streams(name)}"
        vals = []
        for n in sizes:
            r = index.get((name, dtype, impl, k, n))
            vals.append(table.fmt_gps(None if r is None else (r["bound_gps"] or r["gps"])))
        cells.append((name, dtype, label, str(k)) + tuple(vals))
    return table.render(heads, cells, markdown)


def ratios_table(rat, markdown):
    if not rat:
        return "(no ratios: one thread count only)"
    many = rat[0]["threads"]
    tt = rat[0]["torch_threads"]
    heads = ("function", "tier", "n", "1 thread G elem/s", f"{many} threads G elem/s",
             f"{many} thr / 1 thr", f"best copy ≤ {many} thr G elem/s", f"{many} thr / copy",
             "limited by", "target", "met?", f"PyTorch ({tt} thr) G elem/s" if tt else "PyTorch G elem/s",
             f"gelu_c ({rat[0]['gelu_c_default_threads']} thr) / PyTorch")
    cells = [(r["function"], r["tier"], report._nlabel(r["n"]), table.fmt_gps(r["gps_1"]),
              table.fmt_gps(r["gps_n"]), table.fmt_ratio(r["scaling"]), table.fmt_gps(r["copy_bound_gps"]),
              table.fmt_ratio(r["to_copy"]), r["limit"], r["target"], table.fmt_met(r["met"]),
              table.fmt_gps(r["torch_gps"]), table.fmt_ratio(r["vs_torch"])) for r in rat]
    return table.render(heads, cells, markdown)


# --------------------------------------------------------------------------- picture

COLORS = {"gelu_c": "tab:blue", "gelu_c.fast": "tab:green", "naive": "tab:gray",
          "torch": "tab:red", "jax": "tab:purple", "copy": "black"}


def plot(rows, path, thread_counts, torch, min_split):
    """Throughput (log) against size (log2), one panel per (function, dtype); one line per
    implementation and thread count, the copy bounds dashed."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    panels = list(dict.fromkeys((r["function"], r["dtype"]) for r in rows))
    ncols = 2 if len(panels) > 1 else 1
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.2 * ncols, 4.3 * nrows), dpi=110, squeeze=False)
    many = max(thread_counts)
    order = {impl: i for i, impl in enumerate(IMPLS)}
    legend = {}
    for ax, (name, dtype) in zip(axes.flat, panels):
        part = [r for r in rows if r["function"] == name and r["dtype"] == dtype]
        lines = sorted(dict.fromkeys((r["implementation"], r["threads"]) for r in part),
                       key=lambda k: (order[k[0]], k[1]))
        for impl, k in lines:
            pts = sorted((r["n"], r["bound_gps"] or r["gps"]) for r in part
                         if r["implementation"] == impl and r["threads"] == k)
            xs, ys = zip(*pts)
            label = f"{_impl_label(impl, k, torch)}, {k} thread{'s' if k > 1 else ''}"
            if impl == "copy":
                label = f"copy bound (np.copyto), {k} thread{'s' if k > 1 else ''}"
                style = dict(ls="--", lw=1.4 if k == many else 1.0, alpha=1.0 if k == many else 0.55)
            else:
                style = dict(ls="-", lw=2.0 if k == many and k > 1 else 1.1, marker="o" if k == 1 else "s",
                             ms=3, alpha=1.0 if k > 1 or impl not in ("gelu_c", "gelu_c.fast") else 0.6)
            ax.plot(xs, ys, color=COLORS[impl], label=label, **style)
        ax.axvline(2 * min_split, color="0.6", lw=0.8, ls=":")
        ax.text(2 * min_split, 0.02, f" gelu_c splits calls from {report._nlabel(2 * min_split)}",
                transform=ax.get_xaxis_transform(), fontsize=6.5, color="0.4")
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.set_xlabel("elements")
        ax.set_ylabel("G elements/s")
        streams = _streams(name)
        ax.set_title(f"{name} {dtype}" + (f" (copy bound ×2/{streams}: {streams} streams)"
                                          if streams != 2 else ""), fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
        for h, lab in zip(*ax.get_legend_handles_labels()):
            legend.setdefault(lab, h)
    for ax in list(axes.flat)[len(panels):]:
        ax.set_visible(False)
    fig.suptitle(f"Throughput against size, preallocated outputs ({report._machine()}, "
                 f"{len(os.sched_getaffinity(0))} allowed)", fontsize=9)
    ncol = 4 if ncols > 1 else 2
    fig.legend(legend.values(), legend.keys(), loc="lower center", ncol=ncol, fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0.035 * math.ceil(len(legend) / ncol) / nrows, 1, 1))
    fig.savefig(path)
    plt.close(fig)


# --------------------------------------------------------------------------- command line

def parse_sizes(text):
    """``10,12,20`` (exponents), ``2^20``, ``10:26:2`` (exponents, inclusive), or an
    element count (64 and above) -> sorted element counts."""
    out = set()
    for tok in (t.strip() for t in text.split(",")):
        if not tok:
            continue
        try:
            if ":" in tok:
                a, b, *s = (int(v) for v in tok.split(":"))
                out.update(1 << e for e in range(a, b + 1, s[0] if s else 1))
            elif tok.startswith("2^"):
                out.add(1 << int(tok[2:]))
            else:
                v = int(tok)
                out.add(v if v >= 64 else 1 << v)
        except ValueError:
            raise ValueError(f"--sizes: cannot read {tok!r}") from None
    if not out or min(out) < 1:
        raise ValueError(f"--sizes: no sizes in {text!r}")
    return sorted(out)


def _list(text, known, what):
    items = [t.strip() for t in text.split(",") if t.strip()]
    unknown = [t for t in items if t not in known]
    if unknown or not items:
        raise argparse.ArgumentTypeError(f"unknown {what}: {', '.join(unknown) or text!r}")
    return items


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help=f"sizes 2^{', 2^'.join(map(str, QUICK_SIZES))} unless --sizes, short timing")
    ap.add_argument("--sizes", help="exponents (10,12,20), 2^k, a range a:b:step of exponents, or "
                                    "element counts ≥ 64 (default 10:26:2)")
    ap.add_argument("--dtypes", default=",".join(DTYPES), help="default: float32,float64")
    ap.add_argument("--functions", default=",".join(FUNCTIONS),
                    help="gelu_c function names (both tiers timed); default: gelu,gelu_backward")
    ap.add_argument("--threads", help="gelu_c thread counts and k-thread copies (default: 1 and "
                                      "the CPUs this process may run on)")
    ap.add_argument("--path", default="auto", help="gelu_c kernel path (default: auto)")
    ap.add_argument("--markdown", action="store_true", help="print Markdown tables")
    ap.add_argument("--json", metavar="PATH", help="also write every figure to PATH as JSON")
    ap.add_argument("--plot", metavar="PNG", help="draw the picture (needs matplotlib)")
    ap.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    args = ap.parse_args(argv)
    try:
        sizes = parse_sizes(args.sizes or ",".join(map(str, QUICK_SIZES if args.quick else DEFAULT_SIZES)))
        dtypes = _list(args.dtypes, DTYPES, "dtypes")
        functions = _list(args.functions, gelu_c.registry.names(), "functions")
        cpus = len(os.sched_getaffinity(0))
        thread_counts = sorted({int(t) for t in args.threads.split(",")} if args.threads else {1, cpus})
        if min(thread_counts) < 1:
            raise ValueError("thread counts must be ≥ 1")
    except (ValueError, argparse.ArgumentTypeError) as exc:
        ap.error(str(exc))
    if 1 not in thread_counts:
        thread_counts.insert(0, 1)      # the ratios are against one thread
    cfg = Settings(args.quick)
    gelu_c.set_kernel_path(args.path)
    gelu_c_default = gelu_c.get_num_threads()
    min_split = getattr(gelu_c._ufuncs, "get_min_per_thread", lambda: 1 << 18)()

    torch = Torch()                     # before anything calls peers.import_torch
    jax_version = _jax_version()
    ghz, clock_note = clock.measure_ghz(reps=100 if args.quick else 300)
    meta = {
        "command": "python bench/sweep.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "gelu_c": f"{gelu_c.__version__}, kernel path {gelu_c.get_kernel_path()}, default "
                  f"{gelu_c_default} threads, calls split from {report._nlabel(2 * min_split)} elements",
        "machine": f"{report._machine()}, {cpus} allowed", "clock_ghz": ghz, "clock": clock_note,
        "numpy": np.__version__, "python": platform.python_version(), "torch": torch.info(),
        "jax": f"jax {jax_version} jit, 1 thread" if jax_version else "jax not installed",
        "naive": "bench/naive.py" if naive.HAVE_SCIPY else "SciPy not installed: naive rows skipped",
        "threads": f"gelu_c and copies at {', '.join(map(str, thread_counts))}",
        "timing": cfg.describe(),
        "load": "load average {:.2f} {:.2f} {:.2f} before".format(*os.getloadavg()),
    }

    total = sum(_weight(n) for n in sizes) * len(dtypes) * len(functions) * cfg.passes
    progress = Progress(total, "sweep", stream=None if args.no_progress else sys.stderr)
    t0 = datetime.datetime.now()
    try:
        rows = sweep(cfg, sizes, dtypes, functions, thread_counts, torch, jax_version is not None, progress)
    finally:
        progress.close()
    meta["wall"] = f"{(datetime.datetime.now() - t0).total_seconds():.0f} s of timing"
    meta["load"] += ", {:.2f} {:.2f} {:.2f} after (other work on the machine slows the threaded rows first)".format(
        *os.getloadavg())
    rat, rat_sizes = ratio_rows(rows, thread_counts, gelu_c_default, torch, min_split)

    md = args.markdown
    print(report._heading("Setup", md).lstrip("\n"))
    for k, v in meta.items():
        print(f"- {k}: {v}" if md else f"  {k:11s} {v}")
    print(report._heading("throughput, G elements/s (copy rows: the copy bound in elements; "
                          "×2/3 for a backward's three streams)", md))
    print(throughput_table(rows, sizes, torch, md))
    many = max(thread_counts)
    at = ", ".join(report._nlabel(n) for n in rat_sizes) or "—"
    print(report._heading(
        f"thread targets at {at} {RATIO_DTYPE}: {many} threads / 1 thread ≥ "
        f"{SCALING_TARGET_PER_THREAD * many:.2f} where compute-bound, {many} threads / best copy with "
        f"≤ {many} threads ≥ {COPY_TARGET} where memory-bound ({many} × the one-thread speed reaches "
        f"{COPY_TARGET} of the copy bound); met if either holds. Last column: gelu_c at its default "
        f"threads / PyTorch at its default threads (information)", md))
    print(ratios_table(rat, md))
    if rat:
        judged = [r for r in rat if r["met"] is not None]
        print(f"\n{sum(r['met'] for r in judged)} of {len(judged)} thread targets met.  "
              f"Reproduce: {meta['command']}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"meta": meta, "rows": rows, "ratios": rat}, fh, indent=1)
    if args.plot:
        plot(rows, args.plot, thread_counts, torch, min_split)
        print(f"wrote {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
