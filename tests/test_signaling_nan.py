"""A NaN input gives a quiet NaN (as IEEE operations and np.exp do), keeping a quiet
NaN's payload; a signaling NaN raises NumPy's 'invalid' warning, as np.exp does."""
import warnings

import numpy as np
import pytest

import gelu_c

UNARY = ["norm_cdf", "gelu", "gelu_grad", "gelu_tanh", "gelu_tanh_grad", "gelu_sigmoid",
         "gelu_sigmoid_grad", "silu", "silu_grad"]
BINARY = ["gelu_backward", "gelu_tanh_backward", "gelu_sigmoid_backward", "silu_backward"]

CASES = {
    np.float32: (np.uint32, [0x7F800001, 0xFFA00000], [0x7FC12345, 0xFFC00001], 0x00400000),
    np.float64: (np.uint64, [0x7FF0000000000001, 0xFFF4000000000000],
                 [0x7FF8000000012345, 0xFFF8000000000001], 0x0008000000000000),
}


def _quiet(bits, qbit):
    return (bits & qbit) != 0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", UNARY + BINARY)
def test_nan_in_quiet_nan_out(name, dtype, kernel_path):
    ut, snans, qnans, qbit = CASES[dtype]
    x = np.array(snans + qnans, dtype=ut).view(dtype)
    f = getattr(gelu_c, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        out = f(x) if f.nin == 1 else f(np.ones_like(x), x)
    bits = out.view(ut)
    assert np.all(np.isnan(out)), (name, kernel_path)
    assert np.all(_quiet(bits, qbit)), (name, dtype, kernel_path, [hex(int(b)) for b in bits])
    # quiet NaNs keep their payload and sign
    assert list(bits[len(snans):]) == qnans, (name, dtype, kernel_path, [hex(int(b)) for b in bits])
