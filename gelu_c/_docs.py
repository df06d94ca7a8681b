"""NumPy-style docstrings of the ufuncs (NumPy prepends each call signature)."""

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
>>> float(gelu_c.{name}(1.0))  # doctest: +ELLIPSIS
{example}
"""

_BINARY = """{summary}

The backward pass of ``{fwd}`` in one pass over memory: ``dy * {fwd}_grad(x)``,
rounded once (not the product of two rounded values).

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
>>> float(gelu_c.{name}(2.0, 1.0)) == 2 * float(gelu_c.{fwd}_grad(1.0))
True
"""

_SPECS = {
    "norm_cdf": ("Standard normal CDF, Phi(x) = (1 + erf(x/sqrt(2)))/2.",
                 "Computed as exp(-x^2/2) * R(|x|) with the square split exactly, so the\n"
                 "lower tail keeps full relative accuracy down to the smallest subnormal.\n",
                 "Phi(x) in [0, 1]; Phi(-inf) = 0, Phi(+inf) = 1.", "0.841344746..."),
    "gelu": ("Gaussian Error Linear Unit, GELU(x) = x * Phi(x) (exact form).",
             "Hendrycks & Gimpel (2016). Unlike 0.5*x*(1 + erf(x/sqrt(2))) it does not\n"
             "cancel for x < 0: results stay correct, as subnormals, down to x ~ -14.4\n"
             "(float32) and -38.6 (float64). GELU(-inf) = -0, GELU(+inf) = +inf.\n",
             "x * Phi(x).", "0.841344746..."),
    "gelu_grad": ("Derivative of the exact GELU: Phi(x) + x * phi(x).",
                  "Its only zero is at x ~ -0.7517915; relative accuracy is kept up to it.\n",
                  "GELU'(x).", "1.082828..."),
    "gelu_tanh": ("tanh approximation of GELU: x/2 * (1 + tanh(sqrt(2/pi)*(x + 0.044715 x^3))).",
                  "Evaluated as x * sigmoid(2u), which does not collapse to 0 where tanh(u)\n"
                  "rounds to -1. The constants are the exact decimal 0.044715 and the exact\n"
                  "sqrt(2/pi); accuracy is measured against this formula itself. As an\n"
                  "approximation of GELU it differs in the fourth decimal place (4.7e-4 at |x| ~ 2.7).\n",
                  "The tanh-form GELU.", "0.841191990..."),
    "gelu_tanh_grad": ("Derivative of the tanh approximation of GELU.", "", "d/dx gelu_tanh(x).", "1.082964..."),
    "gelu_sigmoid": ("Sigmoid approximation of GELU: x * sigmoid(1.702 x).",
                     "1.702 is the exact decimal. As an approximation of GELU it differs in the\n"
                     "second decimal place (2.0e-2 near x ~ -2.27).\n",
                     "x * sigmoid(1.702 x).", "0.845795..."),
    "gelu_sigmoid_grad": ("Derivative of the sigmoid approximation of GELU.", "", "d/dx gelu_sigmoid(x).", "1.066..."),
    "silu": ("Sigmoid Linear Unit (swish): x * sigmoid(x).", "", "x * sigmoid(x).", "0.731058578..."),
    "silu_grad": ("Derivative of SiLU: s * (1 + x*(1 - s)), s = sigmoid(x).", "", "SiLU'(x).", "0.927670..."),
}

DOCS = {}
for _name, (_summary, _body, _returns, _example) in _SPECS.items():
    _bound = "2 ULP (absolute 1 ULP of 0.5 within 1e-3 of a zero)" if _name.endswith("_grad") else "1 ULP"
    DOCS[_name] = _UNARY.format(summary=_summary, body=_body, returns=_returns, name=_name,
                                example=_example, acc=_ACC.format(bound=_bound))
for _fwd in ("gelu", "gelu_tanh", "gelu_sigmoid", "silu"):
    _name = _fwd + "_backward"
    DOCS[_name] = _BINARY.format(summary=f"Backward pass of {_fwd}: dy * {_fwd}'(x).", fwd=_fwd, name=_name,
                                 acc=_ACC.format(bound="2 ULP (absolute near a zero of the derivative)"))
