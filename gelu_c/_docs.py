"""NumPy-style docstrings of the ufuncs, built from the registry's parts (NumPy
prepends each call signature) and the package docstring's function list."""
from . import registry

_ACC = """
    Accurate to within {bound} in the last place (ULP) of the output type for every
    finite input, float32 and float64, tails and subnormal results included; see
    ``python -m gelu_c.accuracy``. Loops exist for float32 and float64; other real
    inputs are promoted as for ``np.exp``.
"""

_UNARY = """{summary}

{body}
Parameters
----------
x : array_like
    Input values.
out : ndarray, None, or tuple of ndarray and None, optional
    Where to store the result (see ``numpy.ufunc``).
where : array_like, optional
    Where False, ``out`` keeps its value.
**kwargs
    Other ufunc keywords (``dtype``, ``casting``, ...).

Returns
-------
y : ndarray or scalar
    {returns}
{acc}
Examples
--------
>>> import gelu_c
>>> float(gelu_c.{qualname}(1.0))  # doctest: +ELLIPSIS
{example}
"""

_BINARY = """{summary}

The backward pass of ``{fwd}`` in one pass over memory: ``dy * {grad}(x)``,
rounded once (not the product of two rounded values), with the sign of
``dy * {fwd}'(x)`` everywhere (zeros and infinities included).

Parameters
----------
dy : array_like
    Upstream gradient.
x : array_like
    Inputs of the forward pass; broadcast against ``dy``.
out, where, **kwargs
    As for any ``numpy.ufunc``.

Returns
-------
dx : ndarray or scalar
    ``dy * {fwd}'(x)``.
{acc}
Examples
--------
>>> import gelu_c
>>> abs(float(gelu_c.{qualname}(2.0, 1.0)) - 2 * float(gelu_c.{grad}(1.0))) < 1e-12
True
"""


def docstring(f):
    """The docstring of registry function ``f``."""
    acc = _ACC.format(bound=f.describe_bound())
    summary = f.summary if f.tier == "exact" else (
        f"{f.summary[:-1]}; {f.tier} tier ({registry.TIERS[f.tier][1].split(':')[0]}).")
    if f.kind == "backward":
        return _BINARY.format(summary=summary, fwd=f.family, grad=registry.grad_of(f.qualname),
                              qualname=f.qualname, acc=acc)
    return _UNARY.format(summary=summary, body=f.body, returns=f.returns, qualname=f.qualname,
                         example=f.example, acc=acc)


def function_list(tier):
    """A tier module's docstring's "Functions" entries, one per kind."""
    lines = []
    for kind, text in (("value", "The functions."), ("grad", "Their derivatives."),
                       ("backward", "dy * f'(x) in one pass (the backward step of a "
                                    "training loop).")):
        lines.append(", ".join(registry.get(q).name for q in registry.names(kind, tier=tier)))
        lines.append("    " + text)
    return "\n".join(lines)


DOCS = {f.qualname: docstring(f) for f in registry.FUNCTIONS}
