"""``clip_grad_norm_``: rescale gradients in place so their joint norm is at most ``max_norm``."""
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
    """Scale every gradient by ``min(1, max_norm / (total_norm + 1e-6))``, in place.

    The same numbers as ``torch.nn.utils.clip_grad_norm_``: ``total_norm`` is the
    ``norm_type``-norm of all gradients taken together (the norm of the per-parameter
    norms), computed in float64; the gradients are multiplied by the clamped
    coefficient (by 1.0 when they are already short enough). Parameters whose
    ``.grad`` is None are skipped.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensors
    max_norm : float ≥ 0 (``inf`` never clips)
    norm_type : float > 0, or ``inf`` (the largest absolute entry)
    error_if_nonfinite : bool
        Raise if the total norm is NaN or inf (otherwise, like PyTorch, the
        gradients become NaN).

    Returns the total norm before clipping, as a float. Every argument (a negative
    or NaN ``max_norm``, a read-only gradient) is checked before any gradient changes.
    """
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    if not is_real(max_norm):
        raise TypeError(f"clip_grad_norm_: max_norm must be a number, got {max_norm!r}")
    if not max_norm >= 0:  # also refuses NaN
        raise ValueError(f"clip_grad_norm_: max_norm must be ≥ 0, got {max_norm}")
    if not is_real(norm_type) \
            or not norm_type > 0:
        raise ValueError(f"clip_grad_norm_: norm_type must be a positive number or inf, got {norm_type!r}")
    grads, seen = [], set()
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"clip_grad_norm_: parameter {i} is a {type(p).__name__}, not a Tensor")
        if p.grad is None:
            continue
        g = p.grad.numpy()
        if id(g) in seen:  # one gradient array shared by two parameters is scaled once
            continue
        if not g.flags.writeable:
            raise ValueError(f"clip_grad_norm_: the gradient of parameter {i} (shape {g.shape}) is read-only, "
                             f"so it cannot be scaled in place")
        seen.add(id(g))
        grads.append(g)
    if not grads:
        return 0.0
    p = float(norm_type)
    if p == math.inf:
        norms = [float(np.max(np.abs(g))) if g.size else 0.0 for g in grads]
        total = max(norms)
    else:
        norms = [float(np.linalg.norm(g.reshape(-1).astype(np.float64), ord=p)) for g in grads]
        total = float(np.linalg.norm(np.array(norms), ord=p))
    if error_if_nonfinite and not math.isfinite(total):
        raise FloatingPointError(f"clip_grad_norm_: the total norm of the gradients is {total}; "
                                 f"pass error_if_nonfinite=False to scale them anyway")
    coef = min(float(max_norm) / (total + 1e-6), 1.0) if not math.isnan(total) else math.nan
    for g in grads:
        g *= g.dtype.type(coef)
    return total
