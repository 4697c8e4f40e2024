"""``grad()``: gradients of outputs with respect to chosen inputs, returned rather than stored."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .. import engine
from ..op import Traced
from ..tensor import Tensor, _make

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import ArrayLike


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
         grad_outputs: ArrayLike | Tensor | Sequence[ArrayLike | Tensor | None] | None = None,
         retain_graph: bool | None = None, create_graph: bool = False,
         allow_unused: bool = False) -> tuple[Tensor | None, ...]:
    """Gradients of ``outputs`` with respect to ``inputs``, returned (``.grad`` is not touched).

    Parameters
    ----------
    outputs : Tensor or sequence of Tensors
    inputs : Tensor or sequence of Tensors
        Leaves or intermediate tensors the outputs depend on.
    grad_outputs : array_like or Tensor (or a sequence, one per output), optional
        The upstream gradients; may be omitted for single-element outputs.
    retain_graph : bool, optional
        Keep the graph for another backward; defaults to ``create_graph``.
    create_graph : bool
        Record the computation, so the returned gradients can be differentiated.
    allow_unused : bool
        Return ``None`` for an input the outputs do not depend on, instead of raising.

    Returns
    -------
    tuple of Tensors, one per input. Only the VJPs on a path to an input run.
    """
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, (Traced, np.ndarray)) or np.isscalar(grad_outputs):
        grad_outputs = [grad_outputs]
    else:
        grad_outputs = list(grad_outputs)  # type: ignore[arg-type]
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(outputs)} outputs but {len(grad_outputs)} grad_outputs")
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: input {i} is a {type(t).__name__}, not a Tensor")
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad, so no gradient flows to it")
    seeds = engine.seeds(outputs, grad_outputs, create_graph, _make, "grad")
    retain = create_graph if retain_graph is None else retain_graph
    targets = {t._node for t in inputs}
    _, found, _ = engine.run([o._node for o in outputs], seeds, retain, create_graph, _make, targets)
    result: list[Tensor | None] = []
    handed = {id(s) for s in seeds}
    for i, t in enumerate(inputs):
        g = found.get(t._node)
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {t.shape}) is not used by the outputs; "
                    f"pass allow_unused=True to get None for it"
                )
            result.append(None)
        elif isinstance(g, Tensor):
            result.append(g)
        else:
            g = np.asarray(g)
            if g.base is not None or id(g) in handed or not g.flags.writeable:
                g = g.copy()
            handed.add(id(g))
            result.append(_make(g, None))
    return tuple(result)


def _as_list(x):
    if isinstance(x, Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        return list(x)
    raise TypeError(f"grad: expected a Tensor or a sequence of Tensors, got {type(x).__name__}")
