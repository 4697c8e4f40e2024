"""Layer normalization, composed from tensor operations (so it differentiates to any order)."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..checks import is_int, is_real
from ..tensor import Tensor

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import ArrayLike


def layer_norm(x: ArrayLike | Tensor, normalized_shape: int | Sequence[int],
               weight: ArrayLike | Tensor | None = None,
               bias: ArrayLike | Tensor | None = None, eps: float = 1e-5) -> Tensor:
    """Normalize over the trailing ``normalized_shape`` axes: ``(x − mean) / √(var + eps)``,
    then ``* weight + bias`` (both of shape ``normalized_shape``, optional).

    The variance is the biased one (divided by n), as in PyTorch. Written with sums
    times 1/n rather than means, so an empty batch (0, ..., *normalized_shape) gives
    an empty result instead of an error.
    """
    x = x if isinstance(x, Tensor) else Tensor(x)
    shape = normalized_shape_tuple(normalized_shape, "layer_norm")
    if x.dtype.kind != "f":
        raise TypeError(f"layer_norm: x must be floating, got dtype {x.dtype}")
    k = len(shape)
    if x.shape[x.ndim - k:] != shape or x.ndim < k:
        raise ValueError(f"layer_norm: normalized_shape {shape} must match the trailing axes of x, "
                         f"got x of shape {x.shape}")
    for name, p in (("weight", weight), ("bias", bias)):
        if p is not None and tuple(np.shape(p)) != shape:
            raise ValueError(f"layer_norm: {name} must have shape normalized_shape {shape}, got {tuple(np.shape(p))}")
    if not is_real(eps) or not (0 <= eps < math.inf):
        raise ValueError(f"layer_norm: eps must be a finite number ≥ 0, got {eps!r}")
    axes = tuple(range(x.ndim - k, x.ndim))
    inv_n = 1.0 / math.prod(shape)
    xc = x - x.sum(axis=axes, keepdims=True) * inv_n
    var = (xc * xc).sum(axis=axes, keepdims=True) * inv_n
    y = xc / (var + float(eps)).sqrt()
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def normalized_shape_tuple(normalized_shape: int | Sequence[int], fn: str) -> tuple[int, ...]:
    """An int or a sequence of positive ints, as a tuple; a clear error otherwise."""
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else normalized_shape
    try:
        shape = tuple(shape)
    except TypeError:
        raise TypeError(f"{fn}: normalized_shape must be an int or a tuple of ints, got {normalized_shape!r}") from None
    if not shape or any(not is_int(n) or n < 1 for n in shape):
        raise ValueError(f"{fn}: normalized_shape must be one or more positive ints, got {normalized_shape!r}")
    return tuple(int(n) for n in shape)
