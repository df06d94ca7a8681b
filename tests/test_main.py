"""The main job, ``python -m gelu_c``, on an install without SciPy.

SciPy is a test and benchmark extra, not a dependency of gelu_c, so the report must run
without it (it once died on ``import scipy`` right after the configuration block). Its
float64 reference then comes from
:func:`gelu_c.accuracy.scipy_reference.float64_special`'s stand-ins,
checked here against mpmath.
"""
import math
import os
import subprocess
import sys

import mpmath
import numpy as np

from gelu_c.accuracy.scipy_reference import float64_special

EPS64 = 2.0 ** -53


def _without_env(tmp_path, package):
    """Environment whose Python cannot import `package` (one that refuses to load)."""
    blocker = tmp_path / package
    blocker.mkdir()
    (blocker / "__init__.py").write_text(f'raise ImportError("{package} hidden by the test")\n')
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(tmp_path), env.get("PYTHONPATH")) if p)
    return env


def test_main_job_runs_without_scipy(tmp_path):
    env = _without_env(tmp_path, "scipy")
    probe = subprocess.run([sys.executable, "-c", "import scipy"], env=env,
                           capture_output=True, text=True)
    assert probe.returncode != 0, "the blocker did not hide scipy"
    run = subprocess.run([sys.executable, "-m", "gelu_c", "--quick"], env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "worst error in ULPs" in run.stdout
    assert "vs gelu" in run.stdout            # the decimal-place lines (float64 reference)
    speed = run.stdout[run.stdout.index("Speed, float32"):]
    from gelu_c.__main__ import SPEED_FUNCTIONS
    for name in SPEED_FUNCTIONS:
        assert f"\n  {name} " in speed, name


def test_without_mpmath_the_package_and_main_job_run_and_the_harness_says_why(tmp_path):
    """mpmath is the accuracy harness's extra: gelu_c needs NumPy alone."""
    env = _without_env(tmp_path, "mpmath")
    probe = subprocess.run([sys.executable, "-c", "import mpmath"], env=env,
                           capture_output=True, text=True)
    assert probe.returncode != 0, "the blocker did not hide mpmath"
    use = subprocess.run([sys.executable, "-c", "import numpy as np, gelu_c, gelu_c.fast; "
                          "print(gelu_c.gelu(np.float32(1.0)), gelu_c.fast.silu(1.0))"],
                         env=env, capture_output=True, text=True, timeout=120)
    assert use.returncode == 0, use.stderr[-3000:]
    run = subprocess.run([sys.executable, "-m", "gelu_c", "--quick"], env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Accuracy: not measured" in run.stdout and "gelu_c[accuracy]" in run.stdout
    assert "Speed, float32" in run.stdout
    harness = subprocess.run([sys.executable, "-m", "gelu_c.accuracy"], env=env,
                             capture_output=True, text=True, timeout=120)
    assert harness.returncode != 0
    assert "ImportError: gelu_c.accuracy needs mpmath" in harness.stderr
    assert "gelu_c[accuracy]" in harness.stderr


def test_float64_special_without_scipy_against_mpmath(monkeypatch):
    """The stand-ins' error: ndtr within the rounding of its argument x * sqrt(1/2) (the
    constant and the product rounded once each: relative error 2 * 2^-53, which erfc's
    condition number 2z^2 = x^2 turns into 2 x^2 2^-53) plus a few ulps of erfc and the
    scaling; expit within 4 ulps (exp, the add and the division, each rounded once; exp's
    error enters with a factor below 1)."""
    monkeypatch.setitem(sys.modules, "scipy", None)
    monkeypatch.setitem(sys.modules, "scipy.special", None)
    ndtr, expit = float64_special()
    assert ndtr.__module__ == float64_special.__module__, "SciPy's ndtr, not the stand-in"
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(-37.5, 8.0, 300), [-37.5, -20.0, -1.0, 0.0, 1e-300, 5.0]])
    got = ndtr(x)
    assert got.dtype == np.float64
    with mpmath.workdps(40):
        for xi, gi in zip(x, got):
            ref = mpmath.ncdf(mpmath.mpf(float(xi)))
            rel = abs((mpmath.mpf(float(gi)) - ref) / ref)
            assert rel <= (2 * xi * xi + 8) * EPS64, (xi, gi, float(rel))
    z = np.concatenate([rng.uniform(-745.0, 745.0, 300), [-745.0, -30.0, 0.0, 30.0, 745.0]])
    got = expit(z)
    with mpmath.workdps(40):
        for zi, gi in zip(z, got):
            ref = 1 / (1 + mpmath.exp(-mpmath.mpf(float(zi))))
            if ref < mpmath.mpf(2) ** -1022:           # subnormal results: absolute
                assert abs(mpmath.mpf(float(gi)) - ref) <= mpmath.mpf(2) ** -1074, (zi, gi)
                continue
            rel = abs((mpmath.mpf(float(gi)) - ref) / ref)
            assert rel <= 4 * EPS64, (zi, gi, float(rel))
    assert math.isfinite(float(expit(np.array([-1e300]))[0]))
