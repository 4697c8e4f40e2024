"""Softmax, log_softmax and logsumexp as primitives.

For a = softmax(z) the Jacobian is J = diag(a) − a aᵀ, a function of the output
alone, and symmetric; so the VJP gᵀJ = a ∘ (g − ⟨g, a⟩) needs only the cached a
and O(N) work. Nothing here ever builds J. The README derives it.
"""
import math

import numpy as np

from ..op import _OUT, Op, _sequence
from ..tensor import _make
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
    if not math.isfinite(np.add.reduce(m, axis=None)):  # one reduction: rare rows need a closer look
        dead = np.isneginf(m)
        if dead.any():
            m = np.where(dead, 0, m)
        else:
            dead = None
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
    axis = single_axis(axis, np.ndim(x), op)
    if np.shape(x)[axis] == 0:
        raise ValueError(
            f"{op}: axis {axis} of shape {np.shape(x)} has size 0; {op} needs at least one entry along its axis"
        )
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype != bool:
            raise TypeError(f"{op}: mask must be boolean (True = keep), got dtype {mask.dtype}")
        try:
            if np.broadcast_shapes(mask.shape, np.shape(x)) != np.shape(x):
                raise ValueError
        except ValueError:
            raise ValueError(
                f"{op}: mask of shape {mask.shape} does not broadcast to the input's shape {np.shape(x)}"
            ) from None
    return axis, mask


class Softmax(Op):
    """a = exp(z) / Σ exp(z);  z̄ = a ∘ (g − ⟨g, a⟩)  (saves only a)"""

    __slots__ = ("axis",)

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x, mask):
        self.axis, mask = _check(x, mask, self.axis, "softmax")
        _, e, s, _, _ = shifted_exp(x, self.axis, mask)
        np.multiply(e, 1 / s, out=e)
        self.save(out=e)
        return e

    def vjp(self, g, out):
        if type(g) is np.ndarray:  # plain backward: straight to the kernel
            return softmax_vjp(g, out, self.axis), None
        return SoftmaxVJP.apply(g, out, axis=self.axis), None  # create_graph: recorded, differentiable

    @classmethod
    def of_output(cls, parent, out, axis):
        """A softmax node whose output is the array ``out`` computed by another op
        (logsumexp, cross_entropy), so that array can be differentiated under
        ``create_graph`` exactly as if softmax had made it."""
        node = cls(axis)
        node.parents = (parent, None)
        node.saved = {"out": out}
        node.sources = {"out": _OUT}
        node.shape, node.dtype = out.shape, out.dtype
        node.site = node.locked = None
        node.seq = next(_sequence)  # made now: after its parent, before the ops that will read it
        return node


class SoftmaxVJP(Op):
    """h = a ∘ (g − ⟨g, a⟩), softmax's VJP as an op, so backward can be differentiated.

    ḡ = a ∘ (u − ⟨u, a⟩)   (J is symmetric: the same formula)
    ā = u ∘ (g − ⟨g, a⟩) − g ⟨u, a⟩
    """

    __slots__ = ("axis",)

    def __init__(self, axis):
        self.axis = axis

    def forward(self, g, a):
        self.save(g=g if self.needs(1) else None, a=a)
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

    __slots__ = ("axis",)

    def __init__(self, axis=-1):
        self.axis = axis

    def forward(self, x, mask):
        self.axis, mask = _check(x, mask, self.axis, "log_softmax")
        z, _, s, m, dead = shifted_exp(x, self.axis, mask)
        out = z - (m + np.log(s))
        keep = None
        if mask is not None or dead is not None:
            keep = z > -np.inf
            if dead is not None:
                out = np.where(dead, 0, out)
        self.save(out=out, keep=keep)
        return out

    def vjp(self, g, out, keep):
        if keep is not None:
            g = Where.apply(keep, g, 0)
        return g - Exp.apply(out) * g.sum(axis=self.axis, keepdims=True), None


class LogSumExp(Op):
    """y = log Σ exp(z);  z̄ = g·softmax(z)  (saves the softmax it computed on the way)"""

    __slots__ = ("axis", "keepdims")

    def __init__(self, axis=-1, keepdims=False):
        self.axis = axis
        self.keepdims = keepdims

    def forward(self, x, mask):
        self.axis, mask = _check(x, mask, self.axis, "logsumexp")
        _, e, s, m, _ = shifted_exp(x, self.axis, mask)
        out = m + np.log(s)  # a fully excluded row has m = 0, s = 1: it gives 0
        np.multiply(e, 1 / s, out=e)
        self.save(p=e)
        return out if self.keepdims else np.squeeze(out, self.axis)

    def vjp(self, g, p):
        if not self.keepdims:
            g = g.reshape(p.shape[: self.axis] + (1,) + p.shape[self.axis + 1 :])
        return g * p, None

    def lift(self, name, value):
        return _make(value, Softmax.of_output(self.parents[0], value, self.axis))
