"""Concurrent calls from many Python threads, and the GIL.

tests/test_threads.py checks the thread pool (the same bits whatever the count), and that
four threads calling gelu on one float32 array get the right bits without extra threads.
Here:

* Eight Python threads call every ufunc of both tiers, on every dtype, on SHARED operand
  arrays (the same objects in every thread; contiguous, strided, broadcast), each into
  its own outputs or fresh ones, in an order of its own, with lengths from a partial
  vector to calls large enough to be split across the pool: every result has the bits
  of the same call made alone, first.
* The same while another thread switches the kernel path back and forth (the path is
  read once per call; every path gives the same bits, tests/test_paths.py, and a result
  must be the bits of one of them).
* Floating-point flags stay with the call that raised them: threads whose calls overflow
  (np.errstate(over="raise") must raise) run beside threads whose calls raise nothing
  (np.errstate(all="raise") must not raise), large calls split across the pool included.
* The GIL is released inside the loops (NumPy releases it around a loop whose dtypes
  need no Python API, which holds for float16/32/64 and ml_dtypes' bfloat16): while one
  thread is inside a long call, a pure-Python thread runs. Proven without timing: the
  Python thread reads the output array of the call in progress and sees an element
  already written and, afterwards, one not yet written. Were the GIL held for the whole
  call, the Python thread could only run before it (nothing written) or after it
  (everything written).
"""
import os
import sys
import threading
import time
from operator import attrgetter

import numpy as np
import pytest

import gelu_c
from gelu_c import registry

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import half_formats  # noqa: E402
from half_formats import BFLOAT16, bits, outputs, uint_of  # noqa: E402

NAMES = registry.names(tier=None, params=None)
DTYPES = [np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)] + (
    [BFLOAT16] if BFLOAT16 is not None else [])
PATHS = tuple(gelu_c.available_kernel_paths())
N_THREADS = 8
SPLIT = (1 << 20) + 9          # split across the pool when alone (2 * 2^18 per thread)


def _ufunc(name):
    return attrgetter(name)(gelu_c)


def _operands(f, dtype, n, rng):
    vals = {"dy": rng.uniform(-3, 3, n), "x": rng.normal(0, 4, n),
            "mu": rng.uniform(-1, 1, n), "sigma": rng.uniform(0.2, 3, n)}
    return [vals[a].astype(dtype) for a in f.args]


