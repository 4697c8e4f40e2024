"""What a picture shows: the nodes reachable from the roots (breadth-first, capped), the
leaves they feed, the values the graph still holds, and the names and modules of
parameters. Reads the graph, never changes it."""
from collections import deque

from ..record import OUTPUT, AccumulateGrad


def walk(roots, max_nodes):
    """``(nodes, left_out)``: at most ``max_nodes`` op nodes nearest the roots, in
    breadth-first order, and how many more the graph has. Iterative, so any depth is fine."""
    start = []
    for r in roots:
        node = r.grad_fn
        if node is not None and node not in start:
            start.append(node)
    order, seen = [], set(start)
    queue = deque(start)
    while queue:
        node = queue.popleft()
        order.append(node)
        for p in node.parents:
            if p is not None and p not in seen and type(p) is not AccumulateGrad:
                seen.add(p)
                queue.append(p)
    return order[:max_nodes], max(len(order) - max_nodes, 0)


def leaves_of(nodes, roots):
    """The ``AccumulateGrad`` nodes of leaves the drawn nodes (or the roots) feed, in order."""
    out, seen = [], set()
    for r in roots:
        acc = r._node
        if type(acc) is AccumulateGrad and acc not in seen:
            seen.add(acc)
            out.append(acc)
    for node in nodes:
        for p in node.parents:
            if type(p) is AccumulateGrad and p not in seen:
                seen.add(p)
                out.append(p)
    return out


def known_values(nodes, roots):
    """``{node: output array}`` for every node whose output the graph still holds: saved by
    the node itself (``out``), saved by a consumer as its input, or a root's data."""
    values = {}
    for r in roots:
        if r._node is not None:
            values[r._node] = r._data
    for node in nodes:
        saved, sources = node.saved or (), node.sources or ()
        for value, src in zip(saved, sources):
            if src is None or value is None:
                continue
            owner = node if src == OUTPUT else node.parents[src]
            if owner is not None:
                values.setdefault(owner, value)
    return values


def parameter_names(params):
    """``({id(tensor): dotted name}, {id(tensor): (module name, module)})`` from a Module,
    a dict of name -> tensor, or (name, tensor) pairs."""
    if params is None:
        return {}, {}
    owners = {}
    if hasattr(params, "named_parameters") and hasattr(params, "named_modules"):
        modules = dict(params.named_modules())
        named = list(params.named_parameters())
        for name, p in named:
            prefix = name.rsplit(".", 1)[0] if "." in name else ""
            owners[id(p)] = (prefix, modules.get(prefix))
    elif isinstance(params, dict):
        named = list(params.items())
    else:
        try:
            named = [(str(k), v) for k, v in params]
        except (TypeError, ValueError):
            raise TypeError(
                f"params must be an nn.Module, a dict of name -> Tensor, or (name, Tensor) pairs; got "
                f"{type(params).__name__}"
            ) from None
    return {id(p): name for name, p in named}, owners
