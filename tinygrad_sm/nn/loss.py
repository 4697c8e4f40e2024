"""Loss modules: ``MSELoss``, ``BCEWithLogitsLoss``, ``NLLLoss``, ``CrossEntropyLoss``.

Each holds its settings and calls the function of the same name in
``tinygrad_sm.functional``: ``loss_fn(input, target)``.
"""
from ..functional import (
    binary_cross_entropy_with_logits,
    cross_entropy,
    label_smoothing_targets,
    mse_loss,
    nll_loss,
)
from ..losses import REDUCTIONS
from .module import Module


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        if reduction not in REDUCTIONS:
            raise ValueError(f"{type(self).__name__}: reduction must be one of {REDUCTIONS}, got {reduction!r}")
        self.reduction = reduction

    def extra_repr(self):
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """``mse_loss(input, target, reduction)``."""

    def forward(self, input, target):
        return mse_loss(input, target, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """``binary_cross_entropy_with_logits(logits, targets, reduction)``: stable for any logits."""

    def forward(self, logits, targets):
        return binary_cross_entropy_with_logits(logits, targets, self.reduction)


class NLLLoss(_Loss):
    """``nll_loss(log_probs, targets, reduction, axis)``."""

    def __init__(self, reduction="mean", axis=-1):
        super().__init__(reduction)
        self.axis = axis

    def forward(self, log_probs, targets):
        return nll_loss(log_probs, targets, self.reduction, self.axis)


class CrossEntropyLoss(_Loss):
    """``cross_entropy(logits, targets, reduction, axis)``, with ``label_smoothing`` ε:
    the targets become ``(1 − ε)·onehot + ε/C`` (``functional.label_smoothing_targets``)."""

    def __init__(self, reduction="mean", axis=-1, label_smoothing=0.0):
        super().__init__(reduction)
        label_smoothing_targets([0], 1, label_smoothing)  # checks ε now, not at the first call
        self.axis, self.label_smoothing = axis, float(label_smoothing)

    def forward(self, logits, targets):
        if self.label_smoothing:
            targets = label_smoothing_targets(targets, logits.shape[self.axis], self.label_smoothing,
                                              axis=self.axis, dtype=logits.dtype)
        return cross_entropy(logits, targets, self.reduction, self.axis)

    def extra_repr(self):
        return super().extra_repr() + (f", label_smoothing={self.label_smoothing}" if self.label_smoothing else "")
