"""Stochastic gradient descent with momentum, Nesterov and weight decay (PyTorch's rule)."""
import numpy as np

from .optimizer import Optimizer, check_bool, check_real


class SGD(Optimizer):
    """``g ← ∇ + λw;  b ← μb + g;  w ← w − lr·(g + μb if nesterov else b)``."""

    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0, check_finite=True):
        super().__init__(params, lr, check_finite)
        momentum = check_real("SGD", "momentum", momentum)
        weight_decay = check_real("SGD", "weight_decay", weight_decay)
        nesterov = check_bool("SGD", "nesterov", nesterov)
        if nesterov and momentum == 0:
            raise ValueError("SGD: nesterov needs momentum > 0")
        self.momentum, self.nesterov, self.weight_decay = momentum, nesterov, weight_decay

    def _update(self, state, w, g):
        if self.weight_decay:
            g = g + self.weight_decay * w
        if self.momentum:
            buf = state.get("momentum")
            if buf is None:
                buf = state["momentum"] = np.array(g, copy=True)
            else:
                buf *= self.momentum
                buf += g
            g = g + self.momentum * buf if self.nesterov else buf
        step = state.get("scratch")
        if step is None:  # reused every step: large temporaries cost page faults
            step = state["scratch"] = np.empty_like(w)
        np.multiply(g, self.lr, out=step)
        w -= step
