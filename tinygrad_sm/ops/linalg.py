"""Matrix product, for 1-D, 2-D and batched (broadcast) operands."""
import math

import numpy as np

from ..op import Op


class MatMul(Op):
    """z = x @ y;  x̄ = g @ yᵀ,  ȳ = xᵀ @ g

    1-D operands are promoted to matrices (x to a row, y to a column) and the
    gradient is squeezed back; the engine sums broadcast batch axes away.
    """

    __slots__ = ("x_vec", "y_vec")
    family = "linalg"

    def forward(self, x, y):
        if not isinstance(x, np.ndarray) or not isinstance(y, np.ndarray) or x.ndim == 0 or y.ndim == 0:
            raise ValueError(
                f"matmul: operands need at least one axis, got {_what(x)} and {_what(y)}; "
                f"use * to scale by a number"
            )
        x_vec, y_vec = x.ndim == 1, y.ndim == 1
        k_x = x.shape[-1]
        k_y = y.shape[-2] if y.ndim > 1 else y.shape[0]
        if k_x != k_y:
            raise ValueError(
                f"matmul: shapes {x.shape} and {y.shape} are not aligned: the last axis of x ({k_x}) must "
                f"equal the {'only' if y_vec else 'second-to-last'} axis of y ({k_y})"
            )
        try:
            out = np.matmul(x, y)
        except ValueError:
            raise ValueError(
                f"matmul: shapes {x.shape} and {y.shape}: the batch axes {x.shape[:-2]} and {y.shape[:-2]} "
                f"do not broadcast together"
            ) from None
        self.x_vec, self.y_vec = x_vec, y_vec
        self.save(x if self.needs(1) else None, y if self.needs(0) else None)
        return out

    def vjp(self, g, x, y):
        if self.y_vec:  # restore the squeezed n axis
            g = g.reshape(g.shape + (1,))
        if self.x_vec:  # restore the squeezed m axis
            g = g.reshape(g.shape[:-1] + (1, g.shape[-1]))
        gx = gy = None
        if self.needs(0):
            gx = g @ (y.reshape(-1, 1) if self.y_vec else y).swapaxes(-1, -2)
            if self.x_vec:
                gx = gx.reshape(gx.shape[:-2] + gx.shape[-1:])
        if self.needs(1):
            gy = (x.reshape(1, -1) if self.x_vec else x).swapaxes(-1, -2) @ g
            if self.y_vec:
                gy = gy.reshape(gy.shape[:-1])
        return gx, gy


class Affine(Op):
    """z = x @ Wᵀ + b  (W of shape (out, in) as in PyTorch, b of shape (out,), x of shape (..., in));
    x̄ = g @ W,  W̄ = gᵀ x,  b̄ = Σ g over the leading axes.

    One node for what ``nn.Linear`` does, instead of a MatMul and an Add: one
    record, one temporary and one graph node fewer per layer.
    """

    __slots__ = ("w_columns",)  # W is column-major: W̄ is made column-major too (a mixed update is slow)
    family = "linalg"

    def forward(self, x, w, b):
        if x.ndim == 0 or w.ndim != 2 or b.ndim != 1 or b.shape[0] != w.shape[0] or x.shape[-1] != w.shape[1]:
            raise ValueError(
                f"affine: x {x.shape} @ W.T {w.shape} + b {b.shape} needs W of shape (out, in), "
                f"x of shape (..., in) and b of shape (out,)"
            )
        out = x @ w.T
        self.w_columns = w.flags.f_contiguous and not w.flags.c_contiguous
        if out.dtype == np.result_type(out, b):
            out += b
        else:  # b promotes the result (float64 bias on float32 x @ W): as x @ W + b would
            out = out + b
        self.save(x if self.needs(1) else None, w if self.needs(0) else None)
        return out

    def vjp(self, g, x, w):
        gx = g @ w if self.needs(0) else None
        if self.needs(1) or self.needs(2):
            rows = math.prod(g.shape[:-1])  # not -1: that is ambiguous next to a zero-size axis
            g2 = g.reshape(rows, g.shape[-1])
        gw = None
        if self.needs(1):
            x2 = x.reshape(rows, x.shape[-1])
            if self.w_columns and type(g2) is np.ndarray and type(x2) is np.ndarray:
                gw = np.empty((g2.shape[1], x2.shape[1]), np.result_type(g2, x2), order="F")
                np.matmul(g2.swapaxes(-1, -2), x2, out=gw)  # in W's column-major layout, owned
            elif self.w_columns:
                gw = (x2.swapaxes(-1, -2) @ g2).swapaxes(-1, -2)
            else:
                gw = g2.swapaxes(-1, -2) @ x2
        gb = g2.sum(axis=0) if self.needs(2) else None
        return gx, gw, gb


def _what(a):
    return f"shape {a.shape}" if isinstance(a, np.ndarray) else f"a {type(a).__name__}"
