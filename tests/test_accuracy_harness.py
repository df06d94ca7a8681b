"""The accuracy harness's own arithmetic, on cases whose answer is known.

* decimal places: a planted error of known size and place is reported at that
  size, place and location; shares of agreeing decimals on a constructed case;
* ULPs: a result planted 3 ulp off is reported as the maximum, at its x, with
  the size computed here independently in mpmath; the absolute rule of the
  registry's bounds near a derivative zero;
* exhaustive float32: planted errors, NaNs and wrong limits are found in a
  small range of bit patterns; the worker pool runs on each kernel path;
* the headline figures (tanh form: 4th decimal place, 4.73e-4 at |x| = 2.70;
  sigmoid form: 2nd, 2.03e-2 at |x| = 2.27) match mpmath evaluated here;
* JSON round trip, the text tables, ``--help``, a small CLI run, the plot.

Nothing here depends on timing.
"""
import io
import json
import math
import os
import subprocess
import sys

import mpmath
import numpy as np
import pytest

import gelu_c
from gelu_c import accuracy, registry
from gelu_c.accuracy import definitions, exhaustive, zeros
from gelu_c.accuracy.scipy_reference import scipy_reference
from gelu_c.accuracy.progress import Progress

PATHS = tuple(gelu_c.available_kernel_paths())


# ---------------------------------------------------------------------------
# Independent references (mpmath, written here, not taken from the harness)
# ---------------------------------------------------------------------------

def _mp_gelu(x):
    return x * mpmath.ncdf(x)


def _mp_gelu_tanh(x):
    u = mpmath.sqrt(2 / mpmath.pi) * (x + mpmath.mpf("0.044715") * x ** 3)
    return x * (1 + mpmath.tanh(u)) / 2


def _mp_gelu_sigmoid(x):
    return x / (1 + mpmath.exp(-mpmath.mpf("1.702") * x))


def _mp_ulp32(v):
    """float32 ULP of an exact value, floored at 2**-149."""
    if v == 0:
        return mpmath.mpf(2) ** -149
    _, e = mpmath.frexp(v)
    return mpmath.mpf(2) ** max(int(e) - 24, -149)


def _mp_ulp_error32(computed, exact):
    return float(abs(mpmath.mpf(float(computed)) - exact) / _mp_ulp32(exact))


# ---------------------------------------------------------------------------
# Decimal places
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("err, place", [
    (3e-5, 5), (4.73e-4, 4), (2.03e-2, 2), (0.193, 1), (0.5, 0), (7.0, 0),
    (5e-5, 4), (4.9e-5, 5), (4e-9, None), (5e-9, 8),
])
def test_first_differing_place(err, place):
    assert accuracy.first_differing_place(err) == place


@pytest.mark.parametrize("sign", [1, -1])
def test_planted_decimal_error_is_found_at_its_place_and_location(sign):
    x = np.linspace(-3, 3, 6001)
    exact = scipy_reference("gelu", x)
    approx = exact.copy()
    i0 = 1234
    approx[i0] += sign * 3e-5
    s = accuracy.decimal_place_stats(x, approx, exact)
    assert s["first_differing_place"] == 5
    assert s["x_max_abs"] == x[i0]
    assert s["max_abs_error"] == pytest.approx(3e-5, rel=1e-9)
    assert s["error_at_max"] == pytest.approx(sign * 3e-5, rel=1e-9)
    n = x.size
    assert s["n"] == n
    assert s["agree_share"] == [1.0] * 4 + [(n - 1) / n] * 4
    assert s["x_max_rel"] == x[i0]
    assert s["max_rel_error"] == pytest.approx(3e-5 / abs(exact[i0]), rel=1e-9)


def test_agreement_shares_on_a_constructed_case():
    # 8 equal blocks; block j (1..8) errs by 0.3e-j, which agrees to exactly j places
    per = 50
    errors = np.repeat(0.3 * 10.0 ** -np.arange(1, 9), per)
    x = np.arange(errors.size, dtype=np.float64)
    exact = np.full(errors.size, 2.0)
    s = accuracy.decimal_place_stats(x, exact + errors, exact)
    assert s["agree_share"] == pytest.approx([(9 - k) / 8 for k in range(1, 9)], abs=1e-15)
    assert s["first_differing_place"] == 2          # 0.03 >= 0.005
    assert s["x_max_abs"] == 0.0                     # the first input of the largest error
    assert s["max_abs_error"] == pytest.approx(0.03, rel=1e-12)


