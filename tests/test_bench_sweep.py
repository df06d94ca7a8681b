"""bench/sweep.py, the throughput-against-size sweep, runs: a smoke test of ``--quick``.

Two small sizes, no picture, in a child process (the sweep sets gelu_c's and PyTorch's
thread counts, which this process should keep). Nothing here judges a speed: it checks
that every implementation the sweep promises is timed at every size and that the
tables and the progress bar are written.
"""
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SWEEP_PY = os.path.join(ROOT, "bench", "sweep.py")

pytestmark = pytest.mark.skipif(not os.path.exists(SWEEP_PY), reason="no bench/sweep.py here")


def test_quick_sweep_on_two_small_sizes(tmp_path):
    out_json = tmp_path / "sweep.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
    res = subprocess.run([sys.executable, SWEEP_PY, "--quick", "--sizes", "10,12", "--threads", "1,2",
                          "--json", str(out_json)],
                         env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert "throughput, G elements/s" in res.stdout
    assert "thread targets at 2^12 float32" in res.stdout
    assert "sweep [" in res.stderr or "2^12 [" in res.stderr           # the progress bar
    data = json.loads(out_json.read_text())
    got = {(r["function"], r["dtype"], r["implementation"], r["threads"], r["n"]) for r in data["rows"]}
    impls = [("gelu_c", 1), ("gelu_c", 2), ("gelu_c.fast", 1), ("gelu_c.fast", 2), ("copy", 1), ("copy", 2)]
    for name in ("gelu", "gelu_backward"):
        for dtype in ("float32", "float64"):
            for n in (1 << 10, 1 << 12):
                for impl, k in impls:
                    assert (name, dtype, impl, k, n) in got
    assert all(r["gps"] > 0 for r in data["rows"])
    # 2^12 runs on one thread: ratios shown, not judged
    assert {r["n"] for r in data["ratios"]} == {1 << 12}
    assert all(r["met"] is None for r in data["ratios"])
    assert len(data["ratios"]) == 4
    assert "wrote" not in res.stdout                                   # no picture


def test_a_bad_size_is_a_usage_error():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (ROOT, env.get("PYTHONPATH")) if p)
    res = subprocess.run([sys.executable, SWEEP_PY, "--sizes", "10,twelve"],
                         env=env, capture_output=True, text=True, timeout=60)
    assert res.returncode == 2 and "--sizes: cannot read 'twelve'" in res.stderr
