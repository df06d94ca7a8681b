"""No kernel forms a subnormal intermediate on ordinary inputs.

A subnormal result of any vector instruction costs a microcode assist on Intel cores
(np.multiply runs ~15x slower on subnormal products), so one such intermediate makes
a whole vector many times slower while every result stays right: speed would depend
on the values, which the kernels promise it does not. Timing cannot be tested on a
noisy machine; this is the deterministic part of that promise.
tools/subnormal_check.py compiles the kernels over a one-lane checking layer that
evaluates what a SIMD path evaluates (both arms of every select, every recipe behind
a per-vector branch) and sweeps x over both tails, the clamps and powers of ten down
to 1e-18, and dy (backward) from 2^-60 to near the overflow threshold; the functions
with parameters at every 7th x with three (mu, sigma) pairs.
"""
import os
import shutil
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import subnormal_check  # noqa: E402

from gelu_c import registry  # noqa: E402

CC = os.environ.get("CC", "cc")


@pytest.mark.skipif(shutil.which(CC) is None, reason=f"no C compiler ({CC}) to build the check")
@pytest.mark.parametrize("f64", [False, True], ids=["float32", "float64"])
def test_no_subnormal_intermediates(f64):
    res = subnormal_check.subnormal_inputs(f64=f64)
    assert sorted(res) == sorted(f.cname for f in registry.FUNCTIONS), sorted(res)
    bad = {name: r for name, r in res.items() if r[0]}
    assert not bad, ("inputs with a subnormal intermediate (count, first x, dy): "
                     f"{bad}")
