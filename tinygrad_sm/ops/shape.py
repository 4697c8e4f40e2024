"""Shape primitives: they save shapes and indices, never arrays."""
import numpy as np

from ..checks import is_int
from ..op import Op, Traced
from .common import single_axis


def index_arrays(index):
    """An index as NumPy takes it: tensors inside it become their arrays, lists become
    integer/bool arrays (``x[[]]`` is empty, as in NumPy)."""
    if isinstance(index, tuple):
        return tuple(_index_item(i) for i in index)
    return _index_item(index)


def _index_item(i):
    if isinstance(i, Traced):
        return i._data
    if isinstance(i, list):
        return np.asarray(i) if i else np.empty(0, dtype=np.intp)
    return i


class Reshape(Op):
    """y = x.reshape(shape);  x̄ = g.reshape(x.shape)"""

    __slots__ = ("to", "in_shape")
    params = ("to",)
    family = "shape"

    def __init__(self, shape):
        self.to = shape

    def forward(self, x):
        self.in_shape = np.shape(x)
        try:
            return np.reshape(x, self.to)
        except (ValueError, TypeError):
            raise ValueError(
                f"reshape: cannot reshape shape {self.in_shape} ({np.size(x)} elements) into "
                f"{tuple(self.to)}; the sizes must match (one axis may be -1)"
            ) from None

    def vjp(self, g):
        return (g.reshape(self.in_shape),)


class Transpose(Op):
    """y = x.transpose(axes);  x̄ = g.transpose(argsort(axes))"""

    __slots__ = ("axes",)
    params = ("axes",)
    family = "shape"

    def __init__(self, axes=None):
        self.axes = axes

    def forward(self, x):
        ndim = np.ndim(x)
        axes = tuple(reversed(range(ndim))) if self.axes is None else tuple(self.axes)
        for a in axes:
            if not is_int(a):
                raise TypeError(f"transpose: axes must be ints, got {a!r}")
            if not -ndim <= a < ndim:
                raise np.exceptions.AxisError(int(a), ndim, "transpose")
        if sorted(a % ndim for a in axes) != list(range(ndim)):
            raise ValueError(f"transpose: axes {axes} are not a permutation of the {ndim} axes of shape {np.shape(x)}")
        self.axes = tuple(a % ndim for a in axes)
        return np.transpose(x, self.axes)

    def vjp(self, g):
        return (g.transpose(tuple(np.argsort(self.axes))),)


class BroadcastTo(Op):
    """y = broadcast_to(x, shape);  x̄ = g (the engine sums the broadcast axes)"""

    __slots__ = ("to",)
    params = ("to",)
    family = "shape"

    def __init__(self, shape):
        self.to = tuple(shape)

    def forward(self, x):
        try:
            return np.broadcast_to(x, self.to)
        except ValueError:
            raise ValueError(f"broadcast_to: cannot broadcast shape {np.shape(x)} to {self.to}") from None

    def vjp(self, g):
        return (g,)


def _is_basic(index):
    """Basic indexing (ints, slices, None, ...) and boolean masks touch each element once."""
    items = index if isinstance(index, tuple) else (index,)
    for i in items:
        if isinstance(i, np.ndarray) and i.dtype != bool:
            return False
        if isinstance(i, (list, tuple)):
            return False
    return True


class GetItem(Op):
    """y = x[index];  x̄ = zeros(x.shape) with g added at index"""

    __slots__ = ("index", "in_shape")
    family = "shape"

    def __init__(self, index):
        self.index = index

    def forward(self, x):
        self.in_shape = np.shape(x)
        try:
            return x[self.index]
        except IndexError as e:
            raise IndexError(f"getitem: {e} (tensor of shape {self.in_shape})") from None

    def vjp(self, g):
        return (Scatter.apply(g, index=self.index, shape=self.in_shape),)


class Scatter(Op):
    """y = zeros(shape) with x added at index (GetItem's VJP);  x̄ = g[index]"""

    __slots__ = ("index", "to")
    params = ("to",)
    family = "shape"

    def __init__(self, index, shape):
        self.index = index
        self.to = shape

    def forward(self, x):
        out = np.zeros(self.to, dtype=np.result_type(x))
        if _is_basic(self.index):
            out[self.index] = x
        else:
            np.add.at(out, self.index, x)  # repeated indices accumulate
        return out

    def vjp(self, g):
        return (GetItem.apply(g, index=self.index),)


class Concatenate(Op):
    """y = concatenate(xs, axis);  x̄ᵢ = the i-th slice of g along axis"""

    __slots__ = ("axis", "sizes")
    params = ("axis",)
    family = "shape"

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        if not xs:
            raise ValueError("concatenate: needs at least one tensor")
        self.axis = single_axis(self.axis, np.ndim(xs[0]), "concatenate")
        try:
            out = np.concatenate(xs, axis=self.axis)
        except ValueError:
            shapes = ", ".join(str(np.shape(x)) for x in xs)
            raise ValueError(
                f"concatenate: shapes {shapes} differ outside axis {self.axis}; all other axes must match"
            ) from None
        self.sizes = tuple(np.shape(x)[self.axis] for x in xs)
        return out

    def vjp(self, g):
        lead = (slice(None),) * self.axis
        grads, start = [], 0
        for i, n in enumerate(self.sizes):
            grads.append(g[lead + (slice(start, start + n),)] if self.needs(i) else None)
            start += n
        return tuple(grads)


class Stack(Op):
    """y = stack(xs, axis);  x̄ᵢ = g indexed at i along axis"""

    __slots__ = ("axis", "count")
    params = ("axis",)
    family = "shape"

    def __init__(self, axis=0):
        self.axis = axis

    def forward(self, *xs):
        if not xs:
            raise ValueError("stack: needs at least one tensor")
        ndim = np.ndim(xs[0]) + 1
        if not is_int(self.axis):
            raise TypeError(f"stack: axis must be an int, got {self.axis!r}")
        if not -ndim <= self.axis < ndim:
            raise np.exceptions.AxisError(int(self.axis), ndim, "stack")
        shapes = {np.shape(x) for x in xs}
        if len(shapes) > 1:
            raise ValueError(f"stack: all shapes must be equal, got {', '.join(str(np.shape(x)) for x in xs)}")
        out = np.stack(xs, axis=self.axis)
        self.axis = self.axis % out.ndim
        self.count = len(xs)
        return out

    def vjp(self, g):
        lead = (slice(None),) * self.axis
        return tuple(g[lead + (i,)] if self.needs(i) else None for i in range(self.count))
