"""Fused softmax cross-entropy: backward is (softmax − onehot)·g from the cached softmax."""
import numpy as np

from ..op import Op
from ..tensor import _make
from .common import single_axis
from .softmax import Softmax, shifted_exp

REDUCTIONS = ("mean", "sum", "none")


class CrossEntropy(Op):
    """ℓ = logsumexp(z) − z_t  (or −Σ t·log softmax(z) for probability targets t);
    z̄ = (softmax(z)·Σt − t)·g, divided by the row count for the mean."""

    __slots__ = ("axis", "reduction", "n")

    def __init__(self, axis=-1, reduction="mean"):
        if reduction not in REDUCTIONS:
            raise ValueError(f"cross_entropy: reduction must be one of {REDUCTIONS}, got {reduction!r}")
        self.axis = axis
        self.reduction = reduction

    def forward(self, z, t):
        axis = self.axis = single_axis(self.axis, np.ndim(z), "cross_entropy")
        t = np.asarray(t)
        classes = z.shape[axis]
        rows_shape = z.shape[:axis] + z.shape[axis + 1 :]
        if t.dtype.kind in "iu":
            if t.shape != rows_shape:
                raise ValueError(
                    f"cross_entropy: class targets must have the logits' shape without axis {axis}: "
                    f"logits {z.shape} need targets {rows_shape}, got {t.shape}"
                )
            if t.size and (t.min() < 0 or t.max() >= classes):
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
        if classes == 0 or (self.reduction == "mean" and t.size == 0 and t.dtype.kind in "iu"):
            raise ValueError(f"cross_entropy: logits of shape {z.shape} leave nothing to average over")
        _, e, s, m, _ = shifted_exp(z, axis, None)
        lse = m + np.log(s)
        np.multiply(e, 1 / s, out=e)
        if t.dtype.kind in "iu":
            rows = lse - np.take_along_axis(z, np.expand_dims(t, axis), axis)
        else:
            rows = np.sum(np.where(t == 0, 0, t * (lse - z)), axis=axis, keepdims=True)
        rows = np.squeeze(rows, axis)
        self.n = max(rows.size, 1)
        self.save(p=e, t=t)
        if self.reduction == "mean":
            return rows.mean()
        return rows.sum() if self.reduction == "sum" else rows

    def vjp(self, g, p, t):
        if self.reduction == "none":
            g = g.reshape(p.shape[: self.axis] + (1,) + p.shape[self.axis + 1 :])
        elif self.reduction == "mean":
            g = g * (1.0 / self.n)
        if t.dtype.kind in "iu":
            onehot = np.zeros(p.shape, dtype=p.dtype)
            np.put_along_axis(onehot, np.expand_dims(t, self.axis), 1, self.axis)
            d = p - onehot
        else:
            d = p * t.sum(axis=self.axis, keepdims=True) - t
        return d * g, None

    def lift(self, name, value):
        if name == "p":
            return _make(value, Softmax.of_output(self.parents[0], value, self.axis))
        return value
