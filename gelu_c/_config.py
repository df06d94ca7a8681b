"""Kernel-path selection and the build/CPU report."""
import contextlib
import os

from . import _ufuncs
from ._version import __version__

ENV_VAR = "GELU_C_KERNEL_PATH"


def available_kernel_paths():
    """Kernel paths this build can run on this CPU, slowest first.

    Returns
    -------
    tuple of str
        Always contains ``"scalar"`` (portable C); ``"avx2"`` on x86-64 where the CPU
        and the OS support it; ``"neon"`` on AArch64 (Advanced SIMD is in its baseline).
        The last one is the default.
    """
    return tuple(name for name, ok in _ufuncs.kernel_paths() if ok)


def known_kernel_paths():
    """Every kernel path name this version knows, available here or not."""
    return tuple(name for name, _ in _ufuncs.kernel_paths())


def get_kernel_path():
    """Name of the kernel path the ufuncs use now."""
    return _ufuncs.get_path()


def set_kernel_path(name):
    """Force the kernel path used by every gelu_c ufunc.

    Parameters
    ----------
    name : str
        ``"auto"`` (the best available), or a name from ``known_kernel_paths()``.

    Raises
    ------
    ValueError
        If the name is not a known path.
    RuntimeError
        If the path is known but this build or this CPU cannot run it.
    """
    if not isinstance(name, str):
        raise TypeError(f"kernel path must be a str, not {type(name).__name__}")
    rc = _ufuncs.set_path(name)
    if rc == -1:
        raise ValueError(f"unknown kernel path {name!r}; known: {', '.join(('auto',) + known_kernel_paths())}")
    if rc == -2:
        raise RuntimeError(f"kernel path {name!r} is not available here (not compiled in, or the CPU/OS lacks "
                           f"it); available: {', '.join(available_kernel_paths())}")
    return get_kernel_path()


@contextlib.contextmanager
def kernel_path(name):
    """Run a block with every gelu_c ufunc on one kernel path.

    The previous path is restored on exit, also when the block raises.

    Parameters
    ----------
    name : str
        As for :func:`set_kernel_path`.

    Yields
    ------
    str
        The path now in use.

    Examples
    --------
    >>> import gelu_c
    >>> with gelu_c.kernel_path("scalar"):
    ...     y = gelu_c.gelu(1.0)
    """
    previous = get_kernel_path()
    try:
        yield set_kernel_path(name)
    finally:
        set_kernel_path(previous)


def _select_from_environment():
    """Apply ``GELU_C_KERNEL_PATH`` if set (called once at import)."""
    name = os.environ.get(ENV_VAR, "").strip()
    try:
        set_kernel_path(name or "auto")
    except (ValueError, RuntimeError) as exc:
        raise ImportError(f"{ENV_VAR}={name!r}: {exc}") from None


def show_config():
    """Print the version, the build flags, the dtypes, the CPU features and the active
    kernel path."""
    from . import _ufunc_objects
    lines = [
        f"gelu_c {__version__} (C extension active - {get_kernel_path()})",
        f"  kernel path   : {get_kernel_path()}  (set with gelu_c.set_kernel_path or ${ENV_VAR})",
        f"  available     : {', '.join(available_kernel_paths())}",
        f"  known         : {', '.join(known_kernel_paths())}",
        f"  threads       : {_ufuncs.get_num_threads() if _ufuncs.threads_supported() else 1}"
        f"  (large calls; gelu_c.set_num_threads, $GELU_C_NUM_THREADS or $OMP_NUM_THREADS)",
        f"  dtypes        : float16, float32, float64, "
        + ("bfloat16 (ml_dtypes)" if _ufunc_objects.BFLOAT16 else
           "no bfloat16 (pip install gelu_c[bfloat16] for ml_dtypes)"),
        f"  cpu features  : {_ufuncs.cpu_features()}",
        f"  kernel cflags : {_ufuncs.build_flags()}",
    ]
    print("\n".join(lines))
