"""Softmax, log_softmax and logsumexp as primitives.

For a = softmax(z) the Jacobian is J = diag(a) − a aᵀ, a function of the output
alone, and symmetric; so the VJP gᵀJ = a ∘ (g − ⟨g, a⟩) needs only the cached a
and O(N) work. Nothing here ever builds J. The README derives it.
"""
import math

import numpy as np

from ..op import Op
from .common import single_axis
from .elementwise import Exp, Where


def shifted_exp(x, axis, mask):
    """(z, e, s, m, dead) for the stable softmax along ``axis``.

    z is x with excluded entries (mask False) at -inf; m its max along axis; e =
    exp(z − m); s = Σ e. ``dead`` marks rows whose every entry is excluded: their
    m is set to 0 and s to 1 so they give zeros, never 0/0.
    """
    z = x if mask is None else np.where(mask, x, -np.inf)
    m = np.maximum.reduce(z, axis=axis, keepdims=True)
    dead = None
    finite = math.isfinite(np.add.reduce(m, axis=None))
    if not finite:  # one reduction: rare rows need a closer look
        dead = np.isneginf(m)
        if dead.any():
            m = np.where(dead, 0, m)
        else:
            dead = None
    if finite:
        e = np.subtract(z, m)
    else:
        with np.errstate(invalid="ignore"):  # +inf − +inf in a row holding +inf: NaN, which callers handle
            e = np.subtract(z, m)
    np.exp(e, out=e)
    n = e.shape[axis]
    if axis == e.ndim - 1 and n >= 64 and e.dtype.kind == "f":
        s = (e @ np.ones(n, e.dtype))[..., None]  # BLAS row sums beat NumPy's short-row reduce
    else:
        s = np.add.reduce(e, axis=axis, keepdims=True)
    if dead is not None:
        s = np.where(dead, 1, s)
    return z, e, s, m, dead


BLOCK_ABOVE = 8 * 2**20  # arrays larger than this go through in row blocks...
BLOCK_BYTES = 256 * 2**10  # ...of about this many bytes, so the three passes share the L2 cache


