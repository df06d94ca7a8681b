"""Type stubs for gelu_c: every function is a numpy.ufunc (1 or 2 inputs, 1 output)."""
from typing import Final, Literal

import numpy as np

__version__: Final[str]

# f(x): nin=1, nout=1; loops f->f, d->d
norm_cdf: np.ufunc
gelu: np.ufunc
gelu_grad: np.ufunc
gelu_tanh: np.ufunc
gelu_tanh_grad: np.ufunc
gelu_sigmoid: np.ufunc
gelu_sigmoid_grad: np.ufunc
silu: np.ufunc
silu_grad: np.ufunc

# dy * f'(x): nin=2, nout=1; loops ff->f, dd->d
gelu_backward: np.ufunc
gelu_tanh_backward: np.ufunc
gelu_sigmoid_backward: np.ufunc
silu_backward: np.ufunc

KernelPath = Literal["scalar", "avx2"]

def available_kernel_paths() -> tuple[str, ...]: ...
def known_kernel_paths() -> tuple[str, ...]: ...
def get_kernel_path() -> str: ...
def set_kernel_path(name: str) -> str: ...
def show_config() -> None: ...

__all__: list[str]
