"""Small helpers the primitives share: axis normalisation and shape errors."""
import numpy as np


def normalize_axis(axis, ndim, op):
    """``axis`` (None, int or tuple) as a sorted tuple of non-negative ints (None stays None)."""
    if axis is None:
        return None
    if type(axis) is int and -ndim <= axis < ndim:  # the common case, fast
        return (axis % ndim,)
    axes = axis if isinstance(axis, tuple) else (axis,)
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {a!r}")
        if not -ndim <= a < ndim:
            raise np.exceptions.AxisError(int(a), ndim, op)
        out.append(int(a) % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: repeated axis in {axis!r}")
    return tuple(sorted(out))


def single_axis(axis, ndim, op):
    if type(axis) is int and -ndim <= axis < ndim:  # the common case, fast
        return axis % ndim
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{op}: axis must be an int, got {axis!r}")
    return normalize_axis(axis, ndim, op)[0]


def keep_shape(shape, axes):
    """``shape`` with the reduced ``axes`` kept as size 1 (``keepdims=True``)."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def broadcast_error(op, x, y):
    """The error for operands that do not broadcast: names the op and both shapes."""
    return ValueError(
        f"{op}: shapes {np.shape(x)} and {np.shape(y)} cannot be broadcast together "
        f"(trailing axes must be equal or 1; reshape one operand, e.g. .reshape(-1, 1))"
    )
