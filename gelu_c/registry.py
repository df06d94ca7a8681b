"""The one table of gelu_c's functions.

Every function is declared here once: its name, its arguments, its family, what it
is the derivative or backward pass of, its accuracy bound, its oracle definition,
its kernel and the parts of its docstring. Everything else reads this table or is
generated from it by ``tools/generate_registry.py`` (the C function list and kernel
instantiations in ``csrc/functions_generated.h``, the type stubs, the README's
function table); a test fails when a generated file is stale. Adding a function is
one entry here plus its kernel.

This module imports nothing but the standard library, so tools can load it from its
file path before the package is built.
"""
from dataclasses import dataclass, replace
from typing import Optional, Tuple

__all__ = ["Bound", "Function", "BOUNDS", "TIERS", "FUNCTIONS", "DTYPES", "HALF_DTYPES",
           "HALF_BOUND", "ISAS", "get",
           "names", "grad_of", "value_of"]


@dataclass(frozen=True)
class Bound:
    """An accuracy bound, in ULPs of the output type, for every finite input.

    Within ``zero_band`` (in x; for a function with parameters, in z = (x - mu)/sigma) of
    a zero of a derivative the relative error is
    meaningless (the exact value goes through 0), so there the bound is absolute:
    ``zero_band_ulps_of_half`` ULPs of 0.5 (times ``|dy|`` for a backward function,
    plus the rounding of the final product). The sign is never covered by that
    allowance: a result has the exact value's sign everywhere.
    """
    name: str
    ulps: float
    zero_band: float = 0.0
    zero_band_ulps_of_half: float = 0.0

    def describe(self, derivative=True):
        """One line for docstrings and tables (the zero band only for a derivative)."""
        text = f"{self.ulps:g} ULP"
        if self.zero_band and derivative:
            text += (f" (absolute {self.zero_band_ulps_of_half:g} ULP of 0.5 within "
                     f"{self.zero_band:g} of a zero of the derivative)")
        return text


#: The bounds: the exact tier's values within 1 ULP, its derivatives and backward
#: passes within 2 ULP (absolute near a derivative's zero); the fast tier's every
#: function within 4 ULP (absolute 4 ULP of 0.5 near a derivative's zero, which only
#: derivatives and backward passes have).
BOUNDS = {
    "u1": Bound("u1", 1.0),
    "u2": Bound("u2", 2.0, zero_band=1e-3, zero_band_ulps_of_half=1.0),
    "u4": Bound("u4", 4.0, zero_band=1e-3, zero_band_ulps_of_half=4.0),
    "cr": Bound("cr", 0.5),
}

#: The accuracy tiers, each a module holding every function under the same names:
#: tier -> (module, description).
TIERS = {
    "exact": ("gelu_c", "within 1 ULP (derivatives 2 ULP): the default"),
    "fast": ("gelu_c.fast", "within 4 ULP: faster kernels with the same special values, "
                            "signs and tails"),
}

#: The dtypes every function has a loop for, and the kernel paths (instruction sets)
#: every kernel is instantiated for (C names). bf16 is ml_dtypes' bfloat16, registered
#: on every ufunc when ml_dtypes is installed.
DTYPES = ("f16", "f32", "f64", "bf16")

#: The half-precision dtypes: there every function of every tier is correctly rounded
#: (its float64 result rounded once), so their bound is "cr" whatever the tier's.
HALF_DTYPES = ("f16", "bf16")
HALF_BOUND = "cr"
ISAS = ("scalar", "avx2", "neon")


