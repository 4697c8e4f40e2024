"""``MultiHeadSelfAttention``: one fused q/k/v projection, heads as a batch axis.

Head layout. ``qkv`` is one ``Linear(d, 3d)``; its output columns are [q | k | v],
each d wide and split into ``num_heads`` contiguous blocks of ``d/H``: head h's
query uses columns ``h·d/H .. (h+1)·d/H`` of the q block (``qkv.weight`` is PyTorch's
``in_proj_weight``: the same (3d, d) array, rows in the same order). The
(B, L, 3d) projection is reshaped to (B, L, 3, H, d/H) and transposed to
(3, B, H, L, d/H), so q, k and v are (B, H, L, d/H) and the heads run as one
batched ``scaled_dot_product_attention``. The heads' outputs go back to (B, L, d)
(head-major within each position) and through the output ``Linear(d, d)``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..checks import is_int
from ..functional import scaled_dot_product_attention
from .layers import Linear
from .module import Module

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

    from ..tensor import Tensor


class MultiHeadSelfAttention(Module):
    """Self-attention with ``num_heads`` heads over x of shape (..., L, embed_dim).

    ``forward(x, mask=None, return_weights=False)``: ``mask`` is boolean,
    broadcastable to (..., H, L, L), True where query i may attend to key j
    (``functional.padding_attention_mask(valid)`` builds it for padded sequences,
    with padding queries attending to nothing). Returns the (..., L, embed_dim)
    output, and the (..., H, L, L) weights if asked. Weights are drawn by
    ``nn.Linear`` from ``rng``.
    """

    def __init__(self, embed_dim: int, num_heads: int, bias: bool = True,
                 rng: int | np.random.Generator | None = None,
                 dtype: DTypeLike | None = None) -> None:
        super().__init__()
        for name, n in (("embed_dim", embed_dim), ("num_heads", num_heads)):
            if not is_int(n) or n < 1:
                raise ValueError(f"MultiHeadSelfAttention: {name} must be a positive int, got {n!r}")
        if embed_dim % num_heads:
            raise ValueError(f"MultiHeadSelfAttention: embed_dim {embed_dim} is not divisible by num_heads {num_heads}")
        gen = None if rng is None else np.random.default_rng(rng)
        self.embed_dim, self.num_heads, self.head_dim = int(embed_dim), int(num_heads), embed_dim // num_heads
        self.qkv = Linear(embed_dim, 3 * embed_dim, bias=bias, rng=gen, dtype=dtype)
        self.out = Linear(embed_dim, embed_dim, bias=bias, rng=gen, dtype=dtype)

    def forward(self, x: Tensor, mask: ArrayLike | Tensor | None = None,
                return_weights: bool = False) -> Tensor | tuple[Tensor, Tensor]:
        if x.ndim < 2 or x.shape[-1] != self.embed_dim:
            raise ValueError(f"MultiHeadSelfAttention: x must have shape (..., L, {self.embed_dim}), got {x.shape}")
        lead, L = tuple(x.shape[:-2]), x.shape[-2]
        n = len(lead)
        qkv = self.qkv(x).reshape(lead + (L, 3, self.num_heads, self.head_dim))
        qkv = qkv.transpose((n + 1,) + tuple(range(n)) + (n + 2, n, n + 3))  # (3, ..., H, L, d/H)
        out, weights = scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], mask=mask, return_weights=True)
        out = self.out(out.swapaxes(-2, -3).reshape(lead + (L, self.embed_dim)))
        return (out, weights) if return_weights else out

    def extra_repr(self) -> str:
        return f"embed_dim={self.embed_dim}, num_heads={self.num_heads}"
