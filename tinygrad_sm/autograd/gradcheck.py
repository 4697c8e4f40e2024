"""Numerical gradient checks by central differences in float64."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..functional import concatenate
from ..tensor import Tensor
from .gradients import grad

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from numpy.typing import ArrayLike


class GradcheckError(AssertionError):
    """An analytic derivative disagrees with its central-difference estimate."""


def _inputs(inputs):
    if isinstance(inputs, (Tensor, np.ndarray)):
        inputs = [inputs]
    arrays = []
    for i, x in enumerate(inputs):
        a = np.array(x._data if isinstance(x, Tensor) else x, dtype=np.float64)
        arrays.append(a)
    return arrays


def _evaluate(f, arrays):
    out = f(*[Tensor(a, requires_grad=True) for a in arrays])
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: f must return a Tensor, got {type(out).__name__}")
    return out._data.astype(np.float64)


def gradcheck(f: Callable[..., Tensor], inputs: ArrayLike | Tensor | Sequence[ArrayLike | Tensor], eps: float = 1e-6,
              atol: float = 1e-8, rtol: float = 1e-6, seed: int = 0) -> bool:
    """Check ``f``'s analytic Jacobian against central differences, in float64.

    Parameters
    ----------
    f : callable
        Tensors in, one Tensor out.
    inputs : array_like or Tensor, or a sequence of them
        Copied to float64.
    eps : float
        The finite-difference step.
    atol, rtol : float
        An entry passes when ``|analytic − numeric| ≤ atol + rtol·|numeric|``.
    seed : int
        For the random-direction check: ``⟨v, J u⟩`` computed by one VJP and by one
        directional difference must agree too.

    Returns True, or raises :class:`GradcheckError` naming the worst entry: which
    input, which output and input element, and both values.
    """
    arrays = _inputs(inputs)
    xs = [Tensor(a, requires_grad=True) for a in arrays]
    out = f(*xs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: f must return a Tensor, got {type(out).__name__}")
    if out.dtype != np.float64:
        raise TypeError(f"gradcheck: f returned dtype {out.dtype}; gradcheck needs float64 all the way")
    n_out = out.size
    # Analytic: one VJP per output element, through one recorded graph.
    analytic = [np.zeros((n_out, a.size)) for a in arrays]
    seed_vec = np.zeros(n_out)
    for k in range(n_out):
        seed_vec[k] = 1
        gs = grad(out, xs, seed_vec.reshape(out.shape), retain_graph=True, allow_unused=True)
        seed_vec[k] = 0
        for j, g in enumerate(gs):
            if g is not None:
                analytic[j][k] = g._data.reshape(-1)
    # Numeric: central differences, one input element at a time.
    for j, a in enumerate(arrays):
        numeric = np.zeros((n_out, a.size))
        for i in range(a.size):
            at = np.unravel_index(i, a.shape)  # not a.reshape(-1): a copy for a column-major input
            orig = a[at]
            a[at] = orig + eps
            plus = _evaluate(f, arrays)
            a[at] = orig - eps
            minus = _evaluate(f, arrays)
            a[at] = orig
            numeric[:, i] = ((plus - minus) / (2 * eps)).reshape(-1)
        _compare(analytic[j], numeric, atol, rtol, f"d(output)/d(input {j})", out.shape, a.shape)
    # Random direction: <v, J u> by one VJP and one directional difference.
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(out.shape)
    us = [rng.standard_normal(a.shape) for a in arrays]
    xs2 = [Tensor(a, requires_grad=True) for a in arrays]
    gs = grad(f(*xs2), xs2, v, allow_unused=True)
    vjp_dot = sum(float(np.sum(g._data * u)) for g, u in zip(gs, us) if g is not None)
    plus = _evaluate(f, [a + eps * u for a, u in zip(arrays, us)])
    minus = _evaluate(f, [a - eps * u for a, u in zip(arrays, us)])
    fd_dot = float(np.sum(v * (plus - minus) / (2 * eps)))
    if abs(vjp_dot - fd_dot) > atol * 10 * max(1, n_out) + rtol * abs(fd_dot):
        raise GradcheckError(
            f"gradcheck: random-direction check failed: <v, J u> is {vjp_dot!r} by VJP but "
            f"{fd_dot!r} by central differences"
        )
    return True


def _compare(analytic, numeric, atol, rtol, what, out_shape, in_shape):
    excess = np.abs(analytic - numeric) - (atol + rtol * np.abs(numeric))
    failing = ~(excess <= 0)  # NaN on either side fails
    if not failing.any():
        return
    excess = np.where(np.isnan(excess), np.inf, excess)
    k, i = np.unravel_index(int(np.argmax(excess)), excess.shape)
    out_idx = np.unravel_index(k, out_shape) if out_shape else ()
    in_idx = np.unravel_index(i, in_shape) if in_shape else ()
    bad = int(failing.sum())
    raise GradcheckError(
        f"gradcheck: {what} mismatch at output {tuple(map(int, out_idx))}, input element "
        f"{tuple(map(int, in_idx))}: analytic {analytic[k, i]!r}, numeric {numeric[k, i]!r} "
        f"(|diff| {abs(analytic[k, i] - numeric[k, i]):.3g} > atol {atol:g} + rtol {rtol:g}·|numeric|; "
        f"{bad} of {excess.size} entries fail)"
    )


def gradgradcheck(f: Callable[..., Tensor], inputs: ArrayLike | Tensor | Sequence[ArrayLike | Tensor],
                  eps: float = 1e-6, atol: float = 1e-8, rtol: float = 1e-6, seed: int = 0) -> bool:
    """Check second derivatives: ``gradcheck`` of ``(x, v) ↦ vᵀ ∂f/∂x``, which the
    engine computes with ``create_graph=True``. ``v`` is a seeded random cotangent."""
    arrays = _inputs(inputs)
    with_graph = f(*[Tensor(a, requires_grad=True) for a in arrays])
    v = np.random.default_rng(seed).standard_normal(with_graph.shape)

    def first_derivative(*args):
        xs, vt = args[:-1], args[-1]
        gs = grad(f(*xs), list(xs), vt, create_graph=True, allow_unused=True)
        parts = [g.reshape(-1) for g in gs if g is not None]
        if not parts:
            raise GradcheckError("gradgradcheck: f does not depend on any input")
        return concatenate(parts) if len(parts) > 1 else parts[0]

    return gradcheck(first_derivative, arrays + [v], eps=eps, atol=atol, rtol=rtol, seed=seed)
