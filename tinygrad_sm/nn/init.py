"""``nn.init``: fill a parameter in place of its old values, as ``torch.nn.init`` does.

Each function computes the new values in the parameter's dtype and hands them to
``module._overwrite`` (the one path by which ``nn`` changes parameter values), then
returns the parameter, so ``nn.init.zeros_(layer.bias)`` and ``model.apply(init)`` read
as in PyTorch. Random draws come from ``generator`` (a seed or a ``np.random.Generator``)
or, without one, from the generator ``tg.manual_seed`` seeds.

Fans, as PyTorch counts them: for a weight of shape (out, in, *k), fan_in = in·∏k and
fan_out = out·∏k (so ``Linear.weight``, shape (out, in), has fan_in = in_features).
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..creation import _rng
from ..tensor import Tensor
from .module import _overwrite

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

GAINS = {"linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3,
         "relu": math.sqrt(2.0), "selu": 0.75}


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for ``nonlinearity`` (PyTorch's table); ``leaky_relu`` uses
    ``param`` as its negative slope (0.01 by default): √(2 / (1 + slope²))."""
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, (int, float)):
            raise ValueError(f"calculate_gain: negative_slope {slope!r} is not a number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity not in GAINS:
        raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; one of "
                         f"{sorted(GAINS) + ['leaky_relu']}")
    return GAINS[nonlinearity]


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: int | np.random.Generator | None = None
             ) -> Tensor:
    """Fill with draws from U(a, b)."""
    _check(tensor, "uniform_")
    if not a <= b:
        raise ValueError(f"uniform_: needs a <= b, got a={a}, b={b}")
    return _fill(tensor, _rng(generator).uniform(a, b, tensor.shape))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: int | np.random.Generator | None = None
            ) -> Tensor:
    """Fill with draws from N(mean, std²)."""
    _check(tensor, "normal_")
    if not std >= 0:
        raise ValueError(f"normal_: std must be >= 0, got {std}")
    return _fill(tensor, _rng(generator).normal(mean, std, tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    _check(tensor, "constant_")
    return _fill(tensor, np.full(tensor.shape, val))


def zeros_(tensor: Tensor) -> Tensor:
    _check(tensor, "zeros_")
    return _fill(tensor, np.zeros(tensor.shape))


def ones_(tensor: Tensor) -> Tensor:
    _check(tensor, "ones_")
    return _fill(tensor, np.ones(tensor.shape))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: int | np.random.Generator | None = None) -> Tensor:
    """U(±gain·√(6 / (fan_in + fan_out))) (Glorot)."""
    fan_in, fan_out = _fans(tensor, "xavier_uniform_")
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return _fill(tensor, _rng(generator).uniform(-bound, bound, tensor.shape))


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: int | np.random.Generator | None = None) -> Tensor:
    """N(0, std²) with std = gain·√(2 / (fan_in + fan_out)) (Glorot)."""
    fan_in, fan_out = _fans(tensor, "xavier_normal_")
    std = gain * math.sqrt(2.0 / (fan_in + fan_out))
    return _fill(tensor, _rng(generator).normal(0.0, std, tensor.shape))


def kaiming_uniform_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator: int | np.random.Generator | None = None) -> Tensor:
    """U(±√3·gain/√fan) (He); ``nn.Linear`` uses ``a=√5``, which gives bound 1/√fan_in."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode, "kaiming_uniform_"))
    bound = math.sqrt(3.0) * std
    return _fill(tensor, _rng(generator).uniform(-bound, bound, tensor.shape))


def kaiming_normal_(tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator: int | np.random.Generator | None = None) -> Tensor:
    """N(0, std²) with std = gain/√fan (He)."""
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode, "kaiming_normal_"))
    return _fill(tensor, _rng(generator).normal(0.0, std, tensor.shape))


def _check(tensor, fn):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{fn}: expected a Tensor (e.g. layer.weight), got {type(tensor).__name__}")
    if tensor.dtype.kind != "f":
        raise TypeError(f"{fn}: fills floating tensors, got dtype {tensor.dtype}")


def _fans(tensor, fn):
    _check(tensor, fn)
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(f"{fn}: fan in and fan out need a tensor of at least 2 dimensions, got shape {shape}")
    field = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * field, shape[0] * field
    if fan_in == 0 or fan_out == 0:
        raise ValueError(f"{fn}: a tensor of shape {shape} has a zero fan")
    return fan_in, fan_out


def _fan(tensor, mode, fn):
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{fn}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(tensor, fn)
    return fan_in if mode == "fan_in" else fan_out


def _fill(tensor: Tensor, values: ArrayLike) -> Tensor:
    _overwrite(tensor, np.asarray(values).astype(tensor.dtype))
    return tensor


__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_", "xavier_uniform_",
           "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]
