"""examples/dask_stream.py: a small file streamed through Dask gives the NumPy loop's sum,
and its lazy memmap reads each chunk in its own task (the values of the file)."""
import os
import sys

import numpy as np
import pytest

pytest.importorskip("dask.array")
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "examples"))
import dask_stream  # noqa: E402


def test_stream_agrees_with_the_numpy_loop(tmp_path, capsys):
    assert dask_stream.main(["--gb", "0.004", "--chunk", "300007", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "agree to 1e-9 (summation order): True" in out
    assert not list(tmp_path.iterdir())              # the file is removed


def test_lazy_memmap_reads_the_file(tmp_path):
    mm = dask_stream.write_memmap(str(tmp_path / "x.npy"), 1000, chunk=300)
    lazy = dask_stream.lazy_memmap(mm, chunk=256)
    assert lazy.chunks == ((256, 256, 256, 232),)
    assert np.array_equal(lazy.compute(), np.asarray(mm))
