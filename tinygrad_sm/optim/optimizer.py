"""``Optimizer``: the checks every update rule shares; updates happen in place, outside the graph."""
import math
from collections.abc import Mapping

import numpy as np

from ..checks import check_bool, check_real, is_int
from ..saved import is_held
from ..tensor import Tensor


class Optimizer:
    """Base class: holds the parameters, checks their gradients, keeps per-parameter state.

    Hyperparameters are checked when they are set (at construction, and on every
    assignment to ``lr``): a NaN, inf, None, bool, string or out-of-range value raises
    naming it. ``lr`` must be positive at construction; assigned later it may be 0
    (where a schedule can anneal it). Each parameter may be listed once.

    ``step()`` checks every gradient before it touches any parameter, and raises if one
    is not a Tensor (or ndarray) of exactly its parameter's shape (gradients are not
    broadcast) with a float dtype, if one has NaN/inf (unless ``check_finite=False``),
    or if a parameter is still saved by a live graph. Parameters without a gradient
    are skipped.
    """

    def __init__(self, params, lr, check_finite=True):
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: params must be an iterable of tensors, got one Tensor; pass [tensor]")
        try:
            self.params = list(params)
        except TypeError:
            raise TypeError(f"{name}: params must be an iterable of tensors, got {type(params).__name__}") from None
        if not self.params:
            raise ValueError(f"{name}: got an empty parameter list")
        first = {}
        for i, p in enumerate(self.params):
            if isinstance(p, tuple) and len(p) == 2 and isinstance(p[1], Tensor):
                raise TypeError(f"{name}: parameter {i} is a (name, tensor) pair; pass model.parameters(), "
                                f"not model.named_parameters()")
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise TypeError(f"{name}: parameter {i} is not a tensor that requires grad")
            if not p.is_leaf:
                raise TypeError(f"{name}: parameter {i} was computed by recorded ops; optimize the leaves it came from")
            if id(p) in first:
                raise ValueError(f"{name}: parameter {i} is parameter {first[id(p)]} again; list each parameter once "
                                 f"(it would be updated twice per step)")
            first[id(p)] = i
        self.lr = check_real(name, "lr", lr, low_open=True)
        self.check_finite = check_bool(name, "check_finite", check_finite)
        self.state = [dict() for _ in self.params]
        self.steps = 0

    @property
    def lr(self):
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = check_real(type(self).__name__, "lr", value)

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def _ready(self):
        """The (index, parameter array, gradient array) triples to update, all checked up front."""
        name = type(self).__name__
        ready = []
        for i, p in enumerate(self.params):
            g = p.grad
            if g is None:
                continue
            if isinstance(g, Tensor):
                g = g.data
            elif not isinstance(g, np.ndarray):
                raise TypeError(f"{name}.step: the gradient of parameter {i} is a {type(g).__name__}, "
                                f"not a Tensor of shape {p.shape}")
            if g.shape != p.shape:
                raise ValueError(f"{name}.step: the gradient of parameter {i} has shape {g.shape} but the parameter "
                                 f"has shape {p.shape}; gradients must match exactly (they are not broadcast)")
            if g.dtype.kind != "f":
                raise TypeError(f"{name}.step: the gradient of parameter {i} has dtype {g.dtype}; it must be float")
            if self.check_finite and not _all_finite(g):
                raise FloatingPointError(
                    f"{name}.step: the gradient of parameter {i} (shape {p.shape}) has "
                    f"NaN/inf; lower the learning rate or find the op with tg.detect_anomaly() "
                    f"(check_finite=False skips this check)"
                )
            for k, v in self.state[i].items():
                if isinstance(v, np.ndarray) and v.shape != p.shape:
                    raise ValueError(f"{name}.step: parameter {i} has shape {p.shape} but its optimizer state {k!r} "
                                     f"has shape {v.shape} (the parameter was replaced); make a new optimizer")
            if is_held(p.data):
                raise RuntimeError(
                    f"{name}.step: parameter {i} (shape {p.shape}) is still saved by a graph "
                    f"that was neither backpropagated nor dropped (retain_graph=True, or an unused loss); "
                    f"drop it (del loss) before stepping"
                )
            ready.append((i, p.data, g))
        return ready

    def step(self):
        ready = self._ready()
        self.steps += 1
        for i, w, g in ready:
            self._update(self.state[i], w, g)

    def state_dict(self):
        return {
            "lr": self.lr, "steps": self.steps,
            "state": [{k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items() if k != "scratch"}
                      for s in self.state],
        }

    def load_state_dict(self, state):
        """Load what ``state_dict`` returned, all or nothing: everything is checked (the
        learning rate, the step count, one state per parameter with arrays of its shape)
        before anything changes, and the arrays are copied."""
        name = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state, Mapping) or not {"lr", "steps", "state"} <= set(state):
            raise TypeError(f"{name}: expected a dict with 'lr', 'steps' and 'state', as state_dict() returns")
        lr = check_real(name, "lr", state["lr"])
        steps = state["steps"]
        if not is_int(steps) or steps < 0:
            raise ValueError(f"{name}: steps must be a non-negative integer, got {steps!r}")
        states = state["state"]
        if not isinstance(states, (list, tuple)) or len(states) != len(self.params):
            count = len(states) if isinstance(states, (list, tuple)) else type(states).__name__
            raise ValueError(f"{name}: {count} parameter states for {len(self.params)} parameters")
        loaded = []
        for i, (s, p) in enumerate(zip(states, self.params)):
            if not isinstance(s, Mapping):
                raise TypeError(f"{name}: the state of parameter {i} is a {type(s).__name__}, not a dict")
            entry = {}
            for k, v in s.items():
                if isinstance(v, np.ndarray):
                    if v.shape != p.shape or v.dtype.kind != "f":
                        raise ValueError(f"{name}: state {k!r} of parameter {i} is {v.dtype} {v.shape}; "
                                         f"the parameter is {p.dtype} {p.shape}")
                    v = v.copy()
                entry[k] = v
            loaded.append(entry)
        self._lr, self.steps, self.state = lr, int(steps), loaded


def _all_finite(g):
    """True if no entry is NaN or inf. ⟨g, g⟩ is one BLAS pass and is finite exactly when
    every entry is, unless finite entries overflow it: only then look entry by entry."""
    if g.dtype.kind == "f" and g.flags.c_contiguous and g.size:
        flat = g.reshape(-1)
        if math.isfinite(np.dot(flat, flat)):
            return True
    return bool(np.isfinite(g).all())
