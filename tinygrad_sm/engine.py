"""The graph walk: order the nodes, call each VJP once, accumulate, free.

Every node is an op node or a leaf's ``AccumulateGrad`` (``record.py``), and a node's
parents are nodes or None, so backward is one loop over the nodes in reverse
creation order: pop the node's accumulated gradient, call its VJP, bring each
returned gradient to its parent's shape and dtype (summing broadcast axes, once,
here, for every op), add it to the parent's, free the node. Iterative throughout:
a 100,000-op chain is fine. Leaf gradients are handed back, not assigned, so the
caller can assign them all or none.
"""
import operator
import threading
from contextlib import nullcontext

import numpy as np

from . import versions
from .grad_mode import STATE, AnomalyError, enable_grad
from .op import Traced
from .record import OUTPUT, AccumulateGrad, check_backward


def seeds(roots, grads, create_graph, wrap, where):
    """Check every root and its upstream gradient before anything is touched; returns the
    seed gradients (arrays, or tensors under ``create_graph``)."""
    out = []
    for i, (r, g) in enumerate(zip(roots, grads)):
        if not isinstance(r, Traced):
            raise TypeError(f"{where}: output {i} is a {type(r).__name__}, not a Tensor")
        if not r.requires_grad:
            raise RuntimeError(
                f"{where}: the tensor does not require grad and was not made by a recorded op; create "
                f"its leaves with requires_grad=True (and do not compute it under no_grad())"
            )
        if g is None:
            if r._data.size != 1:
                raise RuntimeError(
                    f"{where}: grad can be implied only for a single-element output, but this one has "
                    f"shape {r.shape}; pass grad= an array of that shape, or reduce it first (e.g. .sum())"
                )
            g = np.ones(r.shape, dtype=r.dtype)
        elif isinstance(g, Traced):
            if not create_graph:
                g = g._data
        else:
            try:
                g = np.asarray(g)
            except (TypeError, ValueError) as e:
                raise TypeError(f"{where}: grad must be an array or a Tensor, got {type(g).__name__} ({e})") from None
            if g.dtype.kind not in "biuf":
                raise TypeError(f"{where}: grad must be real numbers, got dtype {g.dtype}")
        if g.shape != r.shape:
            raise ValueError(
                f"{where}: grad has shape {g.shape} but the output has shape {r.shape}; "
                f"the upstream gradient must have the output's shape"
            )
        if g.dtype != r.dtype:
            g = g.astype(r.dtype)
        if create_graph and not isinstance(g, Traced):
            g = wrap(g, None)
        out.append(g)
    return out


def toposort(roots):
    """Nodes reachable from ``roots``, every node after all of its parents.

    A node is always created after its parents, so creation order is a topological
    order: collect what is reachable (iteratively), then sort by sequence number.
    """
    seen = set(roots)
    stack = list(seen)
    while stack:
        for p in stack.pop().parents:
            if p is not None and p not in seen:
                seen.add(p)
                stack.append(p)
    return sorted(seen, key=_seq)


_seq = operator.attrgetter("seq")


def run(roots, seeds, retain, create_graph, wrap, targets=None, observe=None):
    """Backpropagate ``seeds`` from the nodes ``roots``.

    Returns ``(leaves, captured, retained)``: ``[(AccumulateGrad, gradient)]`` for every
    leaf reached; with ``targets`` (a set of nodes, for ``grad()``), ``{node: gradient}``
    for those reached, running only the VJPs that lead to one; and
    ``[(tensor ref, gradient)]`` for non-leaves that asked to ``retain_grad()``.
    ``observe(node, g, parent_grads)``, if given, is called right after each VJP (before the
    gradients are fitted to their parents), and as ``observe(acc, g, ())`` with each leaf's
    gradient as it is handed back; it must not change them (``viz.backward_steps`` reads them).
    """
    order = toposort(roots)
    saved_of = _claim(order, retain)
    grads = {}
    for node, s in zip(roots, seeds):
        prev = grads.get(node)
        grads[node] = s if prev is None else prev + s
    wanted = None if targets is None else _leading_to(order, targets)
    leaves, captured, retained = [], {}, []
    try:
        with enable_grad() if create_graph else nullcontext():
            anomaly = STATE.anomaly
            for node in reversed(order):
                g = grads.pop(node, None)
                if type(node) is AccumulateGrad:
                    if g is not None:
                        if observe is not None:
                            observe(node, g, ())
                        if targets is None:
                            leaves.append((node, g))
                        else:
                            captured[node] = g
                    continue
                if g is not None and targets is not None:
                    if node in targets:
                        captured[node] = g
                    if node not in wanted:
                        g = None
                if g is not None:
                    if node.retained is not None and targets is None:
                        retained.append((node.retained, g))
                    # The VJP, then each gradient checked, fitted to its parent, accumulated.
                    if saved_of is None:
                        saved = node.saved
                    else:
                        saved = saved_of.pop(node)
                        if observe is not None:  # an observer reads the node as the VJP sees it
                            node.saved = saved
                    if node.versions is not None or node.written is not None:
                        versions.check(node, saved)
                    if anomaly:
                        _check_bytes(node, saved)
                    parent_grads = node.vjp(g, *(lifted(node, saved, wrap) if create_graph else saved))
                    parents = node.parents
                    if type(parent_grads) is not tuple or len(parent_grads) != len(parents):
                        _bad_return(node, parent_grads)
                    if observe is not None:
                        observe(node, g, parent_grads)
                    if anomaly:
                        check_backward(node, g, parent_grads)
                    for i, p in enumerate(parents):
                        if p is None:
                            continue
                        gp = parent_grads[i]
                        if gp is None:
                            _missing(node, i, p)
                        if type(gp) is not np.ndarray and not isinstance(gp, Traced):
                            gp = _array_grad(gp, node, i, p)
                        if create_graph and not isinstance(gp, Traced):
                            gp = wrap(np.asarray(gp), None)
                        if gp.shape != p.shape:
                            gp = unbroadcast(gp, p.shape, node, i)
                        dtype = gp.dtype
                        if dtype is not p.dtype and dtype != p.dtype:
                            gp = _cast(gp, p.dtype, node, i)
                        prev = grads.get(p)
                        grads[p] = gp if prev is None else prev + gp
                if saved_of is not None:  # free the node: drop what it saved
                    node.versions = None
                    node.saved = saved = None
    except BaseException:
        if saved_of is not None:  # free the rest too: a graph that cannot run holds no memory
            saved_of.clear()
            for node in order:
                if type(node) is not AccumulateGrad:
                    node.versions = None
        raise
    return leaves, captured, retained


