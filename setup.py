"""Build gelu_c: the C kernels as a static library with strict flags, then the Cython
extension that wraps them as ufuncs.

The kernels are compiled separately (build_clib) so that they get their own flags
(-O3 -Wall -Wextra, no FP contraction) without imposing them on Cython's generated
code, and so that an ISA-specific source can later get its own flags without
leaking them into the portable path. Never any fast-math option: it breaks NaN/inf/subnormal
handling and the ULP bounds (and can switch the whole process to flush-to-zero).
"""
import os
import sys
import sysconfig

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))


def read_version():
    ns = {}
    with open(os.path.join(HERE, "gelu_c", "_version.py")) as fh:
        exec(fh.read(), ns)
    return ns["__version__"]


IS_MSVC = sys.platform == "win32" and "GCC" not in sys.version
if IS_MSVC:
    KERNEL_FLAGS = ["/O2", "/W3", "/fp:precise"]
else:
    # -ffp-contract=off: every FMA is explicit, so each path computes the same bits.
    KERNEL_FLAGS = ["-O3", "-Wall", "-Wextra", "-ffp-contract=off", "-std=c11"]

KERNEL_SOURCES = ["csrc/path_scalar.c", "csrc/dispatch.c"]
flag_string = " ".join(KERNEL_FLAGS)

kernels = ("gelu_c_kernels", {
    "sources": KERNEL_SOURCES,
    "include_dirs": ["csrc"],
    "cflags": KERNEL_FLAGS,
    "macros": [("GELU_C_CFLAGS", '"%s"' % flag_string)],
})

ext = Extension(
    "gelu_c._ufuncs",
    sources=["gelu_c/_ufuncs.pyx"],
    include_dirs=[numpy.get_include(), "csrc"],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    libraries=["gelu_c_kernels"] + ([] if IS_MSVC else ["m"]),
)

setup(
    version=read_version(),
    libraries=[kernels],
    ext_modules=cythonize([ext], compiler_directives={"language_level": 3}),
)
