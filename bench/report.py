"""The speed report: every target line measured in one process, as a table.

Usage::

    python bench/report.py [--quick] [--markdown] [--json PATH] [--path auto|scalar|avx2]
                           [--sections torch,avx2,jax,bound,huge,small,naive,values,fast,
                                       fast-avx2,exact,stochastic,general,half]

Every ratio is ``reference time / gelu_c time`` on the same data in the same process,
taken as the minimum of interleaved rounds (``bench/timing.py``), with a preallocated
output on both sides wherever the reference allows one. So a ratio above 1 means
gelu_c is faster, and a target of ``≥ 0.83`` reads "at most 1.2x slower".

Sections
--------
torch   float32 gelu / gelu_tanh / silu / gelu_sigmoid (vs torch silu) / gelu_backward and
        float64 gelu at 2^20 against PyTorch on one thread, at its full ISA; float32 rows
        also give both sides' worst error in ULPs on that data (vs SciPy in float64).
avx2    the same, in a child process with ``ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2``
        (what an AVX2-only machine runs); the ratio is timed in that child.
jax     the same functions against ``jax.jit`` (information only: JAX has no ``out=``).
bound   float32 kernels against the FMA bound from ``tools/count_ops.py`` at the measured clock.
huge    float32 at 2^26 (beyond the caches) per element vs 2^20, and the copy bound.
small   1024 elements against ``np.negative`` on the same array (the ufunc-call floor).
naive   every function, both dtypes, against its naive NumPy/SciPy expression.
values  every function of both tiers, both dtypes: deep tail, subnormal results, NaN, +-1e30 (and a
        stride-2 view, shown only) against standard-normal inputs.
fast    the fast tier (``gelu_c.fast``) against PyTorch at its full ISA, against MKL's
        AVX2 CdfNorm kernel in LA mode (optional peer, ``bench/mkl_peer.py``), and every
        fast function against its exact-tier twin; with each kernel's operation count
        (``tools/count_ops.py``) and vector operations per cycle at the measured clock.
fast-avx2  the fast tier's PyTorch rows with PyTorch limited to AVX2 (child process).
exact   the exact tier's norm_cdf and gelu against MKL's AVX2 CdfNorm kernel in HA mode
        (about 1 ULP; gelu against x times it), and with ``--baseline DIR`` every exact
        function against an earlier build loaded beside this one (``bench/baseline.py``).
stochastic  stochastic_gelu against drawing its uniforms plus one fast.norm_cdf call.
general gelu_general(x, mu, sigma) with scalar mu, sigma against gelu on the same x (within
        1.3x its time), and informative rows: per-channel mu, sigma (x (8192, 128)), the
        fast tier, gelu_general_grad / _backward against gelu_grad / gelu_backward, and
        the naive ``x * ndtr((x - mu) / sigma)`` (skipped without SciPy).
half    every function on float16 and bfloat16 (ml_dtypes; skipped without it), both tiers,
        against gelu_c.fast on float32 per element, and against PyTorch's op on the same
        dtype, at 2^20 on normal(0, 3) inputs.
"""
import argparse
import datetime
from operator import attrgetter
import json
import os
import platform
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import baseline
import bound
import clock
import inputs
import mkl_peer
import naive
import peers
import table
import timing

import gelu_c

N10, N14, N20, N26 = 1 << 10, 1 << 14, 1 << 20, 1 << 26
SECTIONS = ("torch", "avx2", "jax", "bound", "huge", "small", "naive", "values", "fast",
            "fast-avx2", "exact", "stochastic", "general", "half")

