"""Small helpers the primitives share: axis normalisation and error messages."""
import numpy as np

from ..checks import is_int


def normalize_axis(axis, ndim, op):
    """``axis`` (None, int or tuple) as a sorted tuple of non-negative ints (None stays None)."""
    if axis is None:
        return None
    if type(axis) is int and -ndim <= axis < ndim:  # the common case, fast
        return (axis % ndim,)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for a in axes:
        if not is_int(a):
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
    if not is_int(axis):
        raise TypeError(f"{op}: axis must be an int, got {axis!r}")
    return normalize_axis(axis, ndim, op)[0]


def keep_shape(shape, axes):
    """``shape`` with the reduced ``axes`` kept as size 1 (``keepdims=True``)."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def describe(x):
    """``float64 (3, 4)``, or the Python type of a scalar."""
    if isinstance(x, np.ndarray):
        return f"{x.dtype} {x.shape}"
    return type(x).__name__


def operand_error(op, err, *operands):
    """The error for a NumPy failure inside ``op``: a broadcasting message only when the
    shapes really do not broadcast; otherwise NumPy's own reason, with the operands."""
    shapes = [np.shape(x) for x in operands]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        return ValueError(
            f"{op}: shapes {', '.join(str(s) for s in shapes)} cannot be broadcast together "
            f"(trailing axes must be equal or 1; reshape one operand, e.g. .reshape(-1, 1))"
        )
    kind = TypeError if isinstance(err, TypeError) else ValueError  # NumPy's own subclasses take other arguments
    return kind(f"{op}: {err} (operands {', '.join(describe(x) for x in operands)})")


def resolve_axis(axis, dim, keepdims, keepdim, op):
    """``(axis, keepdims)`` from NumPy's spelling (``axis``, ``keepdims``) or PyTorch's
    (``dim``, ``keepdim``); giving both names of one argument is a TypeError naming both."""
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{op}: got both axis={axis!r} and dim={dim!r}; pass one (dim is PyTorch's name for axis)")
        axis = dim
    if keepdim is not None:
        if keepdims:
            raise TypeError(f"{op}: got both keepdims and keepdim (keepdims={keepdims!r}, keepdim={keepdim!r}); "
                            f"pass one (keepdim is PyTorch's name for keepdims)")
        keepdims = keepdim
    return axis, bool(keepdims)