_claiming = threading.Lock()


def _claim(order, retain):
    """Check that no node was freed; unless the graph is retained, take every node's saved
    values at once (``{node: saved}``), so a second backward of the same graph, from this
    thread or another, finds it freed."""
    with _claiming:
        for node in order:
            if node.saved is None:
                raise RuntimeError(
                    f"backward through a graph that was already freed: {node.name} released its saved "
                    f"arrays after the first backward. Pass retain_graph=True to the first backward() or "
                    f"grad() to backpropagate through the same graph again"
                )
        if retain:
            return None
        saved_of = {}
        for node in order:
            if type(node) is not AccumulateGrad:
                saved_of[node] = node.saved
                node.saved = None
        return saved_of


def _array_grad(gp, node, i, p):
    """A VJP's gradient that is not an ndarray: a NumPy scalar is fine, anything else is an error."""
    if isinstance(gp, np.generic) and gp.dtype.kind in "biuf":
        return np.asarray(gp)
    raise TypeError(
        f"{node.name}.vjp returned a {type(gp).__name__} as the gradient of input {i}; return an array "
        f"(or a Tensor) of that input's shape {p.shape}, e.g. g * out, or None if it needs none"
    )


def _check_bytes(node, saved):
    """Under detect_anomaly: no saved array changed since forward by a path the version
    counters cannot see (someone made a read-only array writable again)."""
    if node.checks:
        bad = versions.changed(node, saved)
        if bad:
            raise AnomalyError(
                f"{node.name} (created at {node.site or '<unknown>'}): its saved array "
                f"{', '.join(repr(k) for k in bad)} was modified after forward without going through the "
                f"tensor (its NumPy write flag was turned back on); its gradient would be wrong"
            )


def _missing(node, i, p):
    raise RuntimeError(
        f"{node.name}.vjp returned None for input {i}, which needs a gradient (shape {p.shape}); "
        f"return an array of that shape (zeros if it has no effect)"
    )


def _cast(gp, dtype, node, i):
    if gp.dtype.kind not in "fiub":
        raise TypeError(f"{node.name}.vjp returned a gradient of dtype {gp.dtype} for input {i}; "
                        f"expected a real floating array ({dtype})")
    return gp.astype(dtype)


def _bad_return(node, got):
    n = len(node.parents)
    if type(got) is tuple:
        raise TypeError(f"{node.name}.vjp returned {len(got)} gradients for {n} inputs; return a tuple with "
                        f"exactly one gradient (or None) per input of forward")
    raise TypeError(f"{node.name}.vjp returned a {type(got).__name__}, not a tuple; return a tuple with one "
                    f"gradient (or None) per input of forward ({n}), e.g. (g * out,) for one input")


def lifted(node, saved, wrap):
    """The saved values as tensors connected to the graph, for ``create_graph``: the output
    as a tensor made by this node, an input as a tensor made by the input's node, anything
    else (made by the op itself) as a constant."""
    sources = node.sources
    if not sources:
        return saved
    out = list(saved)
    for k, src in enumerate(sources):
        if src is None:
            continue
        if src == OUTPUT:
            out[k] = wrap(out[k], node)
        else:
            p = node.parents[src]
            if p is not None:
                out[k] = wrap(out[k], p)
    return out


def _leading_to(order, targets):
    """The nodes whose VJP leads to a target: ``grad()`` runs only these."""
    lead = set()
    for node in order:  # parents come first
        for p in node.parents:
            if p is not None and (p in lead or p in targets):
                lead.add(node)
                break
    return lead


def unbroadcast(g, shape, node, i=0):
    """Sum ``g`` over the axes broadcasting added, so it has ``shape``; then check it."""
    given = tuple(g.shape)
    lead = g.ndim - len(shape)
    if lead >= 0:
        plain = type(g) is np.ndarray  # ndarrays skip NumPy's Python-level sum wrapper
        if lead:
            axes = tuple(range(lead))
            g = np.add.reduce(g, axis=axes) if plain else g.sum(axis=axes)
        ones = tuple(k for k, n in enumerate(shape) if n == 1 and g.shape[k] != 1)
        if ones:
            g = np.add.reduce(g, axis=ones, keepdims=True) if plain else g.sum(axis=ones, keepdims=True)
        if g.shape == shape:
            return g
    raise ValueError(
        f"{node.name}.vjp returned a gradient of shape {given} for input {i}, which has shape "
        f"{tuple(shape)}; a gradient has its input's shape (or one that broadcasts to it)"
    )