#: (function, dtype, minimum speed-up over torch, or None for rows shown for information)
TORCH_TARGETS = (
    ("gelu", "float32", 1.5),
    ("gelu_tanh", "float32", 5.0),
    ("silu", "float32", 2.0),
    ("gelu_sigmoid", "float32", 2.0),
    ("gelu_backward", "float32", 1.5),
    ("gelu", "float64", 3.0),
    ("norm_cdf", "float32", None),
    ("gelu_tanh_backward", "float32", None),
    ("silu_backward", "float32", None),
)
#: the fast tier: (function, dtype, reference, minimum speed-up over it)
FAST_TARGETS = (
    ("fast.gelu", "float32", "torch", 1.3),
    ("fast.gelu_tanh", "float32", "torch", 6.0),
    ("fast.silu", "float32", "torch", 2.0),
    ("fast.gelu_sigmoid", "float32", "torch", 2.0),
    ("fast.gelu_backward", "float32", "torch", 1.5),
    ("fast.norm_cdf", "float32", "mkl", 1.0),
    ("fast.norm_cdf", "float32", "torch", 3.0),
    ("fast.gelu", "float64", "mkl", 1.0),
    ("fast.gelu", "float64", "torch", 3.0),
)
FAST_TWIN_TARGET = 1.5          # every fast function against its exact-tier twin
#: the exact tier against MKL's AVX2 CdfNorm in HA mode (about 1 ULP): (function, dtype,
#: minimum speed-up); gelu is x times MKL's Phi (one more rounding than gelu_c's)
EXACT_MKL_TARGETS = (
    ("norm_cdf", "float32", 1.0),
    ("norm_cdf", "float64", 1.0),
    ("gelu", "float32", 0.9),
    ("gelu", "float64", 0.9),
)
EXACT_BASELINE_TARGET = 1.5     # every other exact function against an earlier build
STOCHASTIC_TARGET = 0.5         # stochastic_gelu within 2x of its uniforms plus one fast Phi
GENERAL_TARGET = 1 / 1.3        # gelu_general, scalar mu and sigma, within 1.3x the time of gelu
GENERAL_MU, GENERAL_SIGMA = 0.3, 1.2
GENERAL_CHANNELS = 128          # per-channel rows: x (2^20 / 128, 128), mu and sigma (128,)
HALF_TARGET = 1.0               # half loops (both tiers) at least as fast as float32 fast.*
#: half precision against PyTorch on the same dtype; other torch ops shown for information
HALF_TORCH_TARGETS = {"gelu": 1.0, "gelu_tanh": 1.0, "silu": 1.0}
HALF_SIGMA = 3.0                # inputs normal(0, 3): lookups spread over more of the table
NAIVE_TARGET = 20.0
SMALL_TARGET = 1 / 1.5          # per-call time within 1.5x of np.negative
HUGE_TARGET = 1 / 1.1           # per-element time at 2^26 within 10% of 2^20
VALUE_TARGET = 1 / 1.2          # special inputs within 1.2x of standard normal
BOUND_TARGET = 1 / 1.3          # within 1.3x of the FMA bound
AVX2_ENV = {"ONEDNN_MAX_CPU_ISA": "AVX2", "ATEN_CPU_CAPABILITY": "avx2"}
HEADERS = ("function", "dtype", "n", "gelu_c G elem/s", "reference", "ref G elem/s",
           "ratio", "target", "met?", "note")


class Settings:
    """Timing effort: ``rounds`` interleaved samples of at least ``min_sample`` seconds."""

    def __init__(self, quick):
        self.quick = quick
        # Short samples, many rounds: on a loaded machine, the more (short) chances the
        # likelier one sample runs undisturbed.
        self.rounds = 5 if quick else 25
        self.min_sample = 0.005 if quick else 0.01

    def time(self, fns):
        return timing.interleaved_min(fns, rounds=self.rounds, min_sample=self.min_sample)


def _binary(name):
    return gelu_c.registry.get(name).nin == 2


def _args(name, x, dy):
    return (dy, x) if _binary(name) else (x,)


def _data(name, dtype, n, kind="normal"):
    base = gelu_c.registry.get(name).name          # both tiers on the same data
    x = inputs.make_x(kind, n, dtype, name=base)
    dy = inputs.make_dy(n, dtype) if _binary(name) else None
    return x, dy, np.zeros(n, dtype)


def _ours(name, x, dy, out):
    f, args = attrgetter(name)(gelu_c), _args(name, x, dy)
    return lambda: f(*args, out=out)


def _row(section, name, dtype, n, gps, ref, ref_gps, target, note="", met=None):
    """One table row; ratio = our speed / reference speed (= reference time / our time)."""
    ratio = gps / ref_gps if gps and ref_gps else None
    if met is None and target is not None and ratio is not None:
        met = ratio >= target
    return {"section": section, "function": name, "dtype": dtype, "n": n, "n_label": _nlabel(n),
            "gelu_c_gps": gps, "reference": ref, "ref_gps": ref_gps, "ratio": ratio, "target": target,
            "met": met, "note": note}


def _nlabel(n):
    return f"2^{n.bit_length() - 1}" if n > 1024 and n & (n - 1) == 0 else str(n)


def _max_ulp32(name, got, x, dy):
    """Worst error in float32 ULPs against SciPy's float64 evaluation (fine for float32).

    Within the zero band of a derivative's zero (``zeros.zero_band(name)``, from the
    function's bound in the registry) the float64 reference itself loses the relative
    accuracy a ULP count needs, and the bound is absolute there: this quick figure
    leaves those points out (the accuracy harness, ``python -m gelu_c.accuracy``,
    applies the absolute rule to them instead).
    """
    from gelu_c.accuracy import zeros
    from gelu_c.accuracy.scipy_reference import scipy_reference
    x64 = x.astype(np.float64)
    ref = scipy_reference(name, x64, None if dy is None else dy.astype(np.float64))
    keep = ~zeros.near_derivative_zero(name, x64)     # all kept for a value function
    ulp = np.exp2(np.floor(np.log2(np.maximum(np.abs(ref), 2.0 ** -126))) - 23)
    with np.errstate(all="ignore"):
        err = np.abs(got.astype(np.float64) - ref) / ulp
    return float(np.nanmax(err[keep]))


# --------------------------------------------------------------------------- sections

