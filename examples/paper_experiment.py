"""The GELU paper's Figure-2 experiment, in pure NumPy with gelu_c's ufuncs.

Hendrycks & Gimpel (2016), "Gaussian Error Linear Units (GELUs)", MNIST
classification (their Figure 2): an 8-layer, 128-wide fully connected
classifier trained with Adam (batch 128), with and without dropout 0.5; the
figure shows the median training log loss over five runs of GELU, ReLU and
ELU.

Here the data set is scikit-learn's ``load_digits`` (1,797 8x8 images, shipped
with scikit-learn: no download) instead of MNIST, and the comparison adds the
forms gelu_c provides:

==================  =====================================================
``gelu``            x Phi(x)                     (gelu_c.gelu, gelu_backward)
``gelu_tanh``       tanh approximation           (gelu_c.gelu_tanh, ...)
``gelu_sigmoid``    x sigmoid(1.702 x)           (gelu_c.gelu_sigmoid, ...)
``silu``            x sigmoid(x)                 (gelu_c.silu, silu_backward)
``gelu_learnable``  x Phi((x - mu) / sigma), one learnable mu and sigma per
                    unit and layer, initialised mu = 0, sigma = 1
                    (gelu_c.gelu_general, gelu_general_backward)
``relu``            max(x, 0)                    (NumPy)
``elu``             x if x > 0 else exp(x) - 1   (NumPy, alpha = 1)
==================  =====================================================

Run from the repository root::

    python examples/paper_experiment.py                 # full run, writes docs/paper_experiment.{png,md}
    python examples/paper_experiment.py --quick         # smoke run, prints the table only
    python examples/paper_experiment.py --epochs 60 --seeds 5 --out /tmp/gelu_fig2

Needs scikit-learn (the data) and, for the figure, matplotlib; neither is a
dependency of gelu_c (``pip install scikit-learn matplotlib``).

The training code is importable (``load_data``, ``make_activation``, ``MLP``,
``Adam``, ``train_run``, ``run_experiment``); tests/test_paper_experiment.py
uses it for a short run and for finite-difference gradient checks.

Choices, where the paper leaves them open or this data set differs:

* Split: 80/20, stratified by class, ``random_state=0``, fixed for every run;
  inputs standardised with the training set's per-pixel mean and standard
  deviation (pixels constant on the training set are only centred).
* Initialisation: zero biases and weights drawn from N(0, g^2 / fan_in),
  with g chosen so that every layer's pre-activations start with unit
  variance (He et al. 2015's argument, applied to each activation): a layer
  fed by the activation f of unit-variance Gaussian pre-activations gets
  g = sqrt(keep / E[f(z)^2]), z ~ N(0, 1), computed numerically, where keep
  = 1 - dropout corrects for inverted dropout's 1/keep scaling (Hendrycks &
  Gimpel 2016, "Adjusting for dropout variance in batch normalization and
  weight initialization"; without it the 8 dropout layers multiply the
  logits' variance by 2^8 at the start).  Without dropout this is He's
  g = sqrt(2) for ReLU, g ~ 1.53 for GELU, 1.68 for SiLU, 1.25 for ELU.  The
  first layer, fed by standardised inputs, has g = 1.  The output layer is
  treated like the hidden ones, so the initial logits have unit variance.
* Adam: lr 1e-3, betas (0.9, 0.999), eps 1e-8, the same for every
  activation and for the learnable mu and sigma (no tuning per activation).
* Dropout: inverted dropout with drop probability 0.5 after each hidden
  activation (not on the inputs), as in the paper; none at evaluation.
* The plotted training loss is, as usual, the mean of the minibatch losses
  seen during each epoch (dropout active where used).  The table's train and
  test figures are evaluation passes after the last epoch, without dropout.
* A run's seed sets the initial weights, the batch order and the dropout
  masks; every activation sees the same seeds.
"""
import argparse
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