@dataclass(frozen=True)
class Function:
    """One ufunc.

    Attributes
    ----------
    name : str
        The ufunc's name (``gelu_c.<name>``).
    tier : {"exact", "fast"}
        The accuracy tier (:data:`TIERS`); the ufunc lives in that tier's module.
    kind : {"value", "grad", "backward"}
        ``f(x)``, ``f'(x)``, or ``dy * f'(x)`` (two arguments: ``dy, x``).
    params : tuple of str
        The function's parameters after x (``("mu", "sigma")`` for gelu_general), each
        an input of the ufunc that broadcasts against x. A function with parameters has
        a derivative for each argument: its grad returns ``(d/dx, d/dparam, ...)`` and
        its backward ``dy`` times each. Its kernel takes arrays (``in``, ``out``).
    family : str
        The value function of the family (``gelu`` for gelu, gelu_grad and
        gelu_backward).
    bound : str
        A key of :data:`BOUNDS`.
    oracle : str
        The name of the mpmath definition the accuracy checks evaluate (for a
        backward function, that of its derivative, times dy).
    kernel : str
        The C expression (a stage of ``csrc/``) whose value the kernel rounds, with
        ``x`` (and ``dy``) in scope: the generated instantiation wraps its leading name
        in FN().
    whole_kernel : bool
        ``kernel`` returns the final result itself (a vector, not a VALUE to round):
        the fast tier's kernels round their common case themselves
        (csrc/fast_rounding.h).
    sign_of_x : bool
        The result has x's sign everywhere (f(+-0) = +-0: x*Phi(x), x*sigma(z)).
    approximates : str or None
        For an approximation (tanh and sigmoid forms, SiLU), the exact function
        it stands in for; the accuracy report measures that difference.
    exhaustive : bool
        Checked over all 2**32 float32 inputs by ``python -m gelu_c.accuracy
        --exhaustive`` (against SciPy in float64).
    formula, summary, body, returns, example : str
        The README's formula and the docstring's parts (``example``: the printed
        value of ``float(f(1.0))``; ``body``: paragraphs between the summary and
        the parameters).
    """
    name: str
    kind: str
    family: str
    tier: str
    bound: str
    oracle: str
    kernel: str
    params: Tuple[str, ...] = ()
    whole_kernel: bool = False
    sign_of_x: bool = False
    approximates: Optional[str] = None
    exhaustive: bool = False
    formula: str = ""
    summary: str = ""
    body: str = ""
    returns: str = ""
    example: str = ""

    @property
    def qualname(self):
        """``name`` for the exact tier, ``"<tier>.<name>"`` otherwise (``fast.gelu``): the
        key of :func:`get`, and the ufunc's path below the ``gelu_c`` package."""
        return self.name if self.tier == "exact" else f"{self.tier}.{self.name}"

    @property
    def cname(self):
        """The C name every symbol of this function is built from (``fast_gelu``)."""
        return self.qualname.replace(".", "_")

    @property
    def module(self):
        """The module that holds the ufunc."""
        return TIERS[self.tier][0]

    @property
    def nin(self):
        """Number of inputs: x, its parameters, and dy first for a backward function."""
        return (2 if self.kind == "backward" else 1) + len(self.params)

    @property
    def nout(self):
        """Number of outputs: one, or a derivative per argument (x and each parameter)."""
        return 1 if self.kind == "value" else 1 + len(self.params)

    @property
    def args(self):
        """The ufunc's argument names, in order (``("dy", "x", "mu", "sigma")``)."""
        return (("dy",) if self.kind == "backward" else ()) + ("x",) + self.params

    @property
    def accuracy(self):
        """The :class:`Bound` of this function (float32 and float64)."""
        return BOUNDS[self.bound]

    def accuracy_for(self, dtype):
        """The :class:`Bound` for outputs of ``dtype`` (a NumPy dtype or its name, or a
        C key of :data:`DTYPES`): ``"cr"`` (correctly rounded) for float16 and
        bfloat16, :attr:`accuracy` otherwise."""
        key = {"float16": "f16", "bfloat16": "bf16"}.get(str(getattr(dtype, "name", dtype)),
                                                         str(dtype))
        return BOUNDS[HALF_BOUND] if key in HALF_DTYPES else self.accuracy

    @property
    def has_zero_band(self):
        """Whether the bound is absolute near a zero of the derivative: only for a
        derivative or backward function whose bound has such a band."""
        return self.kind != "value" and bool(self.accuracy.zero_band)

    def describe_bound(self):
        """The bound in words, for docstrings."""
        return self.accuracy.describe(derivative=self.kind != "value")


def _backward(family, kernel, whole_kernel=False):
    return Function(name=family + "_backward", kind="backward", family=family, tier="exact",
                    bound="u2",
                    oracle=family + "_grad", kernel=kernel, whole_kernel=whole_kernel,
                    formula="dy·f′(x), rounded once",
                    summary=f"Backward pass of {family}: dy * {family}'(x).")


