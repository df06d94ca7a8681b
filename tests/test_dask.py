"""gelu_c's ufuncs on Dask arrays (lazily, through __array_ufunc__), on a LocalCluster of
worker processes (the ufuncs pickle by name), and on xarray DataArrays: the same bits
as NumPy on the computed array."""
from operator import attrgetter

import numpy as np
import pytest

import gelu_c
from gelu_c import registry

da = pytest.importorskip("dask.array")

SINGLE = [n for n in registry.names(tier=None, params=None) if registry.get(n).nout == 1]
MULTI = [n for n in registry.names(tier=None, params=None) if registry.get(n).nout > 1]


def _operands(f, dtype):
    """Dask operands with uneven chunks, and broadcasting ones (per channel) for every
    argument but x; with their NumPy values."""
    rng = np.random.default_rng(0)
    values = {"x": (rng.standard_normal((300, 70)) * 5).astype(dtype),
              "dy": rng.uniform(-3, 3, 70).astype(dtype),
              "mu": rng.uniform(-1, 1, 70).astype(dtype),
              "sigma": rng.uniform(0.1, 3, 70).astype(dtype)}
    chunks = {"x": (128, 32), "dy": 32, "mu": 25, "sigma": 40}
    lazy = [da.from_array(values[a], chunks=chunks[a]) for a in f.args]
    return lazy, [values[a] for a in f.args]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("name", SINGLE)
def test_dask_array_gives_numpys_bits(name, dtype):
    f, uf = registry.get(name), attrgetter(name)(gelu_c)
    lazy, eager = _operands(f, dtype)
    y = uf(*lazy)
    assert isinstance(y, da.Array) and y.dtype == dtype      # lazy, nothing computed yet
    got, want = y.compute(), uf(*eager)
    assert np.array_equal(got.view(np.uint8), want.view(np.uint8))


@pytest.mark.parametrize("name", MULTI)
def test_dask_multi_output_through_apply_gufunc(name):
    """Dask's __array_ufunc__ takes one-output ufuncs only; functions with several outputs
    (gelu_general_grad, gelu_general_backward) go through dask.array.apply_gufunc, as the
    README shows."""
    f, uf = registry.get(name), attrgetter(name)(gelu_c)
    lazy, eager = _operands(f, np.float32)
    lazy = [a.rechunk({a.ndim - 1: 32}) for a in lazy]   # apply_gufunc wants equal chunks
    sig = ",".join("()" for _ in f.args) + "->" + ",".join("()" for _ in range(f.nout))
    outs = da.apply_gufunc(uf, sig, *lazy, output_dtypes=(np.float32,) * f.nout)
    for got, want in zip(outs, uf(*eager)):
        assert np.array_equal(got.compute().view(np.uint8), want.view(np.uint8))


def test_local_cluster_of_processes():
    """Worker processes unpickle the ufuncs by name, give NumPy's bits, and run one thread
    per call by default (Dask sets OMP_NUM_THREADS=1 in its workers)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        x = da.random.default_rng(1).standard_normal((400, 500), chunks=(100, 250))
        x32 = x.astype(np.float32)
        dy = da.ones(500, chunks=250, dtype=np.float32)
        got = client.compute([gelu_c.gelu(x32), gelu_c.fast.gelu_backward(dy, x32),
                              gelu_c.gelu_general(x, 0.5, 2.0)], sync=True)
        xe = x.compute()
        want = [gelu_c.gelu(xe.astype(np.float32)),
                gelu_c.fast.gelu_backward(np.ones(500, np.float32), xe.astype(np.float32)),
                gelu_c.gelu_general(xe, 0.5, 2.0)]
        for g, w in zip(got, want):
            assert np.array_equal(g.view(np.uint8), w.view(np.uint8))
        counts = client.run(gelu_c.get_num_threads)
        assert set(counts.values()) == {1}, counts


def test_xarray_keeps_coords_and_attrs():
    xr = pytest.importorskip("xarray")
    a = xr.DataArray(np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4), dims=("t", "c"),
                     coords={"t": [10, 20, 30], "c": list("abcd")}, attrs={"units": "V"})
    y = gelu_c.gelu(a)
    assert isinstance(y, xr.DataArray)
    assert y.dims == a.dims and y.attrs == {"units": "V"}
    assert all(np.array_equal(y.coords[k], a.coords[k]) for k in a.coords)
    assert np.array_equal(y.values, gelu_c.gelu(a.values))
    g = gelu_c.gelu_general(a, xr.DataArray(np.zeros(4, np.float32), dims="c"), 1.0)
    assert g.dims == ("t", "c") and np.array_equal(g.values, y.values)