def torch_rows(cfg, section="torch", targets=TORCH_TARGETS):
    """gelu_c vs PyTorch (whatever ISA this process's torch runs at) on ``targets``:
    (function, dtype, minimum ratio or None), the function of either tier."""
    if peers.import_torch() is None:
        return []
    label = f"torch {peers.torch_capability()}"
    rows = []
    for name, dtype, target in targets:
        base = gelu_c.registry.get(name).name
        x, dy, out = _data(name, dtype, N20)
        tout = np.zeros_like(out)
        ref = peers.torch_call(base, x, tout, dy)
        t = cfg.time({"ours": _ours(name, x, dy, out), "ref": ref})
        note = ""
        if base in peers.TORCH_STAND_INS:
            note = "torch has no gelu_sigmoid: its silu, the same cost class"
        elif dtype == "float32" and naive.HAVE_SCIPY:
            note = (f"worst err: gelu_c {_max_ulp32(base, out, x, dy):.2g} ulp, "
                    f"torch {_max_ulp32(base, tout, x, dy):.2g} ulp")
        rows.append(_row(section, name, dtype, N20, N20 / t["ours"] / 1e9,
                         f"{label} {peers.TORCH_EQUIV[base]}", N20 / t["ref"] / 1e9, target, note))
    return rows


def fast_torch_rows(cfg, section="fast"):
    """The fast tier's rows against PyTorch."""
    return torch_rows(cfg, section, [(n, d, t) for n, d, ref, t in FAST_TARGETS if ref == "torch"])


def fast_rows(cfg, ghz):
    """The fast tier against MKL (optional) and against its exact twins, with the op
    counts of its kernels; the PyTorch rows come from :func:`fast_torch_rows`."""
    rows = fast_torch_rows(cfg)
    mkl = mkl_peer.load()
    for name, dtype, ref_kind, target in FAST_TARGETS:
        if ref_kind != "mkl" or mkl is None:
            continue
        x, dy, out = _data(name, dtype, N20)
        ref_out = np.zeros_like(out)
        f = mkl.cdf_norm(dtype, "LA")
        t = cfg.time({"ours": _ours(name, x, dy, out), "ref": lambda: f(x, ref_out)})
        rows.append(_row("fast", name, dtype, N20, N20 / t["ours"] / 1e9,
                         "MKL AVX2 CdfNorm LA", N20 / t["ref"] / 1e9, target,
                         "Φ alone" if gelu_c.registry.get(name).name != "norm_cdf" else ""))
    counts = {f64: bound.load_op_counts(f64=f64)[0] or {} for f64 in (False, True)}
    for name in gelu_c.registry.names(tier="fast"):
        twin = gelu_c.registry.get(name).name
        for dtype in ("float32", "float64"):
            x, dy, out = _data(name, dtype, N20)
            out2 = np.zeros_like(out)
            t = cfg.time({"ours": _ours(name, x, dy, out), "ref": _ours(twin, x, dy, out2)})
            gps = N20 / t["ours"] / 1e9
            c = counts.get(dtype == "float64", {}).get(gelu_c.registry.get(name).cname, {})
            note = ""
            if c.get("total") and twin in counts[dtype == "float64"]:
                lanes = 8 if dtype == "float32" else 4
                note = f"{c['total']} ops/vector (exact {counts[dtype == 'float64'][twin]['total']})"
                if ghz:
                    note += f", {c['total'] * gps / lanes / ghz:.2f} ops/cycle"
            rows.append(_row("fast", name, dtype, N20, gps, f"gelu_c.{twin}", N20 / t["ref"] / 1e9,
                             FAST_TWIN_TARGET, note))
    return rows


def exact_rows(cfg, ghz, base=None):
    """The exact tier against MKL's HA kernels (optional) and, with ``base`` (a
    :class:`baseline.Baseline`), every exact function against that earlier build on the
    same kernel path, interleaved in this process; op counts beside."""
    rows = []
    mkl = mkl_peer.load()
    for name, dtype, target in EXACT_MKL_TARGETS:
        if mkl is None:
            break
        x, dy, out = _data(name, dtype, N20)
        ref_out = np.zeros_like(out)
        f = mkl.cdf_norm(dtype, "HA")
        if name == "norm_cdf":
            ref = lambda f=f, x=x, o=ref_out: f(x, o)
        else:
            ref = lambda f=f, x=x, o=ref_out: (f(x, o), np.multiply(x, o, out=o))
        t = cfg.time({"ours": _ours(name, x, dy, out), "ref": ref})
        rows.append(_row("exact", name, dtype, N20, N20 / t["ours"] / 1e9,
                         "MKL AVX2 CdfNorm HA" + (" times x" if name != "norm_cdf" else ""),
                         N20 / t["ref"] / 1e9, target))
    if base is None:
        return rows
    base.set_path(gelu_c.get_kernel_path())
    counts = {f64: bound.load_op_counts(f64=f64)[0] or {} for f64 in (False, True)}
    exact_mkl = {(n, d) for n, d, _ in EXACT_MKL_TARGETS}
    for name in gelu_c.registry.names():
        for dtype in ("float32", "float64"):
            x, dy, out = _data(name, dtype, N20)
            out2 = np.zeros_like(out)
            old = base.ufuncs[name]
            args = _args(name, x, dy)
            t = cfg.time({"ours": _ours(name, x, dy, out), "ref": lambda: old(*args, out=out2)})
            gps = N20 / t["ours"] / 1e9
            c = counts[dtype == "float64"].get(gelu_c.registry.get(name).cname, {})
            note = ""
            if c.get("total"):
                lanes = 8 if dtype == "float32" else 4
                note = f"{c['total']} ops/vector"
                if ghz:
                    note += f", {c['total'] * gps / lanes / ghz:.2f} ops/cycle"
            target = None if (name, dtype) in exact_mkl else EXACT_BASELINE_TARGET
            rows.append(_row("exact", name, dtype, N20, gps, f"gelu_c {base.label}",
                             N20 / t["ref"] / 1e9, target, note))
    return rows


