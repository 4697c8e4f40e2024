"""Embedding lookup: rows of a weight matrix picked by integer indices."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..tensor import Tensor

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


def embedding(indices: ArrayLike | Tensor, weight: ArrayLike | Tensor) -> Tensor:
    """``weight[indices]``: one row of ``weight`` (num_embeddings, dim) per index.

    ``indices`` is an integer array_like (or Tensor) of any shape; the result has
    that shape plus ``dim``. The gradient scatters back into ``weight``'s rows, and
    an index used several times accumulates its gradients. Non-integer indices
    raise a TypeError, indices outside 0..num_embeddings−1 an IndexError, both
    before anything is computed.
    """
    idx = indices.numpy() if isinstance(indices, Tensor) else np.asarray(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: indices must be integers, got dtype {idx.dtype}")
    w = weight if isinstance(weight, Tensor) else Tensor(weight)
    if w.ndim != 2:
        raise ValueError(f"embedding: weight must have shape (num_embeddings, embedding_dim), got {w.shape}")
    n = w.shape[0]
    if idx.size:
        lo, hi = idx.min(), idx.max()
        if lo < 0 or hi >= n:
            raise IndexError(f"embedding: index {lo if lo < 0 else hi} is out of range for {n} embeddings "
                             f"(valid indices: 0..{n - 1})")
    return w[idx]
