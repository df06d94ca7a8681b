"""The naive NumPy/SciPy expression of every gelu_c function (the "≥ 20×" reference).

Each entry is what a user would write without gelu_c: whole-array NumPy/SciPy
operations, one temporary per step, no ``out=``. They are written to be *correct*
(the same mathematical function as the ufunc of that name), not fast or accurate in
the tails, so a speed ratio against them compares like with like.

There is one Python function here per function of :mod:`gelu_c.registry`, named
like it; the name lists are the registry's, and importing this module fails, naming
the function, when the registry has a function without its naive formula here.

Constants are Python floats on purpose: under NumPy 2's promotion rules a Python
float is "weak" and keeps a float32 array float32, where an ``np.float64`` constant
would silently promote the whole expression to float64 and change what is timed.
"""
import math

import numpy as np

from gelu_c import registry

try:
    from scipy.special import expit, ndtr
    HAVE_SCIPY = True
except ImportError:     # the name lists below stay usable; the expressions need SciPy
    HAVE_SCIPY = False

INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
TANH_C = 0.044715          # the cubic coefficient of the tanh approximation
SIGMOID_A = 1.702          # the slope of the sigmoid approximation


def norm_cdf(x):
    return ndtr(x)


def gelu(x):
    return x * ndtr(x)


def gelu_grad(x):
    # d/dx x*Phi(x) = Phi(x) + x*phi(x)
    return ndtr(x) + x * (np.exp(-0.5 * x * x) * INV_SQRT_2PI)


def gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(SQRT_2_OVER_PI * (x + TANH_C * x * x * x)))


def gelu_tanh_grad(x):
    # with u = k(x + c x^3), t = tanh(u): 0.5(1 + t) + 0.5 x (1 - t^2) k (1 + 3 c x^2)
    t = np.tanh(SQRT_2_OVER_PI * (x + TANH_C * x * x * x))
    return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * (SQRT_2_OVER_PI * (1.0 + 3.0 * TANH_C * x * x))


def gelu_sigmoid(x):
    return x * expit(SIGMOID_A * x)


def gelu_sigmoid_grad(x):
    # s = sigma(a x): s + a x s (1 - s)
    s = expit(SIGMOID_A * x)
    return s + SIGMOID_A * x * s * (1.0 - s)


def silu(x):
    return x * expit(x)


def silu_grad(x):
    # s = sigma(x): s (1 + x (1 - s))
    s = expit(x)
    return s * (1.0 + x * (1.0 - s))


def gelu_backward(dy, x):
    return dy * gelu_grad(x)


def gelu_tanh_backward(dy, x):
    return dy * gelu_tanh_grad(x)


def gelu_sigmoid_backward(dy, x):
    return dy * gelu_sigmoid_grad(x)


def silu_backward(dy, x):
    return dy * silu_grad(x)


def gelu_general(x, mu, sigma):
    # a function with parameters: not in the lists below (registry.names() leaves those
    # out); bench/report.py's general section times it
    return x * ndtr((x - mu) / sigma)


#: The functions of one argument, of two (``dy, x``) and all of them (the registry's).
UNARY = registry.names(nin=1)
BINARY = registry.names(nin=2)
ALL = registry.names()

_missing = [name for name in ALL if not callable(globals().get(name))]
if _missing:
    raise ImportError(f"bench/naive.py has no naive formula for {', '.join(_missing)} "
                      "(a function of gelu_c.registry): add one, named like the function")

#: name -> naive callable, ``f(x)`` for unary names and ``f(dy, x)`` for backward ones
NAIVE = {name: globals()[name] for name in ALL}
