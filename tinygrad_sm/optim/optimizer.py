"""``Optimizer``: the checks every update rule shares; updates happen in place, outside the graph."""
import math
from collections.abc import Mapping

import numpy as np

from ..checks import check_bool, check_real, is_int
from ..grad_mode import no_grad
from ..tensor import Tensor


class Optimizer:
    """Base class: holds the parameters in ``param_groups``, checks their gradients, keeps
    per-parameter state.

    ``params`` is an iterable of tensors, or (as in PyTorch) of dicts
    ``{"params": [...], "lr": ..., other hyperparameters}``: each dict is a group whose
    missing settings come from the constructor's arguments (``defaults``).
    ``param_groups`` is that list of dicts; schedulers and users change a group's
    ``"lr"`` there, and ``opt.lr`` reads and sets the first group's.

    Hyperparameters are checked when a group is made, and ``lr`` on every assignment to
    ``opt.lr`` and at every ``step()``: a NaN, inf, None, bool, string or out-of-range
    value raises naming it. ``lr`` must be positive at construction; later it may be 0
    (where a schedule can anneal it). Each parameter may be listed once.

    ``step()`` checks every gradient before it touches any parameter, and raises if one
    is not a Tensor (or ndarray) of exactly its parameter's shape (gradients are not
    broadcast) with a float dtype, or if one has NaN/inf (unless ``check_finite=False``).
    Parameters without a gradient are skipped. Subclasses write the update rule as
    ``_update(state, w, g, group)``, changing the array ``w`` in place.
    """

    def __init__(self, params, defaults, check_finite=True):
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(f"{name}: params must be an iterable of tensors, got one Tensor; pass [tensor]")
        try:
            items = list(params)
        except TypeError:
            raise TypeError(f"{name}: params must be an iterable of tensors, got {type(params).__name__}") from None
        if not items:
            raise ValueError(f"{name}: got an empty parameter list")
        if not isinstance(defaults, Mapping):  # Optimizer(params, lr), as subclasses called it before groups
            defaults = {"lr": defaults}
        self.defaults = self._check_hyper(dict(defaults), name)
        raw_groups = items if all(isinstance(g, Mapping) for g in items) else [{"params": items}]
        if any(isinstance(g, Mapping) for g in items) and not all(isinstance(g, Mapping) for g in items):
            raise TypeError(f"{name}: params must be all tensors or all dicts (parameter groups), not a mix")
        self.param_groups, self.params, first = [], [], {}
        for gi, raw in enumerate(raw_groups):
            self.param_groups.append(self._make_group(raw, gi, first, name))
        self.check_finite = check_bool(name, "check_finite", check_finite)
        self.state = [dict() for _ in self.params]
        self.steps = 0

    def _make_group(self, raw, gi, first, name):
        if "params" not in raw:
            raise TypeError(f"{name}: parameter group {gi} has no 'params' entry")
        ps = raw["params"]
        ps = [ps] if isinstance(ps, Tensor) else list(ps)
        if not ps:
            raise ValueError(f"{name}: parameter group {gi} has an empty parameter list")
        for p in ps:
            i = len(self.params)
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
            self.params.append(p)
        given = {k: v for k, v in raw.items() if k != "params"}
        return {"params": ps, **self._check_hyper({**self.defaults, **given}, f"{name}: parameter group {gi}")}

    def _check_hyper(self, hyper, owner):
        """The checked hyperparameters (``lr`` and the subclass's) as a new dict; subclasses
        extend it with their own checks."""
        out = dict(hyper)
        out["lr"] = check_real(owner, "lr", hyper["lr"], low_open=True)
        return out

    @property
    def lr(self):
        """The first parameter group's learning rate."""
        return self.param_groups[0]["lr"]

    @lr.setter
    def lr(self, value):
        self.param_groups[0]["lr"] = check_real(type(self).__name__, "lr", value)

    def zero_grad(self, set_to_none=True):
        """Drop every gradient (``set_to_none=False``: replace each with a new zeros tensor)."""
        for p in self.params:
            p.grad = None if set_to_none else Tensor(np.zeros(p.shape, p.dtype))

    def _ready(self):
        """The (index, parameter, gradient array, group) of each parameter to update, all checked up front."""
        name = type(self).__name__
        for gi, group in enumerate(self.param_groups):
            check_real(f"{name}.step: parameter group {gi}", "lr", group.get("lr"))
        ready = []
        i = 0
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is not None:
                    ready.append((i, p, self._checked_grad(i, p, g, name), group))
                i += 1
        return ready

    def _checked_grad(self, i, p, g, name):
        if isinstance(g, Tensor):
            g = np.asarray(g.numpy())
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
        return g

    def step(self):
        ready = self._ready()
        self.steps += 1
        for i, p, g, group in ready:
            self._write(p, lambda w, i=i, g=g, group=group: self._update(self.state[i], w, g, group))

    @staticmethod
    def _write(p, update):
        """The one place the optimizer changes a parameter: ``update(w)`` changes the array
        ``w`` in place, through the parameter's write path (outside the graph; its version
        goes up, so a graph that saved it before the step refuses to backpropagate)."""
        with no_grad():
            p._write("optimizer step", update)

    def _update(self, state, w, g, group):
        raise NotImplementedError(f"{type(self).__name__} must define _update(state, w, g, group)")

    def state_dict(self):
        return {
            "lr": self.lr, "steps": self.steps,
            "param_groups": [{k: (v if k != "params" else len(v)) for k, v in g.items()} for g in self.param_groups],
            "state": [{k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items() if k != "scratch"}
                      for s in self.state],
        }

    def load_state_dict(self, state):
        """Load what ``state_dict`` returned, all or nothing: everything is checked (the
        learning rate, the groups' settings, the step count, one state per parameter with
        arrays of its shape) before anything changes, and the arrays are copied."""
        name = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state, Mapping) or not {"lr", "steps", "state"} <= set(state):
            raise TypeError(f"{name}: expected a dict with 'lr', 'steps' and 'state', as state_dict() returns")
        lr = check_real(name, "lr", state["lr"])
        groups = state.get("param_groups")
        new_groups = None
        if groups is not None:
            if not isinstance(groups, (list, tuple)) or len(groups) != len(self.param_groups):
                count = len(groups) if isinstance(groups, (list, tuple)) else type(groups).__name__
                raise ValueError(f"{name}: {count} parameter groups for {len(self.param_groups)}")
            new_groups = []
            for gi, (saved, own) in enumerate(zip(groups, self.param_groups)):
                if not isinstance(saved, Mapping) or saved.get("params") != len(own["params"]):
                    raise ValueError(f"{name}: parameter group {gi} does not have {len(own['params'])} parameters")
                hyper = {k: v for k, v in saved.items() if k != "params"}
                if "lr" not in hyper:
                    raise ValueError(f"{name}: parameter group {gi} has no 'lr'")
                hyper = self._check_hyper({**self.defaults, **hyper}, f"{name}: parameter group {gi}")
                new_groups.append({"params": own["params"], **hyper})
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
        if new_groups is not None:
            for own, new in zip(self.param_groups, new_groups):
                own.clear()
                own.update(new)
        else:
            for own in self.param_groups:
                own["lr"] = lr
        self.steps, self.state = int(steps), loaded


def _all_finite(g):
    """True if no entry is NaN or inf. ⟨g, g⟩ is one BLAS pass and is finite exactly when
    every entry is, unless finite entries overflow it: only then look entry by entry."""
    if g.dtype.kind == "f" and g.flags.c_contiguous and g.size:
        flat = g.reshape(-1)
        if math.isfinite(np.dot(flat, flat)):
            return True
    return bool(np.isfinite(g).all())
