"""A NaN input gives a quiet NaN (as IEEE operations and np.exp do), keeping a quiet
NaN's payload; a signaling NaN raises NumPy's 'invalid' warning, as np.exp does, and
a quiet NaN raises none, as np.add does."""
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


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", UNARY + BINARY)
def test_quiet_nan_raises_no_warning(name, dtype, kernel_path):
    """Quiet NaNs, alone and among ordinary values (both inputs of the backward
    functions, at several lane positions), set no floating-point flag: a kernel that
    let one reach an x86 min/max or a signaling compare would warn 'invalid'."""
    ut, snans, qnans, qbit = CASES[dtype]
    x = np.array([0.5, -3.0, 20.0, -20.0, 0.0, 1e-3, -40.0, 2.0] * 5, dtype=dtype)
    nan = np.array(qnans, dtype=ut).view(dtype)
    x[::3] = nan[0]
    x[1::7] = nan[1]
    f = getattr(gelu_c, name)
    with np.errstate(all="raise"):
        if f.nin == 1:
            out = f(x)
            assert np.isnan(out[::3]).all() and np.isnan(out[1::7]).all()
        else:
            dy = np.linspace(-2.0, 2.0, x.size).astype(dtype)
            assert np.isnan(f(dy, x)[::3]).all()
            assert np.isnan(f(x, dy)[::3]).all()
            assert np.isnan(f(x, x)[::3]).all()