#: The exact tier, in the order of the C tables.
_EXACT: Tuple[Function, ...] = (
    Function(
        name="norm_cdf", kind="value", family="norm_cdf", tier="exact", bound="u1", oracle="norm_cdf",
        kernel="gelu_exact_kernel(x, GC_PHI)", whole_kernel=True, exhaustive=True,
        formula="Φ(x) = ½·erfc(−x/√2), the standard normal CDF",
        summary="Standard normal CDF, Phi(x) = (1 + erf(x/sqrt(2)))/2.",
        body="Computed as exp(-x^2/2) * R(|x|) with the square split exactly, so the\n"
             "lower tail keeps full relative accuracy down to the smallest subnormal.\n",
        returns="Phi(x) in [0, 1]; Phi(-inf) = 0, Phi(+inf) = 1.", example="0.841344746..."),
    Function(
        name="gelu", kind="value", family="gelu", tier="exact", bound="u1", oracle="gelu",
        kernel="gelu_exact_kernel(x, GC_GELU)", whole_kernel=True, sign_of_x=True,
        exhaustive=True,
        formula="x·Φ(x), the exact GELU",
        summary="Gaussian Error Linear Unit, GELU(x) = x * Phi(x) (exact form).",
        body="Hendrycks & Gimpel (2016). Unlike 0.5*x*(1 + erf(x/sqrt(2))) it does not\n"
             "cancel for x < 0: results stay correct, as subnormals, down to x ~ -14.4\n"
             "(float32) and -38.6 (float64). GELU(-inf) = -0, GELU(+inf) = +inf.\n",
        returns="x * Phi(x).", example="0.841344746..."),
    Function(
        name="gelu_grad", kind="grad", family="gelu", tier="exact", bound="u2", oracle="gelu_grad",
        kernel="gelu_exact_grad(x)", whole_kernel=True,
        formula="Φ(x) + x·φ(x)",
        summary="Derivative of the exact GELU: Phi(x) + x * phi(x).",
        body="Its only zero is at x ~ -0.7517915; relative accuracy is kept up to it.\n",
        returns="GELU'(x).", example="1.083315..."),
    Function(
        name="gelu_tanh", kind="value", family="gelu_tanh", tier="exact", bound="u1", oracle="gelu_tanh",
        kernel="sigmoid_exact_kernel(x, GC_TANH, 0)", whole_kernel=True, sign_of_x=True,
        approximates="gelu",
        formula="½x(1 + tanh(√(2/π)(x + 0.044715x³))), evaluated as x·σ(2u)",
        summary="tanh approximation of GELU: x/2 * (1 + tanh(sqrt(2/pi)*(x + 0.044715 x^3))).",
        body="Evaluated as x * sigmoid(2u), which does not collapse to 0 where tanh(u)\n"
             "rounds to -1. The constants are the exact decimal 0.044715 and the exact\n"
             "sqrt(2/pi); accuracy is measured against this formula itself. As an\n"
             "approximation of GELU it differs in the fourth decimal place (4.7e-4 at |x| ~ 2.7).\n",
        returns="The tanh-form GELU.", example="0.841191990..."),
    Function(
        name="gelu_tanh_grad", kind="grad", family="gelu_tanh", tier="exact", bound="u2",
        oracle="gelu_tanh_grad", kernel="sigmoid_exact_kernel(x, GC_TANH, 1)", whole_kernel=True,
        approximates="gelu_grad",
        formula="d/dx of the tanh form",
        summary="Derivative of the tanh approximation of GELU.",
        returns="d/dx gelu_tanh(x).", example="1.082964..."),
    Function(
        name="gelu_sigmoid", kind="value", family="gelu_sigmoid", tier="exact", bound="u1",
        oracle="gelu_sigmoid", kernel="sigmoid_exact_kernel(x, GC_SIGMOID, 0)", whole_kernel=True,
        sign_of_x=True,
        approximates="gelu",
        formula="x·σ(1.702x)",
        summary="Sigmoid approximation of GELU: x * sigmoid(1.702 x).",
        body="1.702 is the exact decimal. As an approximation of GELU it differs in the\n"
             "second decimal place (2.0e-2 near x ~ -2.27).\n",
        returns="x * sigmoid(1.702 x).", example="0.845795..."),
    Function(
        name="gelu_sigmoid_grad", kind="grad", family="gelu_sigmoid", tier="exact", bound="u2",
        oracle="gelu_sigmoid_grad", kernel="sigmoid_exact_kernel(x, GC_SIGMOID, 1)",
        whole_kernel=True,
        approximates="gelu_grad",
        formula="d/dx of the sigmoid form",
        summary="Derivative of the sigmoid approximation of GELU.",
        returns="d/dx gelu_sigmoid(x).", example="1.067779..."),
    Function(
        name="silu", kind="value", family="silu", tier="exact", bound="u1", oracle="silu",
        kernel="sigmoid_exact_kernel(x, GC_SILU, 0)", whole_kernel=True, sign_of_x=True,
        approximates="gelu",
        formula="x·σ(x) (SiLU, swish)",
        summary="Sigmoid Linear Unit (swish): x * sigmoid(x).",
        returns="x * sigmoid(x).", example="0.731058578..."),
    Function(
        name="silu_grad", kind="grad", family="silu", tier="exact", bound="u2", oracle="silu_grad",
        kernel="sigmoid_exact_kernel(x, GC_SILU, 1)", whole_kernel=True, approximates="gelu_grad",
        formula="σ(x)·(1 + x·(1 − σ(x)))",
        summary="Derivative of SiLU: s * (1 + x*(1 - s)), s = sigmoid(x).",
        returns="SiLU'(x).", example="0.927670..."),
    _backward("gelu", "gelu_exact_backward(dy, x)", whole_kernel=True),
    _backward("gelu_tanh", "sigmoid_exact_backward(dy, x, GC_TANH)", whole_kernel=True),
    _backward("gelu_sigmoid", "sigmoid_exact_backward(dy, x, GC_SIGMOID)", whole_kernel=True),
    _backward("silu", "sigmoid_exact_backward(dy, x, GC_SILU)", whole_kernel=True),
    Function(
        name="gelu_general", kind="value", family="gelu_general", tier="exact", bound="u1",
        oracle="gelu_general", kernel="gelu_general_kernel(in, out, GC_GG_VALUE)",
        params=("mu", "sigma"), sign_of_x=True,
        formula="x·Φ((x − μ)/σ): GELU with the CDF of N(μ, σ²), μ and σ learnable",
        summary="GELU with a mean and a scale: x * Phi((x - mu)/sigma).",
        body="mu and sigma broadcast against x (scalars, or one per channel). z = (x - mu)/sigma\n"
             "is carried to the precision the tail needs, so the bound holds for every\n"
             "finite input. sigma = 0 is the ReLU limit x * (x > mu); sigma < 0 or NaN\n"
             "gives NaN; sigma = +inf gives x/2. With mu = 0, sigma = 1 the result is\n"
             "gelu(x), bit for bit.\n",
        returns="x * Phi((x - mu)/sigma).", example="0.841344746..."),
    Function(
        name="gelu_general_grad", kind="grad", family="gelu_general", tier="exact", bound="u2",
        oracle="gelu_general_grad", kernel="gelu_general_kernel(in, out, GC_GG_GRAD)",
        params=("mu", "sigma"),
        formula="(Φ(z) + (x/σ)φ(z), −(x/σ)φ(z), −(x z/σ)φ(z))",
        summary="Partial derivatives of gelu_general with respect to x, mu and sigma.",
        body="With z = (x - mu)/sigma: d/dx = Phi(z) + (x/sigma) phi(z), d/dmu =\n"
             "-(x/sigma) phi(z), d/dsigma = z d/dmu. Each has the shape of the broadcast\n"
             "inputs: sum d/dmu and d/dsigma over the axes along which mu and sigma were\n"
             "broadcast to get the gradient of a parameter (see gelu_general_backward).\n"
             "Within 1e-3 (in z) of a zero of d/dx its bound is absolute.\n",
        returns="(d/dx, d/dmu, d/dsigma), three arrays.", example="1.083315..."),
    Function(
        name="gelu_general_backward", kind="backward", family="gelu_general", tier="exact",
        bound="u2", oracle="gelu_general_grad",
        kernel="gelu_general_kernel(in, out, GC_GG_BACKWARD)", params=("mu", "sigma"),
        formula="dy times each partial derivative, rounded once",
        summary="Backward pass of gelu_general: dy times each of its partial derivatives.",
        body="Returns (dx, dmu, dsigma) of the broadcast shape. In a training loop the\n"
             "parameters' gradients are these summed over the broadcast axes, e.g. for\n"
             "x of shape (batch, channels) and mu, sigma of shape (channels,):\n"
             "``dx, dmu, dsigma = gelu_general_backward(dy, x, mu, sigma)`` then\n"
             "``grad_mu = dmu.sum(axis=0)``, ``grad_sigma = dsigma.sum(axis=0)``.\n"),
)

