"""The ``Op`` base class: how a primitive records itself in the graph.

An op's forward and its VJP stand side by side in one small subclass (see
``tinygrad_sm/ops/``). Applying an op to tensors creates one instance of it; that
instance *is* the backward node: it holds

* ``parents``: for each input, the node that made it, the leaf tensor itself, or
  ``None`` when that input needs no gradient;
* ``saved``: a dict naming every array kept for backward (inspectable: the tests
  and the visualizer read it);
* ``shape`` and ``dtype`` of the output (so the engine can unbroadcast and cast
  gradients without keeping any input alive).

A VJP is written once, with operations that NumPy arrays and Tensors share
(``*``, ``-``, ``.sum(axis, keepdims=True)``, ``@``, ``.reshape``) or with other
ops' ``apply``. Plain ``backward()`` passes it ndarrays, so it runs at NumPy speed
and records nothing; ``create_graph=True`` passes it tensors (see ``lifted``), so
the backward pass is itself recorded.
"""
import itertools
import os
import sys

import numpy as np

from .grad_mode import STATE, AnomalyError
from .tensor import Tensor, _make

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_OUT = -1  # ``sources`` marker: this saved array is the op's output
_sequence = itertools.count()  # creation order: a node is always made after its parents

# Arrays a live node has write-protected, with how many nodes hold each one.
# Keyed by id(): an array in here is referenced by a node, so its id is stable.
_locks = {}


class Op:
    """Base class of every primitive; an instance is a node of the backward graph."""

    __slots__ = ("parents", "saved", "sources", "shape", "dtype", "site", "locked", "seq", "__weakref__")

    @classmethod
    def apply(cls, *args, **params):
        """Run the op. On ndarrays: return an ndarray. On tensors: return a tensor,
        recording a node when grad mode is on and an input requires grad."""
        node = cls(**params) if params else cls()
        arrays = []
        parents = []
        record = False
        any_tensor = False
        enabled = STATE.grad_enabled
        for a in args:
            if isinstance(a, Tensor):
                any_tensor = True
                arrays.append(a.data)
                if enabled and a.requires_grad:
                    record = True
                    parents.append(a if a._node is None else a._node)
                else:
                    parents.append(None)
            else:
                arrays.append(a if type(a) is float or type(a) is np.ndarray and a.ndim else _constant(a))
                parents.append(None)
        node.parents = parents
        node.saved = None
        out = node.forward(*arrays)
        if not any_tensor:
            return out
        if type(out) is not np.ndarray:  # ufuncs and full reductions return NumPy scalars
            out = _as_array(node, out)
        if not record or out.dtype.kind not in "fc":
            if STATE.anomaly:
                _check_forward(node, arrays, out)
            return _make(out, None)
        node.parents = parents = tuple(parents)
        node.shape = out.shape
        node.dtype = out.dtype
        node.seq = next(_sequence)
        node.sources = node.locked = node.site = None
        saved = node.saved
        if saved is None:
            node.saved = {}
        else:
            # One pass: where each saved array came from, and its write-protection.
            sources = locked = None
            for k, v in saved.items():
                if type(v) is not np.ndarray:
                    continue
                if v is out:
                    src = _OUT
                else:
                    src = None
                    for i, arr in enumerate(arrays):
                        if v is arr:
                            src = i
                            break
                    if src is None:
                        continue  # derived by the op itself: nobody else can write it
                if sources is None:
                    sources = {}
                sources[k] = src
                if src == _OUT or (parents[src] is not None and not isinstance(parents[src], Tensor)):
                    if v.flags.writeable:  # made by the graph: read-only for good
                        v.setflags(write=False)
                elif _lock(v):
                    if locked is None:
                        locked = [v]
                    else:
                        locked.append(v)
            node.sources = sources
            node.locked = locked
        if STATE.anomaly:
            node.site = _user_site()
            _check_forward(node, arrays, out)
        return _make(out, node)

    # --- used by subclasses -------------------------------------------------
    def save(self, **values):
        """Keep these values for backward; the VJP receives them by name."""
        self.saved = values

    def needs(self, i):
        """Whether input ``i`` needs a gradient (decided before forward runs)."""
        return self.parents[i] is not None

    # --- read by the engine, the tests and the visualizer ---------------------
    @property
    def name(self):
        return type(self).__name__ + "Backward"

    def saved_arrays(self):
        """``{name: ndarray}`` of what this node keeps for backward (empty once freed)."""
        return {k: v for k, v in (self.saved or {}).items() if isinstance(v, np.ndarray)}

    def saved_bytes(self):
        return sum(v.nbytes for v in self.saved_arrays().values())

    def params(self):
        """The op's non-array settings (axis, keepdims, ...), for labels and reprs."""
        return {k: getattr(self, k) for k in type(self).__slots__ if hasattr(self, k)}

    def release(self):
        """Drop the saved arrays (the graph is freed) and lift their write-protection."""
        self.saved = self.sources = None
        if self.locked:
            _unlock(self)

    def lifted(self):
        """The saved values as tensors connected to the graph, for ``create_graph``.

        The output becomes a tensor made by this node, an input the tensor that fed
        it (a new handle on the parent node), anything else a constant ndarray
        unless the op says how to connect it (``lift``).
        """
        out = {}
        for k, v in self.saved.items():
            src = self.sources.get(k) if self.sources else None  # None: a constant or derived value
            if src == _OUT:
                out[k] = _make(v, self)
            elif src is not None:
                p = self.parents[src]
                if p is None:
                    out[k] = v
                elif isinstance(p, Tensor):
                    out[k] = p
                else:
                    out[k] = _make(v, p)
            else:
                out[k] = self.lift(k, v)
        return out

    def lift(self, name, value):
        """Connect a saved value that is neither an input nor the output; default: a constant."""
        return value

    def __del__(self):
        if getattr(self, "locked", None):
            _unlock(self)

    def __repr__(self):
        if self.saved is None and getattr(self, "shape", None) is not None:
            state = "freed"
        else:
            state = ", ".join(
                f"{k}:{v.shape} {v.dtype}" for k, v in self.saved_arrays().items()
            ) or "nothing"
        return f"<{self.name} saved={state}>"


