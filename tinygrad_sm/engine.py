"""The graph walk: topological order, VJPs in reverse, gradient accumulation.

Iterative throughout (a 100,000-op chain is fine). Each node's incoming gradient
is the sum over all its consumers (diamonds accumulate); the gradient a VJP
returns for a broadcast input is summed back to the input's shape here, once,
for every op. Without ``retain_graph`` each node drops its saved arrays as soon
as its VJP has run.
"""
import operator

import numpy as np

from .grad_mode import STATE, enable_grad
from .op import check_backward
from .tensor import Tensor, _make


def backward(roots, grads, retain_graph=None, create_graph=False):
    """Accumulate into the ``.grad`` of every leaf the roots depend on."""
    seeds = _seeds(roots, grads, create_graph, "backward")
    _walk(roots, seeds, create_graph if retain_graph is None else retain_graph, create_graph, None)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False):
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
    tuple of Tensors, one per input.
    """
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, (Tensor, np.ndarray)) or np.isscalar(grad_outputs):
        grad_outputs = [grad_outputs]
    else:
        grad_outputs = list(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(f"grad: {len(outputs)} outputs but {len(grad_outputs)} grad_outputs")
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: input {i} is a {type(t).__name__}, not a Tensor")
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad, so no gradient flows to it")
    seeds = _seeds(outputs, grad_outputs, create_graph, "grad")
    retain = create_graph if retain_graph is None else retain_graph
    found = _walk(outputs, seeds, retain, create_graph, inputs)
    result = []
    for i, t in enumerate(inputs):
        g = found.get(id(t._node) if t._node is not None else id(t))
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
            result.append(_make(_own(g, set()), None))
    return tuple(result)


def _as_list(x):
    return [x] if isinstance(x, Tensor) else list(x)


def _seeds(roots, grads, create_graph, where):
    """Check every root and its upstream gradient before anything is touched."""
    seeds = []
    for i, (r, g) in enumerate(zip(roots, grads)):
        if not isinstance(r, Tensor):
            raise TypeError(f"{where}: output {i} is a {type(r).__name__}, not a Tensor")
        if not r.requires_grad:
            raise RuntimeError(
                f"{where}: the tensor does not require grad and was not made by a recorded op; create "
                f"its leaves with requires_grad=True (and do not compute it under no_grad())"
            )
        if g is None:
            if r.data.size != 1:
                raise RuntimeError(
                    f"{where}: grad can be implied only for a single-element output, but this one has "
                    f"shape {r.shape}; pass grad= an array of that shape, or reduce it first (e.g. .sum())"
                )
            g = np.ones(r.shape, dtype=r.dtype)
        elif isinstance(g, Tensor):
            if not create_graph:
                g = g.data
        else:
            g = np.asarray(g, dtype=r.dtype)
        if g.shape != r.shape:
            raise ValueError(
                f"{where}: grad has shape {g.shape} but the output has shape {r.shape}; "
                f"the upstream gradient must have the output's shape"
            )
        if g.dtype != r.dtype:
            g = g.astype(r.dtype)
        if create_graph and not isinstance(g, Tensor):
            g = _make(g, None)
        seeds.append(g)
    return seeds


def toposort(roots):
    """Nodes reachable from ``roots``, every node after all of its parents.

    A node is always created after its parents, so creation order is a topological
    order: collect what is reachable (iteratively), then sort by sequence number.
    """
    seen = set(roots)
    stack = list(seen)
    while stack:
        for p in stack.pop().parents:
            if p is not None and p not in seen and not isinstance(p, Tensor):
                seen.add(p)
                stack.append(p)
    return sorted(seen, key=_seq)


_seq = operator.attrgetter("seq")


def _walk(roots, seeds, retain, create_graph, capture):
    root_nodes = [r._node for r in roots if r._node is not None]
    order = toposort(root_nodes)
    for node in order:
        if node.saved is None:
            raise RuntimeError(
                f"backward through a graph that was already freed: {node.name} released its saved arrays "
                f"after the first backward. Pass retain_graph=True to the first backward() or grad() "
                f"to backpropagate through the same graph again"
            )
    wanted = None
    found = {}
    if capture is not None:
        targets = {id(t._node) if t._node is not None else id(t) for t in capture}
        wanted = _wanted(order, targets)
    grads = {}  # node -> accumulated incoming gradient
    leaves = {}  # id(leaf) -> [leaf, accumulated gradient]
    for r, s in zip(roots, seeds):
        _add(r._node if r._node is not None else r, s, grads, leaves)
    if create_graph:
        with enable_grad():
            _run(order, grads, leaves, retain, True, wanted, found)
    else:
        _run(order, grads, leaves, retain, False, wanted, found)
    if capture is not None:
        for key, (leaf, g) in leaves.items():
            if key in targets:
                found[key] = g
        return found
    _assign(leaves, seeds, create_graph)
    return None


def _run(order, grads, leaves, retain, create_graph, wanted, found):
    anomaly = STATE.anomaly
    finished = []
    for node in reversed(order):
        g = grads.pop(node, None)
        if g is not None and wanted is not None:
            if id(node) in wanted[1]:
                found[id(node)] = g
            if node not in wanted[0]:
                g = None
        if g is not None:
            parent_grads = node.vjp(g, **(node.lifted() if create_graph else node.saved))
            if anomaly:
                check_backward(node, g, parent_grads)
            for p, gp in zip(node.parents, parent_grads):
                if p is None or gp is None:
                    continue
                if gp.shape != p.shape:
                    gp = unbroadcast(gp, p.shape, node)
                if gp.dtype != p.dtype:
                    gp = gp.astype(p.dtype)
                if isinstance(p, Tensor):
                    entry = leaves.get(id(p))
                    if entry is None:
                        leaves[id(p)] = [p, gp]
                    else:
                        entry[1] = entry[1] + gp
                else:
                    prev = grads.get(p)
                    grads[p] = gp if prev is None else prev + gp
        if not retain:
            if anomaly:
                finished.append(node)  # keep the graph intact until no error can come
            else:
                node.release()
    for node in finished:
        node.release()


def _add(key, g, grads, leaves):
    """Accumulate a root's seed gradient (the loop in ``_run`` inlines the same steps)."""
    if isinstance(key, Tensor):
        entry = leaves.get(id(key))
        if entry is None:
            leaves[id(key)] = [key, g]
        else:
            entry[1] = entry[1] + g
    else:
        prev = grads.get(key)
        grads[key] = g if prev is None else prev + g


