"""gelu_c: GELU, its approximations and their derivatives as NumPy ufuncs.

Every function is a real ``numpy.ufunc`` (broadcasting, ``out=``, ``where=``,
``dtype=``, any strides) over C kernels that are accurate to 1 ULP (2 ULP for
derivatives) in float32 and float64, tails and subnormals included, and correctly
rounded in float16 and bfloat16 (ml_dtypes'). The same functions within 4 ULP,
faster, are in :mod:`gelu_c.fast`.

Functions
---------
{functions}
stochastic_gelu
    x times a Bernoulli(Phi(x)) mask (its mean over draws is GELU), seedable.
show_config, kernel_path, set_kernel_path, get_kernel_path, available_kernel_paths
    Build report and the kernel-path switch (also ``$GELU_C_KERNEL_PATH``); the
    switch applies to every tier.
threads, set_num_threads, get_num_threads
    Threads a large call may use (``$GELU_C_NUM_THREADS``, else ``$OMP_NUM_THREADS``,
    else every CPU this process may run on).
"""
from . import registry
from ._config import (available_kernel_paths, get_kernel_path, kernel_path,
                      known_kernel_paths, set_kernel_path, show_config)
from ._config import _select_from_environment
from ._docs import function_list as _function_list
from ._threads import get_num_threads, set_num_threads, threads
from ._threads import _init_from_environment as _init_threads
from ._ufunc_objects import tier_namespace as _tier_namespace
from ._version import __version__

__doc__ = __doc__.format(functions=_function_list("exact"))

globals().update(_tier_namespace("exact"))

from . import fast  # noqa: E402  (the fast tier's module, built from the same table)
from .stochastic import stochastic_gelu  # noqa: E402

_select_from_environment()
_init_threads()

__all__ = list(_tier_namespace("exact")) + [
    "__version__", "available_kernel_paths", "fast", "get_kernel_path", "kernel_path",
    "known_kernel_paths", "set_kernel_path", "show_config", "stochastic_gelu",
    "threads", "set_num_threads", "get_num_threads"]
