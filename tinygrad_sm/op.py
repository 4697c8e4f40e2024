"""The op contract: everything the author of a primitive writes, and nothing else.

A primitive is a subclass of :class:`Op` with two methods side by side::

    class Exp(Op):
        \"\"\"z = eˣ;  x̄ = g·z\"\"\"

        def forward(self, x):           # NumPy arrays in, an array out
            out = np.exp(x)
            self.save(out=out)          # what the VJP will need, by name
            return out

        def vjp(self, g, out):          # the upstream gradient, then the saved values
            return (g * out,)           # one gradient (or None) per input

``Exp.apply(x)`` runs it: on plain arrays it returns an array; if an argument is a
tensor it returns a tensor and, when an input requires grad, records the instance
as a node of the backward graph. A VJP is written once, with operations that
ndarrays and tensors share (``*``, ``-``, ``@``, ``.sum(axis, keepdims=True)``,
``.reshape``, indexing) or with other ops' ``apply``: plain ``backward()`` hands it
arrays (NumPy speed, nothing recorded); ``create_graph=True`` hands it tensors, so
the backward pass is recorded and can be differentiated again.

How nodes are recorded lives in ``record.py``; how saved values are checked against
later writes, in ``versions.py``; the graph walk, in ``engine.py``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Callable


class Traced:
    """The base of values that ops record (``Tensor``). This module knows them by
    this name only: an argument of ``Op.apply`` that is one hands the call to its
    ``_record`` method."""

    __slots__ = ()

    def _record(self, op: type[Op], args: tuple[Any, ...], params: dict[str, Any]) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not record ops")


RESERVED = frozenset((
    "parents", "saved", "shape", "dtype", "seq", "versions", "sources", "site", "checks", "retained",
    "written", "forward", "vjp", "save", "needs", "apply", "name", "settings", "saved_arrays", "saved_names",
    "saved_bytes", "params", "family", "nonfinite_ok",
))


class Op:
    """Base class of every primitive; an applied instance is a node of the backward graph.

    Subclasses define ``forward(*arrays)`` and ``vjp(g, *saved)``; settings (``axis``,
    ``keepdims``, ...) are ``__init__`` keyword arguments kept in ``__slots__`` and listed
    in ``params`` so reprs and pictures can show them. ``family`` groups ops in
    pictures and docs ("softmax" marks the ops whose explicit Jacobian the footer
    compares against). Inside ``forward``, ``self.needs(i)`` says whether input ``i``
    needs a gradient, so an op saves only what the gradients asked for need.
    """

    # Bookkeeping filled in by record.py and the engine, not by op authors (a setting may
    # not use these names: see RESERVED). Rarely set entries (anomaly mode's notes,
    # retain_grad, a write to the saved output) default to None here and go into the
    # instance dict only when set.
    __slots__ = ("parents", "saved", "shape", "dtype", "seq", "versions", "sources", "__dict__", "__weakref__")
    parents: tuple[Any, ...]
    saved: tuple[Any, ...] | None
    shape: tuple[int, ...]
    dtype: np.dtype
    seq: int
    versions: tuple[Any, ...] | None
    sources: tuple[int | None, ...] | None
    site: Any = None
    checks: Any = None
    written: Any = None
    retained: Callable[[], Any] | None = None
    params: tuple[str, ...] = ()
    family: str = "elementwise"
    saved_names: tuple[str, ...] = ()  # the VJP's parameters after ``g``: what ``save`` fills, in order

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        clash = RESERVED.intersection(cls.params)
        if clash:
            raise TypeError(
                f"{cls.__name__}: setting {sorted(clash)[0]!r} collides with a name the engine uses for its "
                f"bookkeeping ({', '.join(sorted(RESERVED))}); give the setting another name"
            )
        if isinstance(cls.params, str) or not all(isinstance(p, str) for p in cls.params):
            raise TypeError(f"{cls.__name__}: params must be a tuple of setting names, got {cls.params!r}")
        code = getattr(cls.vjp, "__code__", None)
        if code is not None and "vjp" in cls.__dict__:
            names = code.co_varnames[2:code.co_argcount]
            if code.co_flags & 0x04:  # *args: any number of saved values, by position only
                names = ()
            cls.saved_names = names

    @classmethod
    def apply(cls, *args: Any, **params: Any) -> Any:
        """Run the op. On arrays (and Python scalars) it returns an array; if any argument
        is a tensor it returns a tensor, recorded when grad mode is on and an input
        requires grad. This is the one place that tells the two apart."""
        for a in args:
            if isinstance(a, Traced):
                return a._record(cls, args, params)
        op = cls(**params) if params else cls()
        op.parents = (None,) * len(args)
        op.saved = None
        return op.forward(*args)

    # --- for op authors ----------------------------------------------------------
    def forward(self, *arrays: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, *arrays)")

    def vjp(self, g: Any, *saved: Any) -> tuple[Any, ...]:
        raise NotImplementedError(f"{type(self).__name__} must define vjp(self, g, *saved)")

    def save(self, *values: Any, **named: Any) -> None:
        """Keep these values for backward; ``vjp(g, ...)`` receives them after ``g``, in
        the order of its parameters: pass them in that order, or by those names. Save an
        input or the output itself (not a copy) where that is enough: those are
        re-attached to the graph under ``create_graph``; anything else is a constant."""
        if named:
            values = _by_name(type(self), values, named)
        self.saved = values

    def needs(self, i: int) -> bool:
        """Whether input ``i`` needs a gradient (known before ``forward`` runs)."""
        return self.parents[i] is not None

    def nonfinite_ok(self) -> np.ndarray | None:
        """A boolean mask of output entries that are non-finite by design (anomaly mode
        does not flag them), or None. Masked log_softmax returns -inf at excluded entries."""
        return None

    # --- read by the engine, the tests and the pictures ----------------------------
    @property
    def name(self) -> str:
        return type(self).__name__ + "Backward"

    def settings(self) -> dict[str, Any]:
        """The op's settings named in ``params``, e.g. ``{"axis": 1}``."""
        return {k: getattr(self, k, None) for k in type(self).params}

    def saved_items(self, saved: tuple[Any, ...] | None = None) -> list[tuple[str, Any]]:
        """``[(name, value)]`` of what this node keeps for backward (empty once freed), or of
        ``saved`` (the values a running backward took from the node)."""
        if saved is None:
            saved = getattr(self, "saved", None)
        if not saved:
            return []
        names = type(self).saved_names
        return [(names[i] if i < len(names) else f"saved{i}", v) for i, v in enumerate(saved)]

    def saved_arrays(self) -> dict[str, np.ndarray]:
        """``{name: ndarray}`` of what this node keeps for backward (empty once freed)."""
        return {k: v for k, v in self.saved_items() if isinstance(v, np.ndarray)}

    def saved_bytes(self) -> int:
        return sum(v.nbytes for v in self.saved_arrays().values())

    def __repr__(self) -> str:
        if getattr(self, "saved", None) is None and getattr(self, "seq", None) is not None:
            state = "freed"
        else:
            state = ", ".join(f"{k}:{v.shape} {v.dtype}" for k, v in self.saved_arrays().items()) or "nothing"
        return f"<{self.name} saved={state}>"


def _by_name(cls: type[Op], values: tuple[Any, ...], named: dict[str, Any]) -> tuple[Any, ...]:
    """``save(a=..., b=...)`` as the tuple ``vjp`` receives, or an error naming the op."""
    names = cls.saved_names
    unknown = [k for k in named if k not in names[len(values):]]
    missing = [k for k in names[len(values):] if k not in named]
    if unknown or missing:
        want = f"vjp(self, g, {', '.join(names)})" if names else "vjp(self, g) (nothing to save)"
        raise TypeError(
            f"{cls.__name__}.save: " + (f"got {', '.join(map(repr, unknown))}, " if unknown else "")
            + (f"missing {', '.join(map(repr, missing))}, " if missing else "")
            + f"but the VJP is {want}; save exactly the values vjp takes after g, by those names"
        )
    return values + tuple(named[k] for k in names[len(values):])
