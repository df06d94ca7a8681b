"""Shared pytest configuration for the gelu_c test-suite.

* ``kernel_path`` fixture: parametrized over every kernel path available on
  this CPU (``gelu_c.available_kernel_paths()``); it runs the test inside
  ``gelu_c.kernel_path(name)``, which restores the previous path afterwards.
* ``--exhaustive`` option and ``exhaustive`` marker: tests marked
  ``@pytest.mark.exhaustive`` (the all-2**32 float32 sweeps) are skipped
  unless ``--exhaustive`` is given.
"""
import os
import sysconfig

import pytest

import gelu_c

KERNEL_PATHS = tuple(gelu_c.available_kernel_paths())

# tools/check_dist.sh runs the suite against the installed wheel: a gelu_c imported from
# anywhere else (a source tree on the path) would test the wrong thing, silently.
if os.environ.get("GELU_C_EXPECT_INSTALLED"):
    _site = os.path.realpath(sysconfig.get_paths()["platlib"])
    if not os.path.realpath(gelu_c.__file__).startswith(_site + os.sep):
        raise RuntimeError(f"GELU_C_EXPECT_INSTALLED: gelu_c comes from {gelu_c.__file__}, "
                           f"not from the installed package in {_site}")

# Tests that start a child Python must import this same gelu_c (a source tree's build, not
# whatever an editable install elsewhere points at).
_root = os.path.dirname(os.path.dirname(os.path.realpath(gelu_c.__file__)))
if _root != os.path.realpath(sysconfig.get_paths()["platlib"]):
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (_root, os.environ.get("PYTHONPATH")) if p)


def pytest_addoption(parser):
    parser.addoption(
        "--exhaustive", action="store_true", default=False,
        help="run the opt-in exhaustive tests (all 2**32 float32 inputs; "
             "minutes per kernel path)")


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "exhaustive: opt-in exhaustive test, skipped unless --exhaustive is given")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--exhaustive"):
        return
    skip = pytest.mark.skip(reason="exhaustive test: run with --exhaustive")
    for item in items:
        if "exhaustive" in item.keywords:
            item.add_marker(skip)


def pytest_report_header(config):
    return (f"gelu_c {gelu_c.__version__} from {gelu_c.__file__}; "
            f"kernel paths available: {', '.join(KERNEL_PATHS)}")


@pytest.fixture(params=KERNEL_PATHS)
def kernel_path(request):
    """Run the test with ``gelu_c`` switched to each available kernel path."""
    with gelu_c.kernel_path(request.param) as path:
        assert gelu_c.get_kernel_path() == request.param
        yield path