try:
    import gelu_c
except ImportError:
    # Not installed: use a copy built in place in this source tree, if any.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import gelu_c

DEFAULT_ACTIVATIONS = ("gelu", "gelu_tanh", "gelu_sigmoid", "silu",
                       "gelu_learnable", "relu", "elu")
SIGMA_FLOOR = 1e-3
REPO_ROOT = Path(__file__).resolve().parent.parent


# ----------------------------------------------------------------------------
# Data
# ----------------------------------------------------------------------------

def load_data(dtype=np.float32, test_size=0.2, split_seed=0, subset=None):
    """The digits data set, split 80/20 (stratified) and standardised.

    Returns ``(X_train, y_train, X_test, y_test)``: ``X_*`` of shape (n, 64)
    and dtype ``dtype``, ``y_*`` integer class labels 0..9.  ``subset``, if
    given, keeps only that many samples (stratified, before the split), for
    quick tests.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    if subset is not None and subset < len(y):
        X, _, y, _ = train_test_split(X, y, train_size=subset, stratify=y,
                                      random_state=split_seed)
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=split_seed)
    mean = X_tr.mean(axis=0)
    std = X_tr.std(axis=0)
    std[std == 0] = 1.0                      # constant pixels: centre only
    X_tr = ((X_tr - mean) / std).astype(dtype)
    X_te = ((X_te - mean) / std).astype(dtype)
    return X_tr, y_tr.astype(np.intp), X_te, y_te.astype(np.intp)


# ----------------------------------------------------------------------------
# Activation layers
# ----------------------------------------------------------------------------
# Each layer object keeps what its backward pass needs from the last forward
# pass.  ``params`` lists its learnable arrays and ``grads`` (set by
# ``backward``) their gradients, in the same order.

class FixedActivation:
    """An activation without parameters: ``forward(x)`` and ``backward(dy)``.

    ``fn(x)`` computes f(x); ``backward_fn(dy, x)`` computes dy * f'(x).
    """

    def __init__(self, name, fn, backward_fn):
        self.name = name
        self.fn = fn
        self.backward_fn = backward_fn
        self.params = []
        self.grads = []
        self._x = None

    def forward(self, x):
        self._x = x
        return self.fn(x)

    def backward(self, dy):
        return self.backward_fn(dy, self._x)


class LearnableGELU:
    """x Phi((x - mu) / sigma) with one learnable (mu, sigma) per unit.

    ``mu`` and ``sigma`` have shape (width,) and broadcast over the batch
    axis; gelu_c.gelu_general_backward returns dmu and dsigma with the full
    (batch, width) shape, so the parameter gradients are their sums over the
    batch axis.
    """

    name = "gelu_learnable"

    def __init__(self, width, dtype=np.float32):
        self.mu = np.zeros(width, dtype=dtype)
        self.sigma = np.ones(width, dtype=dtype)
        self.params = [self.mu, self.sigma]
        self.grads = [np.zeros_like(self.mu), np.zeros_like(self.sigma)]
        self._x = None

    def forward(self, x):
        self._x = x
        return gelu_c.gelu_general(x, self.mu, self.sigma)

    def backward(self, dy):
        dx, dmu, dsigma = gelu_c.gelu_general_backward(dy, self._x, self.mu,
                                                       self.sigma)
        self.grads = [dmu.sum(axis=0), dsigma.sum(axis=0)]
        return dx

    def constrain(self):
        """Keep sigma positive: clip it to SIGMA_FLOOR (called after each step)."""
        np.maximum(self.sigma, SIGMA_FLOOR, out=self.sigma)


def _relu(x):
    return np.maximum(x, 0)


def _relu_backward(dy, x):
    return dy * (x > 0)


def _elu(x):
    # max(x, expm1(min(x, 0))) is x for x > 0 and expm1(x) otherwise, since
    # expm1(x) >= x everywhere; no branch, and expm1 never sees x > 0.
    y = np.expm1(np.minimum(x, 0))
    return np.maximum(y, x, out=y)


def _elu_backward(dy, x):
    # f'(x) = exp(min(x, 0)): 1 for x >= 0 (alpha = 1 makes it continuous).
    return dy * np.exp(np.minimum(x, 0))


def _gelu_c_pair(name):
    # Looked up at call time, so a gelu_c rebuilt with more functions needs no
    # change here.
    return (lambda x: getattr(gelu_c, name)(x),
            lambda dy, x: getattr(gelu_c, name + "_backward")(dy, x))


_FIXED = {
    "gelu": _gelu_c_pair("gelu"),
    "gelu_tanh": _gelu_c_pair("gelu_tanh"),
    "gelu_sigmoid": _gelu_c_pair("gelu_sigmoid"),
    "silu": _gelu_c_pair("silu"),
    "relu": (_relu, _relu_backward),
    "elu": (_elu, _elu_backward),
}
ACTIVATION_NAMES = tuple(_FIXED) + ("gelu_learnable",)


def learnable_available():
    """Whether this gelu_c build has gelu_general and gelu_general_backward."""
    return all(hasattr(gelu_c, n) for n in ("gelu_general", "gelu_general_backward"))


def make_activation(name, width, dtype=np.float32):
    """A fresh activation layer called ``name`` for ``width`` units."""
    if name == "gelu_learnable":
        return LearnableGELU(width, dtype)
    try:
        fn, backward_fn = _FIXED[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; "
                         f"choose from {', '.join(ACTIVATION_NAMES)}") from None
    return FixedActivation(name, fn, backward_fn)


def init_gain(name, n=24001, half_width=12.0):
    """g = E[f(z)^2]^(-1/2) for z ~ N(0, 1), f the activation at initialisation.

    Trapezoid rule on [-12, 12] in float64 (exact to ~1e-7, kinks included).
    ReLU gives sqrt(2) (He et al. 2015).
    """
    z = np.linspace(-half_width, half_width, n)
    if name == "gelu_learnable":               # mu = 0, sigma = 1: plain GELU
        name = "gelu"
    f = _FIXED[name][0](z)
    density = np.exp(-0.5 * z * z) / np.sqrt(2 * np.pi)
    trapezoid = getattr(np, "trapezoid", None) or np.trapz    # NumPy < 2: trapz
    second_moment = trapezoid(f * f * density, z)
    return float(1.0 / np.sqrt(second_moment))


# ----------------------------------------------------------------------------
# Network, loss, optimiser
# ----------------------------------------------------------------------------

def softmax_cross_entropy(logits, y):
    """Mean log loss of integer labels ``y`` and its gradient w.r.t. ``logits``."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_z = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    log_p = shifted - log_z
    n = len(y)
    rows = np.arange(n)
    loss = -log_p[rows, y].mean()
    dlogits = np.exp(log_p)
    dlogits[rows, y] -= 1
    dlogits /= n
    return float(loss), dlogits


