"""Reductions. Their VJPs broadcast the gradient back; only Max saves arrays."""
import numpy as np

from ..op import Op
from .common import keep_shape, normalize_axis
from .shape import BroadcastTo


class Sum(Op):
    """y = Σₐ x;  x̄ = g broadcast to x's shape"""

    __slots__ = ("axis", "keepdims", "in_shape")

    def __init__(self, axis=None, keepdims=False):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        self.axis = normalize_axis(self.axis, np.ndim(x), "sum")
        self.in_shape = np.shape(x)
        return np.sum(x, axis=self.axis, keepdims=self.keepdims)

    def vjp(self, g):
        g = g.reshape(keep_shape(self.in_shape, self.axis))
        return (BroadcastTo.apply(g, shape=self.in_shape),)


class Mean(Op):
    """y = Σₐ x / n;  x̄ = g / n broadcast to x's shape"""

    __slots__ = ("axis", "keepdims", "in_shape")

    def __init__(self, axis=None, keepdims=False):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        self.axis = normalize_axis(self.axis, np.ndim(x), "mean")
        self.in_shape = np.shape(x)
        if np.size(x) == 0:
            raise ValueError(f"mean: the input of shape {self.in_shape} is empty; the mean is undefined")
        return np.mean(x, axis=self.axis, keepdims=self.keepdims)

    def vjp(self, g):
        shape = keep_shape(self.in_shape, self.axis)
        n = int(np.prod(self.in_shape)) // max(int(np.prod(shape)), 1)
        g = g.reshape(shape) * (1.0 / n)
        return (BroadcastTo.apply(g, shape=self.in_shape),)


class Max(Op):
    """y = maxₐ x;  x̄ = g·[x = y] / #ties  (ties share the gradient equally)"""

    __slots__ = ("axis", "keepdims")

    def __init__(self, axis=None, keepdims=False):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        self.axis = normalize_axis(self.axis, np.ndim(x), "max")
        if np.size(x) == 0:
            raise ValueError(f"max: cannot reduce the empty input of shape {np.shape(x)} (no identity)")
        out = np.max(x, axis=self.axis, keepdims=self.keepdims)
        self.save(x=x, out=out)
        return out

    def vjp(self, g, x, out):
        shape = keep_shape(x.shape, self.axis)
        hit = x == out.reshape(shape)
        return (g.reshape(shape) * hit / hit.sum(axis=self.axis, keepdims=True),)
