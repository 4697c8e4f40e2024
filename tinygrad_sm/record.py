"""Recording: what happens when an op is applied to tensors.

``record(Op, args, params)`` runs the op's forward on the arrays inside ``args`` and,
when grad mode is on and an input requires grad, makes the op instance a node of the
backward graph: its parents (the nodes that made its inputs; ``None`` for inputs
that need no gradient), its output's shape and dtype, a creation sequence number (a
node is always made after its parents, so sorting by it is a topological order),
where each saved value came from, and the version of every tensor whose memory it
saved (``versions.py`` compares them at backward).

Memory: an op's output becomes a tensor's storage, read-only to everyone but the
framework's write path. An output that is a view of an input tensor's memory shares
that tensor's version counter (returned as ``base``). A saved raw NumPy operand is
copied, so the user's array can change afterwards (and keeps its flags).

Every node is an ``Op`` instance or, for a leaf tensor that requires grad, its
``AccumulateGrad`` node: so a node's parents are nodes or None, and the graph walk
is one loop.
"""
import itertools
import os
import sys
import weakref

import numpy as np

from . import versions
from .grad_mode import STATE, AnomalyError
from .op import Traced

OUTPUT = -1  # a ``sources`` entry: this saved value is the node's own output
_sequence = itertools.count()  # next() is atomic: safe from several threads
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_ndarray = np.ndarray


class AccumulateGrad:
    """The node of a leaf tensor that requires grad: where the leaf's gradient arrives.

    It refers to its leaf weakly (the leaf owns it), so a leaf and its node never form a
    reference cycle.
    """

    __slots__ = ("leaf", "shape", "dtype", "seq", "retained", "__weakref__")
    parents = ()
    saved = ()
    versions = None
    family = "leaf"
    name = "AccumulateGrad"
    written = None

    def __init__(self, leaf):
        self.leaf = weakref.ref(leaf)
        self.shape = leaf._data.shape
        self.dtype = leaf._data.dtype
        self.seq = next(_sequence)
        self.retained = None

    def settings(self):
        return {}

    def saved_items(self):
        return []

    def saved_arrays(self):
        return {}

    def saved_bytes(self):
        return 0

    def __repr__(self):
        return f"<AccumulateGrad {self.shape} {self.dtype}>"


def record(cls, args, params):
    """Apply op ``cls`` to ``args`` (tensors and constants); returns ``(out, node, base)``:
    the output array (read-only), the node (None when nothing is recorded) and the
    tensor whose memory the output views (None for new memory)."""
    node = cls(**params) if params else cls()
    enabled = STATE.grad_enabled
    parents = []
    arrays = []
    needed = False
    for a in args:  # a plain loop: in Python 3.11 a comprehension is a function call
        if isinstance(a, Traced):
            arrays.append(a._data)
            if enabled and a._node is not None:
                parents.append(a._node)
                needed = True
            else:
                parents.append(None)
        else:
            arrays.append(a if type(a) is float else constant(a))
            parents.append(None)
    node.parents = parents
    node.saved = None
    out = node.forward(*arrays)
    if type(out) is not _ndarray:  # ufuncs and full reductions return NumPy scalars
        out = _as_array(node, out)
    base = None
    if out.base is None:
        for a in arrays:
            if out is a:
                out, base = _shared(node, out, args, arrays)
                break
        else:
            out.setflags(False)  # new memory, now the output tensor's own
    else:
        out, base = _shared(node, out, args, arrays)
    kind = out.dtype.kind
    if kind != "f" and kind not in "biuc":
        _bad_output(node, out, arrays)
    if not needed or kind != "f":
        if needed and kind == "c":
            raise TypeError(
                f"{cls.__name__.lower()}: the result is complex ({out.dtype}), and tinygrad_sm differentiates "
                f"real floating tensors only; take .real/.imag parts as separate real tensors"
            )
        if STATE.anomaly:
            check_forward(node, arrays, out)
        return out, None, base
    node.parents = tuple(parents)
    node.shape = out.shape
    node.dtype = out.dtype
    node.seq = next(_sequence)
    saved = node.saved
    if saved is None:
        node.saved = ()
        node.sources = node.versions = None
    else:
        _track(node, saved, args, arrays, out, base)
    if STATE.anomaly:
        node.site = user_site()
        node.checks = versions.fingerprints(node.saved)
        check_forward(node, arrays, out)
    return out, node, base


