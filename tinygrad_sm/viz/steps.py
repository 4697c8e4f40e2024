"""Watch backward run: one backward pass recorded frame by frame, and a page that steps through it.

``backward_steps(loss)`` runs the engine's own backward with an observer, so the frames
are the pass ``backward()`` makes (same order, same values), and hands back a
:class:`BackwardSteps`: ``.frames`` (JSON-ready dicts), ``.save(path)`` (one
self-contained HTML page: the backward graph, the current node highlighted, the values
each VJP received and sent) and an inline view in Jupyter.
"""
from __future__ import annotations

import html
import json
import math
import os
import re
from importlib import resources
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import engine
from ..files import write_atomic
from ..record import AccumulateGrad
from ..tensor import Tensor, _accumulating, _assign, _make
from .backward import backward_graph, dot_names
from .collect import leaves_of, parameter_names, walk
from .jacobians import explicit_vjp
from .labels import op_params
from .render import GraphvizNotFound, pipe

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

FULL = 64  # arrays with at most this many entries go into a frame whole; larger ones as a summary


def backward_steps(root: Tensor, params: Any = None, max_nodes: int = 500, grad: ArrayLike | None = None,
                   assign: bool = False, retain_graph: bool = True) -> BackwardSteps:
    """Record one backward pass from ``root``, one frame per VJP call, in the engine's order.

    Parameters
    ----------
    root : Tensor
        The output (usually the loss), made by recorded ops.
    params : nn.Module, dict or (name, tensor) pairs, optional
        Names the parameters, as for :func:`draw_graph`.
    max_nodes : int
        Record (and draw) the VJPs of at most this many nodes nearest the root, and the
        leaves they feed; backward itself still runs whole.
    grad : array_like, optional
        The upstream gradient, needed unless ``root`` has a single element.
    assign : bool
        Also accumulate the leaves' gradients into ``.grad``, as ``backward()`` does.
    retain_graph : bool
        Keep the graph (default), so ``backward()`` can still run on it.

    Returns
    -------
    BackwardSteps
        ``.frames``: one dict per VJP (``kind="vjp"``) or leaf gradient handed back
        (``kind="leaf"``), with ``node``, ``settings``, ``g``, ``grads``, ``saved``, ``sum``
        and, for softmax-family nodes, ``jacobian_g``, ``vjp_bytes`` and ``jacobian_bytes``.
    """
    if not isinstance(root, Tensor):
        raise TypeError(f"backward_steps: root must be a Tensor, got {type(root).__name__}")
    if root.grad_fn is None:
        what = "a leaf" if root.requires_grad else "not made by recorded ops (no input requires grad)"
        raise ValueError(f"backward_steps: the tensor is {what}, so it has no backward graph to step through; "
                         f"pass a result computed from tensors with requires_grad=True")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, (int, np.integer)) or max_nodes < 1:
        raise ValueError(f"backward_steps: max_nodes must be a positive int, got {max_nodes!r}")
    (seed,) = engine.seeds([root], [grad], False, _make, "backward_steps")
    names, owners = parameter_names(params)
    nodes, left_out = walk([root], max_nodes)
    leaves = leaves_of(nodes, [root])
    kept, leaf_ids = dot_names(nodes, leaves)
    dot = backward_graph([root], names, owners, max_nodes=max_nodes)  # drawn before backward frees anything
    rec = _Recorder({**kept, **leaf_ids}, names)
    rec.contribute(root._node, None, "output", seed)
    found, _, retained = engine.run([root._node], [seed], retain_graph, False, _make, observe=rec)
    if assign:
        with _accumulating:
            _assign(found, retained, False, {id(seed)})
    listing = [(nid, _box_label(node, names)) for node, nid in {**kept, **leaf_ids}.items()]
    return BackwardSteps(rec.frames, dot, listing, left_out, max_nodes)


