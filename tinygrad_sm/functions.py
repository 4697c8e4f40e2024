"""Top-level functions as PyTorch spells them: ``tg.exp(x)``, ``tg.sum(x, dim=1)``, ``tg.cat(ts, dim=0)``.

Each calls the op (or Tensor method) of the same name; array arguments become tensors.
The reductions take NumPy's ``axis``/``keepdims`` or PyTorch's ``dim``/``keepdim``
(not both).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .functional import concatenate
from .ops import Cos, Exp, Log, MatMul, Relu, Sigmoid, Sin, Tanh
from .ops.common import resolve_axis
from .tensor import Tensor

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import ArrayLike

_UNSET = object()


def _t(x: ArrayLike | Tensor) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def exp(x: ArrayLike | Tensor) -> Tensor:
    return Exp.apply(_t(x))


def log(x: ArrayLike | Tensor) -> Tensor:
    return Log.apply(_t(x))


def sin(x: ArrayLike | Tensor) -> Tensor:
    return Sin.apply(_t(x))


def cos(x: ArrayLike | Tensor) -> Tensor:
    return Cos.apply(_t(x))


def tanh(x: ArrayLike | Tensor) -> Tensor:
    return Tanh.apply(_t(x))


def sigmoid(x: ArrayLike | Tensor) -> Tensor:
    return Sigmoid.apply(_t(x))


def relu(x: ArrayLike | Tensor) -> Tensor:
    return Relu.apply(_t(x))


def matmul(x: ArrayLike | Tensor, y: ArrayLike | Tensor) -> Tensor:
    return MatMul.apply(_t(x), y)


def axis_of(fn: str, axis: Any, dim: Any, keepdims: bool = False, keepdim: Any = _UNSET) -> tuple[Any, bool]:
    """``(axis, keepdims)`` from NumPy's or PyTorch's spelling; both given is a TypeError."""
    return resolve_axis(axis, dim, keepdims, None if keepdim is _UNSET else keepdim, fn)


def sum(x: ArrayLike | Tensor, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, *,
        dim: int | tuple[int, ...] | None = None, keepdim: Any = _UNSET) -> Tensor:
    axis, keepdims = axis_of("sum", axis, dim, keepdims, keepdim)
    return _t(x).sum(axis=axis, keepdims=keepdims)


def mean(x: ArrayLike | Tensor, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, *,
        dim: int | tuple[int, ...] | None = None, keepdim: Any = _UNSET) -> Tensor:
    axis, keepdims = axis_of("mean", axis, dim, keepdims, keepdim)
    return _t(x).mean(axis=axis, keepdims=keepdims)


def argmax(x: ArrayLike | Tensor, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, *,
        dim: int | tuple[int, ...] | None = None, keepdim: Any = _UNSET) -> Tensor:
    axis, keepdims = axis_of("argmax", axis, dim, keepdims, keepdim)
    return _t(x).argmax(axis=axis, keepdims=keepdims)


def cat(tensors: Sequence[ArrayLike | Tensor], dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """``concatenate`` under PyTorch's name: join along an existing axis (``dim``, default 0)."""
    axis, _ = axis_of("cat", axis, dim)
    return concatenate(tensors, axis=0 if axis is None else axis)


def max(x: ArrayLike | Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """PyTorch's ``torch.max``: the largest entry; with ``dim`` (positional too, as in
    ``_, predicted = torch.max(out, 1)``) the ``(values, indices)`` named tuple along it;
    with a tensor second argument, the elementwise ``maximum``."""
    if isinstance(dim, Tensor):
        return _t(x).maximum(dim)
    if dim is None:
        return _t(x).max(keepdims=keepdim)
    return _t(x).max(dim=dim, keepdim=keepdim)


def min(x: ArrayLike | Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """PyTorch's ``torch.min``: like ``max``, for the smallest entry."""
    if isinstance(dim, Tensor):
        return _t(x).minimum(dim)
    if dim is None:
        return _t(x).min(keepdims=keepdim)
    return _t(x).min(dim=dim, keepdim=keepdim)


def abs(x: ArrayLike | Tensor) -> Tensor:  # noqa: A001
    return _t(x).abs()


def clamp(x: ArrayLike | Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    return _t(x).clamp(min=min, max=max)


def is_tensor(x: Any) -> bool:
    return isinstance(x, Tensor)


def equal(a: ArrayLike | Tensor, b: ArrayLike | Tensor) -> bool:
    """PyTorch's ``torch.equal``: the same shape and the same values."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and bool(np.array_equal(a, b))


def allclose(a: ArrayLike | Tensor, b: ArrayLike | Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    return bool(np.allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol, equal_nan=equal_nan))


def isnan(x: ArrayLike | Tensor) -> Tensor:
    return Tensor(np.isnan(np.asarray(x)))


def sqrt(x: ArrayLike | Tensor) -> Tensor:
    return _t(x).sqrt()


def pow(x: ArrayLike | Tensor, exponent: Any) -> Tensor:  # noqa: A001
    return _t(x) ** exponent


def mm(x: ArrayLike | Tensor, y: ArrayLike | Tensor) -> Tensor:
    return _t(x) @ y


def reshape(x: ArrayLike | Tensor, shape: Any) -> Tensor:
    return _t(x).reshape(shape)


def flatten(x: ArrayLike | Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    return _t(x).flatten(start_dim, end_dim)


def unsqueeze(x: ArrayLike | Tensor, dim: int) -> Tensor:
    return _t(x).unsqueeze(dim)


def transpose(x: ArrayLike | Tensor, dim0: int, dim1: int) -> Tensor:
    return _t(x).transpose(dim0, dim1)
