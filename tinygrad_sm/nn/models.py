"""Sequence classifiers over padded token ids: ``AttentionClassifier`` and the
``MeanPoolClassifier`` baseline (the same model without attention)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..functional import padding_attention_mask, where
from ..tensor import Tensor
from .attention import MultiHeadSelfAttention
from .embedding import Embedding
from .layers import Linear
from .module import Module
from .normalization import LayerNorm

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike


def masked_mean(x: Tensor, valid: ArrayLike | Tensor) -> Tensor:
    """Mean of ``x`` (..., L, d) over the positions where ``valid`` (..., L) is True.

    Masked positions contribute nothing, not even NaN or inf; a sequence with no
    valid position pools to zeros."""
    valid = np.asarray(valid.numpy() if isinstance(valid, Tensor) else valid, dtype=bool)
    if valid.shape != tuple(x.shape[:-1]):
        raise ValueError(f"masked_mean: valid of shape {valid.shape} must be x's shape {x.shape} without "
                         f"its last axis")
    count = np.maximum(valid.sum(axis=-1, keepdims=True), 1).astype(x.dtype)
    return where(valid[..., None], x, 0.0).sum(axis=-2) / count


class _SequenceModel(Module):
    """Token and position embeddings over ids (B, L) padded with ``pad``."""

    def __init__(self, vocab_size, max_len, d_model, num_classes, pad, rng, dtype):
        super().__init__()
        self.max_len, self.pad = int(max_len), int(pad)
        self.tokens = Embedding(vocab_size, d_model, rng=rng, dtype=dtype)
        self.positions = Embedding(max_len, d_model, rng=rng, dtype=dtype)

    def _embed(self, tokens):
        ids = np.asarray(tokens.numpy() if isinstance(tokens, Tensor) else tokens)
        if ids.ndim != 2 or ids.shape[1] > self.max_len:
            raise ValueError(f"{type(self).__name__}: tokens must have shape (B, L) with L ≤ {self.max_len}, "
                             f"got {ids.shape}")
        return self.tokens(ids) + self.positions(np.arange(ids.shape[1])), ids != self.pad


class MeanPoolClassifier(_SequenceModel):
    """Bag of embeddings: token + position embeddings, masked mean pool, Linear.

    The pool sums token and position embeddings separately, so it sees which tokens
    occur and how many positions there are, never which token is where."""

    def __init__(self, vocab_size: int, max_len: int, d_model: int = 32, num_classes: int = 2, pad: int = 0,
                 rng: int | np.random.Generator | None = None, dtype: DTypeLike | None = None) -> None:
        gen = None if rng is None else np.random.default_rng(rng)
        super().__init__(vocab_size, max_len, d_model, num_classes, pad, gen, dtype)
        self.head = Linear(d_model, num_classes, rng=gen, dtype=dtype)

    def forward(self, tokens: ArrayLike) -> Tensor:
        h, valid = self._embed(tokens)
        return self.head(masked_mean(h, valid))


class AttentionClassifier(_SequenceModel):
    """Token + position embeddings, one multi-head self-attention layer with the padding
    mask (a padding position attends to nothing, and nothing attends to it), a
    residual connection and LayerNorm, masked mean pool, Linear::

        h = E[tokens] + P[positions];  z = LayerNorm(h + MHSA(h, mask));  logits = W · mean_valid(z) + b

    ``forward(tokens, return_weights=False)``; with ``return_weights=True`` it also
    returns the attention weights (B, H, L, L).
    """

    def __init__(self, vocab_size: int, max_len: int, d_model: int = 32, num_heads: int = 2,
                 num_classes: int = 2,
                 pad: int = 0, rng: int | np.random.Generator | None = None,
                 dtype: DTypeLike | None = None) -> None:
        gen = None if rng is None else np.random.default_rng(rng)
        super().__init__(vocab_size, max_len, d_model, num_classes, pad, gen, dtype)
        self.attention = MultiHeadSelfAttention(d_model, num_heads, rng=gen, dtype=dtype)
        self.norm = LayerNorm(d_model, dtype=dtype)
        self.head = Linear(d_model, num_classes, rng=gen, dtype=dtype)

    def forward(self, tokens: ArrayLike, return_weights: bool = False) -> Tensor | tuple[Tensor, Tensor]:
        h, valid = self._embed(tokens)
        a, weights = self.attention(h, mask=padding_attention_mask(valid), return_weights=True)
        logits = self.head(masked_mean(self.norm(h + a), valid))
        return (logits, weights) if return_weights else logits
