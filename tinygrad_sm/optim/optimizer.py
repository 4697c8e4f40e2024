"""``Optimizer``: the checks every update rule shares; updates happen in place, outside the graph."""
import math

import numpy as np

from ..saved import is_held
from ..tensor import Tensor


class Optimizer:
    """Base class: holds the parameters, checks their gradients, keeps per-parameter state.

    ``step()`` raises, before touching any parameter, if a gradient is NaN/inf
    (unless ``check_finite=False``) or if a parameter is still saved by a live
    graph. Parameters without a gradient are skipped.
    """

    def __init__(self, params, lr, check_finite=True):
        self.params = list(params)
        if not self.params:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor) or not p.requires_grad:
                raise TypeError(f"{type(self).__name__}: parameter {i} is not a tensor that requires grad")
        if not lr > 0:
            raise ValueError(f"{type(self).__name__}: lr must be positive, got {lr}")
        self.lr = float(lr)
        self.check_finite = check_finite
        self.state = [dict() for _ in self.params]
        self.steps = 0

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def _ready(self):
        """The (index, parameter, gradient array) triples to update, checked up front."""
        ready = []
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue
            g = p.grad.data
            if self.check_finite and not _all_finite(g):
                raise FloatingPointError(
                    f"{type(self).__name__}.step: the gradient of parameter {i} (shape {p.shape}) has "
                    f"NaN/inf; lower the learning rate or find the op with tg.detect_anomaly() "
                    f"(check_finite=False skips this check)"
                )
            if is_held(p.data):
                raise RuntimeError(
                    f"{type(self).__name__}.step: parameter {i} (shape {p.shape}) is still saved by a graph "
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
        if len(state["state"]) != len(self.params):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: {len(state['state'])} parameter states for "
                f"{len(self.params)} parameters"
            )
        self.lr, self.steps = state["lr"], state["steps"]
        self.state = [dict(s) for s in state["state"]]


def _all_finite(g):
    """True if no entry is NaN or inf. ⟨g, g⟩ is one BLAS pass and is finite exactly when
    every entry is, unless finite entries overflow it: only then look entry by entry."""
    if g.dtype.kind == "f" and g.flags.c_contiguous and g.size:
        flat = g.reshape(-1)
        if math.isfinite(np.dot(flat, flat)):
            return True
    return bool(np.isfinite(g).all())
