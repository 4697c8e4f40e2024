"""Loss modules: ``MSELoss``, ``BCEWithLogitsLoss``, ``NLLLoss``, ``CrossEntropyLoss``.

Each holds its settings and calls the function of the same name in
``tinygrad_sm.functional``: ``loss_fn(input, target)``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..checks import check_reduction
from ..functional import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    label_smoothing_targets,
    mse_loss,
    nll_loss,
)
from .module import Module

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from ..tensor import Tensor


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        if not isinstance(reduction, str):
            raise TypeError(f"{type(self).__name__}: the first argument is reduction, a str, got a "
                            f"{type(reduction).__name__}; pass class weights by keyword: weight=...")
        check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """``mse_loss(input, target, reduction)``."""

    def forward(self, input: Tensor, target: ArrayLike | Tensor) -> Tensor:
        return mse_loss(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """``binary_cross_entropy_with_logits(logits, targets, reduction)``: stable for any logits."""

    def forward(self, logits: Tensor, targets: ArrayLike | Tensor) -> Tensor:
        return binary_cross_entropy_with_logits(logits, targets, self.reduction)


def class_axis(axis: int | None, x: ArrayLike | Tensor) -> int:
    """PyTorch's class axis for the loss modules: 1 (0 for one unbatched row), unless given.
    For 2-D logits that is the last axis, the NumPy-spelled functions' default too."""
    if axis is not None:
        return axis
    return 1 if np.ndim(x) >= 2 else 0


class NLLLoss(_Loss):
    """``nll_loss(log_probs, targets, reduction, axis, weight=, ignore_index=)``."""

    def __init__(self, reduction: str = "mean", axis: int | None = None, *, weight: ArrayLike | Tensor | None = None,
                 ignore_index: int = -100) -> None:
        super().__init__(reduction)
        self.axis, self.weight, self.ignore_index = axis, weight, ignore_index

    def forward(self, log_probs: Tensor, targets: ArrayLike | Tensor) -> Tensor:
        return nll_loss(log_probs, targets, self.reduction, class_axis(self.axis, log_probs), weight=self.weight,
                        ignore_index=self.ignore_index)


class CrossEntropyLoss(_Loss):
    """``cross_entropy(logits, targets, reduction, axis, label_smoothing, weight=, ignore_index=)``:
    with ``label_smoothing`` ε the targets become ``(1 − ε)·target + ε/C``, as in PyTorch."""

    def __init__(self, reduction: str = "mean", axis: int | None = None, label_smoothing: float = 0.0, *,
                 weight: ArrayLike | Tensor | None = None, ignore_index: int = -100) -> None:
        super().__init__(reduction)
        label_smoothing_targets([0], 1, label_smoothing)  # checks ε now, not at the first call
        self.axis, self.label_smoothing = axis, float(label_smoothing)
        self.weight, self.ignore_index = weight, ignore_index

    def forward(self, logits: Tensor, targets: ArrayLike | Tensor) -> Tensor:
        return cross_entropy(logits, targets, self.reduction, class_axis(self.axis, logits), self.label_smoothing,
                             weight=self.weight, ignore_index=self.ignore_index)

    def extra_repr(self) -> str:
        return super().extra_repr() + (f", label_smoothing={self.label_smoothing}" if self.label_smoothing else "")
