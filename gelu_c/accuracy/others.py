"""Other implementations of the same functions, measured side by side with gelu_c.

Each adapter runs a library's own function in the input dtype (float32 in,
float32 out) and returns NumPy results, or ``None`` for a function the library
does not provide.  Derivatives and backward functions come from the library's
automatic differentiation (PyTorch autograd, ``jax.vjp``), which is what a user
of that library gets.  Missing libraries are skipped: importing this module
imports none of them.

========== =================================================================
label      functions
========== =================================================================
torch      ``torch.special.ndtr``, ``F.gelu`` (``approximate='none'/'tanh'``),
           ``F.silu``; their derivatives through autograd
jax        ``jax.scipy.stats.norm.cdf``, ``jax.nn.gelu``
           (``approximate=False/True``), ``jax.nn.silu``; derivatives by ``jax.vjp``
scipy      ``ndtr(x)``, ``x * ndtr(x)``, ``x * expit(x)``
textbook   the one-liners most code uses, in NumPy/SciPy:
           ``0.5*x*(1 + erf(x/sqrt(2)))`` and ``0.5*x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3)))``
========== =================================================================
"""
import math
from dataclasses import dataclass

import numpy as np

from .. import registry

__all__ = ["Implementation", "OTHERS", "find_implementations"]


@dataclass(frozen=True)
class Implementation:
    """A library's version of some gelu_c functions.

    Attributes
    ----------
    label : str
        Short name used in the tables.
    version : str
        The library's version.
    functions : tuple of str
        The gelu_c names it provides.
    call : callable
        ``call(name, x, dy)`` -> numpy.ndarray in ``x``'s dtype, or ``None``.
    """

    label: str
    version: str
    functions: tuple
    call: object


def _derivative_dy(name, x, dy):
    """The upstream gradient autodiff is seeded with: ``dy``, or ones for a *_grad."""
    return np.ones_like(x) if dy is None else dy


def _torch():
    import torch
    import torch.nn.functional as F

    forward = {
        "norm_cdf": torch.special.ndtr,
        "gelu": F.gelu,
        "gelu_tanh": lambda t: F.gelu(t, approximate="tanh"),
        "silu": F.silu,
    }

    def call(name, x, dy=None):
        primal = registry.value_of(name)
        if primal not in forward:
            return None
        t = torch.from_numpy(np.array(x))
        if name == primal:
            with torch.no_grad():
                return forward[name](t).numpy()
        t.requires_grad_(True)
        g = torch.from_numpy(np.array(_derivative_dy(name, x, dy)))
        (gx,) = torch.autograd.grad(forward[primal](t), t, g)
        return gx.numpy()

    return Implementation("torch", torch.__version__, _provided(forward, True), call)


def _jax():
    import functools

    import jax
    import jax.numpy as jnp

    enable_x64 = getattr(jax, "enable_x64", None)
    if enable_x64 is None:                       # older JAX
        from jax.experimental import enable_x64
    forward = {
        "norm_cdf": jax.scipy.stats.norm.cdf,
        "gelu": functools.partial(jax.nn.gelu, approximate=False),
        "gelu_tanh": functools.partial(jax.nn.gelu, approximate=True),
        "silu": jax.nn.silu,
    }

    def call(name, x, dy=None):
        primal = registry.value_of(name)
        if primal not in forward:
            return None
        with enable_x64(True):                   # float64 stays float64 (scoped)
            xj = jnp.asarray(x)
            if name == primal:
                return np.asarray(forward[name](xj))
            _, vjp = jax.vjp(forward[primal], xj)
            (g,) = vjp(jnp.asarray(_derivative_dy(name, x, dy)))
            return np.asarray(g)

    return Implementation("jax", jax.__version__, _provided(forward, True), call)


def _scipy():
    import scipy
    from scipy import special

    table = {
        "norm_cdf": special.ndtr,
        "gelu": lambda x: x * special.ndtr(x),
        "silu": lambda x: x * special.expit(x),
    }

    def call(name, x, dy=None):
        return table[name](x) if name in table else None

    return Implementation("scipy", scipy.__version__, _provided(table), call)


def _textbook():
    import scipy
    from scipy import special

    def erf_form(x):
        t = x.dtype.type
        return t(0.5) * x * (t(1) + special.erf(x / t(math.sqrt(2))))

    def tanh_form(x):
        t = x.dtype.type
        u = t(math.sqrt(2 / math.pi)) * (x + t(0.044715) * x * x * x)
        return t(0.5) * x * (t(1) + np.tanh(u))

    table = {"gelu": erf_form, "gelu_tanh": tanh_form}

    def call(name, x, dy=None):
        return table[name](x) if name in table else None

    return Implementation("textbook", f"numpy {np.__version__}, scipy {scipy.__version__}",
                          _provided(table), call)


def _provided(forward, derivatives=False):
    """The names ``forward`` provides, with their grad/backward names if ``derivatives``."""
    return tuple(n for n in registry.names()
                 if n in forward or (derivatives and registry.value_of(n) in forward))


#: Adapter factories by label; each raises ImportError when its library is missing.
OTHERS = {"torch": _torch, "jax": _jax, "scipy": _scipy, "textbook": _textbook}


def find_implementations(labels=None):
    """The other implementations installed here.

    Parameters
    ----------
    labels : iterable of str, optional
        Which of :data:`OTHERS` to try (default: all).

    Returns
    -------
    list of Implementation
        Those whose library imports; the others are silently left out.

    Raises
    ------
    ValueError
        For an unknown label.
    """
    out = []
    for label in (OTHERS if labels is None else labels):
        if label not in OTHERS:
            raise ValueError(f"unknown implementation {label!r}; known: {', '.join(OTHERS)}")
        try:
            out.append(OTHERS[label]())
        except ImportError:
            continue
    return out
