"""Function transforms built on ``grad``: vjp, jvp, jacobian, hessian."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .autograd.gradients import grad
from .grad_mode import no_grad
from .tensor import Tensor

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from numpy.typing import ArrayLike


def _leaf(x: ArrayLike | Tensor) -> Tensor:
    """A tensor the transform can differentiate with respect to."""
    if isinstance(x, Tensor) and x.requires_grad:
        return x
    data = x._data if isinstance(x, Tensor) else np.asarray(x)
    if data.dtype.kind != "f":
        data = data.astype(np.float64)
    return Tensor(data, requires_grad=True)


def _zeros_for(gs, xs):
    return tuple(Tensor(np.zeros(x.shape, x.dtype)) if g is None else g for g, x in zip(gs, xs))


def vjp(f: Callable[..., Tensor], *inputs: ArrayLike | Tensor, v: ArrayLike | Tensor | None = None,
        create_graph: bool = False) -> tuple[Tensor, tuple[Tensor, ...]]:
    """``(f(*inputs), vᵀ J)``: the output and the gradient of ⟨v, f⟩ for each input.

    ``v`` defaults to ones for a single-element output. Returns the output and a
    tuple of gradients, one per input (zeros for inputs ``f`` does not use).
    """
    xs = [_leaf(x) for x in inputs]
    out = _output(f(*xs), "vjp")
    if not out.requires_grad:  # f does not depend on its inputs
        return out, tuple(Tensor(np.zeros(x.shape, x.dtype)) for x in xs)
    gs = grad(out, xs, v, create_graph=create_graph, allow_unused=True)
    return (out if create_graph else out.detach()), _zeros_for(gs, xs)


def jvp(f: Callable[..., Tensor], inputs: ArrayLike | Tensor | Sequence[ArrayLike | Tensor],
        tangents: ArrayLike | Tensor | Sequence[ArrayLike | Tensor]) -> tuple[Tensor, Tensor]:
    """``(f(*inputs), J t)``, forward-mode by the double-VJP trick.

    ``u ↦ Jᵀu`` is linear in a dummy cotangent u, so differentiating it with respect
    to u along t gives J t. ``inputs`` and ``tangents`` are a tensor each or
    matching sequences.
    """
    single = not isinstance(inputs, (list, tuple))
    xs = [_leaf(x) for x in ([inputs] if single else inputs)]  # type: ignore[arg-type, union-attr]
    ts: list[Any] = [tangents] if single else list(tangents)  # type: ignore[arg-type]
    if len(ts) != len(xs):
        raise ValueError(f"jvp: {len(xs)} inputs but {len(ts)} tangents")
    ts = [t._data if isinstance(t, Tensor) else np.asarray(t, dtype=x.dtype) for t, x in zip(ts, xs)]
    for i, (t, x) in enumerate(zip(ts, xs)):
        if t.shape != x.shape:
            raise ValueError(f"jvp: tangent {i} has shape {t.shape} but input {i} has shape {x.shape}")
    out = _output(f(*xs), "jvp")
    if not out.requires_grad:  # f does not depend on its inputs: a zero tangent
        return out, Tensor(np.zeros(out.shape, out.dtype))
    u = Tensor(np.zeros(out.shape, out.dtype), requires_grad=True)
    gs = grad(out, xs, u, create_graph=True, allow_unused=True)
    pairs = [(g, t) for g, t in zip(gs, ts) if g is not None and g.requires_grad]
    if not pairs:
        return out.detach(), Tensor(np.zeros(out.shape, out.dtype))
    (jt,) = grad([g for g, _ in pairs], [u], [t for _, t in pairs], allow_unused=True)
    return out.detach(), (Tensor(np.zeros(out.shape, out.dtype)) if jt is None else jt)


def jacobian(f: Callable[[Tensor], Tensor], x: ArrayLike | Tensor, vectorize: bool = False) -> Tensor:
    """The Jacobian of ``f`` at ``x``, shaped ``f(x).shape + x.shape``.

    By default one backward pass per output element, through one recorded graph.
    ``vectorize=True`` does it in a single backward: it evaluates ``f`` once on
    ``m`` stacked copies of ``x`` (m = output size) and backpropagates the identity
    as a batch of cotangents. That is exact only if ``f`` treats a leading axis as
    a batch (elementwise ops, softmax along the last axis, ``x @ W``); the batched
    output is checked against ``f(x)`` and a mismatch raises.
    """
    x = _leaf(x)
    if vectorize:
        return _jacobian_batched(f, x)
    out = _output(f(x), "jacobian")
    rows = np.zeros((out.size,) + x.shape, dtype=x.dtype)
    if not out.requires_grad:  # f does not depend on x (a constant, or a linear map's gradient)
        return Tensor(rows.reshape(out.shape + x.shape))
    seed = np.zeros(out.size, dtype=out.dtype)
    for i in range(out.size):
        seed[i] = 1
        last = i == out.size - 1
        (g,) = grad(out, [x], seed.reshape(out.shape), retain_graph=not last, allow_unused=True)
        seed[i] = 0
        if g is not None:
            rows[i] = g._data
    return Tensor(rows.reshape(out.shape + x.shape))


def _jacobian_batched(f, x):
    with no_grad():
        ref = f(Tensor(x._data))
    m = ref.size
    batch = Tensor(np.broadcast_to(x._data, (m,) + x.shape), requires_grad=True)
    out = _output(f(batch), "jacobian")
    if not out.requires_grad:
        return Tensor(np.zeros(ref.shape + x.shape, x.dtype))
    # Different batch shapes may take different SIMD paths: agree to a few ulps, not bit for bit.
    tol = 64 * np.finfo(out.dtype).eps if out.dtype.kind == "f" else 0
    if out.shape != (m,) + ref.shape or not np.allclose(out._data, ref._data[None], rtol=tol, atol=tol, equal_nan=True):
        raise ValueError(
            f"jacobian(vectorize=True): f on {m} stacked copies of x gave shape {out.shape}, expected "
            f"{(m,) + ref.shape} with every row equal to f(x); f does not treat the leading axis as a "
            f"batch, so use vectorize=False"
        )
    seeds = np.eye(m, dtype=out.dtype).reshape(out.shape)
    (g,) = grad(out, [batch], seeds, allow_unused=True)
    rows = np.zeros((m,) + x.shape, x.dtype) if g is None else g._data
    return Tensor(rows.reshape(ref.shape + x.shape))


def _output(out, where):
    if not isinstance(out, Tensor):
        raise TypeError(f"{where}: f must return a Tensor, got {type(out).__name__}")
    return out


def hessian(f: Callable[[Tensor], Tensor], x: ArrayLike | Tensor) -> Tensor:
    """The Hessian of a single-element ``f`` at ``x``, shaped ``x.shape + x.shape``.

    The Jacobian of the gradient: the gradient is computed with ``create_graph=True``
    and differentiated again (every VJP in tinygrad_sm is itself differentiable).
    """

    def gradient(x):
        out = _output(f(x), "hessian")
        if not out.requires_grad:  # f does not depend on x: a zero gradient, and a zero Hessian
            return Tensor(np.zeros(x.shape, x.dtype))
        (g,) = grad(out, [x], create_graph=True, allow_unused=True)
        return Tensor(np.zeros(x.shape, x.dtype)) if g is None else g

    return jacobian(gradient, x)