class BackwardSteps:
    """One recorded backward pass: ``.frames``, ``.save(path)``, and inline HTML in Jupyter."""

    def __init__(self, frames, dot, listing, left_out, max_nodes):
        self.frames = frames
        self.left_out = left_out
        self.max_nodes = max_nodes
        self._dot = dot
        self._listing = listing
        self._page = None

    def __len__(self):
        return len(self.frames)

    def __repr__(self):
        return f"<BackwardSteps: {len(self.frames)} frames" + (f", {self.left_out} nodes not recorded>"
                                                               if self.left_out else ">")

    def html(self) -> str:
        """The self-contained page: no network, no external script, style or font."""
        if self._page is None:
            self._page = page(self.frames, self._graph_html(), self.left_out, self.max_nodes)
        return self._page

    def save(self, path: str | os.PathLike[str]) -> str:
        """Write the page to ``path`` (atomically: a failure leaves an existing file as it was)."""
        target = os.fsdecode(path)
        if os.path.isdir(target):
            raise IsADirectoryError(f"BackwardSteps.save: {target} is a directory; pass a file path, e.g. "
                                    f"{os.path.join(target, 'backward_steps.html')}")
        text = self.html()
        return write_atomic(target, lambda f: f.write(text), text=True)

    def _repr_html_(self):
        # In an iframe: the page's script, ids and style stay apart from the notebook's.
        return (f'<iframe srcdoc="{html.escape(self.html(), quote=True)}" title="backward steps" '
                f'style="width: 100%; height: 640px; border: 1px solid #ccc"></iframe>')

    def _graph_html(self):
        try:
            svg = pipe(self._dot, "svg").decode("utf-8")
        except GraphvizNotFound:
            items = "".join(f'<li class="node" id="step-{nid}">{html.escape(label)}</li>'
                            for nid, label in self._listing)
            return ("<p class=\"note\">Graphviz's dot was not found, so the graph is a list (install Graphviz "
                    f"to draw it).</p><ol class=\"graph-list\">{items}</ol>")
        svg = svg[svg.index("<svg"):]  # no XML prolog or DOCTYPE inside HTML
        return re.sub(r'<g id="node\d+" class="node">(\s*)<title>([^<]*)</title>',
                      lambda m: f'<g id="step-{m[2]}" class="node">{m[1]}<title>{m[2]}</title>', svg)


class _Recorder:
    """The engine's observer: a frame per VJP of a drawn node, and every contribution to a
    drawn node's gradient, in the order the engine adds them."""

    def __init__(self, ids, names):
        self.ids = ids  # {node: DOT name} of the drawn nodes and leaves
        self.names = names
        self.frames = []
        self.parts = {}  # drawn node -> [(frame index or None, sender's name, fitted gradient)]
        self.index = {}

    def contribute(self, node, frame, sender, g):
        if node in self.ids:
            self.parts.setdefault(node, []).append((frame, sender, g))

    def __call__(self, node, g, parent_grads):
        drawn = node in self.ids
        k = len(self.frames) if drawn else None
        fitted = []
        for i, p in enumerate(node.parents):
            gp = parent_grads[i] if p is not None else None
            if gp is not None and (drawn or p in self.ids):
                gp = _fit(gp, p, node, i)
                self.contribute(p, k, node.name, gp)
            fitted.append(gp)
        if not drawn:
            return
        self.frames.append(self._frame(k, node, g, parent_grads, fitted))

    def _frame(self, k, node, g, raw, fitted):
        leaf = type(node) is AccumulateGrad
        frame = {
            "index": k, "kind": "leaf" if leaf else "vjp", "node": node.name, "id": f"step-{self.ids[node]}",
            "label": _box_label(node, self.names), "settings": _jsonable(node.settings()),
            "formula": None if leaf else _formula(node), "g": value(g), "shape": list(np.shape(g)),
            "grads": None if leaf else [None if gp is None else value(gp) for gp in fitted],
            "to": None if leaf else [_target(p, self.ids, self.names) for p in node.parents],
            "unbroadcast": None if leaf else [
                None if gp is None or np.shape(gp) == np.shape(r) else [list(np.shape(r)), list(np.shape(gp))]
                for r, gp in zip(raw, fitted)],
            "saved": [{"name": name, "shape": list(a.shape), "dtype": str(a.dtype), "bytes": int(a.nbytes),
                       "value": value(a)} for name, a in node.saved_arrays().items()],
            "sum": self._sum(node, g),
        }
        explicit = None if leaf else explicit_vjp(node, g)
        if explicit is not None:
            jg, nbytes, formula = explicit
            vjp_g = np.asarray(fitted[0])
            frame.update(jacobian=formula, jacobian_g=None if jg is None else value(jg), jacobian_bytes=int(nbytes),
                         vjp_bytes=int(node.saved_bytes()),
                         difference=None if jg is None else _number(np.max(np.abs(jg - vjp_g), initial=0.0)))
        return frame

    def _sum(self, node, g):
        """Where the gradient came from, when more than one sender added to it: each part and
        the total, summed in the engine's order (so it equals ``g`` exactly)."""
        parts = self.parts.pop(node, [])
        if len(parts) < 2:
            return None
        total = parts[0][2]
        for _, _, gp in parts[1:]:
            total = total + gp
        return {"parts": [{"from": frame, "node": sender, "value": value(gp)} for frame, sender, gp in parts],
                "total": value(total), "exact": bool(np.array_equal(total, g))}


