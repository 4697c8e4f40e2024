"""Reductions. Sum and Mean save only shapes; Max and Min save which entries won."""
import numpy as np

from ..op import Op
from .common import keep_shape, normalize_axis
from .shape import BroadcastTo


class Sum(Op):
    """y = Σₐ x;  x̄ = g broadcast to x's shape"""

    __slots__ = ("axis", "keepdims", "in_shape")
    params = ("axis", "keepdims")
    family = "reduce"

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
    params = ("axis", "keepdims")
    family = "reduce"

    def __init__(self, axis=None, keepdims=False):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        self.axis = normalize_axis(self.axis, np.ndim(x), "mean")
        self.in_shape = np.shape(x)
        if _reduced_size(self.in_shape, self.axis) == 0:
            raise ValueError(
                f"mean: the axes {self.axis} of shape {self.in_shape} are empty; the mean of no numbers is undefined"
            )
        return np.mean(x, axis=self.axis, keepdims=self.keepdims)

    def vjp(self, g):
        g = g.reshape(keep_shape(self.in_shape, self.axis)) * (1.0 / _reduced_size(self.in_shape, self.axis))
        return (BroadcastTo.apply(g, shape=self.in_shape),)


class Max(Op):
    """y = maxₐ x;  x̄ = g·[x = y] / #ties  (ties share the gradient equally; a NaN wins and
    takes the gradient, as in PyTorch)"""

    __slots__ = ("axis", "keepdims")
    params = ("axis", "keepdims")
    family = "reduce"
    reduce = staticmethod(np.max)
    word = "max"

    def __init__(self, axis=None, keepdims=False):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x):
        x = np.asarray(x)
        self.axis = normalize_axis(self.axis, x.ndim, self.word)
        if _reduced_size(x.shape, self.axis) == 0:
            raise ValueError(f"{self.word}: cannot reduce the empty axes of shape {x.shape} (no identity)")
        out = self.reduce(x, axis=self.axis, keepdims=True)
        if self.parents[0] is not None:
            hit = x == out
            if x.dtype.kind in "fc":
                nan = np.isnan(out)
                if nan.any():
                    hit |= np.isnan(x) & nan
            self.save(hit, np.sum(hit, axis=self.axis, keepdims=True))
        return out if self.keepdims else out.reshape(_dropped(x.shape, self.axis))

    def vjp(self, g, hit, count):
        return ((g.reshape(count.shape) / count) * hit,)


class Min(Max):
    """y = minₐ x;  x̄ = g·[x = y] / #ties"""

    __slots__ = ()
    reduce = staticmethod(np.min)
    word = "min"


def _reduced_size(shape, axis):
    """How many entries each output of a reduction over ``axis`` summarises."""
    if axis is None:
        return int(np.prod(shape))
    return int(np.prod([shape[a] for a in axis]))


def _dropped(shape, axis):
    """``shape`` without the reduced axes (``keepdims=False``)."""
    return () if axis is None else tuple(n for i, n in enumerate(shape) if i not in axis)
