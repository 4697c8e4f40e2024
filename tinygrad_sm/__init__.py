"""tinygrad_sm: reverse-mode autodiff on NumPy, with softmax as a primitive op.

The softmax VJP is ``a * (g - (g * a).sum(axis))``: backward needs only the cached
output ``a`` and never builds the N×N Jacobian ``diag(a) - a aᵀ``.
"""
import importlib

from . import data, functional, nn, optim
from .autograd import grad
from .creation import arange, full, manual_seed, ones, ones_like, rand, randn, randn_like, zeros, zeros_like
from .functional import concatenate, cross_entropy, log_softmax, logsumexp, softmax, stack, where
from .grad_mode import AnomalyError, detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .op import Op
from .tensor import Tensor
from .transforms import hessian, jacobian, jvp, vjp

__version__ = "0.2.0"

__all__ = [
    "Tensor", "Op", "functional", "nn", "optim", "data", "grad", "no_grad", "enable_grad",
    "set_grad_enabled", "is_grad_enabled", "detect_anomaly", "AnomalyError", "softmax", "log_softmax",
    "logsumexp", "cross_entropy", "where", "concatenate", "stack", "zeros", "ones", "full", "arange", "rand",
    "randn", "zeros_like", "ones_like", "randn_like", "manual_seed", "vjp", "jvp", "jacobian", "hessian",
    "gradcheck", "gradgradcheck", "GradcheckError",
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