def _track(node, saved, args, arrays, out, base):
    """Where each saved value came from (input ``i``, the output, or the op itself), and
    the version of each tensor whose memory it saved. A saved constant is copied."""
    if type(saved) is not tuple:
        saved = node.saved = tuple(saved)
    sources = []
    held = None
    k = 0
    for v in saved:
        src = None
        if v is None:
            pass
        elif v is out:
            src = OUTPUT
            if base is not None:  # the output views an input's memory
                held = _hold(held, base)
        elif type(v) is _ndarray or isinstance(v, _ndarray):
            i = 0
            for arr in arrays:
                if v is arr:
                    src = i
                    a = args[i]
                    if isinstance(a, Traced):
                        root = a._base
                        if root is None:
                            root = a
                        if held is None:
                            held = [root, root._version]
                        else:
                            held += (root, root._version)
                    else:  # a constant: kept as a copy
                        saved = _replace(node, saved, k, _own(v))
                    break
                i += 1
            else:
                if v.base is not None:  # made by the op, but a view: of whose memory?
                    held, saved = _view_of(node, saved, k, v, args, arrays, held)
        sources.append(src)
        k += 1
    node.sources = tuple(sources)
    node.versions = None if held is None else tuple(held)


def _hold(held, root):
    if held is None:
        return [root, root._version]
    held.append(root)
    held.append(root._version)
    return held


def _replace(node, saved, k, v):
    saved = saved[:k] + (v,) + saved[k + 1:]
    node.saved = saved
    return saved


def _own(a):
    """A read-only copy of a constant the user still holds (a plain, owned ndarray)."""
    a = np.array(a, copy=True, subok=False)
    a.setflags(False)
    return a


def _view_of(node, saved, k, v, args, arrays, held):
    for i, arr in enumerate(arrays):
        if isinstance(arr, _ndarray) and np.may_share_memory(v, arr):
            a = args[i]
            if isinstance(a, Traced):
                return _hold(held, a if a._base is None else a._base), saved
            return held, _replace(node, saved, k, _own(v))
    if not _lock_private(v):
        saved = _replace(node, saved, k, _own(v))
    return held, saved


def _shared(node, out, args, arrays):
    """The output uses memory that is not new: an input tensor's (share its version
    counter), a constant's (copy it, so the tensor owns it), or a view of memory the op
    made (lock that memory)."""
    for i, arr in enumerate(arrays):
        if isinstance(arr, _ndarray) and (out is arr or np.may_share_memory(out, arr)):
            a = args[i]
            if isinstance(a, Traced):
                if out.flags.writeable:
                    out.setflags(False)
                return out, (a if a._base is None else a._base)
            break
    else:
        if _lock_private(out):
            return out, None
    copy = _own(out)
    if node.saved:
        node.saved = tuple(copy if v is out else v for v in node.saved)
    return copy, None


def _lock_private(v):
    """Make a view of memory the op made read-only, owner first (so the view cannot be
    made writable again); False if an ndarray does not own that memory (copy it then)."""
    owner = versions.owner_of(v)
    if owner.base is not None or type(owner) is not _ndarray:
        return False
    if owner.flags.writeable:
        owner.setflags(False)
    if v.flags.writeable:
        v.setflags(False)
    return True


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


def _as_array(node, result):
    """Wrap a NumPy scalar output, keeping "the saved output is the output" true; refuse
    what is not a numeric array."""
    if not isinstance(result, (np.ndarray, np.generic)):
        _bad_output(node, result)
    out = np.array(result, subok=False)  # a scalar, or an ndarray subclass made plain
    if node.saved:
        node.saved = tuple(out if v is result else v for v in node.saved)
    return out


def _bad_output(node, result, arrays=()):
    what = type(result).__name__
    if isinstance(result, np.ndarray):
        odd = [f"{type(a).__name__} {np.asarray(a).dtype}" for a in arrays
               if a is None or np.asarray(a).dtype.kind not in "biufc"]
        if odd:
            raise TypeError(
                f"{type(node).__name__.lower()}: an operand is not numeric ({', '.join(odd)}); tensors hold "
                f"numbers, so pass numbers (or a numeric array) instead"
            )
        what = f"an array of dtype {result.dtype}"
    elif isinstance(result, (tuple, list)):
        what = f"a {what} of {len(result)} values"
    raise TypeError(
        f"{type(node).__name__}.forward returned {what}; forward must return one numeric NumPy array "
        f"(an op has one output: split a two-output computation into two ops)"
    )


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
    if not _finite(np.asarray(getattr(g, "_data", g))):
        return
    for i, gi in enumerate(grads):
        if gi is None:
            continue
        arr = np.asarray(getattr(gi, "_data", gi))
        if not _finite(arr):
            what = "nan" if np.isnan(arr).any() else "inf"
            raise AnomalyError(
                f"{node.name} produced {what} in the gradient of input {i} from a finite incoming "
                f"gradient (op created at {node.site or '<unknown>'})"
            )
