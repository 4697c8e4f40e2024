"""``clip_grad_norm_``: rescale gradients so their joint norm is at most ``max_norm``."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from ..checks import is_real
from ..tensor import Tensor

if TYPE_CHECKING:
    from collections.abc import Iterable


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False) -> float:
    """Scale every gradient by ``min(1, max_norm / (total_norm + 1e-6))``.

    The same numbers as ``torch.nn.utils.clip_grad_norm_``: ``total_norm`` is the
    ``norm_type``-norm of all gradients taken together (the norm of the per-parameter
    norms), computed in float64; a NaN anywhere makes it NaN for every ``norm_type``,
    ``inf`` included. Each ``.grad`` is replaced by a new tensor, the old one times
    the clamped coefficient (times 1.0 when the gradients are already short enough), in
    the gradient's dtype. Parameters whose ``.grad`` is None are skipped; a gradient
    tensor shared by several parameters is scaled once.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensors
    max_norm : float ≥ 0 (``inf`` never clips)
    norm_type : float > 0, or ``inf`` (the largest absolute entry)
    error_if_nonfinite : bool
        Raise if the total norm is NaN or inf (otherwise, like PyTorch, the
        gradients become NaN).

    Returns the total norm before clipping, as a float. Every argument is checked,
    and the norm computed, before any gradient changes.
    """
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    if not is_real(max_norm):
        raise TypeError(f"clip_grad_norm_: max_norm must be a number, got {max_norm!r}")
    if not max_norm >= 0:  # also refuses NaN
        raise ValueError(f"clip_grad_norm_: max_norm must be ≥ 0, got {max_norm}")
    if not is_real(norm_type) \
            or not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be a positive number or inf, got {norm_type!r}")
    with_grad, grads = [], {}
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"clip_grad_norm_: parameter {i} is a {type(p).__name__}, not a Tensor")
        if p.grad is not None:
            with_grad.append(p)
            grads.setdefault(id(p.grad), p.grad)
    if not grads:
        return 0.0
    arrays = [np.asarray(g.numpy()) for g in grads.values()]
    p = float(norm_type)
    if p == math.inf:  # np.max, unlike Python's max, keeps a NaN wherever it is
        norms = np.array([np.max(np.abs(g)) if g.size else 0.0 for g in arrays], dtype=np.float64)
        total = float(np.max(norms))
    else:
        norms = np.array([np.linalg.norm(g.reshape(-1).astype(np.float64), ord=p) for g in arrays])
        total = float(np.linalg.norm(norms, ord=p))
    if error_if_nonfinite and not math.isfinite(total):
        raise FloatingPointError(f"clip_grad_norm_: the total norm of the gradients is {total}; "
                                 f"pass error_if_nonfinite=False to scale them anyway")
    coef = min(float(max_norm) / (total + 1e-6), 1.0) if not math.isnan(total) else math.nan
    scaled = {k: Tensor(g.numpy() * g.dtype.type(coef)) for k, g in grads.items()}
    for param in with_grad:
        param.grad = scaled[id(param.grad)]
    return total
