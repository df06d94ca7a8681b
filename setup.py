"""Build gelu_c: the C kernels as a static library with strict flags, then the Cython
extension that wraps them as ufuncs.

The kernels are compiled separately (build_clib) so that they get their own flags
(-O3 -Wall -Wextra, no FP contraction) without imposing them on Cython's generated
code, and so that an ISA-specific source can later get its own flags without
leaking them into the portable path. Never any fast-math option: it breaks NaN/inf/subnormal
handling and the ULP bounds (and can switch the whole process to flush-to-zero).
"""
import glob
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
    AVX2_FLAGS = ["/arch:AVX2"]
else:
    # -ffp-contract=off: every FMA is explicit, so each path computes the same bits.
    KERNEL_FLAGS = ["-O3", "-Wall", "-Wextra", "-ffp-contract=off", "-std=c11"]
    AVX2_FLAGS = ["-mavx2", "-mfma", "-mf16c"]


def compiler_is_gcc():
    """Is the C compiler setuptools will call GCC (not clang posing as gcc)?"""
    import shlex
    import subprocess
    cc = os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc"
    try:
        out = subprocess.run(shlex.split(cc) + ["--version"], capture_output=True,
                             text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return "Free Software Foundation" in out and "clang" not in out.lower()


# GCC's first scheduling pass is off on x86 by default. With it (and register pressure
# taken into account) the two halves of each vec_avx2_pair.h vector interleave more
# finely: +5-10% on the AVX2 kernels (Intel Golden Cove; AMD Zen 3: +10-15% on gelu and
# gelu_backward, silu even), the same bits (it reorders, never reassociates).
if not IS_MSVC and compiler_is_gcc():
    AVX2_FLAGS += ["-fschedule-insns", "-fsched-pressure"]


def builds_avx2_path():
    """The AVX2 path is compiled on x86-64 unless GELU_C_NO_AVX2=1 (a scalar-only
    build, e.g. to test the fallback or for a compiler without AVX2 support)."""
    if os.environ.get("GELU_C_NO_AVX2", "") not in ("", "0"):
        return False
    plat = sysconfig.get_platform().lower()
    return plat.endswith(("x86_64", "amd64")) or plat == "win-amd64"


HAVE_AVX2 = builds_avx2_path()
flag_string = " ".join(KERNEL_FLAGS)
if HAVE_AVX2:
    flag_string += "; avx2 path: + " + " ".join(AVX2_FLAGS)

# Every object depends on every header (the kernels are headers instantiated per ISA), and
# the extension on every kernel file: setuptools compares timestamps, and without these an
# edited header leaves stale objects and a stale library in a repeated in-place build.
KERNEL_HEADERS = sorted(glob.glob(os.path.join("csrc", "*.h")))
KERNEL_FILES = KERNEL_HEADERS + sorted(glob.glob(os.path.join("csrc", "*.c")))

# The baseline library: portable kernels, the dispatcher and CPU detection. No ISA flag.
libraries = [("gelu_c_kernels", {
    "sources": ["csrc/path_scalar.c", "csrc/dispatch.c", "csrc/cpu_x86.c", "csrc/threads.c"],
    "include_dirs": ["csrc"],
    "obj_deps": {"": KERNEL_HEADERS},
    "cflags": KERNEL_FLAGS,
    "macros": [("GELU_C_CFLAGS", '"%s"' % flag_string)]
              + ([("GELU_C_HAVE_AVX2", "1")] if HAVE_AVX2 else []),
})]
# The AVX2+FMA kernels alone in a library of their own, so that their flags never reach
# code that runs before the CPU check (never -mavx2 on the whole extension: SIGILL on CPUs without it).
if HAVE_AVX2:
    libraries.append(("gelu_c_kernels_avx2", {
        "sources": ["csrc/path_avx2.c"],
        "include_dirs": ["csrc"],
        "obj_deps": {"": KERNEL_HEADERS},
        "cflags": KERNEL_FLAGS + AVX2_FLAGS,
    }))

ext = Extension(
    "gelu_c._ufuncs",
    sources=["gelu_c/_ufuncs.pyx"],
    include_dirs=[numpy.get_include(), "csrc"],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    depends=KERNEL_FILES,
    # dispatch.c (first library) refers to the AVX2 table (second): static link order
    libraries=[name for name, _ in libraries] + ([] if IS_MSVC else ["m", "pthread"]),
)

setup(
    version=read_version(),
    libraries=libraries,
    ext_modules=cythonize([ext], compiler_directives={"language_level": 3}),
)