def _tasks(seed=0):
    """(label, ufunc, operands, outputs-or-None) for every function and dtype; the
    operands are shared by every thread (read only), at three lengths and layouts."""
    rng = np.random.default_rng(seed)
    tasks = []
    for i, name in enumerate(NAMES):
        f = registry.get(name)
        uf = _ufunc(name)
        for dt in DTYPES:
            n = (37, 1031, 2053)[(i + len(tasks)) % 3]
            ops = _operands(f, dt, n, rng)
            tasks.append((f"{name}/{dt.name}/contiguous", uf, ops))
            # strided views and a broadcast operand (mu, sigma or dy as one row)
            strided = [a[::2] for a in ops]
            tasks.append((f"{name}/{dt.name}/strided", uf, strided))
            if f.nin > 1:
                tasks.append((f"{name}/{dt.name}/broadcast", uf,
                              [ops[0][:1]] + [a[:n // 2] for a in ops[1:]]))
    # calls the pool would split were they alone
    for name, dt in (("gelu", np.float32), ("fast.gelu_backward", np.float16),
                     ("gelu_general_grad", np.float32)):
        f = registry.get(name)
        dt = np.dtype(dt)
        tasks.append((f"{name}/{dt.name}/large", _ufunc(name), _operands(f, dt, SPLIT, rng)))
    return tasks


def _reference(tasks, paths=PATHS):
    """Each task's bits, called alone (one thread), on each path: {label: {path: bits}}."""
    ref = {}
    with gelu_c.threads(1), np.errstate(all="ignore"):
        for label, uf, ops in tasks:
            for path in paths:
                with gelu_c.kernel_path(path):
                    ref.setdefault(label, {})[path] = [bits(r).copy() for r in outputs(uf(*ops))]
    return ref


def _run_threads(tasks, ref, accept, rounds, extra=None):
    """N_THREADS threads, each doing every task ``rounds`` times in its own order, half
    of the calls into preallocated outputs of its own; returns the mismatches."""
    errors = []
    barrier = threading.Barrier(N_THREADS + (extra is not None))

    def work(t):
        rng = np.random.default_rng(100 + t)
        own = {label: [np.empty(b.shape, ops[0].dtype) for b in next(iter(ref[label].values()))]
               for label, _, ops in tasks}
        barrier.wait()
        try:
            for _ in range(rounds):
                for k in rng.permutation(len(tasks)):
                    label, uf, ops = tasks[k]
                    with np.errstate(all="ignore"):
                        if rng.integers(2):
                            outs = own[label]
                            r = uf(*ops, out=tuple(outs))
                            assert all(a is b for a, b in zip(outputs(r), outs))
                        else:
                            outs = outputs(uf(*ops))
                    got = [bits(o) for o in outs]
                    if not any(all(np.array_equal(g, w) for g, w in zip(got, ref[label][p]))
                               for p in accept()):
                        errors.append((t, label))
        except Exception as exc:                 # noqa: BLE001 - reported below
            errors.append((t, repr(exc)))

    threads = [threading.Thread(target=work, args=(t,)) for t in range(N_THREADS)]
    for th in threads:
        th.start()
    if extra is not None:
        barrier.wait()
        extra()
    for th in threads:
        th.join(timeout=300)
        assert not th.is_alive(), "a thread hung"
    return errors


@pytest.mark.parametrize("pool", [1, 2], ids=["pool of 1", "pool of 2"])
def test_many_threads_on_shared_operands_get_the_right_bits(pool, kernel_path):
    tasks = _tasks()
    ref = _reference(tasks, (kernel_path,))
    shared = [a.copy() for _, _, ops in tasks for a in ops]
    with gelu_c.threads(pool):
        errors = _run_threads(tasks, ref, accept=lambda: (kernel_path,), rounds=2)
    assert not errors, f"{len(errors)} wrong results, e.g. {errors[:5]}"
    # the shared operands are as they were
    assert all(np.array_equal(bits(a), bits(b))
               for a, b in zip([a for _, _, ops in tasks for a in ops], shared))


@pytest.mark.skipif(len(PATHS) < 2, reason="one kernel path only")
def test_switching_the_kernel_path_while_threads_compute():
    tasks = [t for t in _tasks(seed=1) if "/large" not in t[0]][::3]
    ref = _reference(tasks)
    stop = threading.Event()
    switches = [0]

    def switcher():
        while not stop.is_set():
            for p in PATHS:
                gelu_c.set_kernel_path(p)
                switches[0] += 1
            time.sleep(0)

    before = gelu_c.get_kernel_path()
    th = threading.Thread(target=switcher)
    try:
        th.start()
        errors = _run_threads(tasks, ref, accept=lambda: PATHS, rounds=2)
    finally:
        stop.set()
        th.join()
        gelu_c.set_kernel_path(before)
    assert switches[0] > 10, switches
    assert not errors, f"{len(errors)} results of no path, e.g. {errors[:5]}"


def test_floating_point_flags_stay_with_their_call():
    big = {dt.name: float(half_formats.finfo(dt).max) for dt in DTYPES}
    results = {"raised": 0, "quiet": 0, "wrong": []}
    lock = threading.Lock()
    barrier = threading.Barrier(N_THREADS)

    def work(t):
        dt = DTYPES[t % len(DTYPES)]
        n = SPLIT if t % 2 else 4099
        x = np.full(n, 2.0, dt)                       # f'(2) > 1: max * f'(2) overflows
        dy_over = np.full(n, big[dt.name], dt)
        dy_ok = np.full(n, 0.5, dt)
        barrier.wait()
        for i in range(30):
            if (t + i) % 2:
                try:
                    with np.errstate(over="raise"):
                        gelu_c.gelu_backward(dy_over, x)
                except FloatingPointError:
                    with lock:
                        results["raised"] += 1
                else:
                    with lock:
                        results["wrong"].append((t, i, "overflow not raised"))
            else:
                try:
                    with np.errstate(all="raise", under="ignore"):
                        r = gelu_c.fast.gelu_backward(dy_ok, x)
                    assert np.isfinite(r).all()
                except (FloatingPointError, AssertionError) as exc:
                    with lock:
                        results["wrong"].append((t, i, repr(exc)))
                else:
                    with lock:
                        results["quiet"] += 1

    with gelu_c.threads(2):
        threads = [threading.Thread(target=work, args=(t,)) for t in range(N_THREADS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(timeout=300)
            assert not th.is_alive()
    assert not results["wrong"], results["wrong"][:5]
    assert results["raised"] == results["quiet"] == N_THREADS * 15


_FIRST_USE = r"""
import json, sys, threading
import numpy as np
import gelu_c
from gelu_c import registry
from operator import attrgetter
dtypes = [np.dtype(np.float16)]
try:
    import ml_dtypes
    dtypes.append(np.dtype(ml_dtypes.bfloat16))
except ImportError:
    pass
names = registry.names(tier=None, params=None)
rng = np.random.default_rng(0)
bits = rng.integers(0, 1 << 16, 4099).astype(np.uint16)
ops = {dt.name: bits.view(dt) for dt in dtypes}
n_threads = 8
barrier = threading.Barrier(n_threads)
got = {}
def work(t):
    barrier.wait()
    order = np.random.default_rng(t).permutation(len(names) * len(dtypes))
    for k in order:                                 # every table's first use, in every thread
        name, dt = names[k % len(names)], dtypes[k // len(names)]
        uf = attrgetter(name)(gelu_c)
        x = ops[dt.name]
        with np.errstate(all="ignore"):
            r = uf(*([x] * uf.nin))
        r = r if isinstance(r, tuple) else (r,)
        got[(t, name, dt.name)] = [a.view(np.uint16).copy() for a in r]
threads = [threading.Thread(target=work, args=(t,)) for t in range(n_threads)]
for th in threads: th.start()
for th in threads: th.join()
bad = []
for (t, name, dn), res in got.items():
    uf = attrgetter(name)(gelu_c)
    x = ops[dn]
    with np.errstate(all="ignore"):
        r = uf(*([x] * uf.nin))
    r = r if isinstance(r, tuple) else (r,)
    if not all(np.array_equal(a.view(np.uint16), b) for a, b in zip(r, res)):
        bad.append([t, name, dn])
print(json.dumps({"path": gelu_c.get_kernel_path(), "calls": len(got), "bad": bad}))
"""


@pytest.mark.parametrize("path", PATHS)
def test_first_calls_race_to_build_the_half_tables(path, tmp_path):
    """The float16/bfloat16 tables are built at first use; eight threads making every
    first call at once (a fresh process, on each path) get the bits of later calls."""
    import json
    import subprocess
    env = dict(os.environ, GELU_C_KERNEL_PATH=path)
    root = os.path.dirname(os.path.dirname(os.path.abspath(gelu_c.__file__)))
    env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in [env.get("PYTHONPATH")] if p])
    r = subprocess.run([sys.executable, "-c", _FIRST_USE], env=env, cwd=str(tmp_path),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    out = json.loads(r.stdout.strip().splitlines()[-1])
    assert out["path"] == path
    assert out["calls"] == N_THREADS * len(NAMES) * (1 + (BFLOAT16 is not None))
    assert not out["bad"], out["bad"][:10]


# ---------------------------------------------------------------------------
# The GIL
# ---------------------------------------------------------------------------

GIL_N = 1 << 22
GIL_CASES = [("gelu", 0), ("fast.gelu_backward", 0), ("gelu_general", 0),
             ("gelu_general_grad", 2)]


def _nan_sentinel(dtype):
    """A quiet NaN with a payload: no finite operand gives a NaN."""
    ut = uint_of(dtype)
    bits = int(np.array(np.nan, dtype=dtype).view(ut)) | 0x5
    return np.array(bits, dtype=ut)


@pytest.mark.parametrize("dtype", half_formats.dtype_params("float16", "float32", "float64", "bfloat16"))
@pytest.mark.parametrize("name, which", GIL_CASES, ids=[c[0] for c in GIL_CASES])
def test_a_python_thread_runs_while_a_call_is_in_progress(name, which, dtype):
    f = registry.get(name)
    uf = _ufunc(name)
    dtype = np.dtype(dtype)
    ops = _operands(f, dtype, GIL_N, np.random.default_rng(3))
    sentinel = _nan_sentinel(dtype)
    probes = np.linspace(0, GIL_N - 1, 64).astype(np.intp).tolist()    # ascending
    box = {"out": None}
    seen = {"partial": 0, "reads": 0, "both": []}
    stop = threading.Event()

    def python_thread():
        while not stop.is_set():
            out = box["out"]
            if out is None:
                continue
            written_seen = False
            for i in probes:                    # pure Python: one element at a time
                seen["reads"] += 1
                if np.isnan(out[i]):            # not written yet
                    if written_seen:
                        seen["partial"] += 1
                        seen["both"].append(i)
                        break
                else:
                    written_seen = True

    reader = threading.Thread(target=python_thread)
    reader.start()
    deadline = time.monotonic() + 30
    calls = 0
    try:
        with gelu_c.threads(1):                 # the caller's thread writes in order
            while seen["partial"] == 0 and time.monotonic() < deadline and calls < 200:
                outs = [np.empty(GIL_N, dtype) for _ in range(f.nout)]
                outs[which].view(uint_of(dtype))[...] = sentinel
                box["out"] = outs[which]        # a new array each call: written once
                uf(*ops, out=tuple(outs))
                box["out"] = None
                calls += 1
                assert not np.isnan(outs[which]).any(), "an element was not written"
    finally:
        stop.set()
        reader.join()
    assert seen["partial"] > 0, (
        f"{name} [{dtype.name}]: in {calls} calls the Python thread never ran while a call "
        f"was writing its output ({seen['reads']} reads): the GIL is held in the loop")
