"""How many threads a large gelu_c call may use.

A call of at least ``2 * min_per_thread`` elements (2^19 by default: below it the
threads' start-up costs more than they save on this kind of core) is split into
contiguous parts, one per thread, on a small pool started on first use; the results are
the same bits whatever the count. The count comes from ``GELU_C_NUM_THREADS``, else
``OMP_NUM_THREADS`` (which Dask's worker processes, PyTorch and NumPy's BLAS also read),
else the CPUs this process may run on; :func:`set_num_threads` and :func:`threads`
change it at run time.

No oversubscription: one call at a time is split, and only while no other large gelu_c
call is running; concurrent calls (several Python threads, Dask's threaded scheduler)
each run on their own thread. The pool is plain POSIX threads (no OpenMP, so
``threadpoolctl`` neither sees nor limits it: use :func:`threads`), and a process forked
while it runs starts a pool of its own when it needs one.
"""
import contextlib
import os
import warnings

from . import _ufuncs

ENV_VARS = ("GELU_C_NUM_THREADS", "OMP_NUM_THREADS")


def _cpus():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _count(value, what):
    """A positive thread count, or a clear error."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{what} must be an int, not {type(value).__name__}")
    if value < 1:
        raise ValueError(f"{what} must be >= 1, got {value}")
    return value


def default_num_threads():
    """The count the environment asks for (see the module docstring)."""
    for var in ENV_VARS:
        text = os.environ.get(var, "").strip()
        if not text:
            continue
        first = text.split(",")[0]        # OMP_NUM_THREADS may list one count per level
        try:
            return _count(int(first), var)
        except (ValueError, TypeError):
            warnings.warn(f"{var}={text!r} is not a positive integer; ignored",
                          RuntimeWarning, stacklevel=3)
    return _cpus()


def get_num_threads():
    """Threads a large call may use now.

    Returns
    -------
    int
        1 when this build has no thread support (Windows builds, for now).
    """
    return _ufuncs.get_num_threads() if _ufuncs.threads_supported() else 1


def set_num_threads(n):
    """Set the threads a large call may use.

    Parameters
    ----------
    n : int
        At least 1; more than the CPUs available only slows calls down.

    Returns
    -------
    int
        The previous count.
    """
    previous = get_num_threads()
    _ufuncs.set_num_threads(_count(n, "the number of threads"))
    return previous


@contextlib.contextmanager
def threads(n):
    """Run a block with ``n`` threads per large call; the count is restored on exit.

    Examples
    --------
    >>> import gelu_c, numpy as np
    >>> with gelu_c.threads(1):
    ...     y = gelu_c.gelu(np.zeros(10))
    """
    previous = set_num_threads(n)
    try:
        yield n
    finally:
        set_num_threads(previous)


def _init_from_environment():
    _ufuncs.set_num_threads(default_num_threads())