#: The fast tier: each exact function again, held to "u4", with its fast kernel (a
#: whole kernel, or a VALUE stage rounded as in the exact tier).
_FAST_KERNELS = {
    "norm_cdf": "fast_gelu_kernel(x, GC_PHI)",
    "gelu": "fast_gelu_kernel(x, GC_GELU)",
    "gelu_grad": "fast_gelu_kernel(x, GC_GELU_GRAD)",
    "gelu_tanh": "fast_sigmoid_forward(x, GC_TANH)",
    "gelu_tanh_grad": "fast_sigmoid_grad_kernel(x, GC_TANH)",
    "gelu_sigmoid": "fast_sigmoid_forward(x, GC_SIGMOID)",
    "gelu_sigmoid_grad": "fast_sigmoid_grad_kernel(x, GC_SIGMOID)",
    "silu": "fast_sigmoid_forward(x, GC_SILU)",
    "silu_grad": "fast_sigmoid_grad_kernel(x, GC_SILU)",
    "gelu_backward": "fast_gelu_backward_kernel(dy, x)",
    "gelu_tanh_backward": "fast_sigmoid_backward_kernel(dy, x, GC_TANH)",
    "gelu_sigmoid_backward": "fast_sigmoid_backward_kernel(dy, x, GC_SIGMOID)",
    "silu_backward": "fast_sigmoid_backward_kernel(dy, x, GC_SILU)",
    "gelu_general": "fast_gelu_general_kernel(in, out, GC_GG_VALUE)",
    "gelu_general_grad": "fast_gelu_general_kernel(in, out, GC_GG_GRAD)",
    "gelu_general_backward": "fast_gelu_general_kernel(in, out, GC_GG_BACKWARD)",
}
_FAST = tuple(replace(f, tier="fast", bound="u4", kernel=_FAST_KERNELS[f.name],
                      whole_kernel=_FAST_KERNELS[f.name].startswith("fast_"))
              for f in _EXACT)

