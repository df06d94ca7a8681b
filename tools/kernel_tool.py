"""Build and run a C tool that instantiates the kernels over a layer of its own.

``tools/count_ops.c`` (operation counts) and ``tools/subnormal_check.c`` (subnormal
intermediates) both compile the kernels (``csrc/kernels.h``) over a one-lane layer from
``tools/`` and print one line per kernel; this is their shared build-and-run step.
"""
import os
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def run_kernel_tool(source, defines=(), opt="-O2", cc=None):
    """Compile ``tools/<source>`` against ``csrc/`` and return its standard output.

    Parameters
    ----------
    source : str
        File name of the C tool in ``tools/``.
    defines : sequence of str
        Preprocessor macros to define (``-D`` flags), e.g. the float64 switch.
    opt : str
        Optimisation flag.
    cc : str, optional
        C compiler (default ``$CC`` or ``cc``).

    Returns
    -------
    str
    """
    cc = cc or os.environ.get("CC", "cc")
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, os.path.splitext(source)[0])
        cmd = [cc, opt, "-std=c11", *(f"-D{d}" for d in defines),
               "-I", os.path.join(ROOT, "csrc"), "-I", HERE,
               os.path.join(HERE, source), "-o", exe, "-lm"]
        subprocess.run(cmd, check=True)
        return subprocess.run([exe], check=True, capture_output=True, text=True).stdout