def test_relative_error_skips_zero_and_subnormal_exact_values():
    x = np.array([0.0, 1.0, 2.0, 3.0])
    exact = np.array([1.0, 2.0, 0.0, 1e-310])
    approx = np.array([1.1, 2.1, 0.5, 1e-300])
    s = accuracy.decimal_place_stats(x, approx, exact)
    assert s["x_max_abs"] == 2.0 and s["max_abs_error"] == 0.5
    assert s["x_max_rel"] == 0.0 and s["max_rel_error"] == pytest.approx(0.1, rel=1e-12)
    none = accuracy.decimal_place_stats(x[2:], approx[2:], exact[2:])
    assert none["max_rel_error"] is None and none["x_max_rel"] is None


def _headline_rows():
    wide = accuracy.select_ranges(["wide"])
    rows = accuracy.approximation_rows(wide, 120_001)        # step 1e-4 on [-6, 6]
    return {r["function"]: r for r in rows}


@pytest.mark.parametrize("name, place, peak, where, mp_form", [
    ("gelu_tanh", 4, 4.73e-4, 2.70, _mp_gelu_tanh),
    ("gelu_sigmoid", 2, 2.03e-2, 2.27, _mp_gelu_sigmoid),
])
def test_headline_figures_match_mpmath(name, place, peak, where, mp_form):
    r = _headline_rows()[name]
    assert r["reference"] == "gelu" and r["range"] == "[-6, 6]"
    assert r["first_differing_place"] == place
    assert r["max_abs_error"] == pytest.approx(peak, rel=0.005)
    assert abs(abs(r["x_max_abs"]) - where) < 0.01
    with mpmath.workdps(30):
        x0 = mpmath.mpf(r["x_max_abs"])
        here = abs(mp_form(x0) - _mp_gelu(x0))
        # the harness's float64 figure is the mpmath value at its x ...
        assert abs(float(here) - r["max_abs_error"]) <= 1e-9 * float(here)
        # ... and mpmath finds no larger difference around it (grid step 1e-4)
        local = max(abs(mp_form(x0 + d) - _mp_gelu(x0 + d))
                    for d in (mpmath.mpf(k) / 10 ** 5 for k in range(-200, 201, 5)))
        assert float(local) <= float(here) * (1 + 1e-6)
        # the difference is even in x: the same extreme at -x
        assert abs(abs(mp_form(-x0) - _mp_gelu(-x0)) - here) < mpmath.mpf(10) ** -25


def test_derivative_row_matches_mpmath():
    r = _headline_rows()["gelu_tanh_grad"]
    assert r["reference"] == "gelu_grad"
    with mpmath.workdps(30):
        x0 = mpmath.mpf(r["x_max_abs"])
        d = abs(mpmath.diff(_mp_gelu_tanh, x0) - mpmath.diff(_mp_gelu, x0))
    assert abs(float(d) - r["max_abs_error"]) <= 1e-8 * float(d)
    assert r["first_differing_place"] == accuracy.first_differing_place(float(d))


# ---------------------------------------------------------------------------
# ULPs
# ---------------------------------------------------------------------------

def test_planted_ulp_error_is_the_maximum_at_its_x():
    x = np.linspace(-3, 3, 41).astype(np.float32)
    computed = definitions.reference("gelu", x).astype(np.float32)     # correctly rounded
    i0 = 17
    for _ in range(3):
        computed[i0] = np.nextafter(computed[i0], np.float32(np.inf))
    with mpmath.workdps(50):
        exact = [_mp_gelu(mpmath.mpf(float(v))) for v in x]
        expected = np.array([_mp_ulp_error32(c, e) for c, e in zip(computed, exact)])
    assert 2.5 <= expected[i0] <= 3.5
    err = accuracy.spec_errors("gelu", computed, x)
    np.testing.assert_allclose(err, expected, rtol=1e-12, atol=1e-12)
    s = accuracy.ulp_stats(err, x)
    assert s["max_ulp"] == pytest.approx(expected[i0], rel=1e-12)
    assert s["x_max"] == float(x[i0]) and s["dy_max"] is None
    assert s["correctly_rounded"] == pytest.approx((x.size - 1) / x.size)
    assert s["mean_ulp"] == pytest.approx(expected.mean(), rel=1e-12)


