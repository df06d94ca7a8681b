"""Every ufunc object of every tier, created once from the compiled table and the
registry; ``gelu_c`` and ``gelu_c.fast`` hand them out."""
from . import _ufuncs, registry
from ._docs import DOCS

_BY_CNAME = {f.cname: f for f in registry.FUNCTIONS}


def _make():
    try:
        made = _ufuncs.make_ufuncs({c: (f.name, DOCS[f.qualname]) for c, f in _BY_CNAME.items()})
    except KeyError as exc:
        made = None
        missing = exc
    if made is None or set(made) != set(_BY_CNAME):
        compiled = "" if made is None else ", ".join(made)
        raise ImportError("gelu_c's compiled extension does not match gelu_c/registry.py "
                          f"({missing if made is None else 'compiled: ' + compiled}): "
                          "rebuild it (pip install .)")
    _register_bfloat16(made)
    out = {}
    for cname, uf in made.items():
        f = _BY_CNAME[cname]
        # NumPy >= 2.2 pickles a ufunc by its __module__ and name: point it at the tier's
        # module. Older NumPy has no ufunc.__module__ and pickles by name alone, pickle
        # finding the module that holds the object, which the tier's globals are.
        try:
            uf.__module__ = f.module
        except AttributeError:
            pass
        out[f.qualname] = uf
    return out


def _register_bfloat16(made):
    """bfloat16 loops on every ufunc when ml_dtypes (an optional dependency:
    ``pip install gelu_c[bfloat16]``) is installed; without it, nothing. They are
    registered here, before any call, since a call made before can keep resolving to
    another loop."""
    global BFLOAT16
    try:
        import ml_dtypes
    except ImportError:
        return
    import numpy as np
    _ufuncs.register_bfloat16(made, np.dtype(ml_dtypes.bfloat16).num)
    BFLOAT16 = True


#: whether the bfloat16 loops are registered (ml_dtypes was importable)
BFLOAT16 = False


#: qualified name (``gelu``, ``fast.gelu``) -> ufunc
UFUNCS = _make()


def tier_namespace(tier):
    """{name: ufunc} of one tier, in registry order."""
    return {registry.get(q).name: UFUNCS[q] for q in registry.names(tier=tier, params=None)}
