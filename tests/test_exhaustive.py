"""Exhaustive float32 check of ``gelu`` and ``norm_cdf``: all 2**32 bit patterns.

Opt-in: the test is marked ``exhaustive`` and runs only with
``pytest --exhaustive`` (minutes per kernel path).  The sweep itself lives in
the accuracy harness (:mod:`gelu_c.accuracy.exhaustive`: reference, ULP
definition, bound, blocks of 2**24 inputs over worker processes forced to the
path under test); this file only asks it for every available path.  The same
sweep from the command line::

    python -m gelu_c.accuracy --exhaustive [--paths scalar] [--functions gelu] [--workers N]
    python tests/test_exhaustive.py [--path scalar] [--func gelu] [--workers N]
"""
import sys

import pytest

from gelu_c.accuracy import exhaustive


@pytest.mark.exhaustive
def test_exhaustive_float32(kernel_path):
    res = exhaustive.run(kernel_path, exhaustive.FUNCS)
    lines = [exhaustive.summary_line(f, res[f]) for f in exhaustive.FUNCS]
    print("\n" + "\n".join(lines))
    problems = [exhaustive.summary_line(f, res[f])
                + f"; examples (x, got, ref, ULP): {res[f]['examples']}"
                for f in exhaustive.FUNCS if not exhaustive.passed(res[f])]
    assert not problems, "\n".join(problems)


if __name__ == "__main__":
    sys.exit(exhaustive.main())
