"""The usual losses: ``mse_loss``, ``binary_cross_entropy_with_logits``, ``nll_loss``, and
``label_smoothing_targets`` (what ``cross_entropy(..., label_smoothing=ε)`` trains against).

Each takes ``reduction="mean" | "sum" | "none"`` like PyTorch's, and checks its
arguments before computing anything. Targets carry no gradient unless they are
tensors that require one (``mse_loss`` and the BCE loss differentiate through them).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..checks import check_probability, check_reduction, is_int
from ..ops.loss import BCEWithLogits
from ..tensor import Tensor

if TYPE_CHECKING:
    from numpy.typing import ArrayLike, DTypeLike

def mse_loss(input: ArrayLike | Tensor, target: ArrayLike | Tensor, reduction: str = "mean") -> Tensor:
    """Mean squared error ``(input − target)²``, reduced.

    ``input`` and ``target`` must have the same shape (PyTorch broadcasts with a
    warning; a (N, 1) prediction against (N,) targets silently becomes (N, N) there,
    so here it is an error). An array target is cast to the input's dtype.
    """
    _check_reduction(reduction, "mse_loss")
    x = _float_tensor(input, "mse_loss", "input")
    t = _target(target, x, "mse_loss")
    if t.shape != x.shape:
        raise ValueError(f"mse_loss: input of shape {x.shape} and target of shape {t.shape} differ; "
                         f"they must have the same shape")
    _check_nonempty(x.size, reduction, "mse_loss", "input", x.shape)
    d = x - t
    return _reduce(d * d, reduction)


def binary_cross_entropy_with_logits(logits: ArrayLike | Tensor, targets: ArrayLike | Tensor,
                                     reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of ``sigmoid(logits)`` against ``targets`` in [0, 1], fused.

    One primitive (``BCEWithLogits``): ``max(x, 0) − x·t + log(1 + exp(−|x|))``, with
    gradient ``(sigmoid(x) − t)·g``; finite for any finite logits (|x| = 1e4 gives a
    loss of 0 or 1e4 and a gradient of 0 or ±1, never inf or NaN). ``targets`` must
    have the logits' shape; integer or boolean targets are cast to the logits' dtype.
    """
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    x = _float_tensor(logits, "binary_cross_entropy_with_logits", "logits")
    t = _target(targets, x, "binary_cross_entropy_with_logits")
    if t.shape != x.shape:
        raise ValueError(f"binary_cross_entropy_with_logits: targets of shape {t.shape} must have the "
                         f"logits' shape {x.shape}")
    _check_nonempty(x.size, reduction, "binary_cross_entropy_with_logits", "logits", x.shape)
    return _reduce(BCEWithLogits.apply(x, t), reduction)


def nll_loss(log_probs: ArrayLike | Tensor, targets: ArrayLike | Tensor, reduction: str = "mean",
             axis: int = -1, *, weight: ArrayLike | Tensor | None = None, ignore_index: int = -100) -> Tensor:
    """Negative log-likelihood ``−w[target]·log_probs[target]`` per row, classes along ``axis``.

    ``targets``: integer class indices of the log-probabilities' shape without
    ``axis``. With ``log_probs = x.log_softmax(axis)`` this is ``cross_entropy(x, targets)``.
    ``weight`` (one per class) and ``ignore_index`` as in PyTorch: the mean is
    ``Σ w[t]·loss / Σ w[t]`` over the rows not ignored (NaN if every row is ignored,
    with a zero gradient). The gradient is −g·w[t] scattered to the picked entries
    (repeated rows accumulate).
    """
    _check_reduction(reduction, "nll_loss")
    lp = _float_tensor(log_probs, "nll_loss", "log_probs")
    if lp.ndim == 0:
        raise ValueError("nll_loss: log_probs must have a class axis, got a 0-d tensor")
    axis = _axis(axis, lp.ndim, "nll_loss")
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"nll_loss: ignore_index must be an int, got {ignore_index!r}")
    t = np.asarray(targets.numpy() if isinstance(targets, Tensor) else targets)
    valid = t != ignore_index if t.dtype.kind in "iu" else np.ones(t.shape, bool)
    t = class_targets(np.where(valid, t, 0) if t.dtype.kind in "iu" else t, lp.shape, axis, "nll_loss")
    _check_nonempty(t.size, reduction, "nll_loss", "targets", t.shape)
    w = None
    if weight is not None:
        w = np.asarray(weight.numpy() if isinstance(weight, Tensor) else weight)
        n = lp.shape[axis]
        if w.dtype.kind not in "biuf" or w.shape != (n,):
            raise ValueError(f"nll_loss: weight must be a 1-D array of {n} real numbers (one per class), "
                             f"got {w.dtype} {w.shape}")
    if w is None and valid.all():
        return _reduce(-lp[_class_index(t, axis)], reduction)
    rw = (valid if w is None else np.where(valid, w[t], 0)).astype(lp.dtype)
    rows = -lp[_class_index(t, axis)] * rw
    if reduction != "mean":
        return _reduce(rows, reduction)
    total = float(rw.sum())
    if total:
        return rows.sum() * lp.dtype.type(1 / total)
    return rows.sum() * lp.dtype.type(0) + lp.dtype.type(np.nan)  # 0/0, as PyTorch; the gradient is 0


