"""A picture of the accuracy figures: error against x for each approximation and kernel.

Needs matplotlib (the ``plot`` extra: ``pip install gelu_c[plot]``); it is imported
only when :func:`plot` runs, and drawn without pyplot (no global state, no display).
"""
import numpy as np

from .. import registry
from .decimal_places import APPROXIMATIONS, PLACES
from .definitions import exact
from .others import find_implementations
from .scipy_reference import scipy_reference
from .ulp_table import bound, gelu_c_call, names_by_kind, spec_errors

__all__ = ["plot"]

#: x-ranges of the kernel panels, per dtype: from beyond GELU's underflow to the right tail.
KERNEL_SPAN = {"float32": (-15.0, 6.0), "float64": (-39.0, 8.0)}
PEER_MARKERS = "x+12"
FLOOR = 1e-3      # errors below this (exact results) are drawn at this height on log axes


def _approx_panel(ax, names, n):
    x = np.linspace(-6, 6, n)
    for name in names:
        ref = scipy_reference(APPROXIMATIONS[name], x)
        ax.semilogy(x, np.maximum(np.abs(scipy_reference(name, x) - ref), 1e-12),
                    lw=1, label=name)
    for k in range(1, PLACES + 1):
        ax.axhline(0.5 * 10.0 ** -k, color="0.75", lw=0.6, ls=":")
        ax.text(6.05, 0.5 * 10.0 ** -k, f"{k}", fontsize=6, va="center", color="0.5")
    ax.set_ylim(1e-9, 1)
    ax.set_xlabel("x")
    ax.legend(fontsize=7, loc="lower left")


def _kernel_panel(ax, dtype, n, path):
    lo, hi = KERNEL_SPAN[dtype]
    x = np.unique(np.linspace(lo, hi, n).astype(dtype))
    for name in names_by_kind(registry.names(nin=1)):
        err = spec_errors(name, gelu_c_call(name, x), x)
        ax.plot(x, err, ".", ms=1.5, label=name)
    forward = max(bound(name) for name in registry.names("value"))
    ax.axhline(forward, color="k", lw=0.8, ls="--")
    ax.text(lo, forward + 0.02, "bound (forward)", fontsize=6, va="bottom")
    ax.set_ylim(0, 1.1)
    ax.set_title(f"gelu_c kernels ({path} path), {dtype}: ULP error", fontsize=9)
    ax.set_xlabel("x")
    ax.legend(fontsize=5.5, ncol=3, loc="lower left", markerscale=4)


def _peers_panel(ax, dtype, n, impls, path):
    lo, hi = KERNEL_SPAN[dtype]
    x = np.unique(np.linspace(lo, hi, n).astype(dtype))
    exact_values = exact("gelu", x)
    calls = [(f"{im.label} {im.version}" if " " not in im.version else im.label, im.call,
              PEER_MARKERS[i % len(PEER_MARKERS)]) for i, im in enumerate(impls)]
    calls.append((f"gelu_c ({path})", gelu_c_call, "."))       # last: drawn on top
    for label, call, marker in calls:
        got = call("gelu", x, None)
        if got is None:
            continue
        err = spec_errors("gelu", np.asarray(got), x, exact_values=exact_values)
        ax.semilogy(x, np.maximum(err, FLOOR), marker, ms=3, mew=0.6, label=label)
    ax.axhline(1.0, color="k", lw=0.8, ls="--")
    ax.set_ylim(FLOOR / 2, 1e18)
    ax.set_title(f"exact GELU by implementation, {dtype}: ULP error (0 drawn at {FLOOR:g})",
                 fontsize=9)
    ax.set_xlabel("x")
    ax.legend(fontsize=6, loc="upper right", markerscale=2)


def plot(path, n=600, n_grid=4001, others=None, kernel_path=None, dpi=80):
    """Draw the accuracy picture to a PNG file.

    Six panels: absolute error of the approximations (and of their
    derivatives) against exact GELU on [-6, 6], with the decimal-place
    thresholds ``0.5e-k``; the ULP error of every one-argument gelu_c kernel
    in float32 and in float64; the ULP error of exact GELU by implementation
    (gelu_c and the others installed) in float32 and float64.

    Parameters
    ----------
    path : str or path-like
        Output file (PNG).
    n : int, optional
        Points per kernel curve (each evaluated with mpmath).
    n_grid : int, optional
        Points per approximation curve (float64 formulas).
    others : bool or iterable of str, optional
        Other implementations to draw (as for :func:`measure`).
    kernel_path : str, optional
        gelu_c kernel path (default: the active one; restored afterwards).
    dpi : int, optional
        Resolution.

    Returns
    -------
    str
        ``path``.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    import gelu_c

    if others is None or others is True:
        impls = find_implementations()
    else:
        impls = find_implementations(others) if others else []
    previous = gelu_c.get_kernel_path()
    fig = Figure(figsize=(12, 12))
    FigureCanvasAgg(fig)
    axes = fig.subplots(3, 2)
    try:
        if kernel_path is not None:
            gelu_c.set_kernel_path(kernel_path)
        active = gelu_c.get_kernel_path()
        _approx_panel(axes[0, 0], [f for f in APPROXIMATIONS if registry.get(f).kind == "value"],
                      n_grid)
        axes[0, 0].set_title("approximations vs exact GELU: |error| (dotted: 0.5e-k, "
                             "k decimal places)", fontsize=9)
        _approx_panel(axes[0, 1], [f for f in APPROXIMATIONS if registry.get(f).kind == "grad"],
                      n_grid)
        axes[0, 1].set_title("their derivatives vs exact GELU': |error|", fontsize=9)
        for col, dtype in enumerate(("float32", "float64")):
            _kernel_panel(axes[1, col], dtype, n, active)
            _peers_panel(axes[2, col], dtype, n, impls, active)
    finally:
        gelu_c.set_kernel_path(previous)
    fig.suptitle(f"gelu_c {gelu_c.__version__} accuracy (python -m gelu_c.accuracy --plot)",
                 fontsize=11)
    fig.tight_layout()
    _save(fig, path, dpi)
    return str(path)


def _save(fig, path, dpi):
    """Save; a PNG is reduced to a 64-colour palette (a quarter of the size, same look)."""
    if not str(path).lower().endswith(".png"):
        fig.savefig(path, dpi=dpi)
        return
    from PIL import Image              # a dependency of matplotlib

    fig.set_dpi(dpi)
    fig.canvas.draw()
    rgb = Image.fromarray(np.asarray(fig.canvas.buffer_rgba())).convert("RGB")
    rgb.quantize(colors=64).save(path, optimize=True)
