"""The backward graph: one box per VJP node, what it saved, gradient shapes on the edges."""
import numpy as np
from graphviz import Digraph, nohtml

from . import style
from .clusters import emit, owner_of
from .collect import leaves_of, walk
from .labels import nbytes_str, op_params, shape_str, values_str
from .legend import footer


def backward_graph(roots, names, owners, show_saved=True, show_values=False, show_grads=True,
                   max_nodes=500, rankdir="TB"):
    nodes, left_out = walk(roots, max_nodes)
    leaves = leaves_of(nodes, roots)
    kept, leaf_ids = dot_names(nodes, leaves)
    dot = Digraph("backward", graph_attr={**style.GRAPH, "rankdir": rankdir}, node_attr=style.NODE,
                  edge_attr=style.EDGE)
    entries = []
    for node, nid in kept.items():
        label = [node.name] + op_params(node) + (_saved_lines(node, show_values) if show_saved else [])
        look = style.SOFTMAX_OP if node.family == "softmax" else style.OP
        entries.append((nid, "\n".join(label), look, owner_of(node, owners)))
    for acc in leaves:
        t = acc.leaf()
        name = names.get(id(t)) if t is not None else None
        label = [name or ("leaf" if t is not None else "leaf (deleted)"), f"{shape_str(acc.shape)} {acc.dtype}",
                 "AccumulateGrad"]
        if show_grads and t is not None and t.grad is not None:
            label.append(f"|grad| = {float(np.linalg.norm(t.grad._data)):.4g}")
        if show_values and t is not None:
            label += _values_lines(t)
        owner = owners[id(t)][0] if t is not None and id(t) in owners else None
        entries.append((leaf_ids[acc], "\n".join(label), style.PARAMETER if name else style.LEAF, owner))
    emit(dot, entries, owners)

    for i, r in enumerate(roots):
        label = [f"output {shape_str(r.shape)} {r.dtype}"]
        if show_values and values_str(r._data) is not None:
            label.append(f"data {values_str(r._data)}")
        dot.node(f"r{i}", nohtml("\n".join(label)), **style.OUTPUT)
        target = kept.get(r._node, leaf_ids.get(r._node))
        if target is not None:
            dot.edge(f"r{i}", target, label=nohtml(f" grad {shape_str(r.shape)}"))
    cut = False
    for node, nid in kept.items():
        for p in node.parents:
            if p is None:
                continue
            if p in leaf_ids:
                dot.edge(nid, leaf_ids[p], label=nohtml(f" {shape_str(p.shape)}"))
            elif p in kept:
                dot.edge(nid, kept[p], label=nohtml(f" {shape_str(p.shape)}"))
            else:
                cut = True
                dot.edge(nid, "cut", style="dashed")
    if cut:
        dot.node("cut", nohtml(f"... {left_out} more backward nodes not drawn (max_nodes={max_nodes})"),
                 **style.CUT)
    dot.attr(label=footer(nodes, left_out))
    return dot


def dot_names(nodes, leaves):
    """The DOT names of the drawn op nodes and leaves (other views, such as the step-through
    page, find the boxes by them)."""
    return {n: f"n{i}" for i, n in enumerate(nodes)}, {acc: f"l{i}" for i, acc in enumerate(leaves)}


def _saved_lines(node, show_values):
    if node.saved is None:
        return ["saved: freed by backward"]
    arrays = node.saved_arrays()
    if not arrays:
        return ["saves nothing"]
    lines = []
    for k, v in arrays.items():
        line = f"saved {k}: {shape_str(v.shape)} {v.dtype}, {nbytes_str(v.nbytes)}"
        if show_values and values_str(v) is not None:
            line += f" = {values_str(v)}"
        lines.append(line)
    return lines


def _values_lines(t):
    lines = []
    if values_str(t._data) is not None:
        lines.append(f"data {values_str(t._data)}")
    if t.grad is not None and values_str(t.grad._data) is not None:
        lines.append(f"grad {values_str(t.grad._data)}")
    return lines