def stochastic_rows(cfg):
    """stochastic_gelu against what it cannot avoid: drawing the uniforms and one
    fast.norm_cdf call, both into preallocated arrays, timed interleaved."""
    rows = []
    for dtype in ("float32", "float64"):
        x, _, out = _data("gelu", dtype, N20)
        u, p = np.zeros_like(out), np.zeros_like(out)
        g1, g2 = np.random.default_rng(1), np.random.default_rng(2)

        def floor():
            g2.random(out=u, dtype=u.dtype)
            gelu_c.fast.norm_cdf(x, out=p)
        t = cfg.time({"ours": lambda: gelu_c.stochastic_gelu(x, rng=g1, out=out), "ref": floor})
        rows.append(_row("stochastic", "stochastic_gelu", dtype, N20, N20 / t["ours"] / 1e9,
                         "uniforms + fast.norm_cdf", N20 / t["ref"] / 1e9, STOCHASTIC_TARGET))
    return rows


def general_rows(cfg):
    """gelu_general against gelu on the same x at 2^20, both tiers, interleaved: one mu
    and one sigma (0-d arrays, stride 0: the loop that hoists 1/sigma) judged, and shown
    for information per-channel mu, sigma, the derivative and backward (``out=`` tuples)
    against gelu's, and the naive ``x * ndtr((x - mu) / sigma)`` when SciPy is there."""
    rows = []
    for dtype in ("float32", "float64"):
        x, dy, out = _data("gelu_backward", dtype, N20)
        ref_out, outs = np.zeros_like(out), tuple(np.zeros_like(out) for _ in range(3))
        mu, sigma = np.asarray(GENERAL_MU, dtype), np.asarray(GENERAL_SIGMA, dtype)
        xc, outc = x.reshape(-1, GENERAL_CHANNELS), out.reshape(-1, GENERAL_CHANNELS)
        muc = np.linspace(-0.5, 0.5, GENERAL_CHANNELS, dtype=dtype)
        sigmac = np.linspace(0.5, 2.0, GENERAL_CHANNELS, dtype=dtype)
        scalar = f"μ={GENERAL_MU}, σ={GENERAL_SIGMA} scalars"
        cases = [  # (ours, its arguments, outputs, reference, its arguments, target, note)
            ("gelu_general", (x, mu, sigma), out, "gelu", (x,), GENERAL_TARGET, scalar),
            ("gelu_general", (xc, muc, sigmac), outc, "gelu", (x,), None,
             f"per-channel: x {xc.shape}, μ, σ ({GENERAL_CHANNELS},)"),
            ("fast.gelu_general", (x, mu, sigma), out, "fast.gelu", (x,), None, scalar),
            ("gelu_general_grad", (x, mu, sigma), outs, "gelu_grad", (x,), None, scalar + ", 3 outputs"),
            ("gelu_general_backward", (dy, x, mu, sigma), outs, "gelu_backward", (dy, x), None,
             scalar + ", 3 outputs"),
        ]
        for name, args, o, ref, ref_args, target, note in cases:
            f, g = attrgetter(name)(gelu_c), attrgetter(ref)(gelu_c)
            t = cfg.time({"ours": lambda f=f, a=args, o=o: f(*a, out=o),
                          "ref": lambda g=g, a=ref_args: g(*a, out=ref_out)})
            rows.append(_row("general", name, dtype, N20, N20 / t["ours"] / 1e9, f"gelu_c.{ref}",
                             N20 / t["ref"] / 1e9, target,
                             f"{note}; {t['ours'] / t['ref']:.2f}x the time of {ref}"))
        if naive.HAVE_SCIPY:
            with np.errstate(all="ignore"):
                t = cfg.time({"ours": lambda: gelu_c.gelu_general(x, mu, sigma, out=out),
                              "naive": lambda: naive.gelu_general(x, mu, sigma)})
            rows.append(_row("general", "gelu_general", dtype, N20, N20 / t["ours"] / 1e9,
                             "naive x·ndtr((x−μ)/σ)", N20 / t["naive"] / 1e9, None, scalar))
    return rows


def _half_dtypes():
    """float16, and bfloat16 when ml_dtypes imports (gelu_c registers its loops only then)."""
    try:
        import ml_dtypes
    except ImportError:
        return [np.dtype(np.float16)]
    return [np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16)]


