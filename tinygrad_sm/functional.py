"""Functions on tensors, NumPy-spelled: ``softmax(x, axis=-1)``, ``cross_entropy(...)``, ...

Each calls one primitive from ``tinygrad_sm/ops/``; the same ops back the Tensor methods.
"""
import numpy as np

from .ops import Affine, Concatenate, CrossEntropy, LogSoftmax, LogSumExp, Relu, Sigmoid, Softmax, Stack, Tanh, Where
from .tensor import Tensor, _operand


def softmax(x, axis=-1, mask=None):
    """Softmax along ``axis``; ``mask`` False (or a -inf logit) excludes an entry.

    Saves only its output a; its VJP is ``a * (g - (g * a).sum(axis, keepdims=True))``.
    """
    return Softmax.apply(_tensor(x), _operand(mask), axis=axis)


def log_softmax(x, axis=-1, mask=None):
    """``x - logsumexp(x, axis)``, stable; saves only its output."""
    return LogSoftmax.apply(_tensor(x), _operand(mask), axis=axis)


def logsumexp(x, axis=-1, keepdims=False, mask=None):
    """``log(sum(exp(x), axis))``, stable; its gradient is ``softmax(x)``."""
    return LogSumExp.apply(_tensor(x), _operand(mask), axis=axis, keepdims=keepdims)


def cross_entropy(logits, targets, reduction="mean", axis=-1):
    """Softmax cross-entropy, fused: ``logsumexp(z) - z[target]`` per row.

    Parameters
    ----------
    logits : Tensor
        Unnormalised scores; classes along ``axis``.
    targets : array_like of int, or of float
        Class indices (the logits' shape without ``axis``), or probabilities
        (the logits' shape). Targets carry no gradient.
    reduction : {"mean", "sum", "none"}
        Average over rows, sum, or return the per-row losses.

    The backward pass reads the softmax cached by the forward pass:
    ``(softmax(z) - onehot(target)) * g / n``.
    """
    if isinstance(targets, Tensor) and targets.requires_grad:
        raise ValueError(
            "cross_entropy: targets that require grad are not supported; pass targets.detach(), "
            "or write -(targets * log_softmax(logits)).sum(axis) to differentiate through them"
        )
    return CrossEntropy.apply(_tensor(logits), _operand(targets), axis=axis, reduction=reduction)


def linear(x, weight, bias=None):
    """``x @ weight + bias`` with ``weight`` of shape (in, out): one fused op when there is a bias."""
    return _tensor(x) @ weight if bias is None else Affine.apply(_tensor(x), weight, bias)


def relu(x):
    return Relu.apply(_tensor(x))


def tanh(x):
    return Tanh.apply(_tensor(x))


def sigmoid(x):
    return Sigmoid.apply(_tensor(x))


def where(cond, x, y):
    """``x`` where ``cond`` is true, else ``y``; gradients flow to the branch taken."""
    return Where.apply(np.asarray(_operand(cond), dtype=bool), x, y)


def concatenate(tensors, axis=0):
    """Join tensors along an existing axis."""
    return Concatenate.apply(*tensors, axis=axis)


def stack(tensors, axis=0):
    """Join tensors along a new axis."""
    return Stack.apply(*tensors, axis=axis)


def _tensor(x):
    return x if isinstance(x, Tensor) else Tensor(x)


# Layers and losses built from the primitives above, each in its own module (re-exported here).
from .attention import padding_attention_mask, scaled_dot_product_attention  # noqa: E402, F401
from .embedding import embedding  # noqa: E402, F401
from .losses import (  # noqa: E402, F401
    binary_cross_entropy_with_logits,
    label_smoothing_targets,
    mse_loss,
    nll_loss,
)
from .normalization import layer_norm  # noqa: E402, F401
