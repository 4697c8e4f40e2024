"""The explicit Jacobians the softmax-family VJPs never build, built here for comparison.

For a softmax node, ``explicit_vjp(node, g)`` forms each row's Jacobian (diag(a) − a aᵀ
for softmax) from what the node saved and returns ``(Jᵀg, J's bytes, J's formula)``: the
step-through page shows it beside the VJP's result and the bytes the VJP read. Slow on
purpose (rows × N × N); too large a Jacobian is not built (the bytes are still given).
"""
import numpy as np

from ..ops import CrossEntropy, LogSoftmax, LogSumExp, Softmax
from ..ops.softmax import shifted_exp

MAX_ENTRIES = 2**22  # 32 MiB of float64: larger Jacobians are reported, not built


def explicit_vjp(node, g):
    """``(jacobian_g or None, jacobian_bytes, formula)`` for a softmax-family node; None
    for any other node."""
    rule = RULES.get(type(node))
    if rule is None or node.parents[0] is None:
        return None
    saved = node.saved_arrays()
    axis = node.axis
    rows_of, formula, per_row = rule
    shape = tuple(node.parents[0].shape)  # the input's
    n = shape[axis]
    rows = int(np.prod(shape)) // max(n, 1)
    m = n if per_row == "n" else 1
    nbytes = rows * m * n * np.dtype(node.dtype).itemsize
    if rows * m * n > MAX_ENTRIES:
        return None, nbytes, formula
    jac = rows_of(node, saved, axis)  # (rows, m, n): row r's Jacobian, output i by input k
    g = np.asarray(g)
    if m == 1:  # one output per row (or one for all rows, a scalar loss): g per row
        keep = shape[:axis] + (1,) + shape[axis + 1 :]
        g = g.reshape(keep) if g.size == rows else np.broadcast_to(g, keep)
    out = np.einsum("rik,ri->rk", jac, _rows(g, axis))
    return _unrows(out, shape, axis), nbytes, formula


def _rows(a, axis):
    """``a`` with ``axis`` last, as rows: shape (rows, size of axis)."""
    a = np.moveaxis(np.asarray(a), axis, -1)
    return a.reshape(-1, a.shape[-1])


def _unrows(rows, shape, axis):
    moved = np.moveaxis(np.empty(shape, dtype=bool), axis, -1).shape
    return np.moveaxis(rows.reshape(moved), -1, axis)


def _softmax(node, saved, axis):
    a = _rows(saved["out"], axis)
    return a[:, :, None] * np.eye(a.shape[1]) - a[:, :, None] * a[:, None, :]  # diag(a) − a aᵀ


def _log_softmax(node, saved, axis):
    y = saved["out"]
    p = _rows(np.exp(y), axis)
    jac = np.eye(p.shape[1]) - p[:, None, :]  # ∂y_i/∂z_k = δ_ik − p_k
    keep = saved.get("keep")
    if keep is not None:  # an excluded output is −inf whatever z is: its row is zero
        jac = jac * _rows(np.broadcast_to(keep, y.shape), axis)[:, :, None]
    return jac


def _logsumexp(node, saved, axis):
    x, out, mask = saved["x"], saved["out"], saved.get("mask")
    shape = x.shape[:axis] + (1,) + x.shape[axis + 1 :]
    if mask is not None:
        x = np.where(mask, x, -np.inf)
    return _rows(np.exp(x - out.reshape(shape)), axis)[:, None, :]  # ∂y/∂z_k = softmax(z)_k


def _cross_entropy(node, saved, axis):
    z, t = saved["z"], saved["t"]
    _, e, s, _, _ = shifted_exp(z, axis, None)
    p = e / s
    q = node._targets(t, z, saved.get("w")).astype(z.dtype)  # the op's own (weighted) targets
    jac = p * q.sum(axis=axis, keepdims=True) - q  # ∂ℓ_row/∂z_k = p_k Σq − q_k
    if node.reduction == "mean":
        jac = jac * node.scale
    return _rows(jac, axis)[:, None, :]


# op -> (rows of the Jacobian, its formula, whether an output row has "n" entries or "1")
RULES = {
    Softmax: (_softmax, "J = diag(a) − a aᵀ", "n"),
    LogSoftmax: (_log_softmax, "J = I − 1 pᵀ  (p = exp(y))", "n"),
    LogSumExp: (_logsumexp, "J = pᵀ  (p = softmax(z), one row per output)", "1"),
    CrossEntropy: (_cross_entropy, "J = (p Σq − q)ᵀ  (one row per output; ÷ rows for the mean)", "1"),
}
