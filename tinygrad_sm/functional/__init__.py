"""Functions on tensors, NumPy-spelled: ``softmax(x, axis=-1)``, ``cross_entropy(...)``, ...

The functions here each call one primitive from ``tinygrad_sm/ops/`` (the same ops back
the Tensor methods); layers and losses built from them have a module each beside this
one (``attention``, ``normalization``, ``embedding``, ``losses``) and are re-exported.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..ops import (
    Affine,
    Concatenate,
    CrossEntropy,
    LogSoftmax,
    LogSumExp,
    Relu,
    Sigmoid,
    Softmax,
    Stack,
    Tanh,
    Where,
)
from ..ops.common import resolve_axis
from ..tensor import Tensor, _operand
from .attention import padding_attention_mask, scaled_dot_product_attention
from .embedding import embedding
from .losses import binary_cross_entropy_with_logits, label_smoothing_targets, mse_loss, nll_loss
from .normalization import layer_norm

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import ArrayLike


def softmax(x: ArrayLike | Tensor, axis: int | None = None, mask: ArrayLike | Tensor | None = None, *,
            dim: int | None = None) -> Tensor:
    """Softmax along ``axis`` (or PyTorch's ``dim``; default -1); ``mask`` False (or a -inf
    logit) excludes an entry.

    Saves only its output a; its VJP is ``a * (g - (g * a).sum(axis, keepdims=True))``.
    """
    return Softmax.apply(_tensor(x), axis=_dim("softmax", axis, dim), mask=_operand(mask))


def log_softmax(x: ArrayLike | Tensor, axis: int | None = None, mask: ArrayLike | Tensor | None = None, *,
                dim: int | None = None) -> Tensor:
    """``x - logsumexp(x, axis)`` (``axis`` or PyTorch's ``dim``; default -1), stable; saves only its output."""
    return LogSoftmax.apply(_tensor(x), axis=_dim("log_softmax", axis, dim), mask=_operand(mask))


def _dim(fn, axis, dim, default=-1):
    """The axis from NumPy's ``axis`` or PyTorch's ``dim`` (both given: a TypeError)."""
    axis, _ = resolve_axis(axis, dim, False, None, fn)
    return default if axis is None else axis


def logsumexp(x: ArrayLike | Tensor, axis: int = -1, keepdims: bool = False,
              mask: ArrayLike | Tensor | None = None) -> Tensor:
    """``log(sum(exp(x), axis))``, stable; its gradient is ``softmax(x)``."""
    return LogSumExp.apply(_tensor(x), axis=axis, keepdims=keepdims, mask=_operand(mask))


def cross_entropy(logits: ArrayLike | Tensor, targets: ArrayLike | Tensor, reduction: str = "mean",
                  axis: int = -1, label_smoothing: float = 0.0, *, weight: ArrayLike | Tensor | None = None,
                  ignore_index: int = -100) -> Tensor:
    """Softmax cross-entropy, fused: ``logsumexp(z) - z[target]`` per row, as PyTorch defines it.

    Parameters
    ----------
    logits : Tensor
        Unnormalised scores; classes along ``axis``.
    targets : array_like of int, or of float
        Class indices (the logits' shape without ``axis``), or probabilities
        (the logits' shape). Targets carry no gradient.
    reduction : {"mean", "sum", "none"}
        Average over rows, sum, or return the per-row losses.
    label_smoothing : float in [0, 1]
        Mix the targets with the uniform distribution: ``q = (1 - ε)·target + ε/C``,
        as in PyTorch (also for probability targets that do not sum to one).
    weight : array_like of C floats, optional
        A weight per class: row i counts ``weight[target_i]`` times, and the mean is
        taken over those weights (``Σ w[t]·loss / Σ w[t]``), as in PyTorch.
    ignore_index : int
        Class-target rows equal to it contribute nothing and are left out of the mean
        (the padding idiom); a batch where every row is ignored has a NaN mean, as in PyTorch.

    The node saves only the logits (and the constant targets and weights); its backward
    recomputes the softmax from them: ``(softmax(z)·Σq - q) * g / denominator``.
    """
    if isinstance(targets, Tensor) and targets.requires_grad:
        raise ValueError(
            "cross_entropy: targets that require grad are not supported; pass targets.detach(), "
            "or write -(targets * log_softmax(logits)).sum(axis) to differentiate through them"
        )
    w = None if weight is None else np.asarray(_operand(weight))
    return CrossEntropy.apply(_tensor(logits), _operand(targets), w, axis=axis, reduction=reduction,
                              label_smoothing=label_smoothing, ignore_index=ignore_index)


def linear(x: ArrayLike | Tensor, weight: ArrayLike | Tensor,
           bias: ArrayLike | Tensor | None = None) -> Tensor:
    """``x @ weight.T + bias`` with ``weight`` of shape (out, in), as PyTorch's ``F.linear``:
    one fused op when there is a bias."""
    w = weight if isinstance(weight, Tensor) else Tensor(weight)
    return _tensor(x) @ w.T if bias is None else Affine.apply(_tensor(x), w, bias)


def relu(x: ArrayLike | Tensor) -> Tensor:
    return Relu.apply(_tensor(x))


def tanh(x: ArrayLike | Tensor) -> Tensor:
    return Tanh.apply(_tensor(x))


def sigmoid(x: ArrayLike | Tensor) -> Tensor:
    return Sigmoid.apply(_tensor(x))


def where(cond: ArrayLike | Tensor, x: ArrayLike | Tensor, y: ArrayLike | Tensor) -> Tensor:
    """``x`` where ``cond`` is true, else ``y``; gradients flow to the branch taken.
    ``cond`` is boolean (a comparison, e.g. ``x > 0``); the result is always a Tensor."""
    cond = np.asarray(_operand(cond))
    if not isinstance(x, Tensor) and not isinstance(y, Tensor):
        x = _tensor(x)
    return Where.apply(cond, x, y)


def concatenate(tensors: Sequence[ArrayLike | Tensor], axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Join tensors along an existing axis (``axis`` or PyTorch's ``dim``; default 0); the result is always a Tensor."""
    return Concatenate.apply(*_tensors(tensors, "concatenate"), axis=_dim("concatenate", axis, dim, 0))


def stack(tensors: Sequence[ArrayLike | Tensor], axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Join tensors along a new axis (``axis`` or PyTorch's ``dim``; default 0); the result is always a Tensor."""
    return Stack.apply(*_tensors(tensors, "stack"), axis=_dim("stack", axis, dim, 0))


def _tensor(x: ArrayLike | Tensor) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _tensors(items, op):
    if isinstance(items, (Tensor, np.ndarray)):
        raise TypeError(f"{op}: pass a sequence of tensors, e.g. {op}([a, b]), not a single array")
    items = list(items)
    if not items:
        raise ValueError(f"{op}: needs at least one tensor")
    if not any(isinstance(t, Tensor) for t in items):
        items[0] = Tensor(items[0])
    return items


__all__ = [
    "softmax", "log_softmax", "logsumexp", "cross_entropy", "linear", "relu", "tanh", "sigmoid", "where",
    "concatenate", "stack", "scaled_dot_product_attention", "padding_attention_mask", "layer_norm", "embedding",
    "mse_loss", "binary_cross_entropy_with_logits", "nll_loss", "label_smoothing_targets",
]
