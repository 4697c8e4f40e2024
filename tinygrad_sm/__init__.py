"""tinygrad_sm: reverse-mode autodiff on NumPy, with softmax as a primitive op.

The softmax VJP is ``a * (g - (g * a).sum(axis))``: backward needs only the cached
output ``a`` and never builds the N×N Jacobian ``diag(a) - a aᵀ``.
"""
import importlib

from . import autograd, data, functional, nn, optim, return_types, utils
from .autograd import GradcheckError, grad, gradcheck, gradgradcheck

# ``tensor`` below is the function: the submodule ``tinygrad_sm.tensor`` is loaded (and bound to this
# name) by the imports before it, and importing a loaded submodule again does not rebind the name.
from .creation import (
    arange,
    empty,
    eye,
    full,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    randn_like,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .device import cuda, device
from .dtypes import (
    bool,
    double,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int32,
    int64,
    long,
    set_default_dtype,
)
from .functional import concatenate, cross_entropy, log_softmax, logsumexp, softmax, stack, where
from .functions import (
    abs,
    allclose,
    argmax,
    cat,
    clamp,
    cos,
    equal,
    exp,
    flatten,
    is_tensor,
    isnan,
    log,
    matmul,
    max,
    mean,
    min,
    mm,
    pow,
    relu,
    reshape,
    sigmoid,
    sin,
    sqrt,
    sum,
    tanh,
    transpose,
    unsqueeze,
)
from .grad_mode import AnomalyError, detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .op import Op
from .serialization import load, save
from .tensor import Tensor, from_numpy
from .tensor_torch import Size
from .transforms import hessian, jacobian, jvp, vjp

__version__ = "0.3.0"

__all__ = [
    "Tensor", "tensor", "Size", "return_types", "Op", "autograd", "functional", "nn", "optim", "data", "utils",
    "grad",
    "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "detect_anomaly", "AnomalyError", "softmax",
    "log_softmax", "logsumexp", "cross_entropy", "where", "concatenate", "stack", "cat", "zeros", "ones", "full",
    "arange", "linspace", "rand", "randn", "randperm", "zeros_like", "ones_like", "randn_like", "manual_seed",
    "vjp", "jvp", "jacobian", "hessian", "gradcheck", "gradgradcheck", "GradcheckError", "save", "load",
    "from_numpy", "exp", "log", "sin", "cos", "tanh", "sigmoid", "relu", "matmul", "argmax", "sum", "mean", "max", "min", "abs", "clamp", "device", "cuda", "is_tensor", "equal", "allclose",
    "isnan", "sqrt", "pow", "mm", "reshape", "flatten", "unsqueeze", "transpose", "eye", "empty", "randint",
    "float16", "half", "float32", "float", "float64", "double", "int32", "int", "int64", "long", "bool",
    "set_default_dtype", "get_default_dtype",
]


def __getattr__(name):
    """``tinygrad_sm.viz`` is imported on first use: it needs the optional graphviz package,
    and ``import tinygrad_sm`` (or ``from tinygrad_sm import *``) works without it."""
    if name == "viz":
        try:
            return importlib.import_module(f"{__name__}.viz")
        except ImportError as e:
            if e.name != "graphviz":
                raise
            raise ImportError("tinygrad_sm.viz needs the graphviz package: pip install graphviz",
                              name="graphviz") from None
    raise AttributeError(f"module 'tinygrad_sm' has no attribute {name!r}")