def half_rows(cfg):
    """Every function on float16 and bfloat16 at 2^20: the exact tier against
    ``gelu_c.fast`` on float32 (the same values widened), the fast tier's figure in the
    note and in met?, and PyTorch's op on the same dtype, all timed interleaved."""
    torch_label = f"torch {peers.torch_capability()}" if peers.import_torch() else None
    rows = []
    for dtype in _half_dtypes():
        x = (HALF_SIGMA * inputs.make_x("normal", N20, np.float64)).astype(dtype)
        dy_all = inputs.make_dy(N20, dtype)
        x32, dy32_all = x.astype(np.float32), dy_all.astype(np.float32)
        out, out2, tout, out32 = (np.zeros(N20, d) for d in (dtype, dtype, dtype, np.float32))
        for name in gelu_c.registry.names():
            dy, dy32 = (dy_all, dy32_all) if _binary(name) else (None, None)
            fns = {"exact": _ours(name, x, dy, out), "fast": _ours("fast." + name, x, dy, out2),
                   "f32": _ours("fast." + name, x32, dy32, out32)}
            with_torch = name in peers.TORCH_EQUIV and name not in peers.TORCH_STAND_INS
            if with_torch and torch_label:
                fns["torch"] = peers.torch_call(name, x, tout, dy)
            g = {k: N20 / v / 1e9 for k, v in cfg.time(fns).items()}
            # both tiers read one table (both correctly rounded): one row, fast in the note and met?
            rows.append(_row("half", name, dtype.name, N20, g["exact"], "gelu_c.fast float32", g["f32"],
                             HALF_TARGET, f"fast.{name} {table.fmt_gps(g['fast'])} G/s, "
                             f"ratio {table.fmt_ratio(g['fast'] / g['f32'])}",
                             met=min(g["exact"], g["fast"]) / g["f32"] >= HALF_TARGET))
            if with_torch:
                ref = f"{torch_label} {peers.TORCH_EQUIV[name]}" if torch_label else "torch not installed"
                rows.append(_row("half", name, dtype.name, N20, g["exact"], ref, g.get("torch"),
                                 HALF_TORCH_TARGETS.get(name)))
    return rows


def avx2_torch_rows(cfg, fast=False):
    """``torch_rows`` in a child process whose torch is limited to AVX2 (env read at import)."""
    if peers.import_torch() is None:
        return [], "torch not installed"
    cmd = [sys.executable, os.path.abspath(__file__), "--torch-only", "--path", gelu_c.get_kernel_path()]
    cmd += ["--fast"] if fast else []
    cmd += ["--quick"] if cfg.quick else []
    try:
        res = subprocess.run(cmd, env={**os.environ, **AVX2_ENV}, capture_output=True, text=True,
                             timeout=1800, check=True)
        payload = json.loads(res.stdout)
    except subprocess.CalledProcessError as exc:
        return [], f"AVX2-limited torch run failed: {exc.stderr.strip().splitlines()[-1:]}"
    except (subprocess.SubprocessError, ValueError) as exc:
        return [], f"AVX2-limited torch run failed: {exc}"
    for r in payload["rows"]:
        r["section"] = "fast-avx2" if fast else "avx2"
    return payload["rows"], payload["torch"]


def jax_rows(cfg):
    """The torch target functions against ``jax.jit`` (information: JAX allocates its result)."""
    jax = peers.import_jax()
    if jax is None:
        return []
    rows = []
    for name, dtype, _ in TORCH_TARGETS:
        x, dy, out = _data(name, dtype, N20)
        ref = peers.jax_call(name, x, dy)
        t = cfg.time({"ours": _ours(name, x, dy, out), "ref": ref})
        rows.append(_row("jax", name, dtype, N20, N20 / t["ours"] / 1e9, f"jax {jax.__version__} jit",
                         N20 / t["ref"] / 1e9, None, "JAX has no out=: allocates per call"))
    return rows


def huge_rows(cfg, with_huge=True):
    """float32 at 2^26 (beyond the caches) per element vs 2^20, the copy bound at 2^26,
    and 2^14 (in L2, for the FMA bound).

    Parameters
    ----------
    with_huge : bool, optional
        False: measure only 2^14 and 2^20 (what the bound needs), no 768 MiB of arrays.

    Returns
    -------
    (list of dict, dict of str -> dict)
        Table rows (empty without ``with_huge``), and per function the G elem/s at
        2^14 and 2^20.
    """
    rows, speeds = [], {}
    if with_huge:       # one set of 2^26 arrays for every function
        x26, dy26_all, out26 = (inputs.make_x("normal", N26, np.float32), inputs.make_dy(N26, np.float32),
                                np.zeros(N26, np.float32))
    for name in naive.ALL:
        x20, dy20, out20 = _data(name, "float32", N20)
        x14, dy14, out14 = x20[:N14], (None if dy20 is None else dy20[:N14]), out20[:N14]
        fns = {"n14": _ours(name, x14, dy14, out14), "n20": _ours(name, x20, dy20, out20)}
        if with_huge:
            dy26 = dy26_all if name in naive.BINARY else None
            fns["n26"] = _ours(name, x26, dy26, out26)
            fns["copy"] = lambda: np.copyto(out26, x26)
        t = cfg.time(fns)
        g14, g20 = N14 / t["n14"] / 1e9, N20 / t["n20"] / 1e9
        speeds[name] = {"n14": g14, "n20": g20}
        if not with_huge:
            continue
        g26 = N26 / t["n26"] / 1e9
        # copyto moves 2 arrays; a backward moves 3 (dy, x, out): scale its floor by bytes.
        streams = 3 if name in naive.BINARY else 2
        t_floor = t["copy"] * streams / 2
        at_floor = t["n26"] <= 1.1 * t_floor
        note = f"copy bound {N26 / t_floor / 1e9:.3g} G/s" + (" (×1.5: 3 streams)" if streams == 3 else "")
        if at_floor and g26 / g20 < HUGE_TARGET:
            note += "; at the copy bound"
        rows.append(_row("huge", name, "float32", N26, g26, "gelu_c at 2^20", g20, HUGE_TARGET, note,
                         met=(g26 / g20 >= HUGE_TARGET) or at_floor))
    return rows, speeds


