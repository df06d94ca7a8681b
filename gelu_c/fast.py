"""gelu_c.fast: every gelu_c function within 4 ULP, on faster kernels.

The same ufuncs as :mod:`gelu_c`, under the same names, held to 4 ULP of the output
type for every finite input (4 ULP of 0.5, absolute, within 1e-3 of a derivative's
zero) instead of 1 ULP (2 for derivatives). Tails, subnormal results, special values,
signed zeros and floating-point flags are handled exactly as in :mod:`gelu_c`, and the
kernel-path switch (``gelu_c.set_kernel_path``) applies here too.

Functions
---------
{functions}
"""
from ._docs import function_list as _function_list
from ._ufunc_objects import tier_namespace as _tier_namespace

__doc__ = __doc__.format(functions=_function_list("fast"))

globals().update(_tier_namespace("fast"))

__all__ = list(_tier_namespace("fast"))
