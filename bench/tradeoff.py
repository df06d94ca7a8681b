"""Speed against exactness: one point per GELU implementation and tier.

    python bench/tradeoff.py [--quick] [--markdown] [--plot docs/tradeoff.png]

For float32 GELU and its stand-ins (the tanh and sigmoid forms, SiLU) this measures,
one thread, 2^20 elements, preallocated outputs where the implementation allows:

* throughput (G elements/s), interleaved with the other implementations in one
  process (``bench/timing.py``);
* worst error against *exact* GELU, in float32 ULPs of the exact value (floored at
  the least subnormal), over 40,000 inputs spread over [-20, 10] (tails included)
  against SciPy's ``x * ndtr(x)`` in float64; and, for the approximations, the
  largest absolute difference from exact GELU, which is what they trade away in the
  body of the distribution.

Implementations: gelu_c's exact and fast tiers (``gelu``, ``gelu_tanh``,
``gelu_sigmoid``, ``silu``), PyTorch's exact and tanh GELU, JAX's, SciPy's
``x * ndtr(x)``, and ``x * Φ(x)`` from MKL's AVX2 CdfNorm kernel (LA mode) when
installed. Missing peers are skipped.
"""
import argparse
import os
import sys
from operator import attrgetter

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import mkl_peer  # noqa: E402
import peers  # noqa: E402
import table  # noqa: E402
import timing  # noqa: E402

import gelu_c  # noqa: E402

N = 1 << 20
FORMS = ("gelu", "gelu_tanh", "gelu_sigmoid", "silu")


def _error_inputs():
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(-20.0, 10.0, 30000), rng.standard_normal(10000) * 3])
    return x.astype(np.float32)


def _exact_gelu64(x):
    from scipy.special import ndtr
    xd = x.astype(np.float64)
    return xd * ndtr(xd)


def worst_errors(fn, x):
    """(worst ULP error against exact GELU, max |error|) of ``fn`` on float32 ``x``."""
    ref = _exact_gelu64(x)
    with np.errstate(all="ignore"):
        got = np.asarray(fn(x), dtype=np.float64)
    ulp = np.exp2(np.maximum(np.floor(np.log2(np.maximum(np.abs(ref), 1e-300))), -126.0) - 23)
    err = np.abs(got - ref)
    return float(np.nanmax(err / ulp)), float(np.nanmax(err))


def implementations():
    """name -> (callable on a float32 array into an output, or allocating; kind)."""
    out = {}
    for form in FORMS:
        for tier, prefix in (("exact", ""), ("fast", "fast.")):
            uf = attrgetter(prefix + form)(gelu_c)
            out[f"gelu_c {prefix}{form}"] = (uf, tier, form)
    torch = peers.import_torch()
    if torch is not None:
        aten = torch.ops.aten
        for approx in ("none", "tanh"):
            def call(x, out=None, approx=approx):
                t = torch.from_numpy(x)
                if out is None:
                    return aten.gelu(t, approximate=approx).numpy()
                aten.gelu.out(t, approximate=approx, out=torch.from_numpy(out))
                return out
            label = "PyTorch gelu" + ("" if approx == "none" else " (tanh)")
            out[f"{label} [{peers.torch_capability()}]"] = (call, "peer",
                                                            "gelu" if approx == "none" else "gelu_tanh")
    jax = peers.import_jax()
    if jax is not None:
        f = jax.jit(lambda x: jax.nn.gelu(x, approximate=False))

        def jcall(x, out=None):
            r = np.asarray(f(x).block_until_ready())
            if out is not None:
                out[...] = r
                return out
            return r
        out["JAX gelu"] = (jcall, "peer", "gelu")
    try:
        from scipy.special import ndtr

        def scall(x, out=None):
            r = x * ndtr(x)
            if out is not None:
                out[...] = r
                return out
            return r
        out["SciPy x*ndtr(x)"] = (scall, "peer", "gelu")
    except ImportError:
        pass
    mkl = mkl_peer.load()
    if mkl is not None:
        phi = mkl.cdf_norm(np.float32, "LA")

        def mcall(x, out=None):
            o = np.empty_like(x) if out is None else out
            phi(x, o)
            np.multiply(o, x, out=o)
            return o
        out["MKL x*vsCdfNorm (LA)"] = (mcall, "peer", "gelu")
    return out


def measure(quick=False):
    impls = implementations()
    x = np.random.default_rng(1).standard_normal(N).astype(np.float32)
    outs = {k: np.empty_like(x) for k in impls}
    fns = {}
    for k, (f, _, _) in impls.items():
        fns[k] = (lambda f=f, o=outs[k]: f(x, out=o))
    t = timing.interleaved_min(fns, rounds=5 if quick else 15, min_sample=0.005 if quick else 0.01)
    ex = _error_inputs()
    rows = []
    for k, (f, tier, form) in impls.items():
        ulps, abs_err = worst_errors(f, ex)
        rows.append({"implementation": k, "tier": tier, "form": form, "gps": N / t[k] / 1e9,
                     "max_ulp_vs_gelu": ulps, "max_abs_vs_gelu": abs_err})
    return rows


def render(rows, markdown):
    heads = ("implementation", "G elem/s", "worst error vs exact GELU (float32 ULP)",
             "max abs. difference from exact GELU")
    # ULPs for implementations of GELU itself; an approximation differs from GELU by
    # orders of magnitude more in the tails, where its ULP count means nothing
    cells = [(r["implementation"], table.fmt_gps(r["gps"]),
              f"{r['max_ulp_vs_gelu']:.3g}" if r["form"] == "gelu" else "–",
              f"{r['max_abs_vs_gelu']:.2g}") for r in sorted(rows, key=lambda r: -r["gps"])]
    return table.render(heads, cells, markdown)


def plot(rows, path):
    """Two panels sharing the throughput axis: implementations of exact GELU by their
    worst ULP error (tails included), and the approximations by their largest
    difference from exact GELU."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.4), dpi=110, sharex=True)
    colors = {"exact": "tab:blue", "fast": "tab:green", "peer": "tab:red"}
    panels = ((axes[0], [r for r in rows if r["form"] == "gelu"], "max_ulp_vs_gelu",
               "worst error (float32 ULPs, tails included)", "GELU: implementations of x·Φ(x)"),
              (axes[1], [r for r in rows if r["form"] != "gelu"], "max_abs_vs_gelu",
               "max |error| against exact GELU", "approximations: tanh form, sigmoid form, SiLU"))
    for ax, part, key, ylabel, title in panels:
        for r in part:
            y = max(r[key], 0.1 if key == "max_ulp_vs_gelu" else 1e-9)
            ax.scatter(r["gps"], y, c=colors[r["tier"]], s=36)
            ax.annotate(r["implementation"], (r["gps"], y), fontsize=6.5, xytext=(4, 3),
                        textcoords="offset points")
        ax.set_yscale("log")
        ax.set_xlabel("throughput, float32, one thread (G elements/s)")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=9)
        ax.grid(True, which="both", alpha=0.3)
    fig.suptitle("Speed against exactness (blue: gelu_c, green: gelu_c.fast, red: other libraries)",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer timing rounds")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown table")
    ap.add_argument("--plot", metavar="PNG", help="draw the picture (needs matplotlib)")
    args = ap.parse_args(argv)
    rows = measure(args.quick)
    print(render(rows, args.markdown))
    if args.plot:
        plot(rows, args.plot)
        print(f"wrote {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
