"""Adding nodes to a picture, grouped in one dashed box per ``nn.Module`` when known."""
from graphviz import nohtml

from . import style


def emit(dot, entries, owners):
    """``entries``: ``(node id, label, style, module name or None)``; modules get a cluster each."""
    modules = {prefix: module for prefix, module in owners.values()}
    groups = {}
    for nid, label, look, prefix in entries:
        if prefix is None:
            dot.node(nid, nohtml(label), **look)
        else:
            groups.setdefault(prefix, []).append((nid, label, look))
    for i, (prefix, members) in enumerate(groups.items()):
        module = modules.get(prefix)
        title = prefix or "model"
        if module is not None:
            title += f": {type(module).__name__}({module.extra_repr()})"
        with dot.subgraph(name=f"cluster_{i}") as sub:
            sub.attr(label=nohtml(title), **style.CLUSTER)
            for nid, label, look in members:
                sub.node(nid, nohtml(label), **look)


def owner_of(node, owners):
    """The module of the first parameter a node reads directly (None if it reads none)."""
    for p in node.parents:
        leaf = getattr(p, "leaf", None)  # an AccumulateGrad node
        t = leaf() if leaf is not None else None
        if t is not None and id(t) in owners:
            return owners[id(t)][0]
    return None
