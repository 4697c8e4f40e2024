"""Stochastic gradient descent with momentum, Nesterov and weight decay (PyTorch's rule)."""
import numpy as np

from .optimizer import Optimizer, check_bool, check_real


class SGD(Optimizer):
    """``g ← ∇ + λw;  b ← μb + g;  w ← w − lr·(g + μb if nesterov else b)``.

    Each parameter group may set its own ``lr``, ``momentum``, ``nesterov`` and ``weight_decay``.
    """

    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0, check_finite=True):
        super().__init__(params, dict(lr=lr, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay),
                         check_finite)

    def _check_hyper(self, hyper, owner):
        out = super()._check_hyper(hyper, owner)
        out["momentum"] = check_real(owner, "momentum", hyper["momentum"])
        out["weight_decay"] = check_real(owner, "weight_decay", hyper["weight_decay"])
        out["nesterov"] = check_bool(owner, "nesterov", hyper["nesterov"])
        if out["nesterov"] and out["momentum"] == 0:
            raise ValueError(f"{owner}: nesterov needs momentum > 0")
        return out

    def _update(self, state, w, g, group):
        lr, momentum, weight_decay = group["lr"], group["momentum"], group["weight_decay"]
        if weight_decay:
            g = g + weight_decay * w
        if momentum:
            buf = state.get("momentum")
            if buf is None:
                buf = state["momentum"] = np.array(g, copy=True)
            else:
                buf *= momentum
                buf += g
            g = g + momentum * buf if group["nesterov"] else buf
        step = state.get("scratch")
        if step is None:  # reused every step: large temporaries cost page faults
            step = state["scratch"] = np.empty_like(w)
        np.multiply(g, lr, out=step)
        w -= step
