"""Interleaved min-of-N timing of a few callables (what ``bench/report.py`` uses).

The machine is shared and its clock drifts, so a ratio is only trustworthy if both
sides saw the same conditions: every round times each callable once, in a rotating
order, and the minimum over rounds is kept (the run least disturbed by other work,
as ``timeit`` recommends). Each sample repeats the call enough times to last at
least ``min_sample`` seconds, so timer resolution and call overhead of the loop do
not matter even for 1024-element calls.

Interleaving has one side effect: a callable that sweeps a big array (2^26 elements)
evicts the caches of the next one. A sample of a short callable therefore starts with
one untimed call, so an "in-cache" figure is measured in cache whatever ran before.
"""
import gc
import time

#: calls shorter than this get an untimed warm-up call before each sample
WARM_BELOW = 0.05


def _calibrate(fn, min_sample):
    """Smallest power-of-two repeat count whose sample lasts ``min_sample`` seconds,
    and the seconds per call seen while finding it."""
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        t = time.perf_counter() - t0
        if t >= min_sample or number >= 1 << 24:
            return number, t / number
        number *= 2


def _sample(fn, number, warm):
    if warm:
        fn()
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def interleaved_min(fns, rounds=15, min_sample=0.02, warmup=2):
    """Seconds per call of each callable: minimum over interleaved rounds.

    Parameters
    ----------
    fns : dict of str -> callable
        Zero-argument callables to compare (e.g. ours and a reference).
    rounds : int, optional
        Samples taken of each callable; each round samples every callable once.
    min_sample : float, optional
        Minimum duration of one sample in seconds (sets the repeat count).
    warmup : int, optional
        Untimed calls first (page faults of fresh outputs, lazy init, caches).

    Returns
    -------
    dict of str -> float
        Best seconds per call, same keys as ``fns``.
    """
    names = list(fns)
    for name in names:
        for _ in range(warmup):
            fns[name]()
    calib = {name: _calibrate(fns[name], min_sample) for name in names}
    best = {name: float("inf") for name in names}
    gc_was_enabled = gc.isenabled()
    gc.disable()        # a collection inside one sample would only add noise
    try:
        for r in range(rounds):
            # rotate the order so no callable always runs right after another's cache state
            k = r % len(names)
            for name in names[k:] + names[:k]:
                number, per_call = calib[name]
                best[name] = min(best[name], _sample(fns[name], number, per_call < WARM_BELOW))
    finally:
        if gc_was_enabled:
            gc.enable()
    return best
