"""Creation helpers: zeros, ones, full, arange, rand, randn (seedable), and *_like."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .tensor import Tensor

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import ArrayLike, DTypeLike

_default_rng = np.random.default_rng()


def manual_seed(seed: int | None) -> np.random.Generator:
    """Seed the generator that ``rand``/``randn`` use when no ``rng`` is passed."""
    global _default_rng
    _default_rng = np.random.default_rng(seed)
    return _default_rng


def _rng(rng):
    """``rng`` may be None (the default generator), an int seed, or a ``np.random.Generator``."""
    if rng is None:
        return _default_rng
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


def _shape(shape):
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        return tuple(shape[0])
    return tuple(shape)


def zeros(*shape: int | Sequence[int], dtype: DTypeLike = np.float64, requires_grad: bool = False) -> Tensor:
    return Tensor(np.zeros(_shape(shape), dtype=dtype), requires_grad=requires_grad)


def ones(*shape: int | Sequence[int], dtype: DTypeLike = np.float64, requires_grad: bool = False) -> Tensor:
    return Tensor(np.ones(_shape(shape), dtype=dtype), requires_grad=requires_grad)


def full(shape: int | Sequence[int], value: float, dtype: DTypeLike = np.float64,
         requires_grad: bool = False) -> Tensor:
    return Tensor(np.full(shape, value, dtype=dtype), requires_grad=requires_grad)


def arange(start: float, stop: float | None = None, step: float = 1, dtype: DTypeLike | None = None,
           requires_grad: bool = False) -> Tensor:
    data = np.arange(start, stop, step, dtype=dtype) if stop is not None else np.arange(start, dtype=dtype)
    return Tensor(data, requires_grad=requires_grad)


def rand(*shape: int | Sequence[int], rng: int | np.random.Generator | None = None, dtype: DTypeLike = np.float64,
         requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1); ``rng`` is a seed or a ``np.random.Generator``."""
    return Tensor(_rng(rng).random(_shape(shape)).astype(dtype), requires_grad=requires_grad)


def randn(*shape: int | Sequence[int], rng: int | np.random.Generator | None = None, dtype: DTypeLike = np.float64,
          requires_grad: bool = False) -> Tensor:
    """Standard normal; ``rng`` is a seed or a ``np.random.Generator``."""
    return Tensor(_rng(rng).standard_normal(_shape(shape)).astype(dtype), requires_grad=requires_grad)


def zeros_like(t: ArrayLike | Tensor, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    return zeros(np.shape(t), dtype=dtype or np.result_type(t), requires_grad=requires_grad)


def ones_like(t: ArrayLike | Tensor, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    return ones(np.shape(t), dtype=dtype or np.result_type(t), requires_grad=requires_grad)


def randn_like(t: ArrayLike | Tensor, rng: int | np.random.Generator | None = None, dtype: DTypeLike | None = None,
               requires_grad: bool = False) -> Tensor:
    return randn(np.shape(t), rng=rng, dtype=dtype or np.result_type(t), requires_grad=requires_grad)