@pytest.mark.parametrize("name, dy", [("gelu_grad", None), ("gelu_backward", 4.0)])
def test_absolute_rule_near_a_derivative_zero(name, dy):
    b = registry.get(name).accuracy                   # the bound the harness must apply
    (z,) = zeros.derivative_zeros("gelu_grad")
    near = np.float32(float(z))                       # |f'(near)| ~ 1e-8: inside the band
    far = np.float32(float(z) + 2e-2)                 # outside it
    assert 0 < b.zero_band < 2e-2
    x = np.array([near, far], dtype=np.float32)
    d = None if dy is None else np.full(2, dy, dtype=np.float32)
    computed = np.zeros(2, dtype=np.float32)          # a wrong 0 at both points
    err = accuracy.spec_errors(name, computed, x, d)
    with mpmath.workdps(50):
        scale = 1 if dy is None else dy
        fp = [mpmath.diff(_mp_gelu, mpmath.mpf(float(v))) for v in x]
        g = [v * scale for v in fp]
        u_half = b.zero_band_ulps_of_half * mpmath.mpf(2) ** -24    # ulps of 0.5
        # allowance: |dy| times that, plus (backward) half an ulp of |dy| (|f'| + it)
        allow = scale * u_half + (0 if dy is None else _mp_ulp32(scale * (abs(fp[0]) + u_half)) / 2)
        band = float(b.ulps * abs(g[0]) / allow)      # scaled so that the bound <=> within it
        raw_near = float(abs(g[0]) / _mp_ulp32(g[0]))
        raw_far = float(abs(g[1]) / _mp_ulp32(g[1]))
    assert raw_near > 1e5                             # what the plain ULP count would say
    assert err[0] == pytest.approx(band, rel=1e-9) and err[0] < b.ulps
    assert err[1] == pytest.approx(raw_far, rel=1e-9) and err[1] > 1e5
    assert accuracy.bound(name) == b.ulps == 2.0
    assert accuracy.bound("gelu") == registry.get("gelu").accuracy.ulps == 1.0


# ---------------------------------------------------------------------------
# Exhaustive float32
# ---------------------------------------------------------------------------

def _rounded_gelu(x):
    """float32 of the float64 reference (the checker's own reference, rounded)."""
    from scipy.special import ndtr

    with np.errstate(all="ignore"):
        xd = x.astype(np.float64)
        ref = xd * ndtr(xd)
        ref[xd == -np.inf] = -0.0
    return ref.astype(np.float32)


def test_exhaustive_checker_finds_a_planted_error():
    start = 0x3F800000                       # 1.0
    target = start + 1000
    stop = start + 4096

    def planted(x):
        out = _rounded_gelu(x)
        i = np.flatnonzero(x.view(np.uint32) == target)
        for _ in range(3):
            out[i] = np.nextafter(out[i], np.float32(np.inf))
        return out

    t = exhaustive.check_range(start, stop, ("gelu",), impl={"gelu": planted})["gelu"]
    x0 = np.array([target], dtype=np.uint32).view(np.float32)
    with mpmath.workdps(50):
        expected = _mp_ulp_error32(planted(x0)[0], _mp_gelu(mpmath.mpf(float(x0[0]))))
    assert t["n"] == 4096
    assert t["bits"] == target and t["x"] == float(x0[0])
    assert abs(t["max_err"] - expected) < 1e-4 and 2.5 <= t["max_err"] <= 3.5
    assert t["n_over"] == 1 and t["n_not_cr"] == 1
    assert t["examples"][0][0] == float(x0[0])
    assert not exhaustive.passed(t)


def test_exhaustive_checker_finds_nan_and_limit_mistakes():
    def wrong(x):
        out = _rounded_gelu(x)
        out[np.isnan(x)] = 0.0                         # NaN in, not NaN out
        out[x == -np.inf] = 0.0                        # +0.0 instead of -0.0
        out[x.view(np.uint32) == 0xFF7FFFFF] = np.nan  # NaN for a finite input
        return out

    # the top of the negative numbers: -max, -inf and the first negative NaNs
    t = exhaustive.check_range(0xFF7FFF00, 0xFF800100, ("gelu",), impl={"gelu": wrong})["gelu"]
    assert t["nan_bad"] == 0xFF
    assert t["special_bad"] == [(-math.inf, 0.0, -0.0)]
    assert t["max_err"] == math.inf and t["n_over"] == 1
    assert t["x"] == float(np.array([0xFF7FFFFF], np.uint32).view(np.float32)[0])


