"""gelu_c: GELU, its approximations and their derivatives as NumPy ufuncs.

Every function is a real ``numpy.ufunc`` (broadcasting, ``out=``, ``where=``,
``dtype=``, any strides) over C kernels that are accurate to 1 ULP (2 ULP for
derivatives) in float32 and float64, tails and subnormals included.

Functions
---------
norm_cdf, gelu, gelu_tanh, gelu_sigmoid, silu
    Phi(x), the exact GELU, its tanh and sigmoid approximations, SiLU.
gelu_grad, gelu_tanh_grad, gelu_sigmoid_grad, silu_grad
    Their derivatives.
gelu_backward, gelu_tanh_backward, gelu_sigmoid_backward, silu_backward
    dy * f'(x) in one pass (the backward step of a training loop).
show_config, set_kernel_path, get_kernel_path, available_kernel_paths
    Build report and the kernel-path switch (also ``$GELU_C_KERNEL_PATH``).
"""
from . import _ufuncs
from ._config import (available_kernel_paths, get_kernel_path, known_kernel_paths,
                      select_from_environment, set_kernel_path, show_config)
from ._docs import DOCS as _DOCS
from ._version import __version__

_UFUNCS = _ufuncs.make_ufuncs(_DOCS)
for _name, _uf in _UFUNCS.items():
    # NumPy >= 2.2 pickles a ufunc by its __module__ and name: point it here. Older
    # NumPy has no ufunc.__module__ and pickles by name alone, pickle finding the module
    # that holds the object, which these globals are.
    try:
        _uf.__module__ = __name__
    except AttributeError:
        pass
    globals()[_name] = _uf

select_from_environment()

__all__ = sorted(_UFUNCS) + ["__version__", "available_kernel_paths", "get_kernel_path",
                             "known_kernel_paths", "set_kernel_path", "show_config"]
del _name, _uf