class MLP:
    """Fully connected classifier: ``depth`` hidden layers of ``width`` units.

    Dense -> activation -> (dropout) for each hidden layer, then a dense
    softmax output layer.  ``forward`` keeps what ``backward`` needs;
    ``params``/``grads`` list every learnable array and its gradient.
    """

    def __init__(self, activation, n_in=64, width=128, depth=8, n_out=10,
                 dropout=0.0, rng=None, dtype=np.float32):
        rng = np.random.default_rng(rng)
        self.dtype = np.dtype(dtype)
        self.dropout = float(dropout)
        sizes = [n_in] + [width] * depth + [n_out]
        # Unit-variance pre-activations everywhere (see the module docstring):
        # g = 1 after the standardised inputs, sqrt(keep / E[f(z)^2]) after an
        # activation followed by inverted dropout with keep probability keep.
        hidden_gain = init_gain(activation) * np.sqrt(1.0 - self.dropout)
        self.weights, self.biases = [], []
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            g = 1.0 if i == 0 else hidden_gain
            w = rng.standard_normal((fan_in, fan_out)) * (g / np.sqrt(fan_in))
            self.weights.append(w.astype(self.dtype))
            self.biases.append(np.zeros(fan_out, dtype=self.dtype))
        self.activations = [make_activation(activation, width, self.dtype)
                            for _ in range(depth)]
        self._cache = None

    @property
    def params(self):
        out = [*self.weights, *self.biases]
        for act in self.activations:
            out.extend(act.params)
        return out

    @property
    def grads(self):
        out = [*self._dweights, *self._dbiases]
        for act in self.activations:
            out.extend(act.grads)
        return out

    def forward(self, X, train=False, rng=None):
        """Logits for inputs ``X``; dropout only if ``train`` (then ``rng`` draws the masks)."""
        inputs, masks = [], []
        h = X
        for W, b, act in zip(self.weights[:-1], self.biases[:-1], self.activations):
            inputs.append(h)
            h = act.forward(h @ W + b)
            if train and self.dropout > 0:
                keep = 1.0 - self.dropout
                # Inverted dropout: scale the kept units by 1/keep now, so
                # evaluation needs no rescaling.
                mask = ((rng.random(h.shape, dtype=self.dtype) < keep).astype(self.dtype)
                        / self.dtype.type(keep))
                h = h * mask
                masks.append(mask)
            else:
                masks.append(None)
        inputs.append(h)
        self._cache = (inputs, masks)
        return h @ self.weights[-1] + self.biases[-1]

    def backward(self, dlogits):
        """Gradients of the loss w.r.t. every parameter, from d loss / d logits."""
        inputs, masks = self._cache
        n = len(self.weights)
        dW, db = [None] * n, [None] * n
        dz = dlogits
        for i in range(n - 1, -1, -1):
            dW[i] = inputs[i].T @ dz
            db[i] = dz.sum(axis=0)
            if i == 0:
                break
            dh = dz @ self.weights[i].T
            if masks[i - 1] is not None:
                dh *= masks[i - 1]
            dz = self.activations[i - 1].backward(dh)
        self._dweights, self._dbiases = dW, db
        return self.grads

    def constrain(self):
        for act in self.activations:
            if hasattr(act, "constrain"):
                act.constrain()

    def loss_and_grads(self, X, y, train=False, rng=None):
        """Mean log loss on (X, y) and the gradient list matching ``params``."""
        loss, dlogits = softmax_cross_entropy(self.forward(X, train, rng), y)
        return loss, self.backward(dlogits)

    def evaluate(self, X, y, batch_size=1024):
        """(mean log loss, accuracy) without dropout."""
        total, correct = 0.0, 0
        for start in range(0, len(y), batch_size):
            logits = self.forward(X[start:start + batch_size])
            yb = y[start:start + batch_size]
            loss, _ = softmax_cross_entropy(logits, yb)
            total += loss * len(yb)
            correct += int((logits.argmax(axis=1) == yb).sum())
        return total / len(y), correct / len(y)


