"""What a picture shows: the nodes reachable from the roots (breadth-first, capped), the
leaves they feed, and the names and modules of parameters. Reads the graph, never changes it."""
from collections import deque

from ..tensor import Tensor


def walk(roots, max_nodes):
    """``(nodes, left_out)``: at most ``max_nodes`` backward nodes nearest the roots, in
    breadth-first order, and how many more the graph has. Iterative, so any depth is fine."""
    start = []
    for r in roots:
        if r._node is not None and r._node not in start:
            start.append(r._node)
    order, seen = [], set(start)
    queue = deque(start)
    while queue:
        node = queue.popleft()
        order.append(node)
        for p in node.parents:
            if p is not None and not isinstance(p, Tensor) and p not in seen:
                seen.add(p)
                queue.append(p)
    return order[:max_nodes], max(len(order) - max_nodes, 0)


def leaves_of(nodes, roots):
    """Leaf tensors (requiring grad) that the drawn nodes or the roots feed, in order."""
    out, seen = [], set()
    for r in roots:
        if r._node is None and r.requires_grad and id(r) not in seen:
            seen.add(id(r))
            out.append(r)
    for node in nodes:
        for p in node.parents:
            if isinstance(p, Tensor) and id(p) not in seen:
                seen.add(id(p))
                out.append(p)
    return out


def parameter_names(params):
    """``({id(tensor): dotted name}, {id(tensor): (module name, module)})`` from a Module,
    a dict of name -> tensor, or (name, tensor) pairs."""
    if params is None:
        return {}, {}
    owners = {}
    if hasattr(params, "named_parameters"):
        modules = dict(params.named_modules())
        named = list(params.named_parameters())
        for name, p in named:
            prefix = name.rsplit(".", 1)[0] if "." in name else ""
            owners[id(p)] = (prefix, modules.get(prefix))
    elif isinstance(params, dict):
        named = list(params.items())
    else:
        named = list(params)
    return {id(p): name for name, p in named}, owners
