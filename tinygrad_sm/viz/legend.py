"""The footer under a backward graph: bytes cached, and the Jacobians softmax never built.

It is an HTML-like label in a monospace face: every renderer (dot, librsvg, browsers)
gives Courier-like fonts the same 0.6 em advance dot assumes, so no line is cut off.
"""
import html

from .labels import jacobian_bytes, nbytes_str, shape_str
from .style import FOOTER_FONT, FOOTER_SIZE


def footer(nodes, left_out):
    distinct = {id(a): a for n in nodes for a in n.saved_arrays().values()}  # nodes may share an array
    total = sum(a.nbytes for a in distinct.values())
    lines = [f"cached for backward: {nbytes_str(total)} in {len(distinct)} distinct saved arrays"
             + (" (of the nodes drawn)" if left_out else "")]
    for node in nodes:
        jac = jacobian_bytes(node)
        if jac is None:
            continue
        need, _, n = jac
        saved = node.saved_bytes()
        held = nbytes_str(saved) if node.saved is not None else "freed"
        shape = tuple(node.parents[0].shape)
        others = [str(d) for i, d in enumerate(shape) if i != node.axis % len(shape)]
        formula = "*".join(others + [f"{n}^2", str(node.dtype.itemsize)])
        lines.append(
            f"{node.name} {shape_str(shape)}: saves {held}; its explicit Jacobian diag(a) - a a^T would need "
            f"{nbytes_str(need)} ({formula} B)"
        )
    if any(n.saved is None for n in nodes):
        lines.append("(freed nodes released their arrays in backward; draw before it, or pass retain_graph=True)")
    # Renderers that hint glyphs at small sizes round each advance up to a whole pixel; a
    # cell 20% wider than the nominal 0.6 em per character leaves room for that.
    width = int(max(len(line) for line in lines) * 0.6 * float(FOOTER_SIZE) * 1.2) + 8
    rows = "".join(f'<tr><td align="left" width="{width}">{html.escape(line)}</td></tr>' for line in lines)
    return (f'<<font face="{FOOTER_FONT}" point-size="{FOOTER_SIZE}"><table border="0" cellspacing="0" '
            f'cellpadding="1">{rows}</table></font>>')