class Adam:
    """Adam (Kingma & Ba 2015), updating a list of arrays in place."""

    def __init__(self, params, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        self.params = params
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads):
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        # Bias corrections folded into the step size.
        # A Python float, so that the update stays in the parameters' dtype.
        step = self.lr * math.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t)
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * (g * g)
            p -= step * m / (np.sqrt(v) + self.eps)


# ----------------------------------------------------------------------------
# Experiment
# ----------------------------------------------------------------------------

def train_run(activation, data, seed=0, epochs=50, dropout=0.0, batch_size=128,
              lr=1e-3, width=128, depth=8, dtype=np.float32):
    """Train one network; return its per-epoch training loss and final metrics.

    ``data`` is ``load_data()``'s tuple.  Returns a dict with ``train_curve``
    (mean minibatch log loss of each epoch, shape (epochs,)) and the
    evaluation-mode ``train_loss``, ``train_acc``, ``test_loss``, ``test_acc``
    after the last epoch.
    """
    X_tr, y_tr, X_te, y_te = data
    rng = np.random.default_rng(seed)
    net = MLP(activation, n_in=X_tr.shape[1], width=width, depth=depth,
              n_out=int(max(y_tr.max(), y_te.max())) + 1, dropout=dropout,
              rng=rng, dtype=dtype)
    opt = Adam(net.params, lr=lr)
    n = len(y_tr)
    curve = np.empty(epochs)
    for epoch in range(epochs):
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, batch_size):
            idx = order[start:start + batch_size]
            loss, grads = net.loss_and_grads(X_tr[idx], y_tr[idx], train=True, rng=rng)
            opt.step(grads)
            # sigma of the learnable GELU must stay positive: clip to a floor.
            net.constrain()
            total += loss * len(idx)
        curve[epoch] = total / n
    train_loss, train_acc = net.evaluate(X_tr, y_tr)
    test_loss, test_acc = net.evaluate(X_te, y_te)
    return dict(train_curve=curve, train_loss=train_loss, train_acc=train_acc,
                test_loss=test_loss, test_acc=test_acc)


