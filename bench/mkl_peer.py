"""Intel oneMKL's vector Φ (CdfNorm) as an optional benchmark peer.

MKL (pip package ``mkl``) computes the normal CDF as ``vsCdfNorm`` / ``vdCdfNorm`` in
three accuracy modes: HA (about 1 ULP), LA (at most 4 ULP) and EP. Its dispatcher
picks the code by CPU vendor, and on AMD processors it runs old SSE code; the AVX2
kernels themselves are exported from ``libmkl_vml_avx2.so.3`` as
``mkl_vml_kernel_sCdfNorm_L9LAynn(int n, const float *x, float *y)`` (``_L9HAynn``:
HA; ``dCdfNorm``: float64). They load after a first ``vsCdfNorm`` call through
``libmkl_rt.so.3`` has brought in MKL's libraries, and then run on any AVX2 CPU: the
fair anchor for gelu_c's AVX2 kernels, one thread.

Nothing here is needed to build or test gelu_c: :func:`load` returns None when MKL
is absent (or ``GELU_C_MKL_LIB`` points at no library), and the report skips it.
"""
import ctypes
import glob
import os
import sys

import numpy as np

#: mode -> suffix of the AVX2 kernel's symbol
MODES = {"HA": "L9HAynn", "LA": "L9LAynn", "EP": "L9EPnnn"}


def _lib_dirs():
    env = os.environ.get("GELU_C_MKL_LIB")
    if env:
        yield env
    for prefix in [sys.prefix, sys.base_prefix] + [p for p in sys.path if p]:
        yield os.path.join(prefix, "lib")
        yield prefix
        yield os.path.normpath(os.path.join(prefix, "..", "..", ".."))   # site-packages -> prefix/lib


def find_library(name):
    """Path of ``name`` (e.g. ``libmkl_rt.so.3``) in the places pip installs MKL to."""
    for d in _lib_dirs():
        hits = glob.glob(os.path.join(d, name))
        if hits:
            return hits[0]
    return None


class MKL:
    """The AVX2 CdfNorm kernels of one MKL installation."""

    def __init__(self, rt_path, avx2_path):
        os.environ.setdefault("MKL_THREADING_LAYER", "SEQUENTIAL")
        rt = ctypes.CDLL(rt_path, mode=ctypes.RTLD_GLOBAL)
        rt.MKL_Set_Num_Threads(1)
        # one call through the dispatcher loads MKL's VML libraries
        x = np.zeros(8, np.float32)
        rt.vsCdfNorm(ctypes.c_int(8), x.ctypes.data_as(ctypes.c_void_p),
                     x.ctypes.data_as(ctypes.c_void_p))
        self.avx2 = ctypes.CDLL(avx2_path, mode=ctypes.RTLD_GLOBAL)
        self.version = self._version(rt)

    @staticmethod
    def _version(rt):
        buf = ctypes.create_string_buffer(256)
        try:
            rt.MKL_Get_Version_String(buf, 256)
            return buf.value.decode(errors="replace").strip()
        except AttributeError:
            return "oneMKL"

    def cdf_norm(self, dtype, mode="LA"):
        """``f(x, out)``: Φ of a contiguous float32/float64 array into ``out``."""
        letter = "s" if np.dtype(dtype) == np.float32 else "d"
        fn = getattr(self.avx2, f"mkl_vml_kernel_{letter}CdfNorm_{MODES[mode]}")
        fn.restype = None
        fn.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p]

        def call(x, out):
            assert x.flags.c_contiguous and out.flags.c_contiguous and x.dtype == out.dtype
            fn(x.size, x.ctypes.data, out.ctypes.data)
            return out
        return call


_LOADED = {}


def load():
    """The :class:`MKL` of this Python's ``mkl`` package, or None when it is absent."""
    if "mkl" not in _LOADED:
        rt, avx2 = find_library("libmkl_rt.so.3"), find_library("libmkl_vml_avx2.so.3")
        try:
            _LOADED["mkl"] = MKL(rt, avx2) if rt and avx2 else None
        except (OSError, AttributeError):
            _LOADED["mkl"] = None
    return _LOADED["mkl"]


def info():
    m = load()
    return "mkl not installed (pip install mkl)" if m is None else f"{m.version}, AVX2 kernels"
