"""Large calls split across threads: the same bits whatever the count, every function of
both tiers and dtypes; the count's API and environment variables; overlapping operands;
fork safety; concurrent callers, and no more threads than asked for."""
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from operator import attrgetter

import numpy as np
import pytest

import gelu_c
from gelu_c import registry

N = (1 << 19) + 37          # split in two from 2^19, with a partial last vector
ALL = registry.names(tier=None, params=None)


def _args(f, dtype, n=N, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(n) * 5).astype(dtype)
    args = {"x": x, "dy": rng.uniform(-3, 3, n).astype(dtype),
            "mu": rng.uniform(-1, 1, n).astype(dtype), "sigma": rng.uniform(0.1, 3, n).astype(dtype)}
    return [args[a] for a in f.args]


def _bits(r):
    return [np.ascontiguousarray(a).view(np.uint8) for a in (r if isinstance(r, tuple) else (r,))]


def _dtypes():
    out = [np.float16, np.float32, np.float64]
    try:
        import ml_dtypes
        out.append(ml_dtypes.bfloat16)
    except ImportError:
        pass
    return out


@pytest.mark.parametrize("dtype", _dtypes(), ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", ALL)
def test_same_bits_whatever_the_thread_count(name, dtype):
    f = registry.get(name)
    uf = attrgetter(name)(gelu_c)
    args = _args(f, dtype)
    with gelu_c.threads(1):
        want = _bits(uf(*args))
    for n in (2, 3):
        with gelu_c.threads(n):
            got = _bits(uf(*args))
            assert all(np.array_equal(g, w) for g, w in zip(got, want)), (name, n)
    if f.nout == 1:             # in place and strided output
        with gelu_c.threads(2):
            inplace = args[-1].copy()
            uf(*args[:-1], inplace, out=inplace)
            strided = np.empty(2 * N, dtype)[::2]
            uf(*args, out=strided)
        assert np.array_equal(_bits(inplace)[0], want[0])
        assert np.array_equal(_bits(strided)[0], want[0])


def test_overlapping_output_keeps_sequential_semantics():
    """out shifted against its input (NumPy's elementwise semantics, one at a time) is
    not split: the same result as with one thread."""
    base = np.random.default_rng(1).standard_normal(N + 1).astype(np.float32)
    results = []
    for n in (1, 2):
        a = base.copy()
        with gelu_c.threads(n):
            gelu_c.gelu(a[:-1], out=a[1:])
        results.append(a)
    assert np.array_equal(results[0], results[1])


def test_count_api():
    before = gelu_c.get_num_threads()
    with gelu_c.threads(3) as n:
        assert n == 3 and gelu_c.get_num_threads() == 3
    assert gelu_c.get_num_threads() == before
    assert gelu_c.set_num_threads(before) == before
    for bad, err in ((0, ValueError), (-2, ValueError), (1.5, TypeError), (True, TypeError),
                     ("2", TypeError)):
        with pytest.raises(err):
            gelu_c.set_num_threads(bad)
    assert gelu_c.get_num_threads() == before
    with pytest.raises(RuntimeError), gelu_c.threads(1):
        raise RuntimeError("restored on the way out")
    assert gelu_c.get_num_threads() == before


def _child_count(env):
    full = dict(os.environ)
    for var in ("GELU_C_NUM_THREADS", "OMP_NUM_THREADS"):
        full.pop(var, None)
    full.update(env)
    out = subprocess.run([sys.executable, "-W", "always", "-c",
                          "import gelu_c; print(gelu_c.get_num_threads())"],
                         env=full, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return int(out.stdout.strip()), out.stderr


def test_count_from_the_environment():
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert _child_count({})[0] == cpus
    assert _child_count({"OMP_NUM_THREADS": "1"})[0] == 1
    assert _child_count({"GELU_C_NUM_THREADS": "3", "OMP_NUM_THREADS": "1"})[0] == 3
    assert _child_count({"OMP_NUM_THREADS": "4,2"})[0] == 4
    n, err = _child_count({"GELU_C_NUM_THREADS": "lots"})
    assert n == cpus and "GELU_C_NUM_THREADS='lots' is not a positive integer" in err


def _forked_child(q):
    x = np.linspace(-8, 8, N).astype(np.float32)
    with gelu_c.threads(2):
        y = gelu_c.gelu(x)
    q.put(float(np.sum(y, dtype=np.float64)))


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_forked_child_does_not_hang_on_the_parents_pool():
    x = np.linspace(-8, 8, N).astype(np.float32)
    with gelu_c.threads(2):
        want = float(np.sum(gelu_c.gelu(x), dtype=np.float64))   # the pool is running
    ctx = multiprocessing.get_context("fork")
    q = ctx.Queue()
    procs = [ctx.Process(target=_forked_child, args=(q,)) for _ in range(2)]
    for p in procs:
        p.start()
    got = [q.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    assert got == [want, want]


def _os_threads():
    return len(os.listdir("/proc/self/task"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/task"), reason="needs /proc (Linux)")
def test_concurrent_callers_get_right_results_and_no_extra_threads():
    x = np.random.default_rng(2).standard_normal(4 * N).astype(np.float32)
    want = gelu_c.gelu(x)
    with gelu_c.threads(2):
        gelu_c.gelu(x)                      # the pool has its one worker now
        before = _os_threads()
        errors = []

        def work():
            for _ in range(5):
                if not np.array_equal(gelu_c.gelu(x).view(np.uint32), want.view(np.uint32)):
                    errors.append("wrong bits")

        callers = [threading.Thread(target=work) for _ in range(4)]
        for t in callers:
            t.start()
        peak = max(_os_threads() for _ in range(200))
        for t in callers:
            t.join()
    assert not errors
    # the callers themselves, and not one pool thread more
    assert peak <= before + len(callers)
    # a joined thread can linger in /proc for a moment while the kernel reaps it
    deadline = time.monotonic() + 10
    while _os_threads() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _os_threads() == before


@pytest.mark.parametrize("where", ["first", "last"])
def test_flags_raised_in_a_worker_reach_np_errstate(where):
    """Floating-point flags belong to the thread that raises them: an overflow (or invalid)
    in the part a worker thread computes must still raise under np.errstate."""
    x = np.ones(4 * N, np.float32)
    dy = np.ones(4 * N, np.float32)
    i = 0 if where == "first" else -1
    dy[i] = np.float32(3.3e38)                   # dy * 1.083 overflows there only
    for n in (1, 2):
        with gelu_c.threads(n), np.errstate(over="raise"), pytest.raises(FloatingPointError):
            gelu_c.gelu_backward(dy, x)
        s = np.ones(4 * N, np.float32)
        s[i] = -1.0                              # a domain error: invalid
        with gelu_c.threads(n), np.errstate(invalid="raise"), pytest.raises(FloatingPointError):
            gelu_c.gelu_general(x, 0.0, s)
    with gelu_c.threads(2), np.errstate(all="raise"):
        gelu_c.gelu_backward(np.ones(4 * N, np.float32), x)      # and nothing spurious