def test_exhaustive_correct_results_pass():
    t = exhaustive.check_range(0xC0A00000, 0xC0A00000 + 8192, ("gelu",),
                               impl={"gelu": _rounded_gelu})["gelu"]   # x from -5 down
    assert exhaustive.passed(t) and t["max_err"] <= 0.5 + 1e-6 and t["n_not_cr"] == 0


@pytest.mark.parametrize("path", PATHS)
def test_exhaustive_pool_runs_on_each_path(path):
    stream = io.StringIO()
    start = 0xBF800000                                 # -1.0 and below
    res = exhaustive.run(path, exhaustive.FUNCS, workers=2, start=start,
                         stop=start + (1 << 17), block=1 << 15, stream=stream)
    for f in exhaustive.FUNCS:
        t = res[f]
        assert t["path"] == path and t["n"] == 1 << 17
        assert exhaustive.passed(t), exhaustive.summary_line(f, t)
    assert "4/4" in stream.getvalue()


def test_progress_bar_on_a_non_terminal_stream():
    stream = io.StringIO()
    bar = Progress(4, "job", stream)
    for _ in range(4):
        bar.step()
    bar.close()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4 and all(line.startswith("job [") for line in lines)
    assert "4/4" in lines[-1] and "100.0%" in lines[-1] and "." not in lines[-1].split("]")[0]


def test_missing_libraries_are_left_out(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)       # import torch -> ImportError
    monkeypatch.setitem(sys.modules, "jax", None)
    assert accuracy.find_implementations(["torch", "jax"]) == []
    with pytest.raises(ValueError):
        accuracy.find_implementations(["tensorflow"])


# ---------------------------------------------------------------------------
# measure(), JSON, text
# ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_report():
    return accuracy.measure(functions=["gelu", "gelu_tanh", "gelu_sigmoid_grad",
                                       "silu_backward"],
                            ranges=["body", "far_left"], n_grid=2001, n_ulp=8,
                            others=["scipy"])


def test_measure_returns_every_row(small_report):
    rep = small_report
    meta = rep["meta"]
    assert meta["paths"] == list(PATHS) and meta["n_ulp"] == 8 and meta["dtypes"] == [
        "float32", "float64"]
    dp = {(r["function"], r["range_key"]) for r in rep["decimal_places"]}
    assert dp == {(f, k) for f in ("gelu_tanh", "gelu_sigmoid_grad")
                  for k in ("body", "far_left")}
    ours = [r for r in rep["ulp"] if r["implementation"] == "gelu_c"]
    assert len(ours) == len(PATHS) * 4 * 2 * 3           # paths x functions x dtypes x ranges+all
    for r in ours:
        assert r["n"] == (16 if r["range_key"] == "all" else 8)
        assert r["within_bound"], r                     # our kernels meet their bounds here
        assert (r["dy_max"] is None) == (r["function"] != "silu_backward")
    assert accuracy.kernel_rows_over_bound(rep) == []
    scipy_rows = [r for r in rep["ulp"] if r["implementation"] == "scipy"]
    if meta["others"]:
        assert {r["function"] for r in scipy_rows} == {"gelu"}
        assert all(r["path"] is None for r in scipy_rows)


def test_measure_fast_tier_on_the_exact_tiers_samples():
    """--tier fast / "fast.gelu": the fast tier measured against its own bound (4 ulp),
    on the very inputs of its exact twin, so the two tables compare point for point."""
    rep = accuracy.measure(functions=["gelu", "fast.gelu", "fast.silu_backward"],
                           dtypes=["float32"], ranges=["left"], n_grid=11, n_ulp=64,
                           others=False)
    rows = {(r["function"], r["path"]): r for r in rep["ulp"] if r["range_key"] == "left"}
    for p in PATHS:
        exact, fast = rows["gelu", p], rows["fast.gelu", p]
        assert exact["bound"] == 1 and fast["bound"] == 4
        assert fast["within_bound"] and rows["fast.silu_backward", p]["within_bound"]
        assert exact["n"] == fast["n"] == 64
    from gelu_c.accuracy import ulp_table
    from gelu_c.accuracy.ranges import select_ranges
    a, b = ulp_table.make_samples(["gelu", "fast.gelu"], ["float32"], select_ranges(["left"]), 64)
    assert np.array_equal(a.x, b.x)                     # one stream for both tiers
    fast_only = accuracy.names_by_kind(tier="fast")
    assert fast_only[0] == "fast.norm_cdf" and all(n.startswith("fast.") for n in fast_only)
    assert accuracy.names_by_kind() == accuracy.names_by_kind(tier="exact")
    with pytest.raises(ValueError, match="unknown function"):
        accuracy.measure(functions=["fast.relu"], n_ulp=2)


