"""Run the test suite against the installed gelu_c, not a source tree.

``python tools/run_installed_tests.py SOURCE [pytest options]`` copies what the tests read
from SOURCE (a checkout or an unpacked sdist: ``tests/``, ``tools/``, ``csrc/`` for the C
checks, ``bench/``, ``examples/``, ``docs/``) into a temporary folder without ``gelu_c/``,
and runs pytest there with ``GELU_C_EXPECT_INSTALLED=1``, under which ``tests/conftest.py``
refuses a gelu_c imported from anywhere but site-packages. Used by ``tools/check_dist.sh`` (the
sdist's wheel) and by cibuildwheel's test command (each platform's wheel).
"""
import os
import shutil
import subprocess
import sys
import tempfile

#: the folders the tests read besides the package itself
FOLDERS = ("tests", "tools", "csrc", "bench", "examples", "docs")


def main(argv):
    if not argv or argv[0].startswith("-"):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    source, pytest_args = argv[0], argv[1:]
    if not os.path.isdir(os.path.join(source, "tests")):
        print(f"{source}: no tests/ folder", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="gelu_c_installed_") as tmp:
        for folder in FOLDERS:
            if os.path.isdir(os.path.join(source, folder)):
                shutil.copytree(os.path.join(source, folder), os.path.join(tmp, folder),
                                ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd"))
        env = dict(os.environ, GELU_C_EXPECT_INSTALLED="1")
        env.pop("PYTHONPATH", None)
        cmd = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", tmp,
               os.path.join(tmp, "tests"), *pytest_args]
        return subprocess.run(cmd, cwd=tmp, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
