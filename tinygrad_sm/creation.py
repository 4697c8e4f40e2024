"""Creation helpers: ``tensor``, zeros, ones, full, arange, linspace, rand, randn, randperm
(seedable), and *_like. Float results default to ``get_default_dtype()`` (float32)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .dtypes import get_default_dtype
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


def _float(dtype):
    return get_default_dtype() if dtype is None else dtype


def _shape(shape):
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        return tuple(shape[0])
    return tuple(shape)


def zeros(*shape: int | Sequence[int], dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    return Tensor(np.zeros(_shape(shape), dtype=_float(dtype)), requires_grad=requires_grad)


def ones(*shape: int | Sequence[int], dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    return Tensor(np.ones(_shape(shape), dtype=_float(dtype)), requires_grad=requires_grad)


def full(shape: int | Sequence[int], value: float, dtype: DTypeLike | None = None,
         requires_grad: bool = False) -> Tensor:
    return Tensor(np.full(shape, value, dtype=_float(dtype)), requires_grad=requires_grad)


def arange(start: float, stop: float | None = None, step: float = 1, dtype: DTypeLike | None = None,
           requires_grad: bool = False) -> Tensor:
    """Like ``np.arange``; integer arguments give int64, float arguments the default float dtype."""
    data = np.arange(start, stop, step, dtype=dtype) if stop is not None else np.arange(start, dtype=dtype)
    if dtype is None and data.dtype.kind == "f":
        data = data.astype(get_default_dtype())
    return Tensor(data, requires_grad=requires_grad)


def rand(*shape: int | Sequence[int], rng: int | np.random.Generator | None = None, dtype: DTypeLike | None = None,
         requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1); ``rng`` is a seed or a ``np.random.Generator``."""
    return Tensor(_rng(rng).random(_shape(shape)).astype(_float(dtype)), requires_grad=requires_grad)


def randn(*shape: int | Sequence[int], rng: int | np.random.Generator | None = None, dtype: DTypeLike | None = None,
          requires_grad: bool = False) -> Tensor:
    """Standard normal; ``rng`` is a seed or a ``np.random.Generator``."""
    return Tensor(_rng(rng).standard_normal(_shape(shape)).astype(_float(dtype)), requires_grad=requires_grad)


def zeros_like(t: ArrayLike | Tensor, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    return zeros(np.shape(t), dtype=dtype or np.result_type(t), requires_grad=requires_grad)


def ones_like(t: ArrayLike | Tensor, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    return ones(np.shape(t), dtype=dtype or np.result_type(t), requires_grad=requires_grad)


def randn_like(t: ArrayLike | Tensor, rng: int | np.random.Generator | None = None, dtype: DTypeLike | None = None,
               requires_grad: bool = False) -> Tensor:
    return randn(np.shape(t), rng=rng, dtype=dtype or np.result_type(t), requires_grad=requires_grad)


def tensor(data: ArrayLike | Tensor, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """A new tensor holding a copy of ``data``, like ``torch.tensor``.

    Python floats (and lists of them) become the default float dtype (float32 unless
    ``set_default_dtype`` changed it); Python ints become int64 and bools bool; an
    ndarray or a Tensor keeps its dtype. ``dtype`` overrides all of these.
    """
    if dtype is None:
        kind = _python_numbers(data)
        if kind == "f":
            dtype = get_default_dtype()
        elif kind == "i":
            dtype = np.int64
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def _python_numbers(data):
    """"f" if ``data`` is Python numbers (nested lists/tuples) with a float among them, "i" if
    ints (and bools) only with an int, else None (arrays and tensors keep their own dtype)."""
    stack, kinds = [data], set()
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        elif isinstance(item, np.generic):  # np.float64 is a float subclass: it keeps its dtype
            return None
        elif isinstance(item, bool):
            kinds.add("b")
        elif isinstance(item, int):
            kinds.add("i")
        elif isinstance(item, float):
            kinds.add("f")
        else:
            return None
    return "f" if "f" in kinds else "i" if "i" in kinds else None


def linspace(start: float, end: float, steps: int, dtype: DTypeLike | None = None,
             requires_grad: bool = False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included (PyTorch's argument order)."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"linspace: steps must be a non-negative int, got {steps!r}")
    return Tensor(np.linspace(start, end, int(steps), dtype=_float(dtype)), requires_grad=requires_grad)


def randperm(n: int, rng: int | np.random.Generator | None = None, dtype: DTypeLike = np.int64) -> Tensor:
    """A random permutation of ``0..n-1`` (int64), from ``rng`` or the generator ``manual_seed`` seeds."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"randperm: n must be a non-negative int, got {n!r}")
    return Tensor(_rng(rng).permutation(int(n)).astype(dtype))


def eye(n: int, m: int | None = None, dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    return Tensor(np.eye(n, m, dtype=_float(dtype)), requires_grad=requires_grad)


def empty(*shape: int | Sequence[int], dtype: DTypeLike | None = None, requires_grad: bool = False) -> Tensor:
    """Like PyTorch's ``empty``, but filled with zeros (a tensor's memory is never left unset)."""
    return zeros(*shape, dtype=dtype, requires_grad=requires_grad)


def randint(low: int, high: int | None = None, size: Sequence[int] = (), rng: int | np.random.Generator | None = None,
            dtype: DTypeLike = np.int64) -> Tensor:
    """PyTorch's ``randint(low, high, size)`` (or ``randint(high, size)``): integers in [low, high)."""
    if high is None or isinstance(high, (tuple, list)):  # randint(high, size)
        low, high, size = 0, low, (size if high is None else high)
    return Tensor(_rng(rng).integers(low, high, size=tuple(size)).astype(dtype))