def _wanted(order, targets):
    """(nodes whose VJP leads to a target, ids of target nodes): ``grad()`` runs only those."""
    lead = set()
    for node in order:  # parents come first
        for p in node.parents:
            if p is None:
                continue
            if isinstance(p, Tensor):
                if id(p) in targets:
                    lead.add(node)
                    break
            elif p in lead or id(p) in targets:
                lead.add(node)
                break
    return lead, targets


def unbroadcast(g, shape, node):
    """Sum ``g`` over the axes broadcasting added, so it has ``shape``; then check it."""
    lead = g.ndim - len(shape)
    if lead >= 0:
        plain = type(g) is np.ndarray  # ndarrays skip NumPy's Python-level sum wrapper
        if lead:  # summing leading axes away gives a fresh array, not a view
            axes = tuple(range(lead))
            g = np.add.reduce(g, axis=axes) if plain else g.sum(axis=axes)
        ones = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
        if ones:
            g = np.add.reduce(g, axis=ones, keepdims=True) if plain else g.sum(axis=ones, keepdims=True)
        if g.shape == shape:
            return g
    raise RuntimeError(f"internal error: {node.name} returned a gradient of shape {g.shape} for an input of shape {shape}")


def _own(g, handed):
    """A gradient array no one else holds: copy views, read-only arrays, and arrays already handed out."""
    if type(g) is not np.ndarray:
        g = np.asarray(g)
    if g.base is not None or id(g) in handed or not g.flags.writeable:
        g = g.copy()
    handed.add(id(g))
    return g


def _assign(leaves, seeds, create_graph):
    if create_graph:
        for leaf, g in leaves.values():
            g = g if isinstance(g, Tensor) else _make(g, None)
            leaf.grad = g if leaf.grad is None else leaf.grad + g
        return
    handed = {id(s) for s in seeds}
    for leaf, g in leaves.values():
        if leaf.grad is None:
            leaf.grad = _make(_own(g, handed), None)
        else:
            leaf.grad = _make(leaf.grad.data + g, None)