def _constant(a):
    """A non-tensor operand. NumPy scalars and 0-d arrays become Python scalars, so
    they adapt to the tensor's dtype the way Python numbers do (float32 stays float32)."""
    kind = type(a)
    if kind is np.ndarray:
        return a.item() if a.ndim == 0 and a.dtype.kind in "biuf" else a
    if kind is float or kind is int or kind is bool or a is None:
        return a
    if isinstance(a, np.generic):
        return a.item()
    if isinstance(a, np.ndarray):
        return a.item() if a.ndim == 0 and a.dtype.kind in "biuf" else a
    if isinstance(a, (list, tuple)):
        return np.asarray(a)
    return a


def _as_array(node, scalar):
    """Wrap a NumPy scalar output, keeping "saved output is the output" true."""
    out = np.asarray(scalar)
    if node.saved:
        for k, v in node.saved.items():
            if v is scalar:
                node.saved[k] = out
    return out


def _lock(v):
    """Write-protect a leaf or constant array; True if this call counts as holding it.

    Parameters and data batches must become writable again when the last node that
    saved them is freed, so each such array carries a count of the nodes holding it.
    """
    key = id(v)
    n = _locks.get(key)
    if n is not None:
        _locks[key] = n + 1
        return True
    if v.flags.writeable:
        v.setflags(write=False)
        _locks[key] = 1
        return True
    return False  # read-only already (the user's choice): leave it so


def _unlock(node):
    locked = node.locked
    node.locked = None
    if not locked:
        return
    for v in locked:
        key = id(v)
        n = _locks.get(key, 1) - 1
        if n <= 0:
            _locks.pop(key, None)
            v.setflags(write=True)
        else:
            _locks[key] = n


def _user_site():
    """file:line of the innermost frame outside this package (the user's code)."""
    f = sys._getframe(1)
    while f is not None and os.path.abspath(f.f_code.co_filename).startswith(_PACKAGE_DIR):
        f = f.f_back
    if f is None:
        return "<unknown>"
    return f"{f.f_code.co_filename}:{f.f_lineno}"


def _finite(a):
    if isinstance(a, float):
        return a - a == 0
    return not isinstance(a, np.ndarray) or a.dtype.kind not in "fc" or bool(np.isfinite(a).all())


def _check_forward(node, arrays, out):
    if out.dtype.kind in "fc" and not np.isfinite(out).all():
        if all(_finite(a) for a in arrays):
            bad = "nan" if np.isnan(out).any() else "inf"
            site = getattr(node, "site", None) or _user_site()
            raise AnomalyError(
                f"{type(node).__name__} produced {bad} in forward from finite inputs "
                f"(created at {site}); check its inputs' range"
            )


def check_backward(node, g, grads):
    """Under detect_anomaly: a finite incoming gradient must give finite gradients."""
    gd = g.data if isinstance(g, Tensor) else g
    if not _finite(gd):
        return
    for i, gi in enumerate(grads):
        if gi is None:
            continue
        arr = gi.data if isinstance(gi, Tensor) else gi
        if not _finite(np.asarray(arr)):
            bad = "nan" if np.isnan(arr).any() else "inf"
            raise AnomalyError(
                f"{node.name} produced {bad} in the gradient of input {i} from a finite "
                f"incoming gradient (op created at {node.site or '<unknown>'})"
            )
