"""Gradient cases for the functions composed from primitives (attention, layer norm,
embedding, losses, pooling) and for the new loss primitive: ``(name, f, inputs)``.

``test_gradients.py`` runs gradcheck and gradgradcheck in float64 over every case.
Inputs stay away from kinks; masks include a query row with no allowed key.
"""
import numpy as np

import tinygrad_sm as tg
from tinygrad_sm import nn
from tinygrad_sm.functional import (
    binary_cross_entropy_with_logits,
    embedding,
    label_smoothing_targets,
    layer_norm,
    mse_loss,
    nll_loss,
    padding_attention_mask,
    scaled_dot_product_attention,
)
from tinygrad_sm.nn.models import masked_mean

_rng = np.random.default_rng(2024)


def r(*shape):
    return _rng.standard_normal(shape)


def unit(*shape):
    return _rng.uniform(0.05, 0.95, shape)


# Query 1 of batch 0 may attend to nothing; the others to some keys.
MASK = np.array([[[True, False, True, True, False], [False] * 5, [True, True, True, False, True]],
                 [[True] * 5, [False, True, False, False, False], [True, False, True, False, True]]])
VALID = np.array([[True, True, True, False], [True, True, False, False]])  # two padded sequences (B=2, L=4)
EMPTY_ROW = np.array([[True, False, True], [False, False, False]])
INDICES = np.array([[0, 2, 0], [3, 3, 1]])  # repeated indices accumulate
LOGITS_AT_ZERO = np.array([[0.0, 1.3, -0.7], [2.1, 0.0, -1.6]])  # BCE's gradient is exact at 0
PROBS = unit(2, 3)


def _mhsa(mask=None):
    module = nn.MultiHeadSelfAttention(4, 2, rng=0, dtype=np.float64)
    return lambda x: module(x, mask=mask)


CASES = [
    # scaled_dot_product_attention: softmax primitive with masks, batched and broadcast
    ("sdpa-plain", lambda q, k, v: scaled_dot_product_attention(q, k, v), [r(2, 3, 4), r(2, 5, 4), r(2, 5, 3)]),
    ("sdpa-masked-dead-row", lambda q, k, v: scaled_dot_product_attention(q, k, v, mask=MASK),
     [r(2, 3, 4), r(2, 5, 4), r(2, 5, 3)]),
    ("sdpa-weights", lambda q, k: scaled_dot_product_attention(q, k, np.ones((2, 5, 1)), mask=MASK,
                                                               return_weights=True)[1], [r(2, 3, 4), r(2, 5, 4)]),
    ("sdpa-broadcast-heads-and-mask", lambda q, k, v: scaled_dot_product_attention(q, k, v, mask=MASK[:, None]),
     [r(2, 2, 3, 2), r(2, 1, 5, 2), r(5, 2)]),
    ("sdpa-unbatched", lambda q, k, v: scaled_dot_product_attention(q, k, v), [r(2, 3), r(4, 3), r(4, 2)]),
    ("sdpa-padding-mask", lambda x: scaled_dot_product_attention(x, x, x, mask=padding_attention_mask(VALID)[:, 0]),
     [r(2, 4, 3)]),
    ("mhsa-padding-mask", _mhsa(padding_attention_mask(VALID)), [r(2, 4, 4)]),
    # layer_norm
    ("layer_norm-affine", lambda x, w, b: layer_norm(x, 5, w, b), [r(3, 5), r(5), r(5)]),
    ("layer_norm-2d-plain", lambda x: layer_norm(x, (3, 4)), [r(2, 3, 4)]),
    ("layer_norm-weight-eps", lambda x, w: layer_norm(x, (4,), weight=w, eps=0.1), [r(2, 3, 4), r(4)]),
    # embedding
    ("embedding-repeated", lambda w: embedding(INDICES, w).tanh(), [r(4, 3)]),
    ("embedding-scalar-index", lambda w: embedding(np.array(2), w) * embedding([1, 2], w), [r(3, 2)]),
    # losses
    ("mse-mean", lambda x: mse_loss(x, np.linspace(-1, 1, 6).reshape(2, 3)), [r(2, 3)]),
    ("mse-sum-both-grads", lambda x, t: mse_loss(x, t, reduction="sum"), [r(4), r(4)]),
    ("mse-none", lambda x: mse_loss(x, np.ones(3), reduction="none"), [r(3)]),
    ("bce-mean-at-zero", lambda x: binary_cross_entropy_with_logits(x, PROBS), [LOGITS_AT_ZERO]),
    ("bce-target-grad", lambda x, t: binary_cross_entropy_with_logits(x, t, reduction="sum"), [r(5), unit(5)]),
    ("bce-none", lambda x: binary_cross_entropy_with_logits(x, np.array([1.0, 0.0, 1.0, 0.0]), reduction="none"),
     [3 * r(4)]),
    ("nll-mean", lambda x: nll_loss(x.log_softmax(-1), np.array([0, 3, 1])), [r(3, 4)]),
    ("nll-sum-repeated", lambda x: nll_loss(x, np.array([1, 1, 1]), reduction="sum"), [r(3, 2)]),
    ("nll-none-axis1-3d", lambda x: nll_loss(x, np.array([[0, 2], [1, 1]]), reduction="none", axis=1), [r(2, 3, 2)]),
    ("cross_entropy-label-smoothing", lambda z: tg.cross_entropy(z, label_smoothing_targets([0, 3, 1], 4, 0.1)),
     [r(3, 4)]),
    ("cross_entropy-label-smoothing-probs",
     lambda z: tg.cross_entropy(z, label_smoothing_targets(np.full((2, 3), 1 / 3), 3, 0.25), reduction="sum"),
     [r(2, 3)]),
    # pooling
    ("masked_mean-empty-row", lambda x: masked_mean(x, EMPTY_ROW), [r(2, 3, 2)]),
    # Tensor methods as PyTorch spells them (tensor_torch.py), composed from primitives
    ("method-max-dim-values", lambda x: x.max(dim=1).values * np.arange(1.0, 3.0), [r(2, 4)]),
    ("method-min-dim-keepdim", lambda x: x.min(dim=0, keepdim=True).values.tanh(), [r(3, 2, 2)]),
    ("method-std-dim", lambda x: x.std(dim=1), [r(3, 4)]),
    ("method-var-all-biased", lambda x: x.var(unbiased=False), [r(3, 4)]),
    ("method-var-keepdim-correction2", lambda x: x.var(dim=(0, 2), correction=2, keepdim=True), [r(2, 3, 2)]),
    ("method-clamp", lambda x: x.clamp(min=-0.5, max=0.5) * x, [r(3, 4)]),
    ("method-clamp-tensor-bounds", lambda x, lo: x.clamp(min=lo), [r(3, 4), r(4) - 2.0]),
    ("method-maximum", lambda x, y: x.maximum(y), [r(3, 4), r(4)]),
    ("method-minimum-scalar", lambda x: x.minimum(0.3) * x, [r(3, 4)]),
    ("method-view-unsqueeze-squeeze", lambda x: x.view(2, -1).unsqueeze(1).squeeze() * np.arange(6.0), [r(3, 4)]),
    ("method-permute-t-flatten", lambda x: x.permute(2, 0, 1).flatten(1).t() * np.arange(4.0), [r(3, 2, 4)]),
    ("method-expand", lambda x: x.expand(2, -1, 4) * np.arange(4.0), [r(3, 1)]),
    ("method-transpose-two-dims", lambda x: x.transpose(-2, -1) @ x, [r(2, 3, 4)]),
    ("method-pow-abs", lambda x: x.abs().pow(1.5), [r(3, 4)]),
]