def small_rows(cfg):
    """1024 elements: per-call time against ``np.negative`` on the same array.

    The note splits our call into compute (1024 elements at the rate measured on 2^14,
    in the same interleaved rounds) and the rest, the per-call overhead, which is what
    "no overhead of ours beyond NumPy's ufunc machinery" is about: compare it with
    ``np.negative``'s whole call.
    """
    rows = []
    for dtype in ("float32", "float64"):
        for name in naive.ALL:
            x, dy, out = _data(name, dtype, N14)
            x10, dy10, out10 = x[:N10], (None if dy is None else dy[:N10]), out[:N10]
            out2 = np.zeros(N10, dtype)
            t = cfg.time({"ours": _ours(name, x10, dy10, out10), "n14": _ours(name, x, dy, out),
                          "neg": lambda x=x10, o=out2: np.negative(x, out=o)})
            compute = t["n14"] * N10 / N14
            note = (f"{t['ours'] * 1e6:.2f} µs = {compute * 1e6:.2f} compute + "
                    f"{(t['ours'] - compute) * 1e6:.2f} overhead; np.negative {t['neg'] * 1e6:.2f} µs")
            rows.append(_row("small", name, dtype, N10, N10 / t["ours"] / 1e9, "np.negative",
                             N10 / t["neg"] / 1e9, SMALL_TARGET, note))
    return rows


def naive_rows(cfg):
    """Every function and dtype at 2^20 against its naive NumPy/SciPy expression."""
    rows = []
    for dtype in ("float32", "float64"):
        for name in naive.ALL:
            x, dy, out = _data(name, dtype, N20)
            g = naive.NAIVE[name]
            args = _args(name, x, dy)
            with np.errstate(all="ignore"):
                t = cfg.time({"ours": _ours(name, x, dy, out), "naive": lambda g=g, a=args: g(*a)})
            rows.append(_row("naive", name, dtype, N20, N20 / t["ours"] / 1e9, "naive NumPy/SciPy",
                             N20 / t["naive"] / 1e9, NAIVE_TARGET))
    return rows


def values_rows(cfg):
    """Every kind of ``bench/inputs.py`` per function and dtype, interleaved, at 2^20.

    Returns
    -------
    (list of dict, list of dict)
        Summary rows (the slowest judged kind against normal) and the per-kind detail.
    """
    rows, detail = [], []
    for dtype in ("float32", "float64"):
        rows.append(_subnormal_penalty_row(cfg, dtype))
        for name in gelu_c.registry.names(tier=None):
            base = gelu_c.registry.get(name).name      # both tiers on the same data
            out = np.zeros(N20, dtype)
            dy = inputs.make_dy(N20, dtype) if _binary(name) else None
            fns = {k: _ours(name, inputs.make_x(k, N20, dtype, name=base), dy, out) for k in inputs.KINDS}
            t = cfg.time(fns)
            ratios = {k: t["normal"] / t[k] for k in inputs.KINDS}
            worst = min(inputs.VALUE_KINDS, key=ratios.get)
            detail.append({"function": name, "dtype": dtype, "normal_gps": N20 / t["normal"] / 1e9,
                           "ratios": ratios, "worst": worst, "met": ratios[worst] >= VALUE_TARGET})
            rows.append(_row("values", name, dtype, N20, N20 / t[worst] / 1e9, "same, normal input",
                             N20 / t["normal"] / 1e9, VALUE_TARGET, f"slowest: {worst}"))
    return rows, detail


def _subnormal_penalty_row(cfg, dtype):
    """What the CPU itself charges for subnormal results: ``np.multiply`` with subnormal
    products against normal ones (Intel cores take a microcode assist per instruction
    that produces one; Zen 2 mostly does not). Shown as the hardware floor of the
    subnormal column, not judged."""
    tiny = {"float32": (1e-20, 1e-10), "float64": (1e-160, 1e-100)}[dtype]
    sub, norm = (np.full(N20, v, dtype) for v in tiny)
    out = np.zeros(N20, dtype)
    with np.errstate(all="ignore"):
        t = cfg.time({"sub": lambda: np.multiply(sub, sub, out=out),
                      "norm": lambda: np.multiply(norm, norm, out=out)})
    return _row("values", "np.multiply (CPU reference)", dtype, N20, N20 / t["sub"] / 1e9, "same, normal products",
                N20 / t["norm"] / 1e9, None, "subnormal products: the CPU's own penalty")


