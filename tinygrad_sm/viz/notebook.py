"""Inline display in Jupyter: a tensor made by recorded ops shows its values and its graph."""
import html

from .collect import walk
from .render import GraphvizNotFound, pipe

MAX_INLINE_NODES = 60


def tensor_bundle(t):
    """MIME bundle for ``Tensor._repr_mimebundle_``: the repr as text, plus (for a tensor
    with a small graph, when Graphviz is installed) HTML with the repr above the SVG of
    its backward graph, so the values stay visible."""
    from . import draw_graph

    text = repr(t)
    bundle = {"text/plain": text}
    if t.grad_fn is None or walk([t], MAX_INLINE_NODES)[1]:
        return bundle
    try:
        svg = pipe(draw_graph(t), "svg").decode()
    except GraphvizNotFound:
        return bundle
    bundle["text/html"] = f"<pre>{html.escape(text)}</pre>\n{svg}"
    return bundle
