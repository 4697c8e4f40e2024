"""Loss primitives: fused softmax cross-entropy, and binary cross-entropy on logits.

Both exist as primitives because their composite forms would be unstable or inexact at
the edges (large logits, x = 0); both save only their logits and the targets.
"""
import math

import numpy as np

from ..checks import check_probability, check_reduction, is_int
from ..op import Op
from .common import single_axis
from .elementwise import Sigmoid
from .softmax import Softmax, shifted_exp

_UNSIGNED = {np.dtype(f"i{n}"): np.dtype(f"u{n}") for n in (1, 2, 4, 8)}


class CrossEntropy(Op):
    """ℓ = Σ_c q_c·(logsumexp(z) − z_c) per row, q the (smoothed, class-weighted) target;
    z̄ = (softmax(z)·Σq − q)·g, divided by the mean's denominator.

    Class targets t: q = (1 − ε)·w[t]·onehot(t) + ε/C·w, and q = 0 on rows whose target
    is ``ignore_index``; the mean divides by Σ w[t] over the other rows (PyTorch's
    rule; NaN when every row is ignored). Probability targets t: q = ((1 − ε)·t + ε/C)·w,
    and the mean divides by the row count. ``w`` (the class weights, an input that
    gets no gradient) defaults to ones.

    Saves only the logits z, the targets and the weights (constants): backward recomputes
    softmax(z) with the Softmax primitive, so under ``create_graph`` the second
    derivative diag(p) − p pᵀ comes out exact, with no special node.
    """

    __slots__ = ("axis", "reduction", "label_smoothing", "ignore_index", "scale")
    params = ("axis", "reduction", "label_smoothing", "ignore_index")
    family = "softmax"

    def __init__(self, axis=-1, reduction="mean", label_smoothing=0.0, ignore_index=-100):
        self.axis = axis
        self.reduction = check_reduction("cross_entropy", reduction)
        self.label_smoothing = check_probability("cross_entropy", "label_smoothing", label_smoothing)
        if not is_int(ignore_index):
            raise TypeError(f"cross_entropy: ignore_index must be an int, got {ignore_index!r}")
        self.ignore_index = int(ignore_index)

    def forward(self, z, t, w=None):
        if not isinstance(z, np.ndarray) or z.dtype.kind != "f" or z.ndim == 0:
            raise TypeError(f"cross_entropy: logits must be a floating array with a class axis, got "
                            f"{getattr(z, 'dtype', type(z).__name__)} {np.shape(z)}")
        axis = self.axis = single_axis(self.axis, z.ndim, "cross_entropy")
        t = np.asarray(t)
        classes = z.shape[axis]
        rows_shape = z.shape[:axis] + z.shape[axis + 1 :]
        if t.dtype.kind in "iu":
            if t.shape != rows_shape:
                raise ValueError(
                    f"cross_entropy: class targets must have the logits' shape without axis {axis}: "
                    f"logits {z.shape} need targets {rows_shape}, got {t.shape}"
                )
            _check_classes(t, classes, self.ignore_index)
        elif t.dtype.kind == "f":
            if t.shape != z.shape:
                raise ValueError(
                    f"cross_entropy: probability targets must have the logits' shape {z.shape}, got {t.shape}"
                )
            if self.ignore_index >= 0:
                raise ValueError(f"cross_entropy: ignore_index ({self.ignore_index}) applies to class targets "
                                 f"only; leave it at its default with probability targets")
        else:
            raise TypeError(
                f"cross_entropy: targets must be integer class indices or float probabilities, got dtype {t.dtype}"
            )
        if w is not None:
            w = _class_weights(w, classes, z.dtype)
        if classes == 0:
            raise ValueError(f"cross_entropy: logits of shape {z.shape} have no classes along axis {axis}")
        rows = math.prod(rows_shape)
        if self.reduction == "mean" and rows == 0:
            raise ValueError(f"cross_entropy: logits of shape {z.shape} have no rows to average over")
        _, _, s, m, _ = shifted_exp(z, axis, None)
        log_s = np.log(s)  # logsumexp(z) − m: kept apart from m, which would round it away
        plain = t.dtype.kind in "iu" and not self.label_smoothing
        if plain and w is None and not (t == self.ignore_index).any():  # pick z at the targets: no one-hot
            if z.ndim == 2 and axis == 1:
                per_row = log_s[:, 0] - (z[np.arange(t.shape[0]), t] - m[:, 0])
            else:
                picked = np.take_along_axis(z, np.expand_dims(t, axis), axis)
                per_row = (log_s - (picked - m)).reshape(rows_shape)
            total = rows
        else:
            q = self._targets(t, z, w)
            with np.errstate(invalid="ignore"):  # 0·inf where a zero target meets a −inf logit: taken as 0
                per_row = np.add.reduce(np.where(q == 0, 0, q * (log_s - (z - m))), axis=axis)
            total = rows if t.dtype.kind == "f" else float(np.add.reduce(self._row_weights(t, w, z.dtype), axis=None))
        # the mean's 1/denominator; 0 for the gradient when every row is ignored (the loss is NaN)
        self.scale = 1.0 / total if total else 0.0
        if self.needs(0):
            self.save(z, t, w)
        if self.reduction == "mean":
            summed = np.add.reduce(per_row, axis=None)
            return summed * self.scale if total else summed * z.dtype.type(np.nan)
        return np.add.reduce(per_row, axis=None) if self.reduction == "sum" else per_row

    def _row_weights(self, t, w, dtype):
        """w[t] per row (1 without weights), 0 where t is ignore_index."""
        valid = t != self.ignore_index
        if w is None:
            return valid.astype(dtype)
        return np.where(valid, w[np.where(valid, t, 0)], dtype.type(0))

    def _targets(self, t, z, w):
        """q: the (smoothed, weighted) target per entry, as an array of the logits' shape."""
        axis, classes, eps, dtype = self.axis, z.shape[self.axis], self.label_smoothing, z.dtype
        shape = [1] * z.ndim
        shape[axis] = classes
        w_c = None if w is None else w.reshape(shape)
        if t.dtype.kind in "iu":
            rw = np.expand_dims(self._row_weights(t, w, dtype), axis)
            hit = np.expand_dims(t, axis) == np.arange(classes).reshape(shape)
            q = np.where(hit, rw * dtype.type(1 - eps), dtype.type(0))
            if eps:
                smooth = np.expand_dims(t != self.ignore_index, axis) * dtype.type(eps / classes)
                q = q + (smooth if w_c is None else smooth * w_c)
            return q
        q = t.astype(dtype, copy=False)
        if eps:
            q = q * dtype.type(1 - eps) + dtype.type(eps / classes)
        return q if w_c is None else q * w_c

    def vjp(self, g, z, t, w):
        axis = self.axis
        if self.reduction == "none":
            g = g.reshape(z.shape[:axis] + (1,) + z.shape[axis + 1 :])
        elif self.reduction == "mean":
            g = g * self.scale
        q = self._targets(t, z, w)
        p = Softmax.apply(z, axis=axis) * q.sum(axis=axis, keepdims=True)
        return (p - q) * g, None, None