def softmax_vjp(g, a, axis, out=None):
    """a ∘ (g − ⟨g, a⟩) on ndarrays: one ``vecdot``, then subtract and multiply into one
    buffer (``out`` if given, which may be ``g`` itself).

    Three passes over memory. Large arrays with a contiguous last axis are processed
    in row blocks of ~256 KiB, so the second and third passes read from cache; on a
    2-core EPYC that brings the kernel from ~2.3x to ~1.7x a single streaming pass.
    """
    ndim = g.ndim
    if axis < 0:
        axis += ndim
    if g.nbytes > BLOCK_ABOVE and axis == ndim - 1 and g.shape == a.shape and g.flags.c_contiguous and \
            a.flags.c_contiguous and (out is None or out.shape == g.shape and out.flags.c_contiguous):
        if out is None:
            out = np.empty(g.shape, dtype=np.result_type(g, a))
        n = g.shape[-1]
        g2, a2, o2 = g.reshape(-1, n), a.reshape(-1, n), out.reshape(-1, n)
        rows = max(1, BLOCK_BYTES // max(n * g.itemsize, 1))
        for start in range(0, g2.shape[0], rows):
            stop = start + rows
            _vjp_rows(g2[start:stop], a2[start:stop], o2[start:stop])
        return out
    dot = np.vecdot(g, a, axis=axis)
    dot = dot[..., None] if axis == ndim - 1 else dot.reshape(dot.shape[:axis] + (1,) + dot.shape[axis:])
    out = np.subtract(g, dot, out=out)
    np.multiply(out, a, out=out)
    return out


def _vjp_rows(g, a, out):
    np.subtract(g, np.vecdot(g, a)[:, None], out=out)
    np.multiply(out, a, out=out)


def _check(x, mask, axis, op):
    """The input as a floating array, the axis as an int, the mask as a boolean array (or None)."""
    x = np.asarray(x)
    if x.dtype.kind in "biu":
        x = x.astype(np.float64)  # integers and booleans compute in float64
    elif x.dtype.kind != "f":
        raise TypeError(f"{op}: needs real numbers, got dtype {x.dtype}")
    if x.ndim == 0:
        raise ValueError(f"{op}: needs at least one axis, got a 0-d input")
    axis = single_axis(axis, x.ndim, op)
    if x.shape[axis] == 0:
        raise ValueError(
            f"{op}: axis {axis} of shape {x.shape} has size 0; {op} needs at least one entry along its axis"
        )
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise TypeError(f"{op}: mask must be boolean (True = keep), got dtype {mask.dtype}")
        try:
            if np.broadcast_shapes(mask.shape, x.shape) != x.shape:
                raise ValueError
        except ValueError:
            raise ValueError(
                f"{op}: mask of shape {mask.shape} does not broadcast to the input's shape {x.shape}"
            ) from None
    return x, axis, mask


class Softmax(Op):
    """a = exp(z) / Σ exp(z);  z̄ = a ∘ (g − ⟨g, a⟩)  (saves only a)"""

    __slots__ = ("axis", "mask")
    params = ("axis",)
    family = "softmax"

    def __init__(self, axis=-1, mask=None):
        self.axis = axis
        self.mask = mask

    def forward(self, x):
        x, self.axis, mask = _check(x, self.mask, self.axis, "softmax")
        self.mask = None  # backward does not need it: excluded entries have a = 0
        _, e, s, _, _ = shifted_exp(x, self.axis, mask)
        np.multiply(e, 1 / s, out=e)
        self.save(e)
        return e

    def vjp(self, g, out):
        return (SoftmaxVJP.apply(g, out, axis=self.axis),)


class SoftmaxVJP(Op):
    """h = a ∘ (g − ⟨g, a⟩), softmax's VJP as an op, so backward can be differentiated.

    ḡ = a ∘ (u − ⟨u, a⟩)   (J is symmetric: the same formula)
    ā = u ∘ (g − ⟨g, a⟩) − g ⟨u, a⟩
    """

    __slots__ = ("axis",)
    params = ("axis",)
    family = "softmax-backward"

    def __init__(self, axis):
        self.axis = axis

    def forward(self, g, a):
        self.save(g if self.needs(1) else None, a)
        return softmax_vjp(g, a, self.axis)

    def vjp(self, u, g, a):
        ax = self.axis
        gg = SoftmaxVJP.apply(u, a, axis=ax) if self.needs(0) else None
        ga = None
        if self.needs(1):
            ga = u * (g - (g * a).sum(axis=ax, keepdims=True)) - g * (u * a).sum(axis=ax, keepdims=True)
        return gg, ga


class LogSoftmax(Op):
    """y = z − logsumexp(z);  z̄ = g − exp(y)·Σg  (saves only y, plus the keep-mask if masked)"""

    __slots__ = ("axis", "mask")
    params = ("axis",)
    family = "softmax"

    def __init__(self, axis=-1, mask=None):
        self.axis = axis
        self.mask = mask

    def forward(self, x):
        x, self.axis, mask = _check(x, self.mask, self.axis, "log_softmax")
        self.mask = None
        z, _, s, m, dead = shifted_exp(x, self.axis, mask)
        out = z - m  # then − log s: adding log s to a large m first would round it away
        out -= np.log(s)
        keep = None
        if mask is not None or dead is not None:
            keep = z > -np.inf
            if dead is not None:
                out = np.where(dead, 0, out)
        self.save(out, keep)
        return out

    def nonfinite_ok(self):
        keep = self.saved[1] if self.saved else None  # read in forward, before anything is freed
        return None if keep is None else ~keep  # excluded entries are -inf by design

    def vjp(self, g, out, keep):
        if keep is not None:
            g = Where.apply(keep, g, 0)
        return (g - Exp.apply(out) * g.sum(axis=self.axis, keepdims=True),)


class LogSumExp(Op):
    """y = log Σ exp(z);  z̄ = g·exp(z − y) = g·softmax(z)

    Saves its input and its output (one number per row), and recomputes the softmax
    from them in backward: no extra array, and under ``create_graph`` both re-attach
    to the graph, so the Hessian diag(a) − a aᵀ comes out exact.
    """

    __slots__ = ("axis", "keepdims", "mask")
    params = ("axis", "keepdims")
    family = "softmax"

    def __init__(self, axis=-1, keepdims=False, mask=None):
        self.axis = axis
        self.keepdims = keepdims
        self.mask = mask

    def forward(self, x):
        x, self.axis, mask = _check(x, self.mask, self.axis, "logsumexp")
        self.mask = None
        _, _, s, m, _ = shifted_exp(x, self.axis, mask)
        out = m + np.log(s)  # a fully excluded row has m = 0, s = 1: it gives 0
        if not math.isfinite(np.add.reduce(m, axis=None)) and np.isposinf(m).any():
            out = np.where(np.isposinf(m), np.inf, out)  # a +inf entry: the sum is +inf, not inf − inf
        if not self.keepdims:
            out = out.reshape(out.shape[: self.axis] + out.shape[self.axis + 1 :])
        if self.needs(0):
            self.save(x, out, mask)
        return out

    def vjp(self, g, x, out, mask):
        shape = x.shape[: self.axis] + (1,) + x.shape[self.axis + 1 :]
        if mask is not None:
            x = Where.apply(mask, x, -np.inf)
        p = Exp.apply(x - out.reshape(shape))
        return (g.reshape(shape) * p,)
