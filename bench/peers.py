"""Peer implementations as zero-argument callables over prepared data: PyTorch and JAX.

PyTorch is called through the aten ``.out`` overloads on tensors that share memory
with the NumPy arrays (``torch.from_numpy``), so both sides write into a
preallocated output and neither pays for an allocation or a copy. Torch is set to one
thread (the targets compare single-threaded speed).

JAX has no ``out=``: its callables are ``jax.jit`` functions on arrays already placed
on the device, timed to ``block_until_ready()``; each call allocates its result,
which is part of what JAX costs a user.

Importing this module imports neither library; ``torch_call`` / ``jax_call`` return
``None`` when the library is missing or has no counterpart of the function.
"""
import os

#: gelu_c name -> label of torch's counterpart; gelu_sigmoid has no torch op, and the
#: report compares it with torch's silu (same cost class), so that stand-in is labelled.
TORCH_EQUIV = {
    "norm_cdf": "torch.special.ndtr",
    "gelu": "aten.gelu.out",
    "gelu_tanh": "aten.gelu.out(tanh)",
    "silu": "aten.silu.out",
    "gelu_sigmoid": "aten.silu.out (stand-in)",
    "gelu_backward": "aten.gelu_backward",
    "gelu_tanh_backward": "aten.gelu_backward(tanh)",
    "silu_backward": "aten.silu_backward",
}
#: torch references that compute a different function (skip result checks for these)
TORCH_STAND_INS = {"gelu_sigmoid"}


def import_torch():
    """Import torch single-threaded, or return None if it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


def torch_capability():
    """The CPU capability ATen dispatches to ("AVX512", "AVX2", ...), or None without torch."""
    torch = import_torch()
    return None if torch is None else torch.backends.cpu.get_cpu_capability()


def torch_info():
    """One-line description: version and the CPU capability ATen dispatches to."""
    torch = import_torch()
    if torch is None:
        return "torch not installed"
    cap = torch.backends.cpu.get_cpu_capability()
    isa = os.environ.get("ONEDNN_MAX_CPU_ISA", "")
    return f"torch {torch.__version__} ({cap}{', oneDNN ' + isa if isa else ''}, 1 thread)"


def _tensor(torch, a):
    """A tensor sharing ``a``'s memory; ml_dtypes' bfloat16 through its bits, since
    ``torch.from_numpy`` does not know that dtype."""
    if a.dtype.name == "bfloat16":
        return torch.from_numpy(a.view("int16")).view(torch.bfloat16)
    return torch.from_numpy(a)


def torch_call(name, x, out, dy=None):
    """A callable running torch's counterpart of ``name`` from ``x`` (and ``dy``) into ``out``.

    Parameters
    ----------
    name : str
        gelu_c function name.
    x, out : numpy.ndarray
        Input and preallocated output (shared with torch, no copy).
    dy : numpy.ndarray, optional
        Upstream gradient, for the ``*_backward`` names.

    Returns
    -------
    callable or None
        None if torch is missing or has no counterpart.
    """
    torch = import_torch()
    if torch is None or name not in TORCH_EQUIV:
        return None
    aten = torch.ops.aten
    tx, to = _tensor(torch, x), _tensor(torch, out)
    tdy = _tensor(torch, dy) if dy is not None else None
    if name == "norm_cdf":
        return lambda: torch.special.ndtr(tx, out=to)
    if name in ("gelu", "gelu_tanh"):
        approx = "tanh" if name == "gelu_tanh" else "none"
        return lambda: aten.gelu.out(tx, approximate=approx, out=to)
    if name in ("silu", "gelu_sigmoid"):
        return lambda: aten.silu.out(tx, out=to)
    if name in ("gelu_backward", "gelu_tanh_backward"):
        approx = "tanh" if name == "gelu_tanh_backward" else "none"
        return lambda: aten.gelu_backward.grad_input(tdy, tx, approximate=approx, grad_input=to)
    if name == "silu_backward":
        return lambda: aten.silu_backward.grad_input(tdy, tx, grad_input=to)
    return None


def import_jax():
    """Import JAX on one CPU thread with float64 enabled, or return None."""
    # XLA reads its flags once, at backend start: set them before the import.
    os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false "
                                       "intra_op_parallelism_threads=1")
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    try:
        import jax
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)
    return jax


def _jax_functions(jax):
    jnn, jnp = jax.nn, jax.numpy
    from jax.scipy.special import ndtr
    prim = {
        "norm_cdf": ndtr,
        "gelu": lambda x: jnn.gelu(x, approximate=False),
        "gelu_tanh": lambda x: jnn.gelu(x, approximate=True),
        "gelu_sigmoid": lambda x: x * jnn.sigmoid(jnp.asarray(1.702, x.dtype) * x),
        "silu": jnn.silu,
    }
    def backward(f):
        return lambda dy, x: jax.vjp(f, x)[1](dy)[0]

    funcs = dict(prim)
    for base, f in prim.items():
        # elementwise derivative and the vector-Jacobian product: what jax.grad gives a user
        funcs[base + "_grad"] = jax.vmap(jax.grad(f))
        funcs[base + "_backward"] = backward(f)
    del funcs["norm_cdf_backward"], funcs["norm_cdf_grad"]
    return funcs


def jax_call(name, x, dy=None):
    """A callable running JAX's jitted counterpart of ``name`` (result allocated per call).

    Returns
    -------
    callable or None
        Calls and blocks until the result is ready, returning it; None if JAX is missing.
    """
    jax = import_jax()
    if jax is None:
        return None
    funcs = _jax_functions(jax)
    if name not in funcs:
        return None
    f = jax.jit(funcs[name])
    jx = jax.device_put(x)
    if dy is None:
        f(jx).block_until_ready()       # compile outside the timing
        return lambda: f(jx).block_until_ready()
    jdy = jax.device_put(dy)
    f(jdy, jx).block_until_ready()
    return lambda: f(jdy, jx).block_until_ready()
