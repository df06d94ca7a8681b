"""Stream an array from disk through gelu_c with Dask, and check it against a NumPy loop.

An array too large to hold in memory at once is read chunk by chunk: this example writes
a float32 NumPy memmap of ``--gb`` gigabytes (standard normal values times 4, seeded,
written a chunk at a time), wraps it in a Dask array, and computes ``sum(gelu(x))`` with
Dask's progress bar; then the same sum by a plain loop over the chunks with NumPy. The
two agree to rounding of the summation order (the gelu values themselves are the same
bits: gelu_c's ufuncs are elementwise and position-independent).

    python examples/dask_stream.py              # 4 GB in a temporary directory
    python examples/dask_stream.py --gb 40 --dir /big/disk

Inside each Dask task gelu_c runs one thread (the threaded scheduler's tasks run side
by side, and gelu_c never splits a call while another one runs); the NumPy loop uses
every core on each chunk instead (gelu_c.get_num_threads()).
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

import numpy as np

try:
    import gelu_c
except ImportError:       # run from a checkout without installing
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import gelu_c

CHUNK = 1 << 24           # elements per chunk (64 MB of float32)


def write_memmap(path, n, chunk=CHUNK, seed=0):
    """A float32 memmap of n values, N(0, 16), written one chunk at a time."""
    mm = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(n,))
    rng = np.random.default_rng(seed)
    for i in range(0, n, chunk):
        m = min(chunk, n - i)
        mm[i:i + m] = rng.standard_normal(m, dtype=np.float32) * 4
    mm.flush()
    del mm
    return np.load(path, mmap_mode="r")


def lazy_memmap(mm, chunk=CHUNK):
    """A Dask array whose every task reads its own chunk of the file. (dask.array.from_array
    copies a NumPy array it is given, memmaps included: the whole file at once.)"""
    import dask.array as da

    path, n = mm.filename, mm.shape[0]

    def read(block_info=None):
        lo, hi = block_info[None]["array-location"][0]
        return np.array(np.load(path, mmap_mode="r")[lo:hi])

    sizes = (chunk,) * (n // chunk) + ((n % chunk,) if n % chunk else ())
    return da.map_blocks(read, chunks=(sizes,), dtype=np.float32, name="memmap-" + path)


def dask_sum(mm, chunk=CHUNK, progress=True):
    """sum(gelu(x)) over the memmap with Dask (float64 accumulation)."""
    from dask.diagnostics import ProgressBar

    total = gelu_c.gelu(lazy_memmap(mm, chunk)).sum(dtype=np.float64)
    if progress:
        with ProgressBar():
            return float(total.compute())
    return float(total.compute())


def numpy_sum(mm, chunk=CHUNK):
    """The same sum by a loop over the chunks."""
    out = np.empty(min(chunk, mm.shape[0]), np.float32)
    total = 0.0
    for i in range(0, mm.shape[0], chunk):
        part = np.asarray(mm[i:i + chunk])
        y = gelu_c.gelu(part, out=out[:part.shape[0]])
        total += float(y.sum(dtype=np.float64))
    return total


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gb", type=float, default=4.0, help="size of the array on disk (default 4)")
    ap.add_argument("--dir", default=None, help="where to write it (default: a temporary directory)")
    ap.add_argument("--keep", action="store_true", help="keep the file")
    ap.add_argument("--chunk", type=int, default=CHUNK, help=f"elements per chunk (default {CHUNK})")
    args = ap.parse_args(argv)
    n = int(args.gb * 1e9) // 4
    if n < 1:
        ap.error("--gb is too small")
    workdir = args.dir or tempfile.mkdtemp(prefix="gelu_c_stream_")
    path = os.path.join(workdir, "x.npy")
    try:
        t0 = time.perf_counter()
        mm = write_memmap(path, n, args.chunk)
        t1 = time.perf_counter()
        print(f"wrote {n:,} float32 ({n * 4 / 1e9:.2f} GB) to {path} in {t1 - t0:.1f} s")
        # the first pass over the file reads it from disk (what is left of it in the page
        # cache after writing), the second from the cache: time both in both orders
        timings = {}
        for label, fn in (("Dask", dask_sum), ("NumPy", numpy_sum), ("Dask", dask_sum)):
            ta = time.perf_counter()
            value = fn(mm, args.chunk)
            timings.setdefault(label, []).append((time.perf_counter() - ta, value))
        d, s = timings["Dask"][-1][1], timings["NumPy"][0][1]
        for label, runs in timings.items():
            times = ", ".join(f"{t:.1f} s ({n * 4 / 1e9 / t:.2f} GB/s)" for t, _ in runs)
            print(f"{label:6s}: sum(gelu(x)) = {runs[-1][1]:.10e}   {times}")
        print(f"(first Dask pass from disk; NumPy loop chunk by chunk with "
              f"{gelu_c.get_num_threads()} threads per chunk)")
        agree = abs(d - s) <= 1e-9 * abs(s)
        print("agree to 1e-9 (summation order):", agree)
        return 0 if agree else 1
    finally:
        if not args.keep:
            if args.dir:
                os.remove(path)
            else:
                shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
