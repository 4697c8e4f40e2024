"""Loss primitives: fused softmax cross-entropy, and binary cross-entropy on logits.

Both exist as primitives because their composite forms would be unstable or inexact at
the edges (large logits, x = 0); both save only their logits and the targets.
"""
import math

import numpy as np

from ..checks import check_probability, check_reduction
from ..op import Op
from .common import single_axis
from .elementwise import Sigmoid
from .softmax import Softmax, shifted_exp

_UNSIGNED = {np.dtype(f"i{n}"): np.dtype(f"u{n}") for n in (1, 2, 4, 8)}


class CrossEntropy(Op):
    """ℓ = logsumexp(z) − Σ q·z  (q = onehot(t) or probabilities t, smoothed by ε);
    z̄ = (softmax(z)·Σq − q)·g, divided by the row count for the mean.

    Saves only the logits z (and the targets, a constant): backward recomputes
    softmax(z) with the Softmax primitive, so under ``create_graph`` the second
    derivative diag(p) − p pᵀ comes out exact, with no special node.
    """

    __slots__ = ("axis", "reduction", "label_smoothing", "n")
    params = ("axis", "reduction", "label_smoothing")
    family = "softmax"

    def __init__(self, axis=-1, reduction="mean", label_smoothing=0.0):
        self.axis = axis
        self.reduction = check_reduction("cross_entropy", reduction)
        self.label_smoothing = check_probability("cross_entropy", "label_smoothing", label_smoothing)

    def forward(self, z, t):
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
            # Viewed as unsigned, a negative index is huge: one reduction checks both ends.
            if t.size and np.maximum.reduce(t.view(_UNSIGNED.get(t.dtype, t.dtype)), axis=None) >= classes:
                bad = t.min() if t.min() < 0 else t.max()
                raise IndexError(
                    f"cross_entropy: target {bad} is out of range for {classes} classes "
                    f"(valid class indices are 0..{classes - 1})"
                )
        elif t.dtype.kind == "f":
            if t.shape != z.shape:
                raise ValueError(
                    f"cross_entropy: probability targets must have the logits' shape {z.shape}, got {t.shape}"
                )
        else:
            raise TypeError(
                f"cross_entropy: targets must be integer class indices or float probabilities, got dtype {t.dtype}"
            )
        if classes == 0:
            raise ValueError(f"cross_entropy: logits of shape {z.shape} have no classes along axis {axis}")
        rows = math.prod(rows_shape)
        if self.reduction == "mean" and rows == 0:
            raise ValueError(f"cross_entropy: logits of shape {z.shape} have no rows to average over")
        _, _, s, m, _ = shifted_exp(z, axis, None)
        log_s = np.log(s)  # logsumexp(z) − m: kept apart from m, which would round it away
        if t.dtype.kind in "iu" and not self.label_smoothing:  # pick z at the targets: no one-hot
            if z.ndim == 2 and axis == 1:
                per_row = log_s[:, 0] - (z[np.arange(t.shape[0]), t] - m[:, 0])
            else:
                picked = np.take_along_axis(z, np.expand_dims(t, axis), axis)
                per_row = (log_s - (picked - m)).reshape(rows_shape)
        else:
            q = self._targets(t, z)
            with np.errstate(invalid="ignore"):  # 0·inf where a zero target meets a −inf logit: taken as 0
                per_row = np.add.reduce(np.where(q == 0, 0, q * (log_s - (z - m))), axis=axis)
        self.n = max(rows, 1)
        if self.needs(0):
            self.save(z=z, t=t)
        if self.reduction == "mean":
            return np.add.reduce(per_row, axis=None) * (1.0 / self.n)
        return np.add.reduce(per_row, axis=None) if self.reduction == "sum" else per_row

    def _targets(self, t, z):
        """q: the (smoothed) target distribution per row, as an array of the logits' shape."""
        axis, classes = self.axis, z.shape[self.axis]
        if t.dtype.kind in "iu":
            if axis == z.ndim - 1:
                q = t[..., None] == np.arange(classes)  # one-hot, boolean
            else:
                shape = [1] * z.ndim
                shape[axis] = classes
                q = np.expand_dims(t, axis) == np.arange(classes).reshape(shape)
            if not self.label_smoothing:
                return q
        else:
            q = t.astype(z.dtype, copy=False)
        eps = self.label_smoothing
        if eps:
            q = q * (1 - eps) + eps / classes * q.sum(axis=axis, keepdims=True)
        return q

    def vjp(self, g, z, t):
        axis = self.axis
        if self.reduction == "none":
            g = g.reshape(z.shape[:axis] + (1,) + z.shape[axis + 1 :])
        elif self.reduction == "mean":
            g = g * (1.0 / self.n)
        q = self._targets(t, z)
        p = Softmax.apply(z, axis=axis)
        if t.dtype.kind == "f":
            p = p * q.sum(axis=axis, keepdims=True)
        return (p - q) * g, None


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
        self.save(x=x, t=t if self.needs(0) else None)
        return loss

    def vjp(self, g, x, t):
        gx = g * (Sigmoid.apply(x) - t) if self.needs(0) else None
        gt = -g * x if self.needs(1) else None
        return gx, gt
