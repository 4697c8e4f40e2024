"""Layers: Linear, Sequential, activations, Dropout, MLP."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..checks import is_int, is_real
from ..creation import _rng
from ..functional import linear
from ..ops import LogSoftmax as _LogSoftmax
from ..ops import Mul, Relu
from ..ops import Sigmoid as _Sigmoid
from ..ops import Softmax as _Softmax
from ..ops import Tanh as _Tanh
from .module import Module, Parameter

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import DTypeLike

    from ..tensor import Tensor


class Linear(Module):
    """``y = x @ weight + bias``, weight of shape ``(in_features, out_features)``.

    Initialised like PyTorch: uniform on ±1/√in_features (fan-in scaled), from
    ``rng`` (a seed or a ``np.random.Generator``).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 rng: int | np.random.Generator | None = None,
                 dtype: DTypeLike = np.float32) -> None:
        super().__init__()
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if not is_int(n) or n <= 0:
                raise ValueError(f"Linear: {name} must be a positive integer, got {n!r}")
        in_features, out_features = int(in_features), int(out_features)
        gen = _rng(rng)
        bound = 1.0 / np.sqrt(in_features)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(gen.uniform(-bound, bound, (in_features, out_features)), dtype=dtype)
        self.bias = Parameter(gen.uniform(-bound, bound, out_features), dtype=dtype) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return linear(x, self.weight, self.bias)  # one Affine node for x @ W + b

    def extra_repr(self) -> str:
        return f"{self.in_features}, {self.out_features}, bias={self.bias is not None}"


class Sequential(Module):
    """Applies its modules in order; ``Sequential(a, b)[0] is a``, and a slice is a Sequential."""

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: item {i} is a {type(m).__name__}, not a Module")
        for i, m in enumerate(modules):
            setattr(self, str(i), m)

    def __getitem__(self, i: int | slice) -> Module:
        modules = list(self._modules.values())
        return Sequential(*modules[i]) if isinstance(i, slice) else modules[i]

    def __len__(self) -> int:
        return len(self._modules)

    def forward(self, x: Tensor) -> Tensor:
        for m in self._modules.values():
            x = m(x)
        return x


class ReLU(Module):
    def forward(self, x: Tensor) -> Tensor:
        return Relu.apply(x)


class Tanh(Module):
    def forward(self, x: Tensor) -> Tensor:
        return _Tanh.apply(x)


class Sigmoid(Module):
    def forward(self, x: Tensor) -> Tensor:
        return _Sigmoid.apply(x)


class Softmax(Module):
    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Tensor) -> Tensor:
        return _Softmax.apply(x, axis=self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Softmax):
    def forward(self, x: Tensor) -> Tensor:
        return _LogSoftmax.apply(x, axis=self.axis)


class Dropout(Module):
    """Zero each entry with probability ``p`` in training mode (scaling the rest by
    1/(1−p)); the identity in eval mode."""

    def __init__(self, p: float = 0.5, rng: int | np.random.Generator | None = None) -> None:
        super().__init__()
        if not is_real(p) or not 0 <= p < 1:
            raise ValueError(f"Dropout: p must be a number in [0, 1), got {p!r}")
        self.p = p
        self.rng = _rng(rng)

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0:
            return x
        keep = self.rng.random(x.shape) >= self.p
        return Mul.apply(x, keep.astype(x.dtype) * np.asarray(1 / (1 - self.p), x.dtype))

    def extra_repr(self) -> str:
        return f"p={self.p}"


ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


class MLP(Sequential):
    """``MLP([2, 16, 16, 3], activation="relu")``: Linear layers with an activation
    between them (none after the last, which gives logits)."""

    def __init__(self, sizes: Sequence[int], activation: str = "relu",
                 rng: int | np.random.Generator | None = None,
                 dtype: DTypeLike = np.float32, dropout: float = 0.0) -> None:
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP: needs at least an input and an output size, got {sizes}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"MLP: activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
        gen = _rng(rng)
        layers: list[Module] = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Linear(a, b, rng=gen, dtype=dtype))
            if i < len(sizes) - 2:
                layers.append(ACTIVATIONS[activation]())
                if dropout:
                    layers.append(Dropout(dropout, rng=gen))
        super().__init__(*layers)
        self.sizes = list(sizes)
