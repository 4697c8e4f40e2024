"""Recording: what happens when an op is applied to tensors.

``record(Op, args, params)`` runs the op's forward on the arrays inside ``args`` and,
when grad mode is on and an input requires grad, makes the op instance a node of the
backward graph: its parents (the nodes that made its inputs; ``None`` for inputs
that need no gradient), its output's shape and dtype, a creation sequence number (a
node is always made after its parents, so sorting by it is a topological order), and
where each saved array came from. The saved arrays are write-protected (``saved.py``).

Every node is an ``Op`` instance or, for a leaf tensor that requires grad, its
``AccumulateGrad`` node: so a node's parents are nodes or None, and the graph walk
is one loop.
"""
import itertools
import os
import sys
import weakref

import numpy as np

from . import saved as protection
from .grad_mode import STATE, AnomalyError
from .op import Traced

OUTPUT = -1  # a ``sources`` entry: this saved array is the node's own output
_sequence = itertools.count()  # next() is atomic: safe from several threads
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_NOTHING = {}  # the ``saved`` of a node that saved nothing (never mutated)


class AccumulateGrad:
    """The node of a leaf tensor that requires grad: where the leaf's gradient arrives.

    It refers to its leaf weakly (the leaf owns it), so a leaf and its node never form a
    reference cycle.
    """

    __slots__ = ("leaf", "shape", "dtype", "seq", "retained", "__weakref__")
    parents = ()
    saved = _NOTHING
    family = "leaf"
    name = "AccumulateGrad"

    def __init__(self, leaf):
        self.leaf = weakref.ref(leaf)
        self.shape = leaf.data.shape
        self.dtype = leaf.data.dtype
        self.seq = next(_sequence)
        self.retained = None

    def settings(self):
        return {}

    def saved_arrays(self):
        return {}

    def saved_bytes(self):
        return 0

    def release(self):
        pass

    def __repr__(self):
        return f"<AccumulateGrad {self.shape} {self.dtype}>"


def record(cls, args, params):
    """Apply op ``cls`` to ``args`` (tensors and constants); returns ``(out, node)``,
    with ``node`` None when nothing is recorded."""
    enabled = STATE.grad_enabled
    arrays = []
    parents = []
    needed = False
    for a in args:
        if isinstance(a, Traced):
            arrays.append(a.data)
            if enabled and a.requires_grad:
                parents.append(a._node)
                needed = True
            else:
                parents.append(None)
        else:
            arrays.append(constant(a))
            parents.append(None)
    node = cls(**params) if params else cls()
    node.parents = parents
    node.saved = None
    out = node.forward(*arrays)
    if type(out) is not np.ndarray:  # ufuncs and full reductions return NumPy scalars
        out = _as_array(node, out)
    if not needed or out.dtype.kind != "f":
        if needed and out.dtype.kind == "c":
            raise TypeError(
                f"{cls.__name__.lower()}: the result is complex ({out.dtype}), and tinygrad_sm differentiates "
                f"real floating tensors only; take .real/.imag parts as separate real tensors"
            )
        if STATE.anomaly:
            check_forward(node, arrays, out)
        return out, None
    node.parents = tuple(parents)
    node.shape = out.shape
    node.dtype = out.dtype
    node.seq = next(_sequence)
    node.holds = node.sources = node.site = node.checks = node.retained = None
    saved = node.saved
    if saved is None:
        node.saved = _NOTHING
    else:
        protect = sources = None
        for k, v in saved.items():
            if type(v) is not np.ndarray:
                continue
            if protect is None:
                protect = [v]
            else:
                protect.append(v)
            if v is out:
                src = OUTPUT
            else:
                for i, arr in enumerate(arrays):
                    if v is arr:
                        src = i
                        break
                else:
                    continue  # made by the op itself: a constant of the graph
            if sources is None:
                sources = {k: src}
            else:
                sources[k] = src
        node.sources = sources
        if protect is not None:
            node.holds = protection.protect(protect)
    if STATE.anomaly:
        node.site = user_site()
        node.checks = protection.fingerprints(node.saved)
        check_forward(node, arrays, out)
    return out, node


def release(node):
    """Free a node after its VJP ran (or the walk raised): drop what it saved, unlock it."""
    node.saved = None
    node.sources = None
    holds = node.holds
    if holds is not None:
        node.holds = None
        holds.release()


def constant(a):
    """A non-tensor operand. NumPy scalars and 0-d arrays become Python scalars, so they
    adapt to the tensor's dtype the way Python numbers do (float32 stays float32)."""
    kind = type(a)
    if kind is float or kind is int or kind is bool or a is None:
        return a
    if kind is np.ndarray or isinstance(a, np.ndarray):
        return a.item() if a.ndim == 0 and a.dtype.kind in "biuf" else a
    if isinstance(a, np.generic):
        return a.item() if a.dtype.kind in "biuf" else a
    if isinstance(a, (list, tuple)):
        return np.asarray(a)
    return a


def _as_array(node, scalar):
    """Wrap a NumPy scalar output, keeping "the saved output is the output" true."""
    out = np.asarray(scalar)
    if node.saved:
        for k, v in node.saved.items():
            if v is scalar:
                node.saved[k] = out
    return out


# --- anomaly mode ---------------------------------------------------------------
def user_site():
    """file:line of the innermost frame outside this package (the user's code)."""
    f = sys._getframe(1)
    while f is not None and os.path.abspath(f.f_code.co_filename).startswith(_PACKAGE_DIR):
        f = f.f_back
    return "<unknown>" if f is None else f"{f.f_code.co_filename}:{f.f_lineno}"


def _finite(a):
    if isinstance(a, float):
        return a - a == 0
    return not isinstance(a, np.ndarray) or a.dtype.kind not in "fc" or bool(np.isfinite(a).all())


def check_forward(node, arrays, out):
    """Under detect_anomaly: finite inputs must give a finite output (except where the op
    says a non-finite entry is by design)."""
    if out.dtype.kind not in "fc":
        return
    bad = ~np.isfinite(out)
    if not bad.any() or not all(_finite(a) for a in arrays):
        return
    ok = node.nonfinite_ok()
    if ok is not None and not (bad & ~np.broadcast_to(ok, bad.shape)).any():
        return
    what = "nan" if np.isnan(out).any() else "inf"
    site = getattr(node, "site", None) or user_site()
    raise AnomalyError(
        f"{type(node).__name__} produced {what} in forward from finite inputs (created at {site}); "
        f"check its inputs' range"
    )


def check_backward(node, g, grads):
    """Under detect_anomaly: a finite incoming gradient must give finite gradients."""
    if not _finite(np.asarray(getattr(g, "data", g))):
        return
    for i, gi in enumerate(grads):
        if gi is None:
            continue
        arr = np.asarray(getattr(gi, "data", gi))
        if not _finite(arr):
            what = "nan" if np.isnan(arr).any() else "inf"
            raise AnomalyError(
                f"{node.name} produced {what} in the gradient of input {i} from a finite incoming "
                f"gradient (op created at {node.site or '<unknown>'})"
            )


def check_saved(node):
    """Under detect_anomaly: no saved array changed since forward (a write through a
    view made before the save, which NumPy's flags cannot stop)."""
    if node.checks:
        bad = protection.changed(node.saved, node.checks)
        if bad:
            raise AnomalyError(
                f"{node.name} (created at {node.site or '<unknown>'}): its saved array "
                f"{', '.join(repr(k) for k in bad)} was modified after forward, through a view made before "
                f"it was saved; its gradient would be wrong. Copy the array before changing it, or "
                f"recompute the forward pass"
            )
