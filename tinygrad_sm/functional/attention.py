"""Scaled dot-product attention on the softmax primitive, with boolean masks.

``softmax(q kᵀ / √d, mask) v``: the attention weights come from the softmax primitive,
so backward keeps only the (..., Lq, Lk) weights (never an Lk×Lk Jacobian per row),
and a query whose every key is masked out gets an all-zero weight row, an all-zero
output row and zero gradient, where PyTorch gives NaN.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..tensor import Tensor

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


def scaled_dot_product_attention(q: ArrayLike | Tensor, k: ArrayLike | Tensor, v: ArrayLike | Tensor,
                                 mask: ArrayLike | Tensor | None = None,
                                 return_weights: bool = False) -> Tensor | tuple[Tensor, Tensor]:
    """``softmax(q @ kᵀ / √d, mask) @ v``, the weights by the softmax primitive.

    Parameters
    ----------
    q : Tensor (..., Lq, d)
    k : Tensor (..., Lk, d)
    v : Tensor (..., Lk, dv)
        Leading (batch, head) axes broadcast against each other.
    mask : bool array_like or Tensor, broadcastable to (..., Lq, Lk), optional
        True where query i may attend to key j. A query row with no True entry
        attends to nothing: its weights and output are zeros, with zero gradient.
    return_weights : bool
        Also return the attention weights (..., Lq, Lk).

    Every argument is checked before anything is computed: floating q, k, v; equal
    widths of q and k; equal lengths of k and v; broadcastable leading axes; a
    boolean mask that broadcasts to the weights' shape.
    """
    q = _float_tensor(q, "q")
    k = _float_tensor(k, "k")
    v = _float_tensor(v, "v")
    shape = attention_shape(q.shape, k.shape, v.shape)
    m = check_mask(mask, shape)
    scale = 1.0 / math.sqrt(q.shape[-1])
    weights = ((q * scale) @ k.swapaxes(-1, -2)).softmax(axis=-1, mask=m)
    out = weights @ v
    return (out, weights) if return_weights else out


def padding_attention_mask(valid: ArrayLike | Tensor) -> np.ndarray:
    """The self-attention mask of padded sequences: ``valid`` (..., L) is True at real
    tokens; the result (..., 1, L, L) lets a real token attend to every real token and
    a padding position attend to nothing (its query row is all False). The 1 is a
    head axis, so it broadcasts over heads."""
    valid = np.asarray(valid.numpy() if isinstance(valid, Tensor) else valid)
    if valid.dtype != bool or valid.ndim < 1:
        raise TypeError(f"padding_attention_mask: valid must be a boolean array (..., L), got dtype "
                        f"{valid.dtype} and shape {valid.shape}")
    return (valid[..., :, None] & valid[..., None, :])[..., None, :, :]


def attention_shape(q_shape: tuple[int, ...], k_shape: tuple[int, ...],
                    v_shape: tuple[int, ...]) -> tuple[int, ...]:
    """The weights' shape (..., Lq, Lk) for these q, k, v shapes; a ValueError naming the
    argument and the shapes if they do not fit together."""
    for name, s in (("q", q_shape), ("k", k_shape), ("v", v_shape)):
        if len(s) < 2:
            raise ValueError(f"scaled_dot_product_attention: {name} must have shape (..., L, d), got {s}")
    if q_shape[-1] != k_shape[-1]:
        raise ValueError(f"scaled_dot_product_attention: q and k must have the same width d, got q {q_shape} "
                         f"and k {k_shape} ({q_shape[-1]} != {k_shape[-1]})")
    if q_shape[-1] == 0:
        raise ValueError(f"scaled_dot_product_attention: q and k have width 0 (q {q_shape}); the scale 1/√d "
                         f"needs d ≥ 1")
    if k_shape[-2] != v_shape[-2]:
        raise ValueError(f"scaled_dot_product_attention: k and v must have the same length Lk, got k {k_shape} "
                         f"and v {v_shape} ({k_shape[-2]} != {v_shape[-2]})")
    if k_shape[-2] == 0:
        raise ValueError(f"scaled_dot_product_attention: k of shape {k_shape} has no keys (Lk = 0)")
    try:
        lead = np.broadcast_shapes(q_shape[:-2], k_shape[:-2], v_shape[:-2])
    except ValueError:
        raise ValueError(f"scaled_dot_product_attention: the leading (batch, head) axes of q {q_shape}, "
                         f"k {k_shape} and v {v_shape} do not broadcast together") from None
    return tuple(lead) + (q_shape[-2], k_shape[-2])


def check_mask(mask: ArrayLike | Tensor | None, shape: tuple[int, ...]) -> np.ndarray | None:
    """``mask`` as a boolean ndarray that broadcasts to ``shape`` (or None); raises naming it."""
    if mask is None:
        return None
    m = mask.numpy() if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != bool:
        raise TypeError(f"scaled_dot_product_attention: mask must be boolean (True = may attend), got dtype "
                        f"{m.dtype}; for an additive float mask, add it to the scores yourself")
    try:
        ok = np.broadcast_shapes(m.shape, shape) == shape
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"scaled_dot_product_attention: mask of shape {m.shape} does not broadcast to the "
                         f"attention weights' shape {shape} (..., Lq, Lk)")
    return m


def _float_tensor(x: ArrayLike | Tensor, name: str) -> Tensor:
    t = x if isinstance(x, Tensor) else Tensor(x)
    if t.dtype.kind != "f":
        raise TypeError(f"scaled_dot_product_attention: {name} must be floating, got dtype {t.dtype}")
    return t