def single_threaded_blas():
    """A context manager limiting BLAS to one thread (a no-op without threadpoolctl).

    The matrices here are at most 1437 x 128, too small for threaded BLAS to
    gain anything, and a threaded BLAS whose cores are also busy elsewhere
    (another job, or the other worker of ``--jobs 2``) can run many times
    slower.  One thread also makes every run's results independent of the
    machine's core count.  threadpoolctl comes with scikit-learn.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        import contextlib
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


_WORKER_DATA = None


def _init_worker(data):
    global _WORKER_DATA
    _WORKER_DATA = data


def _run_task(task):
    activation, seed, dropout, kwargs = task
    with single_threaded_blas():
        return train_run(activation, _WORKER_DATA, seed=seed, dropout=dropout, **kwargs)


def run_experiment(activations=DEFAULT_ACTIVATIONS, seeds=5, epochs=50,
                   dropouts=(0.0, 0.5), data=None, jobs=1, verbose=True, **kwargs):
    """Every activation x seed x dropout setting; medians over the seeds.

    ``jobs`` > 1 runs that many worker processes (each run is deterministic
    given its seed, so the results do not depend on ``jobs``).  Other keyword
    arguments go to ``train_run``.  Returns ``{dropout: {activation:
    summary}}`` where ``summary`` holds ``curve`` (median training loss per
    epoch), ``curves`` (one row per seed) and the medians over the seeds of
    ``train_loss``, ``test_loss``, ``train_acc``, ``test_acc``.
    """
    data = load_data() if data is None else data
    kwargs = dict(kwargs, epochs=epochs)
    groups = [(p, name) for p in dropouts for name in activations]
    tasks = [(name, seed, p, kwargs) for p, name in groups for seed in range(seeds)]
    if jobs > 1:
        from concurrent.futures import ProcessPoolExecutor
        pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                                   initargs=(data,))
        runs = pool.map(_run_task, tasks)
    else:
        pool = None
        _init_worker(data)
        runs = map(_run_task, tasks)

    results = {p: {} for p in dropouts}
    try:
        for p, name in groups:
            group = [next(runs) for _ in range(seeds)]
            curves = np.array([r["train_curve"] for r in group])
            summary = dict(curves=curves, curve=np.median(curves, axis=0))
            for key in ("train_loss", "test_loss", "train_acc", "test_acc"):
                summary[key] = float(np.median([r[key] for r in group]))
            results[p][name] = summary
            if verbose:
                print(f"  dropout {p:.1f}  {name:15s} final train loss "
                      f"{summary['curve'][-1]:.3g}  test acc {summary['test_acc']:.4f}",
                      flush=True)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return results


# ----------------------------------------------------------------------------
# Report
# ----------------------------------------------------------------------------

def _dropout_label(p):
    return "no dropout" if p == 0 else f"dropout {p:g}"


def results_table(results):
    """Markdown table of the final medians, one row per activation and dropout."""
    lines = ["| dropout | activation | train loss (last epoch, minibatch mean) "
             "| train loss | test loss | train acc | test acc |",
             "|---|---|---:|---:|---:|---:|---:|"]
    for p, by_act in results.items():
        for name, s in sorted(by_act.items(), key=lambda kv: kv[1]["curve"][-1]):
            lines.append(f"| {p:g} | `{name}` | {s['curve'][-1]:.3g} | {s['train_loss']:.3g} "
                         f"| {s['test_loss']:.3g} | {s['train_acc']:.4f} | {s['test_acc']:.4f} |")
    return "\n".join(lines)


def paper_comparison(results):
    """Sentences on how the median training-loss curves rank GELU, ELU and ReLU.

    The paper's ordering is GELU < ELU < ReLU in training log loss.  Ranked
    here by the median curve early on (after a tenth of the epochs), at the
    last epoch, and by the mean of its log over all epochs.
    """
    def ranking(key):
        order = sorted(paper, key=key)
        verdict = "the paper's order" if order == paper else "not the paper's order"
        return f"{' < '.join(order)} ({verdict})"

    out = []
    for p, by_act in results.items():
        paper = [n for n in ("gelu", "elu", "relu") if n in by_act]
        if len(paper) < 2:
            continue
        curves = {n: by_act[n]["curve"] for n in paper}
        early = max(1, len(curves[paper[0]]) // 10)
        values = ", ".join(f"{n} {curves[n][-1]:.3g}" for n in paper)
        out.append(
            f"* {_dropout_label(p).capitalize()}: at epoch {early} the training loss "
            f"ranks {ranking(lambda n: curves[n][early - 1])}; at the last epoch "
            f"{ranking(lambda n: curves[n][-1])}, with {values}; the mean log "
            f"training loss over all epochs ranks {ranking(lambda n: np.mean(np.log(curves[n])))}.")
    return "\n".join(out)


def plot(results, path):
    """Median training log loss per epoch: one panel per dropout setting."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    styles = {"gelu": ("C0", "-"), "gelu_tanh": ("C9", "--"),
              "gelu_sigmoid": ("C4", "--"), "silu": ("C6", ":"),
              "gelu_learnable": ("C2", "-."), "relu": ("C3", "-"), "elu": ("C1", "-")}
    fig, axes = plt.subplots(1, len(results), figsize=(5.5 * len(results), 4.2),
                             squeeze=False)
    for ax, (p, by_act) in zip(axes[0], results.items()):
        for name, s in by_act.items():
            color, ls = styles.get(name, (None, "-"))
            epochs = np.arange(1, len(s["curve"]) + 1)
            ax.plot(epochs, s["curve"], color=color, linestyle=ls, label=name,
                    linewidth=1.8 if name in ("gelu", "relu", "elu") else 1.3)
        ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_ylabel("training log loss (median over seeds)")
        ax.set_title(f"Log loss ({_dropout_label(p)})")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("8x128 MLP on sklearn digits, Adam lr 1e-3, batch 128")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def markdown_report(results, config, wall_time, table, comparison):
    return f"""# The GELU paper's Figure-2 experiment on scikit-learn's digits

Generated by `{config['command']}` in {wall_time:.1f} s on {os.cpu_count()} CPU(s)
with {config['jobs']} worker process(es).

Hendrycks & Gimpel (2016), Figure 2, train an 8-layer, 128-wide fully connected
network on MNIST with Adam (batch 128), with and without dropout 0.5, and plot the
median training log loss over five runs: GELU lowest, then ELU, then ReLU. Here: the
same network on `sklearn.datasets.load_digits` ({config['n_train']:,} training and
{config['n_test']:,} test images, 80/20 stratified split), float32, Adam lr 1e-3,
{config['epochs']} epochs ({config['steps']:,} Adam steps; the paper's 50 MNIST epochs are
over 20,000), median over {config['seeds']} seeds, He-style initialisation with each
activation's own gain, corrected for dropout (see the module docstring).
`gelu_learnable` is x·Φ((x − μ)/σ) with a learnable μ and σ per unit, initialised at
0 and 1.

![median training log loss per epoch](paper_experiment.png)

Final medians over the seeds. "Train loss (last epoch, minibatch mean)" is the last
point of the curves above (dropout active where used); the other columns are
evaluation passes after training, without dropout.

{table}

How GELU, ELU and ReLU compare:

{comparison}

With dropout the losses are still far from converged after {config['steps']:,} steps, so
that panel shows early training only; `--epochs 300 --seeds 3` trains six times longer.
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=None,
                        help="epochs per run (default 50, as in the paper; --quick: 5)")
    parser.add_argument("--seeds", type=int, default=None,
                        help="runs per activation and dropout setting (default 5; --quick: 2)")
    parser.add_argument("--out", type=Path, default=None,
                        help="directory for paper_experiment.png and .md "
                             "(default docs/; with --quick, nothing is written unless given)")
    parser.add_argument("--quick", action="store_true",
                        help="a short smoke run: 5 epochs, 2 seeds")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="worker processes (default: 2, or 1 on a single CPU); "
                             "the results do not depend on it")
    parser.add_argument("--no-dropout", action="store_true",
                        help="only the runs without dropout")
    parser.add_argument("--activations", default=",".join(DEFAULT_ACTIVATIONS),
                        help="comma-separated subset of " + ", ".join(ACTIVATION_NAMES))
    args = parser.parse_args(argv)

    epochs = args.epochs or (5 if args.quick else 50)
    seeds = args.seeds or (2 if args.quick else 5)
    out = args.out if (args.out is not None or args.quick) else REPO_ROOT / "docs"
    activations = [a.strip() for a in args.activations.split(",") if a.strip()]
    for a in activations:
        if a not in ACTIVATION_NAMES:
            parser.error(f"unknown activation {a!r}")
    if "gelu_learnable" in activations and not learnable_available():
        print("note: this gelu_c build has no gelu_general / gelu_general_backward; "
              "skipping gelu_learnable", file=sys.stderr)
        activations.remove("gelu_learnable")
    dropouts = (0.0,) if args.no_dropout else (0.0, 0.5)

    print(f"{len(activations)} activations x {seeds} seeds x {len(dropouts)} dropout "
          f"settings, {epochs} epochs each, {args.jobs} worker process(es)")
    t0 = time.perf_counter()
    data = load_data()
    results = run_experiment(activations, seeds=seeds, epochs=epochs, dropouts=dropouts,
                             data=data, jobs=args.jobs)
    wall = time.perf_counter() - t0
    table = results_table(results)
    comparison = paper_comparison(results)
    print(f"\nwall time {wall:.1f} s\n\n{table}\n\n{comparison}")

    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        plot(results, out / "paper_experiment.png")
        cmd = "python examples/paper_experiment.py" + (
            " " + " ".join(sys.argv[1:] if argv is None else argv)).rstrip()
        config = dict(epochs=epochs, seeds=seeds, jobs=args.jobs, command=cmd,
                      n_train=len(data[1]), n_test=len(data[3]),
                      steps=epochs * -(-len(data[1]) // 128))
        (out / "paper_experiment.md").write_text(
            markdown_report(results, config, wall, table, comparison))
        print(f"\nwrote {out / 'paper_experiment.png'} and {out / 'paper_experiment.md'}")
    return results


if __name__ == "__main__":
    main()