def bound_rows(speeds, ghz):
    """float32 kernels against the FMA bound; None if ``tools/count_ops.py`` is absent."""
    counts, source = bound.load_op_counts()
    if counts is None:
        return None, source
    rows = []
    for name in naive.ALL:
        c = bound.counts_for(counts, name)
        if c is None or name not in speeds:
            continue
        b = bound.bound_gps(c["fp_fma_class"], ghz)
        rows.append({"function": name, "fp_fma_class": c["fp_fma_class"], "total": c.get("total"),
                     "bound_gps": b, "issue_gps": bound.issue_bound_gps(c.get("total"), ghz),
                     "port_gps": bound.port_bound_gps(c, ghz),
                     "ops_cycle": bound.ops_per_cycle(c.get("total"), speeds[name]["n14"], ghz),
                     "n14_gps": speeds[name]["n14"], "n20_gps": speeds[name]["n20"],
                     "frac": speeds[name]["n14"] / b if b else None,
                     "met": (speeds[name]["n14"] / b >= BOUND_TARGET) if b else None})
    missing = [n for n in naive.ALL if bound.counts_for(counts, n) is None]
    return rows, source + (f"; no count for {', '.join(missing)}" if missing else "")


# --------------------------------------------------------------------------- output

TITLES = {
    "torch": "vs PyTorch, full ISA (ratio = torch time / gelu_c time)",
    "avx2": "vs PyTorch limited to AVX2 (ONEDNN_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2, child process)",
    "jax": "vs JAX (information only)",
    "huge": "2^26 float32, beyond the caches: per-element speed vs the same function at 2^20",
    "small": "1024 elements: call time vs np.negative on the same array (≥ 0.67 = within 1.5x)",
    "naive": "vs the naive NumPy/SciPy expression",
    "values": "value independence: slowest special input vs standard normal (≥ 0.83 = within 1.2x)",
    "fast": "fast tier (gelu_c.fast) vs PyTorch at its full ISA, MKL's AVX2 CdfNorm (LA), and its exact twin",
    "fast-avx2": "fast tier vs PyTorch limited to AVX2 (child process)",
    "exact": "exact tier vs MKL's AVX2 CdfNorm (HA), and vs an earlier build (--baseline)",
    "stochastic": "stochastic_gelu vs drawing its uniforms plus one fast.norm_cdf (≥ 0.5 = within 2x)",
    "general": "gelu_general(x, μ, σ) vs gelu on the same x (≥ 0.77 = within 1.3x the time of gelu), "
               "and vs the naive NumPy/SciPy expression",
    "half": "float16 / bfloat16 (exact tier; fast tier in the note) vs gelu_c.fast on float32, "
            "and vs PyTorch on the same dtype",
}


def _main_table(rows, markdown):
    cells = [(r["function"], r["dtype"], r["n_label"], table.fmt_gps(r["gelu_c_gps"]), r["reference"],
              table.fmt_gps(r["ref_gps"]), table.fmt_ratio(r["ratio"]), table.fmt_target(r["target"]),
              table.fmt_met(r["met"]), r["note"]) for r in rows]
    return table.render(HEADERS, cells, markdown)


def _values_table(detail, markdown):
    heads = ("function", "dtype", "normal G elem/s") + tuple(f"{k} ×" for k in inputs.KINDS[1:]) + ("met?",)
    cells = [(d["function"], d["dtype"], table.fmt_gps(d["normal_gps"]))
             + tuple(table.fmt_ratio(d["ratios"][k]) for k in inputs.KINDS[1:]) + (table.fmt_met(d["met"]),)
             for d in detail]
    return table.render(heads, cells, markdown)


def _bound_table(rows, markdown):
    heads = ("function", "FMA-class ops/vector", "all ops/vector", "FMA bound G elem/s",
             "issue bound (info)", "Golden Cove port bound (info)", "measured 2^14", "measured 2^20",
             "measured/bound (2^14)", "measured/port bound (info)", "ops/cycle (2^14, info)",
             "target", "met?")
    port = [r.get("port_gps") for r in rows]
    cells = [(r["function"], f"{r['fp_fma_class']:g}", "—" if r["total"] is None else f"{r['total']:g}",
              table.fmt_gps(r["bound_gps"]), table.fmt_gps(r["issue_gps"]), table.fmt_gps(p),
              table.fmt_gps(r["n14_gps"]), table.fmt_gps(r["n20_gps"]),
              table.fmt_ratio(r["frac"]), table.fmt_ratio(r["n14_gps"] / p if p else None),
              table.fmt_ratio(r.get("ops_cycle")), table.fmt_target(BOUND_TARGET), table.fmt_met(r["met"]))
             for r, p in zip(rows, port)]
    return table.render(heads, cells, markdown)