#: Every function of every tier, in the order of the C tables.
FUNCTIONS: Tuple[Function, ...] = _EXACT + _FAST

_BY_NAME = {f.qualname: f for f in FUNCTIONS}


def get(name):
    """The :class:`Function` whose qualname is ``name`` (``gelu``, ``fast.gelu``;
    ValueError for an unknown name)."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown function name {name!r}; expected one of "
                         f"{', '.join(_BY_NAME)}") from None


def names(kind=None, nin=None, tier="exact", params=False):
    """Qualified function names in table order, optionally of one kind (or kinds) or
    arity, of one tier (or tiers; None: every tier). ``params``: False (the default)
    lists the functions of x alone, True those with parameters (gelu_general's mu and
    sigma), None both."""
    kinds = (kind,) if isinstance(kind, str) else kind
    tiers = (tier,) if isinstance(tier, str) else tier
    return tuple(f.qualname for f in FUNCTIONS
                 if (kinds is None or f.kind in kinds) and (nin is None or f.nin == nin)
                 and (tiers is None or f.tier in tiers)
                 and (params is None or bool(f.params) == params))


def _in_family(name, kind):
    f = get(name)
    return [g.qualname for g in FUNCTIONS
            if g.kind == kind and g.family == f.family and g.tier == f.tier]


def grad_of(name):
    """The derivative function of ``name``'s family, in its tier (``gelu_backward`` ->
    ``gelu_grad``, ``fast.silu`` -> ``fast.silu_grad``), or None where the family has
    none (``norm_cdf``)."""
    grads = _in_family(name, "grad")
    return grads[0] if grads else None


def value_of(name):
    """The value function of ``name``'s family, in its tier (``gelu_tanh_grad`` ->
    ``gelu_tanh``)."""
    return _in_family(name, "value")[0]
