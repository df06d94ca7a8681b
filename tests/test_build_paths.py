"""Which SIMD paths setup.py compiles for each wheel target (cibuildwheel sets the target
platform through sysconfig): the AVX2 path on x86-64 targets only, the NEON path on
AArch64 ones only (Linux aarch64, macOS arm64), and each can be switched off."""
import ast
import os
import types

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SETUP = os.path.join(ROOT, "setup.py")
pytestmark = pytest.mark.skipif(not os.path.isfile(SETUP), reason="not run from a source checkout")


def _path_choosers(platform, env=None, msvc=False):
    """setup.py's builds_avx2_path and builds_neon_path, run for a target platform."""
    tree = ast.parse(open(SETUP, encoding="utf-8").read())
    funcs = [n for n in tree.body
             if isinstance(n, ast.FunctionDef) and n.name in ("builds_avx2_path", "builds_neon_path")]
    assert len(funcs) == 2
    fake_os = types.SimpleNamespace(environ=dict(env or {}), path=os.path)
    fake_sysconfig = types.SimpleNamespace(get_platform=lambda: platform)
    ns = {"os": fake_os, "sysconfig": fake_sysconfig, "IS_MSVC": msvc}
    exec(compile(ast.Module(body=funcs, type_ignores=[]), SETUP, "exec"), ns)
    return ns["builds_avx2_path"](), ns["builds_neon_path"]()


@pytest.mark.parametrize("platform, avx2, neon", [
    ("linux-x86_64", True, False),
    ("linux-aarch64", False, True),
    ("macosx-10.9-x86_64", True, False),
    ("macosx-11.0-arm64", False, True),
    ("win-amd64", True, False),
    ("linux-i686", False, False),
    ("linux-ppc64le", False, False),
])
def test_each_target_gets_its_simd_path(platform, avx2, neon):
    assert _path_choosers(platform) == (avx2, neon)


def test_the_simd_paths_can_be_switched_off():
    assert _path_choosers("linux-x86_64", {"GELU_C_NO_AVX2": "1"}) == (False, False)
    assert _path_choosers("linux-aarch64", {"GELU_C_NO_NEON": "1"}) == (False, False)
    assert _path_choosers("linux-aarch64", {"GELU_C_NO_NEON": "0"}) == (False, True)