def _machine():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as fh:
            model = next(ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{model}, {os.cpu_count()} CPUs"


def _heading(text, markdown):
    return f"\n### {text}\n" if markdown else f"\n== {text}\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer, shorter samples (about a minute)")
    ap.add_argument("--markdown", action="store_true", help="print README-ready Markdown tables")
    ap.add_argument("--json", metavar="PATH", help="also write every figure to PATH as JSON")
    ap.add_argument("--path", default="auto", help="gelu_c kernel path to measure (default: auto)")
    ap.add_argument("--sections", default=",".join(SECTIONS),
                    help=f"comma-separated subset of {','.join(SECTIONS)}")
    ap.add_argument("--baseline", metavar="DIR",
                    help="an earlier gelu_c checkout built in place: the exact section times "
                         "every exact function against it (bench/baseline.py)")
    ap.add_argument("--torch-only", action="store_true", help=argparse.SUPPRESS)  # the AVX2 child
    ap.add_argument("--fast", action="store_true", help=argparse.SUPPRESS)        # ... of the fast rows
    args = ap.parse_args(argv)
    cfg = Settings(args.quick)
    gelu_c.set_kernel_path(args.path)

    if args.torch_only:
        rows = fast_torch_rows(cfg, "fast-avx2") if args.fast else torch_rows(cfg, "avx2")
        json.dump({"torch": peers.torch_info(), "rows": rows}, sys.stdout)
        return 0

    wanted = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        ap.error(f"unknown sections: {', '.join(sorted(unknown))}")
    ghz, clock_note = clock.measure_ghz(reps=100 if args.quick else 300)
    meta = {
        "command": "python bench/report.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "date": datetime.datetime.now().isoformat(timespec="seconds"),
        "gelu_c": f"{gelu_c.__version__}, kernel path {gelu_c.get_kernel_path()}",
        "machine": _machine(), "clock_ghz": ghz, "clock": clock_note,
        "numpy": np.__version__, "python": platform.python_version(), "torch": peers.torch_info(),
        "mkl": mkl_peer.info(),
        "timing": f"min of {cfg.rounds} interleaved rounds, samples ≥ {cfg.min_sample * 1e3:g} ms",
    }
    rows, results = [], {"meta": meta}
    if "torch" in wanted:
        rows += torch_rows(cfg)
    if "avx2" in wanted:
        avx2, meta["torch_avx2"] = avx2_torch_rows(cfg)
        rows += avx2
    if "jax" in wanted:
        jrows = jax_rows(cfg)
        rows += jrows
        meta["jax"] = jrows[0]["reference"] if jrows else "jax not installed"
    speeds = {}
    if "huge" in wanted or "bound" in wanted:
        hrows, speeds = huge_rows(cfg, with_huge="huge" in wanted)
        rows += hrows
    if "small" in wanted:
        rows += small_rows(cfg)
    if "naive" in wanted and naive.HAVE_SCIPY:
        rows += naive_rows(cfg)
    elif "naive" in wanted:
        meta["naive"] = "SciPy not installed: naive section skipped"
    detail = []
    if "values" in wanted:
        vrows, detail = values_rows(cfg)
        rows += vrows
    if "fast" in wanted:
        rows += fast_rows(cfg, ghz)
    if "exact" in wanted:
        base = baseline.load(args.baseline) if args.baseline else None
        meta["baseline"] = f"gelu_c {base.label} ({args.baseline})" if base else "none (--baseline DIR)"
        rows += exact_rows(cfg, ghz, base)
    if "stochastic" in wanted:
        rows += stochastic_rows(cfg)
    if "fast-avx2" in wanted:
        frows, _ = avx2_torch_rows(cfg, fast=True)
        rows += frows
    if "general" in wanted:
        rows += general_rows(cfg)
        if not naive.HAVE_SCIPY:
            meta["general"] = "SciPy not installed: the naive rows skipped"
    if "half" in wanted:
        rows += half_rows(cfg)
        if len(_half_dtypes()) == 1:
            meta["half"] = "ml_dtypes not installed: bfloat16 rows skipped"
    brows, bnote = bound_rows(speeds, ghz) if "bound" in wanted else (None, "not run")
    meta["bound"] = bnote

    md = args.markdown
    print(_heading("Setup", md).lstrip("\n"))
    for k, v in meta.items():
        print(f"- {k}: {v}" if md else f"  {k:11s} {v}")
    for section in SECTIONS:
        part = [r for r in rows if r["section"] == section]
        if part:
            print(_heading(TITLES[section], md))
            print(_main_table(part, md))
        if section == "bound" and "bound" in wanted:
            print(_heading(f"FMA bound at {ghz:.3g} GHz: 8 lanes per FMA-class/2 cycles; issue bound: "
                           f"all ops / {bound.VECTOR_PIPES} pipes (Zen 2), and an Intel Golden Cove core's port bound "
                           f"(FP ops / 2, permutes / 1, uops / 3), and vector ops issued per cycle "
                           f"(Zen 3 issues at most 3.0 on such mixes: tools/pipe_throughput.c), for information"
                           if ghz else "FMA bound (clock unknown)", md))
            print(_bound_table(brows, md) if brows else f"(no bound: {bnote})")
        if section == "values" and detail:
            print(_heading("value independence, every kind: normal time / kind time (strided not judged)", md))
            print(_values_table(detail, md))
    judged = [r for r in rows if r["met"] is not None] + [r for r in (brows or []) if r["met"] is not None]
    missed = sum(1 for r in judged if not r["met"])
    print(f"\n{len(judged) - missed} of {len(judged)} targets met.  Reproduce: {meta['command']}")
    if args.json:
        results.update(rows=rows, values_detail=detail, bound=brows)
        with open(args.json, "w") as fh:
            json.dump(results, fh, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
