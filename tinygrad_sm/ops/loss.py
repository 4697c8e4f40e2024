"""Fused softmax cross-entropy: backward is (softmax − onehot)·g from the cached softmax."""
import numpy as np

from ..op import Op
from ..tensor import _make
from .common import single_axis
from .softmax import Softmax, shifted_exp

REDUCTIONS = ("mean", "sum", "none")
_UNSIGNED = {np.dtype(f"i{n}"): np.dtype(f"u{n}") for n in (1, 2, 4, 8)}


def class_index(t, axis):
    """The fancy index that picks, along ``axis``, the class ``t`` names for every row."""
    if t.ndim == 1:
        rows = np.arange(t.shape[0])
        return (rows, t) if axis == 1 else (t, rows)
    grid = np.indices(t.shape, sparse=True)
    return tuple(grid[:axis]) + (t,) + tuple(grid[axis:])


class CrossEntropy(Op):
    """ℓ = logsumexp(z) − z_t  (or −Σ t·log softmax(z) for probability targets t);
    z̄ = (softmax(z)·Σt − t)·g, divided by the row count for the mean."""

    __slots__ = ("axis", "reduction", "n", "index")

    def __init__(self, axis=-1, reduction="mean"):
        if reduction not in REDUCTIONS:
            raise ValueError(f"cross_entropy: reduction must be one of {REDUCTIONS}, got {reduction!r}")
        self.axis = axis
        self.reduction = reduction

    def forward(self, z, t):
        axis = self.axis = single_axis(self.axis, z.ndim, "cross_entropy")
        t = np.asarray(t)
        classes = z.shape[axis]
        rows_shape = z.shape[:axis] + z.shape[axis + 1 :]
        self.index = None
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
            self.index = class_index(t, axis)
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
        lse = np.log(s)
        lse += m
        np.multiply(e, 1 / s, out=e)
        if self.index is not None:
            rows = lse.reshape(rows_shape) - z[self.index]
        else:
            rows = np.add.reduce(np.where(t == 0, 0, t * (lse - z)), axis=axis)
        self.n = max(rows.size, 1)
        self.save(p=e, t=t)
        if self.reduction == "mean":
            return np.add.reduce(rows, axis=None) * (1.0 / self.n)
        return np.add.reduce(rows, axis=None) if self.reduction == "sum" else rows

    def vjp(self, g, p, t):
        if self.reduction == "none":
            g = g.reshape(p.shape[: self.axis] + (1,) + p.shape[self.axis + 1 :])
        elif self.reduction == "mean":
            g = g * (1.0 / self.n)
        if self.index is None:
            return (p * t.sum(axis=self.axis, keepdims=True) - t) * g, None
        if type(p) is np.ndarray:  # plain backward: p·g, then −g at the targets (two passes fewer)
            d = p * g
            d[self.index] -= g if np.ndim(g) == 0 else np.broadcast_to(g, p.shape)[self.index]
            return d, None
        onehot = np.zeros(p.shape, dtype=p.dtype)  # create_graph: the same formula, recorded
        onehot[self.index] = 1
        return (p - onehot) * g, None

    def lift(self, name, value):
        if name == "p":
            return _make(value, Softmax.of_output(self.parents[0], value, self.axis))
        return value