def _check_classes(t, classes, ignore_index):
    """Every class target is in 0..classes-1 or is ``ignore_index``."""
    if not t.size:
        return
    # Viewed as unsigned, a negative index is huge: one reduction checks both ends.
    if np.maximum.reduce(t.view(_UNSIGNED.get(t.dtype, t.dtype)), axis=None) < classes:
        return
    bad = t[(t != ignore_index) & ((t < 0) | (t >= classes))]
    if bad.size:
        raise IndexError(
            f"cross_entropy: target {bad.flat[0]} is out of range for {classes} classes "
            f"(valid class indices are 0..{classes - 1}, or ignore_index={ignore_index})"
        )


def _class_weights(w, classes, dtype):
    """The class weights as a 1-D array of ``classes`` entries in the logits' dtype."""
    w = np.asarray(w)
    if w.dtype.kind not in "biuf" or w.shape != (classes,):
        raise ValueError(f"cross_entropy: weight must be a 1-D array of {classes} real numbers (one per class), "
                         f"got {w.dtype} {w.shape}")
    return w.astype(dtype, copy=False)


class BCEWithLogits(Op):
    """ℓ = max(x, 0) − x·t + log(1 + e^(−|x|));  x̄ = g·(σ(x) − t),  t̄ = −g·x

    Elementwise binary cross-entropy on logits x with targets t. No exponential
    can overflow, so |x| up to 1e4 (and beyond) gives finite losses and gradients;
    and the gradient is exact at x = 0, where the composite relu/abs form has kinks.
    Saves the logits (and the targets when x needs a gradient); the VJP recomputes
    σ(x) with the Sigmoid op, so ``create_graph`` differentiates it.
    """

    __slots__ = ()

    def forward(self, x, t):
        try:
            slope = np.where(x >= 0, 1 - t, -t)  # max(x, 0) − x·t = slope·x
        except ValueError:
            raise ValueError(f"binary_cross_entropy_with_logits: logits of shape {np.shape(x)} and targets of "
                             f"shape {np.shape(t)} cannot be broadcast together") from None
        with np.errstate(invalid="ignore"):
            loss = np.where(slope == 0, 0, slope * x)  # 0·inf is the limit 0 at an infinite logit
        loss += np.log1p(np.exp(-np.abs(x)))
        self.save(x, t if self.needs(0) else None)
        return loss

    def vjp(self, g, x, t):
        gx = g * (Sigmoid.apply(x) - t) if self.needs(0) else None
        gt = -g * x if self.needs(1) else None
        return gx, gt
