"""The forward graph: tensors (boxes, with shape and dtype) and the ops between them."""
from graphviz import Digraph, nohtml

from . import style
from .clusters import emit, owner_of
from .collect import known_values, leaves_of, walk
from .labels import op_params, shape_str, values_str


def forward_graph(roots, names, owners, show_values=False, max_nodes=500, rankdir="TB"):
    nodes, left_out = walk(roots, max_nodes)
    kept = {n: i for i, n in enumerate(nodes)}
    leaves = leaves_of(nodes, roots)
    leaf_ids = {acc: f"l{i}" for i, acc in enumerate(leaves)}
    outputs = {r._node for r in roots if r._node is not None}
    values = known_values(nodes, roots) if show_values else {}
    dot = Digraph("forward", graph_attr={**style.GRAPH, "rankdir": rankdir}, node_attr=style.NODE,
                  edge_attr=style.EDGE)
    entries = []
    for acc in leaves:
        t = acc.leaf()
        name = names.get(id(t)) if t is not None else None
        label = [name or "leaf", f"{shape_str(acc.shape)} {acc.dtype}"]
        if show_values and t is not None and values_str(t._data) is not None:
            label.append(f"data {values_str(t._data)}")
        owner = owners[id(t)][0] if t is not None and id(t) in owners else None
        entries.append((leaf_ids[acc], "\n".join(label), style.PARAMETER if name else style.LEAF, owner))
    for node, i in kept.items():
        owner = owner_of(node, owners)
        op_label = "\n".join([type(node).__name__] + op_params(node))
        entries.append((f"op{i}", op_label, {**style.OP, "shape": "ellipse", "style": "filled"}, owner))
        label = [("output " if node in outputs else "") + f"{shape_str(node.shape)} {node.dtype}"]
        if show_values:
            value = values.get(node)
            text = values_str(value) if value is not None else None
            if text is not None:
                label.append(f"data {text}")
            elif value is None and node.saved is not None:
                label.append("(value not kept by the graph)")
            kept_for = node.retained() if node.retained is not None else None  # retain_grad()
            if kept_for is not None and kept_for.grad is not None and values_str(kept_for.grad._data) is not None:
                label.append(f"grad {values_str(kept_for.grad._data)}")
        look = style.OUTPUT if node in outputs else style.INTERMEDIATE
        entries.append((f"t{i}", "\n".join(label), look, owner))
    emit(dot, entries, owners)
    cut = False
    for node, i in kept.items():
        dot.edge(f"op{i}", f"t{i}")
        for j, p in enumerate(node.parents):
            if p in leaf_ids:
                dot.edge(leaf_ids[p], f"op{i}")
            elif p is None:
                dot.node(f"c{i}_{j}", nohtml(_constant_label(node, j)), **style.CONSTANT)
                dot.edge(f"c{i}_{j}", f"op{i}")
            elif p in kept:
                dot.edge(f"t{kept[p]}", f"op{i}")
            else:
                cut = True
                dot.edge("cut", f"op{i}", style="dashed")
    if cut:
        dot.node("cut", nohtml(f"... {left_out} more ops not drawn (max_nodes={max_nodes})"), **style.CUT)
    return dot


def _constant_label(node, j):
    """A constant input (needs no gradient): its shape (or value) when the node saved it."""
    for value, src in zip(node.saved or (), node.sources or ()):
        if src == j and value is not None and hasattr(value, "shape"):
            return f"constant {shape_str(value.shape)} {value.dtype}"
    return "constant"
