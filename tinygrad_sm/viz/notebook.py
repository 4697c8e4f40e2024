"""Inline display in Jupyter: a tensor made by recorded ops shows its values and its graph.

The core knows nothing of this: importing ``tinygrad_sm.viz`` registers the HTML form
with IPython's display formatter (when IPython is running).
"""
import html
import sys

from ..tensor import Tensor
from .collect import walk
from .render import GraphvizNotFound, pipe

MAX_INLINE_NODES = 60


def tensor_html(t):
    """HTML with the repr above the SVG of the backward graph, for a tensor made by recorded
    ops with a small graph, when Graphviz is installed; None otherwise (plain repr)."""
    from . import draw_graph

    if t.grad_fn is None or walk([t], MAX_INLINE_NODES)[1]:
        return None
    try:
        svg = pipe(draw_graph(t), "svg").decode()
    except GraphvizNotFound:
        return None
    return f"<pre>{html.escape(repr(t))}</pre>\n{svg}"


def register():
    """Show tensors with their graph in IPython/Jupyter; does nothing outside IPython."""
    ipython = sys.modules.get("IPython")  # not imported: not inside IPython (and importing it costs ~0.5 s)
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    if shell is None:
        return False
    shell.display_formatter.formatters["text/html"].for_type(Tensor, tensor_html)
    return True
