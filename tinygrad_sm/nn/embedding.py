"""``Embedding``: a learned table of vectors, one row per token id."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..checks import is_int
from ..creation import randn
from ..dtypes import or_default
from ..functional import embedding
from .module import Module, Parameter

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

    from ..tensor import Tensor


class Embedding(Module):
    """``weight[indices]`` with ``weight`` of shape (num_embeddings, embedding_dim),
    initialised from N(0, 1) like PyTorch's, drawn from ``rng`` (a seed, a
    ``np.random.Generator``, or None for the generator ``tg.manual_seed`` sets)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, rng: int | np.random.Generator | None = None,
                 dtype: DTypeLike | None = None) -> None:
        super().__init__()
        for name, n in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if not is_int(n) or n < 1:
                raise ValueError(f"Embedding: {name} must be a positive int, got {n!r}")
        self.num_embeddings, self.embedding_dim = int(num_embeddings), int(embedding_dim)
        draws = randn(num_embeddings, embedding_dim, rng=rng, dtype=np.float64).numpy()
        self.weight = Parameter(draws, dtype=or_default(dtype))

    def forward(self, indices: ArrayLike | Tensor) -> Tensor:
        return embedding(indices, self.weight)

    def extra_repr(self) -> str:
        return f"{self.num_embeddings}, {self.embedding_dim}"
