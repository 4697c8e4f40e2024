"""Text for the pictures: shapes, bytes, small values, the Jacobian-versus-saved footer."""
import numpy as np

SOFTMAX_FAMILY = ("Softmax", "LogSoftmax", "LogSumExp", "CrossEntropy")


def shape_str(shape):
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"


def nbytes_str(n):
    for unit, size in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def values_str(arr, limit=4):
    """Small arrays as values (micrograd-style); None for anything bigger than ``limit``."""
    a = np.asarray(arr)
    if a.size > limit:
        return None
    if a.ndim == 0:
        return f"{a.item():.4g}"
    return "[" + ", ".join(f"{v:.4g}" for v in a.reshape(-1)) + "]"


def op_params(node):
    """The op's settings worth printing (axis, keepdims, ...), as ``key=value`` strings."""
    skip = {"parents", "saved", "sources", "shape", "dtype", "site", "locked", "index", "in_shape",
            "sizes", "count", "src", "x_vec", "y_vec", "n"}
    items = []
    for key, value in node.params().items():
        if key in skip or value is None:
            continue
        if key == "to" and isinstance(value, tuple):
            value = shape_str(value)
        items.append(f"{key}={value}")
    return items


def jacobian_bytes(node):
    """Bytes the explicit Jacobian diag(a) − a aᵀ would take for a softmax-family node:
    B·N²·itemsize, with N the size of the softmax axis and B the number of rows."""
    shape = _softmax_input_shape(node)
    if shape is None:
        return None
    n = shape[node.axis]
    rows = int(np.prod(shape)) // max(n, 1)
    return rows * n * n * np.dtype(node.dtype).itemsize, rows, n


def _softmax_input_shape(node):
    name = type(node).__name__
    if name not in SOFTMAX_FAMILY:
        return None
    parent = node.parents[0]
    return None if parent is None else tuple(parent.shape)