def label_smoothing_targets(targets: ArrayLike | Tensor, num_classes: int, label_smoothing: float,
                            axis: int = -1, dtype: DTypeLike = np.float64) -> np.ndarray:
    """The probability targets that label smoothing trains against, as PyTorch defines them.

    ``(1 − ε)·onehot(targets) + ε/C`` for class indices (classes inserted at ``axis``
    of the logits, which have one axis more than the targets), or ``(1 − ε)·t + ε/C``
    for probability targets ``t``. Passing the result to ``cross_entropy`` as
    probability targets gives ``cross_entropy(..., label_smoothing=ε)``: with class
    indices, ``(1 − ε)·CE(z, target) + ε·mean over classes of −log_softmax(z)``.

    Parameters
    ----------
    targets : array_like of int (class indices) or of float (probabilities)
    num_classes : int
        C, the size of the logits' class axis.
    label_smoothing : float in [0, 1]
    axis : int
        The logits' class axis.
    dtype : the dtype of the result (pass the logits' dtype, so float32 stays float32)
    """
    check_probability("cross_entropy", "label_smoothing", label_smoothing)
    if not is_int(num_classes) or num_classes < 1:
        raise ValueError(f"cross_entropy: num_classes must be a positive int, got {num_classes!r}")
    eps = float(label_smoothing)
    t = np.asarray(targets.numpy() if isinstance(targets, Tensor) else targets)
    if t.dtype.kind == "f":
        ndim = t.ndim
        axis = _axis(axis, ndim, "cross_entropy") if ndim else 0
        if ndim == 0 or t.shape[axis] != num_classes:
            raise ValueError(f"cross_entropy: probability targets of shape {t.shape} need {num_classes} "
                             f"classes along axis {axis}")
        return (t * (1.0 - eps) + eps / num_classes).astype(dtype, copy=False)
    full_ndim = t.ndim + 1
    axis = _axis(axis, full_ndim, "cross_entropy")
    shape = t.shape[:axis] + (num_classes,) + t.shape[axis:]
    t = class_targets(t, shape, axis, "cross_entropy")
    out = np.full(shape, eps / num_classes, dtype=dtype)
    out[_class_index(t, axis)] += 1.0 - eps
    return out


# --- argument checks shared by the losses ----------------------------------------------
def class_targets(targets: ArrayLike | Tensor, shape: tuple[int, ...], axis: int, fn: str) -> np.ndarray:
    """``targets`` as an integer ndarray of ``shape`` without ``axis``, every entry a valid
    class (0 ≤ t < shape[axis]); a clear error naming ``targets`` otherwise."""
    t = np.asarray(targets.numpy() if isinstance(targets, Tensor) else targets)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{fn}: targets must be integer class indices, got dtype {t.dtype}")
    rows = shape[:axis] + shape[axis + 1:]
    if t.shape != rows:
        raise ValueError(f"{fn}: targets must have shape {rows} (the input's shape {shape} without axis "
                         f"{axis}), got {t.shape}")
    n = shape[axis]
    if t.size and (t.min() < 0 or t.max() >= n):
        bad = t.min() if t.min() < 0 else t.max()
        raise IndexError(f"{fn}: targets entry {bad} is out of range for {n} classes (valid: 0..{n - 1})")
    return t


def _class_index(t, axis):
    """The fancy index that picks, along ``axis``, the class ``t`` names for every row."""
    grid = np.indices(t.shape, sparse=True) if t.ndim else ()
    return tuple(grid[:axis]) + (t,) + tuple(grid[axis:])


def _check_reduction(reduction, fn):
    check_reduction(fn, reduction)


def _check_nonempty(size, reduction, fn, name, shape):
    if reduction == "mean" and size == 0:
        raise ValueError(f"{fn}: {name} of shape {shape} is empty, so its mean is undefined; "
                         f"use reduction='sum' or 'none'")


def _axis(axis, ndim, fn):
    if not is_int(axis) or not -ndim <= axis < ndim:
        raise ValueError(f"{fn}: axis {axis!r} is out of range for {ndim} axes")
    return int(axis) % ndim


def _float_tensor(x, fn, name):
    x = x if isinstance(x, Tensor) else Tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: {name} must be floating, got dtype {x.dtype}")
    return x


def _target(target, x, fn):
    """A target tensor, or an array target cast to the input's dtype (so float32 stays float32)."""
    if isinstance(target, Tensor):
        if target.dtype.kind not in "fbiu":
            raise TypeError(f"{fn}: targets must be numeric, got dtype {target.dtype}")
        return target if target.dtype.kind == "f" else Tensor(target.numpy(), dtype=x.dtype)
    t = np.asarray(target)
    if t.dtype.kind not in "fbiu":
        raise TypeError(f"{fn}: targets must be numeric, got dtype {t.dtype}")
    return Tensor(t, dtype=x.dtype)


def _reduce(rows, reduction):
    if reduction == "mean":
        return rows.mean()
    if reduction == "sum":
        return rows.sum()
    return rows
