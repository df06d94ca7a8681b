"""examples/paper_experiment.py: a short training run, and its gradients.

* A few epochs on a subset of scikit-learn's digits: the training loss falls
  (skipped without scikit-learn).
* The GELU layers' backward passes (gelu_c.gelu_backward, and for the
  learnable-mu/sigma layer gelu_c.gelu_general_backward with dmu and dsigma
  summed over the batch) and the whole network's backward pass match central
  finite differences in float64.

The learnable-mu/sigma parts are skipped, naming the missing attributes, on a
gelu_c build without gelu_general / gelu_general_backward.
"""
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import gelu_c

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "paper_experiment.py"


def _load_example():
    spec = importlib.util.spec_from_file_location("paper_experiment", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pe = _load_example()

_MISSING = [n for n in ("gelu_general", "gelu_general_backward") if not hasattr(gelu_c, n)]
needs_general = pytest.mark.skipif(
    bool(_MISSING), reason=f"gelu_c has no {' / '.join(_MISSING)} (learnable-mu/sigma GELU)")


@pytest.fixture(scope="module")
def digits():
    pytest.importorskip("sklearn")
    return pe.load_data(subset=600)       # 480 training images: 4 batches per epoch


# ----------------------------------------------------------------------------
# Training
# ----------------------------------------------------------------------------

@pytest.mark.parametrize("activation", [
    "gelu", "relu", pytest.param("gelu_learnable", marks=needs_general)])
def test_training_loss_falls(digits, activation):
    run = pe.train_run(activation, digits, seed=0, epochs=4)
    curve = run["train_curve"]
    assert curve.shape == (4,)
    assert np.all(np.isfinite(curve))
    assert curve[-1] < 0.5 * curve[0], curve
    assert run["train_loss"] < curve[0]
    assert run["train_acc"] > 0.5 and run["test_acc"] > 0.5, run


def test_dropout_run_is_finite(digits):
    run = pe.train_run("gelu", digits, seed=1, epochs=2, dropout=0.5)
    assert np.all(np.isfinite(run["train_curve"]))
    assert np.isfinite(run["test_loss"])


@needs_general
def test_learnable_mu_sigma_move_and_sigma_stays_positive(digits):
    X, y, _, _ = digits
    rng = np.random.default_rng(0)
    net = pe.MLP("gelu_learnable", depth=3, width=32, rng=rng)
    opt = pe.Adam(net.params, lr=1e-2)
    first = None
    for step in range(30):
        idx = rng.choice(len(y), 128, replace=False)
        loss, grads = net.loss_and_grads(X[idx], y[idx])
        first = loss if first is None else first
        opt.step(grads)
        net.constrain()
    assert loss < first
    for act in net.activations:
        assert act.mu.dtype == np.float32 and act.sigma.dtype == np.float32
        assert np.any(act.mu != 0) and np.any(act.sigma != 1)
        assert np.all(act.sigma >= pe.SIGMA_FLOOR)


def test_command_line(digits, tmp_path):
    pytest.importorskip("matplotlib")
    results = pe.main(["--quick", "--epochs", "1", "--seeds", "1", "--jobs", "1",
                       "--no-dropout", "--activations", "gelu,elu", "--out", str(tmp_path)])
    assert set(results[0.0]) == {"gelu", "elu"}
    assert (tmp_path / "paper_experiment.png").stat().st_size > 0
    text = (tmp_path / "paper_experiment.md").read_text()
    assert "| 0 | `gelu` |" in text and "| 0 | `elu` |" in text


# ----------------------------------------------------------------------------
# Gradients against central finite differences (float64)
# ----------------------------------------------------------------------------

H = 1e-6            # central differences: truncation ~H^2, rounding ~1e-16/H


def _central_difference(f, arrays, index_sets=None):
    """d f / d a[i] for each array a in ``arrays`` (perturbed in place)."""
    out = []
    for k, a in enumerate(arrays):
        g = np.zeros_like(a)
        indices = np.ndindex(a.shape) if index_sets is None else index_sets[k]
        for i in indices:
            saved = a[i]
            a[i] = saved + H
            up = f()
            a[i] = saved - H
            down = f()
            a[i] = saved
            g[i] = (up - down) / (2 * H)
        out.append(g)
    return out


def _check_layer(layer, x, rng):
    """Layer gradients of L = sum(w * layer(x)) w.r.t. x and its params."""
    w = rng.standard_normal(x.shape)

    def loss():
        return float(np.sum(w * layer.forward(x)))

    layer.forward(x)
    dx = layer.backward(w)
    numeric = _central_difference(loss, [x, *layer.params])
    for analytic, fd, name in zip([dx, *layer.grads], numeric, ["x", "mu", "sigma"]):
        assert analytic.shape == fd.shape, name
        np.testing.assert_allclose(analytic, fd, rtol=1e-6, atol=1e-9, err_msg=name)


def test_gelu_layer_gradient():
    rng = np.random.default_rng(1)
    layer = pe.make_activation("gelu", 7, dtype=np.float64)
    x = rng.normal(0, 2, (6, 7))
    _check_layer(layer, x, rng)


@needs_general
@pytest.mark.parametrize("init", ["identity", "random"])
def test_learnable_gelu_layer_gradient(init):
    rng = np.random.default_rng(2)
    layer = pe.make_activation("gelu_learnable", 7, dtype=np.float64)
    if init == "random":
        # In place: layer.params holds these very arrays.
        layer.mu[:] = rng.normal(0, 0.7, 7)
        layer.sigma[:] = rng.uniform(0.4, 2.5, 7)
    x = rng.normal(0, 2, (6, 7))
    _check_layer(layer, x, rng)
    # dmu and dsigma are sums over the batch axis: one value per unit.
    assert layer.grads[0].shape == layer.grads[1].shape == (7,)


@pytest.mark.parametrize("activation, dropout", [
    ("gelu", 0.0), ("gelu", 0.5), ("elu", 0.0),
    pytest.param("gelu_learnable", 0.0, marks=needs_general),
    pytest.param("gelu_learnable", 0.5, marks=needs_general)])
def test_network_gradient(activation, dropout):
    """Every parameter of a small float64 network, dropout masks held fixed."""
    rng = np.random.default_rng(3)
    net = pe.MLP(activation, n_in=5, width=6, depth=3, n_out=4, dropout=dropout,
                 rng=rng, dtype=np.float64)
    for act in net.activations:                 # move mu, sigma off (0, 1)
        if act.params:
            act.params[0][:] = rng.normal(0, 0.5, 6)
            act.params[1][:] = rng.uniform(0.5, 2.0, 6)
    X = rng.standard_normal((9, 5))
    y = rng.integers(0, 4, 9)

    def loss():
        # A fresh generator with the same seed: the same dropout masks each call.
        return net.loss_and_grads(X, y, train=True, rng=np.random.default_rng(4))[0]

    analytic = [g.copy() for g in net.loss_and_grads(X, y, train=True,
                                                     rng=np.random.default_rng(4))[1]]
    params = net.params
    assert len(analytic) == len(params)
    # Up to 6 entries of each parameter array.
    index_sets = [[np.unravel_index(i, p.shape)
                   for i in rng.choice(p.size, min(6, p.size), replace=False)]
                  for p in params]
    numeric = _central_difference(loss, params, index_sets)
    for k, (a, fd, idx) in enumerate(zip(analytic, numeric, index_sets)):
        got = np.array([a[i] for i in idx])
        want = np.array([fd[i] for i in idx])
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-8,
                                   err_msg=f"parameter array {k}")
