"""``tinygrad_sm.nn.functional`` (``import tinygrad_sm.nn.functional as F``): the same
functions as ``tinygrad_sm.functional``, under the path PyTorch users import; the losses
here take PyTorch's argument order and class axis (1), like ``nn.CrossEntropyLoss``."""
from typing import Any

from ..functional import (
    binary_cross_entropy_with_logits,
    concatenate,
    embedding,
    label_smoothing_targets,
    layer_norm,
    linear,
    log_softmax,
    logsumexp,
    mse_loss,
    padding_attention_mask,
    relu,
    scaled_dot_product_attention,
    sigmoid,
    softmax,
    stack,
    tanh,
    where,
)
from ..functional import cross_entropy as _cross_entropy
from ..functional import nll_loss as _nll_loss
from .loss import class_axis

__all__ = [
    "binary_cross_entropy_with_logits",
    "concatenate",
    "cross_entropy",
    "embedding",
    "label_smoothing_targets",
    "layer_norm",
    "linear",
    "log_softmax",
    "logsumexp",
    "mse_loss",
    "nll_loss",
    "padding_attention_mask",
    "relu",
    "scaled_dot_product_attention",
    "sigmoid",
    "softmax",
    "stack",
    "tanh",
    "where",
]


def cross_entropy(input: Any, target: Any, weight: Any = None, ignore_index: int = -100,  # noqa: A002
                  reduction: str = "mean", label_smoothing: float = 0.0, *, axis: int | None = None) -> Any:
    """PyTorch's ``F.cross_entropy``: classes along axis 1 (``(N, C, d...)`` logits), ``weight``
    third; ``tg.cross_entropy`` is the NumPy-spelled one (classes along ``axis=-1``)."""
    return _cross_entropy(input, target, reduction, class_axis(axis, input), label_smoothing, weight=weight,
                          ignore_index=ignore_index)


def nll_loss(input: Any, target: Any, weight: Any = None, ignore_index: int = -100,  # noqa: A002
             reduction: str = "mean", *, axis: int | None = None) -> Any:
    """PyTorch's ``F.nll_loss``: classes along axis 1, ``weight`` third."""
    return _nll_loss(input, target, reduction, class_axis(axis, input), weight=weight, ignore_index=ignore_index)
