"""Text for the pictures: shapes, bytes, small values, the Jacobian-versus-saved footer."""
import numpy as np


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
    """The op's settings (what it lists in ``params``), as ``key=value`` strings."""
    items = []
    for key, value in node.settings().items():
        if value is None or (key == "label_smoothing" and not value):
            continue
        if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
            value = shape_str(value)
        elif hasattr(value, "name") and hasattr(value, "itemsize"):  # a dtype
            value = value.name
        items.append(f"{key}={value}")
    return items


def jacobian_bytes(node):
    """Bytes the explicit Jacobian diag(a) − a aᵀ would take for a softmax-family node:
    B·N²·itemsize, with N the size of the softmax axis and B the number of rows."""
    if node.family != "softmax" or not node.parents or node.parents[0] is None:
        return None
    shape = tuple(node.parents[0].shape)
    n = shape[node.axis]
    rows = int(np.prod(shape)) // max(n, 1)
    return rows * n * n * np.dtype(node.dtype).itemsize, rows, n
