"""Layers: Linear, Sequential, activations, Dropout, Flatten, MLP."""
from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

import numpy as np

from ..checks import is_int, is_real
from ..creation import _rng
from ..dtypes import or_default
from ..functional import linear
from ..ops import LogSoftmax as _LogSoftmax
from ..ops import Mul, Relu
from ..ops import Sigmoid as _Sigmoid
from ..ops import Softmax as _Softmax
from ..ops import Tanh as _Tanh
from .module import Module, Parameter, check_input_dtype

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import DTypeLike

    from ..tensor import Tensor


class Linear(Module):
    """``y = x @ weight.T + bias``, weight of shape ``(out_features, in_features)`` as in PyTorch
    (so a PyTorch ``state_dict`` loads as is).

    Initialised like PyTorch: the weight by ``kaiming_uniform_(a=√5)`` and the bias uniform
    on ±1/√in_features, both bounds 1/√in_features, drawn from ``rng`` (a seed or a
    ``np.random.Generator``; default: the generator ``tg.manual_seed`` seeds). ``dtype``
    defaults to ``tg.get_default_dtype()`` (float32).
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 rng: int | np.random.Generator | None = None,
                 dtype: DTypeLike | None = None) -> None:
        super().__init__()
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if not is_int(n) or n <= 0:
                raise ValueError(f"Linear: {name} must be a positive integer, got {n!r}")
        in_features, out_features = int(in_features), int(out_features)
        gen = _rng(rng)
        bound = 1.0 / np.sqrt(in_features)  # kaiming_uniform(a=√5): √(2/(1+5))·√(3/fan_in) = 1/√fan_in
        self.in_features, self.out_features = in_features, out_features
        dtype = or_default(dtype)
        # Stored column-major: weight.T is then an ordinary row-major (in, out) array, so the
        # forward x @ weight.T is the plain GEMM that BLAS runs fastest (a transposed operand
        # can cost several times as much), and the gradient is made in the same layout.
        weight = np.asfortranarray(gen.uniform(-bound, bound, (out_features, in_features)))
        self.weight = Parameter(weight, dtype=dtype)
        self.bias = Parameter(gen.uniform(-bound, bound, out_features), dtype=dtype) if bias else None

    def forward(self, x: Tensor) -> Tensor:
        check_input_dtype(self, x, self.weight)
        return linear(x, self.weight, self.bias)  # one Affine node for x @ W.T + b

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


class ModuleList(Module):
    """A list of modules whose parameters the parent sees: ``append``, ``extend``, indexing,
    ``len``, iteration, as in PyTorch. It has no ``forward``: the parent loops over it."""

    def __init__(self, modules: Sequence[Module] = ()) -> None:
        super().__init__()
        self.extend(modules)

    def append(self, module: Module) -> ModuleList:
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList.append: expected a Module, got {type(module).__name__}")
        setattr(self, str(len(self._modules)), module)
        return self

    def extend(self, modules: Sequence[Module]) -> ModuleList:
        for m in list(modules):
            self.append(m)
        return self

    def __getitem__(self, i: int) -> Module:
        return list(self._modules.values())[i]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(list(self._modules.values()))

    def forward(self, *args: object) -> Tensor:
        raise TypeError("ModuleList has no forward: call its modules in your own forward (for m in self.layers)")


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
    """Softmax along ``axis`` (or PyTorch's ``dim``; default -1)."""

    def __init__(self, axis: int | None = None, *, dim: int | None = None) -> None:
        super().__init__()
        if axis is not None and dim is not None:
            raise TypeError(f"{type(self).__name__}: got both axis={axis!r} and dim={dim!r}; pass one")
        self.axis = -1 if axis is None and dim is None else (dim if axis is None else axis)

    def forward(self, x: Tensor) -> Tensor:
        return _Softmax.apply(x, axis=self.axis)

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


class LogSoftmax(Softmax):
    def forward(self, x: Tensor) -> Tensor:
        return _LogSoftmax.apply(x, axis=self.axis)


class Dropout(Module):
    """Zero each entry with probability ``p`` in training mode (scaling the rest by
    1/(1−p)); the identity in eval mode. The masks come from ``rng`` (a seed or a
    ``np.random.Generator``) or, without one, from the generator ``tg.manual_seed``
    seeds at the time of the call."""

    def __init__(self, p: float = 0.5, rng: int | np.random.Generator | None = None) -> None:
        super().__init__()
        if not is_real(p) or not 0 <= p < 1:
            raise ValueError(f"Dropout: p must be a number in [0, 1), got {p!r}")
        self.p = p
        self.rng = None if rng is None else _rng(rng)

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.p == 0:
            return x
        keep = _rng(self.rng).random(x.shape) >= self.p
        return Mul.apply(x, keep.astype(x.dtype) * np.asarray(1 / (1 - self.p), x.dtype))

    def extra_repr(self) -> str:
        return f"p={self.p}"


class Flatten(Module):
    """Merge axes ``start_dim``..``end_dim`` into one (PyTorch's defaults keep the batch axis)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        for name, v in (("start_dim", start_dim), ("end_dim", end_dim)):
            if isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Integral):
                raise TypeError(f"Flatten: {name} must be an int, got {v!r}")
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x: Tensor) -> Tensor:
        n = x.ndim
        start, end = self.start_dim, self.end_dim
        if not (-max(n, 1) <= start < max(n, 1) and -max(n, 1) <= end < max(n, 1)):
            raise ValueError(f"Flatten: start_dim={start}, end_dim={end} are out of range for an input of shape "
                             f"{x.shape}")
        if n == 0:
            return x.reshape(1)
        start, end = start % n, end % n
        if start > end:
            raise ValueError(f"Flatten: start_dim ({self.start_dim}) comes after end_dim ({self.end_dim}) for an input "
                             f"of shape {x.shape}")
        shape = x.shape
        return x.reshape(shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid}


class MLP(Sequential):
    """``MLP([2, 16, 16, 3], activation="relu")``: Linear layers with an activation
    between them (none after the last, which gives logits)."""

    def __init__(self, sizes: Sequence[int], activation: str = "relu",
                 rng: int | np.random.Generator | None = None,
                 dtype: DTypeLike | None = None, dropout: float = 0.0) -> None:
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