def _fit(gp, p, node, i):
    """What the engine adds to ``p``'s gradient: ``gp`` summed over broadcast axes, cast."""
    gp = np.asarray(gp)
    if gp.shape != p.shape:
        gp = engine.unbroadcast(gp, p.shape, node, i)
    if gp.dtype != p.dtype:
        gp = gp.astype(p.dtype)
    return gp


def value(a):
    """An array as JSON: nested lists when small (non-finite numbers as "inf", "-inf",
    "nan"), else ``{"shape", "min", "max", "norm"}``."""
    a = np.asarray(a)
    if a.size <= FULL:
        return _finite(a.tolist())
    flat = a.astype(np.float64, copy=False)
    return {"shape": list(a.shape), "min": _number(flat.min()), "max": _number(flat.max()),
            "norm": _number(np.linalg.norm(flat.reshape(-1)))}


def _finite(x):
    if isinstance(x, list):
        return [_finite(v) for v in x]
    return _number(x) if isinstance(x, float) else x


def _number(x):
    x = float(x)
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def _jsonable(v):
    if v is None or isinstance(v, (bool, str, int)):
        return v
    if isinstance(v, float):
        return _number(v)
    if isinstance(v, np.generic):
        return _jsonable(v.item())
    if isinstance(v, np.ndarray):
        return value(v)
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    return str(v)


def _formula(node):
    """The VJP half of the op's one-line math docstring (``z̄ = a ∘ (g − ⟨g, a⟩) ...``)."""
    doc = (type(node).__doc__ or "").strip().split("\n\n")[0]
    text = " ".join(line.strip() for line in doc.splitlines())
    return text.split(";", 1)[1].strip() if ";" in text else text or None


def _box_label(node, names):
    if type(node) is AccumulateGrad:
        t = node.leaf()
        return (names.get(id(t)) if t is not None else None) or "leaf"
    return " ".join([node.name] + op_params(node))


def _target(p, ids, names):
    if p is None:
        return None
    return {"id": f"step-{ids[p]}" if p in ids else None, "label": _box_label(p, names)}


def page(frames, graph, left_out, max_nodes):
    """The page: the template with the graph and the frames (as JSON that no string in it can end)."""
    data = {"frames": frames, "left_out": left_out, "max_nodes": max_nodes}
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    template = resources.files(__package__).joinpath("steps_page.html").read_text(encoding="utf-8")
    head, rest = template.split("<!--GRAPH-->")
    middle, tail = rest.split("/*FRAMES*/")
    return head + graph + middle + text + tail
