"""NumPy-style docstrings of the ufuncs, built from the registry's parts (NumPy
prepends each call signature) and the package docstring's function list."""
from . import registry

_ACC = """
    Accurate to within {bound} in the last place (ULP) of the output type for every
    finite input, float32 and float64, tails and subnormal results included; float16
    and bfloat16 (ml_dtypes') results are correctly rounded. See ``python -m
    gelu_c.accuracy`` (``--half``). Loops exist for float16, float32, float64 and, when
    ml_dtypes is installed, bfloat16; other real inputs are promoted as for ``np.exp``.
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


_PARAM = """{summary}

{body}
Parameters
----------
{params}out, where, **kwargs
    As for any ``numpy.ufunc`` (``out``: a tuple of {nout} arrays for {nout} outputs).

Returns
-------
{returns}{acc}
Examples
--------
>>> import numpy as np, gelu_c
{example}
"""

_PARAM_DOC = {
    "dy": "Upstream gradient (of the value), broadcast against the others.",
    "x": "Input values.",
    "mu": "Mean of the normal distribution whose CDF gates x; broadcasts against x.",
    "sigma": "Its standard deviation (>= 0; 0 is the ReLU limit); broadcasts against x.",
}

_PARAM_EXAMPLE = {
    "value": """>>> bool(gelu_c.{qualname}(1.0, 0.0, 1.0) == gelu_c.{gelu}(1.0))
True
>>> float(gelu_c.{qualname}(1.0, 0.5, 0.0))  # sigma = 0: ReLU shifted to mu
1.0""",
    "grad": """>>> dx, dmu, dsigma = gelu_c.{qualname}(1.0, 0.0, 1.0)
>>> round(float(dx), 6), round(float(dmu), 6), round(float(dsigma), 6)
(1.083315, -0.241971, -0.241971)""",
    "backward": """>>> x = np.linspace(-2, 2, 12).reshape(4, 3)      # (batch, channels)
>>> mu, sigma = np.zeros(3), np.ones(3)              # one per channel
>>> dx, dmu, dsigma = gelu_c.{qualname}(np.ones_like(x), x, mu, sigma)
>>> grad_mu, grad_sigma = dmu.sum(axis=0), dsigma.sum(axis=0)   # over the batch axis
>>> grad_mu.shape
(3,)""",
}


def _param_docstring(f, summary, acc):
    params = "".join(f"{a} : array_like\n    {_PARAM_DOC[a]}\n" for a in f.args)
    if f.kind == "value":
        returns = f"y : ndarray or scalar\n    {f.returns}\n"
    else:
        pre = "dy * " if f.kind == "backward" else ""
        returns = "".join(f"d{a} : ndarray or scalar\n    {pre}d/d{a} of gelu_general.\n"
                          for a in ("x",) + f.params)
    gelu = "gelu" if f.tier == "exact" else f"{f.tier}.gelu"
    body = f.body or registry.get(registry.value_of(f.qualname)).body
    return _PARAM.format(summary=summary, body=body, params=params, nout=f.nout,
                         returns=returns, acc=acc,
                         example=_PARAM_EXAMPLE[f.kind].format(qualname=f.qualname, gelu=gelu))


def docstring(f):
    """The docstring of registry function ``f``."""
    acc = _ACC.format(bound=f.describe_bound())
    summary = f.summary if f.tier == "exact" else (
        f"{f.summary[:-1]}; {f.tier} tier ({registry.TIERS[f.tier][1].split(':')[0]}).")
    if f.params:
        return _param_docstring(f, summary, acc)
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
    lines.append(", ".join(registry.get(q).name for q in registry.names(tier=tier, params=True)))
    lines.append("    GELU with a learnable mean and scale, its partial derivatives and "
                 "backward pass.")
    return "\n".join(lines)


DOCS = {f.qualname: docstring(f) for f in registry.FUNCTIONS}