def test_json_round_trip(small_report, tmp_path):
    rep = json.loads(json.dumps(small_report))                    # a deep copy
    rep["ulp"][0]["max_ulp"] = math.inf                          # a NaN-vs-number result
    path = tmp_path / "acc.json"
    accuracy.save_json(rep, path)
    json.loads(path.read_text(), parse_constant=lambda c: pytest.fail(f"non-strict {c}"))
    assert accuracy.load_json(path) == rep


def test_text_tables(small_report):
    text = accuracy.format_report(small_report)
    for piece in ("Headline", "gelu_tanh", "body [-1, 1]", "far left [-40, -6]",
                  "differs in the 4th", "float32", "float64", "all ranges", "scipy"):
        assert piece in text, piece
    for p in PATHS:
        assert f"path {p}" in text and f"gelu_c {p}" in text
    brief = accuracy.format_ulp_tables(small_report, brief=True)
    assert "all ranges" in brief and "body [-1, 1]" not in brief
    assert accuracy.format_others(dict(small_report, meta=dict(small_report["meta"],
                                                               others=[]))).startswith(
        "Other implementations: none")
    assert "OVER BOUND" not in text
    bad = json.loads(json.dumps(small_report))
    row = next(r for r in bad["ulp"] if r["implementation"] == "gelu_c")
    row.update(max_ulp=3.0, within_bound=False)
    assert "OVER BOUND" in accuracy.format_ulp_tables(bad)
    assert accuracy.kernel_rows_over_bound(bad) == [row]


def test_python_m_gelu_c_summary(capsys):
    from gelu_c.__main__ import accuracy_report, print_accuracy

    print_accuracy(accuracy_report(n_ulp=3, n_grid=20_001))
    out = capsys.readouterr().out
    assert "differs in the 4th" in out and "differs in the 2nd" in out
    assert f"path {gelu_c.get_kernel_path()}" in out and "silu_backward" in out


# ---------------------------------------------------------------------------
# Command line and plot
# ---------------------------------------------------------------------------

def _cli(*args, cwd=None):
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    return subprocess.run([sys.executable, "-m", "gelu_c.accuracy", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_cli_help():
    r = _cli("--help")
    assert r.returncode == 0
    for opt in ("--json", "--plot", "--exhaustive", "--n-ulp", "--n-grid", "--seed",
                "--others", "--paths", "--workers"):
        assert opt in r.stdout, opt


def test_cli_small_run(tmp_path):
    out = tmp_path / "acc.json"
    r = _cli("--n-grid", "2001", "--n-ulp", "6", "--ranges", "wide,far_left",
             "--functions", "gelu,gelu_tanh,gelu_tanh_grad,silu_backward",
             "--others", "scipy,textbook", "--json", str(out))
    assert r.returncode == 0, r.stderr
    assert "differs in the 4th" in r.stdout and "gelu_tanh_grad" in r.stdout
    rep = accuracy.load_json(out)
    assert rep["meta"]["n_ulp"] == 6 and rep["meta"]["n_grid"] == 2001
    assert {r["range_key"] for r in rep["ulp"]} == {"wide", "far_left", "all"}


def test_cli_exhaustive_smoke():
    r = _cli("--exhaustive", "--chunks", "1", "--paths", PATHS[-1], "--functions", "gelu",
             "--workers", "1")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("PASS gelu [float32, path=" + PATHS[-1])
    assert "1/1" in r.stderr


def test_plot(tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "acc.png"
    accuracy.plot(png, n=40, n_grid=201, others=False)
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 200_000
