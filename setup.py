"""Build gelu_c: the C kernels as a static library with strict flags, then the Cython
extension that wraps them as ufuncs.

The kernels are compiled separately (build_clib) so that they get their own flags
(-O3 -Wall -Wextra, no FP contraction) without imposing them on Cython's generated
code, and so that an ISA-specific source can later get its own flags without
leaking them into the portable path. Never any fast-math option: it breaks NaN/inf/subnormal
handling and the ULP bounds (and can switch the whole process to flush-to-zero).
"""
import concurrent.futures
import glob
import os
import sys
import sysconfig

import numpy
from Cython.Build import cythonize
from setuptools import Extension, setup
from setuptools.command.build_clib import build_clib

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
    # -g1 after Python's -g: line tables only. Full debug info of the instantiated kernels
    # tripled the AVX2 path's compile time (116 s against 43 s) and its memory (2 GB).
    KERNEL_FLAGS = ["-O3", "-g1", "-Wall", "-Wextra", "-ffp-contract=off", "-std=c11"]
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
# taken into account) the two halves of each vec_pair.h vector interleave more
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


def builds_neon_path():
    """The NEON path is compiled on AArch64 (Linux aarch64, macOS arm64) unless
    GELU_C_NO_NEON=1; Advanced SIMD is in the AArch64 baseline, so it needs no flag."""
    if os.environ.get("GELU_C_NO_NEON", "") not in ("", "0") or IS_MSVC:
        return False
    plat = sysconfig.get_platform().lower()    # the target's (cibuildwheel sets it)
    return plat.endswith(("aarch64", "arm64"))


HAVE_AVX2 = builds_avx2_path()
HAVE_NEON = builds_neon_path()
flag_string = " ".join(KERNEL_FLAGS)
if HAVE_AVX2:
    flag_string += "; avx2 path: + " + " ".join(AVX2_FLAGS)
if HAVE_NEON:
    flag_string += "; neon path (AArch64 baseline)"

# Every object depends on every header (the kernels are headers instantiated per ISA), and
# the extension on every kernel file: setuptools compares timestamps, and without these an
# edited header leaves stale objects and a stale library in a repeated in-place build.
KERNEL_HEADERS = sorted(glob.glob(os.path.join("csrc", "*.h")))
KERNEL_FILES = KERNEL_HEADERS + sorted(glob.glob(os.path.join("csrc", "*.c")))

# One static library per kernel source, so that the sources compile in parallel
# (ParallelBuildClib below): the AVX2 path alone takes ~40 s, the scalar one ~13 s.
# Listed in link order: dispatch.c refers to the path tables and to threads.c.
BASELINE_MACROS = [("GELU_C_CFLAGS", '"%s"' % flag_string)] + (
    [("GELU_C_HAVE_AVX2", "1")] if HAVE_AVX2 else []) + (
    [("GELU_C_HAVE_NEON", "1")] if HAVE_NEON else [])


def kernel_library(source, cflags=KERNEL_FLAGS, macros=BASELINE_MACROS):
    name = "gelu_c_" + os.path.splitext(os.path.basename(source))[0]
    return (name, {"sources": [source], "include_dirs": ["csrc"], "macros": macros,
                   "obj_deps": {"": KERNEL_HEADERS}, "cflags": cflags})


# The baseline: portable kernels, the dispatcher, CPU detection and threads. No ISA flag.
libraries = [kernel_library("csrc/dispatch.c"), kernel_library("csrc/path_scalar.c"),
             kernel_library("csrc/cpu_x86.c"), kernel_library("csrc/threads.c")]
# The AVX2+FMA kernels alone in a library of their own, so that their flags never reach
# code that runs before the CPU check (never -mavx2 on the whole extension: SIGILL on CPUs without it).
if HAVE_AVX2:
    libraries.insert(2, kernel_library("csrc/path_avx2.c", KERNEL_FLAGS + AVX2_FLAGS, []))
# The NEON kernels (AArch64 baseline instructions), a library of their own to compile in
# parallel with the scalar path.
if HAVE_NEON:
    libraries.insert(2, kernel_library("csrc/path_neon.c", KERNEL_FLAGS, []))


class ParallelBuildClib(build_clib):
    """build_clib that compiles the libraries concurrently (setuptools builds them one
    after another), one job per CPU; the compiler object is shared the way build_ext's
    own parallel mode shares it."""

    def build_libraries(self, libraries):
        jobs = min(len(libraries), os.cpu_count() or 1)
        if jobs <= 1:
            return super().build_libraries(libraries)
        with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
            # the kernel paths (the slow ones) first, so none is left running alone at the end
            order = sorted(libraries, key=lambda lib: "path_" not in lib[0])
            for f in [pool.submit(super(ParallelBuildClib, self).build_libraries, [lib])
                      for lib in order]:
                f.result()


ext = Extension(
    "gelu_c._ufuncs",
    sources=["gelu_c/_ufuncs.pyx"],
    include_dirs=[numpy.get_include(), "csrc"],
    define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
    depends=KERNEL_FILES,
    # static link order: dispatch.c (first) refers to the path tables and to threads.c
    libraries=[name for name, _ in libraries] + ([] if IS_MSVC else ["m", "pthread"]),
)

setup(
    version=read_version(),
    libraries=libraries,
    cmdclass={"build_clib": ParallelBuildClib},
    ext_modules=cythonize([ext], compiler_directives={"language_level": 3}),
)
