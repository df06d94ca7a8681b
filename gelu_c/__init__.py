"""gelu_c: GELU, its approximations and their derivatives as NumPy ufuncs.

Every function is a real ``numpy.ufunc`` (broadcasting, ``out=``, ``where=``,
``dtype=``, any strides) over C kernels that are accurate to 1 ULP (2 ULP for
derivatives) in float32 and float64, tails and subnormals included.

Functions
---------
{functions}
show_config, kernel_path, set_kernel_path, get_kernel_path, available_kernel_paths
    Build report and the kernel-path switch (also ``$GELU_C_KERNEL_PATH``).
"""
from . import _ufuncs, registry
from ._config import (available_kernel_paths, get_kernel_path, kernel_path,
                      known_kernel_paths, set_kernel_path, show_config)
from ._config import _select_from_environment
from ._docs import DOCS as _DOCS, function_list as _function_list
from ._version import __version__

__doc__ = __doc__.format(functions=_function_list())

_UFUNCS = _ufuncs.make_ufuncs(_DOCS)
if tuple(_UFUNCS) != registry.names():
    raise ImportError("gelu_c's compiled extension does not match gelu_c/registry.py "
                      f"(compiled: {', '.join(_UFUNCS)}): rebuild it (pip install .)")
for _name, _uf in _UFUNCS.items():
    # NumPy >= 2.2 pickles a ufunc by its __module__ and name: point it here. Older
    # NumPy has no ufunc.__module__ and pickles by name alone, pickle finding the module
    # that holds the object, which these globals are.
    try:
        _uf.__module__ = __name__
    except AttributeError:
        pass
    globals()[_name] = _uf

_select_from_environment()

__all__ = list(registry.names()) + [
    "__version__", "available_kernel_paths", "get_kernel_path", "kernel_path",
    "known_kernel_paths", "set_kernel_path", "show_config"]
del _name, _uf
