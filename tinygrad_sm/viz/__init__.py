"""Pictures of the graph: what the forward pass built, what each backward node computes
and what it cached to do so. Reads the graph, never changes it.

``draw_graph(*roots, ...)`` returns a ``graphviz.Digraph`` (it displays inline in
Jupyter); ``render(roots, path)`` writes .svg, .png, .pdf or .dot by the suffix;
``backward_steps(loss)`` records one backward pass for a page that steps through it.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..checks import is_int
from ..tensor import Tensor
from .backward import backward_graph
from .collect import parameter_names
from .forward import forward_graph
from .notebook import register
from .render import GraphvizNotFound, pipe, write
from .steps import BackwardSteps, backward_steps

if TYPE_CHECKING:
    import os
    from collections.abc import Sequence

    import graphviz

KINDS = ("backward", "forward")


def draw_graph(*roots: Tensor, kind: str = "backward", params: Any = None, show_saved: bool = True,
               show_values: bool = False, show_grads: bool = True, max_nodes: int = 500,
               rankdir: str = "TB") -> graphviz.Digraph:
    """Draw the graph that produced ``roots``.

    Parameters
    ----------
    *roots : Tensor
        The outputs (usually the loss).
    kind : {"backward", "forward"}
        ``backward``: one box per VJP node (``SoftmaxBackward``, ...) with the arrays it
        saved (shape, dtype, bytes), edges labelled with gradient shapes, leaf
        accumulators with gradient norms, and a footer: bytes cached for backward and,
        per softmax node, the bytes its explicit Jacobian would have needed.
        ``forward``: tensors (shape, dtype; leaves, parameters, intermediates and
        outputs styled apart) and the ops between them.
    params : nn.Module, dict or (name, tensor) pairs, optional
        Names parameters, and with a Module groups nodes in one box per submodule.
    show_saved, show_values, show_grads : bool
        Saved-array lines; small values (up to 4 entries) micrograd-style; gradient norms.
    max_nodes : int
        Draw at most this many nodes nearest the roots and say how many were left out.
    rankdir : {"TB", "LR", "BT", "RL"}
    """
    if not roots or not all(isinstance(r, Tensor) for r in roots):
        raise TypeError("draw_graph: pass one or more Tensors, e.g. draw_graph(loss)")
    if kind not in KINDS:
        raise ValueError(f"draw_graph: kind must be one of {KINDS}, got {kind!r}")
    if not is_int(max_nodes) or max_nodes < 1:
        raise ValueError(f"draw_graph: max_nodes must be a positive int, got {max_nodes!r}")
    names, owners = parameter_names(params)
    if kind == "forward":
        return forward_graph(roots, names, owners, show_values, max_nodes, rankdir)
    return backward_graph(roots, names, owners, show_saved, show_values, show_grads, max_nodes, rankdir)


def render(roots: Tensor | Sequence[Tensor], path: str | os.PathLike[str],
           **options: Any) -> str | os.PathLike[str]:
    """Draw ``roots`` (a tensor or a list of them) and write the picture to ``path``.

    The format comes from the suffix: .svg, .png, .pdf (need Graphviz's ``dot``)
    or .dot (the source, needs nothing). ``options`` go to :func:`draw_graph`.
    """
    roots = [roots] if isinstance(roots, Tensor) else list(roots)
    return write(draw_graph(*roots, **options), path)


register()  # Jupyter: tensors display with their graph

__all__ = ["draw_graph", "render", "backward_steps", "BackwardSteps", "GraphvizNotFound", "pipe", "write"]
