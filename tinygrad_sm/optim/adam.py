"""Adam, and AdamW (decoupled weight decay)."""
import numpy as np

from .optimizer import Optimizer, check_bool, check_real


class Adam(Optimizer):
    """``m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  w ← w − lr·m̂/(√v̂ + ε)``.

    ``weight_decay`` adds λw to the gradient (L2), or with ``decoupled=True``
    shrinks the weights directly, ``w ← w − lr·λ·w`` (AdamW). Each parameter group may
    set its own ``lr``, ``betas``, ``eps``, ``weight_decay`` and ``decoupled``.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled=False, check_finite=True):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, decoupled=decoupled),
                         check_finite)

    @property
    def betas(self):
        return self.param_groups[0]["betas"]

    def _check_hyper(self, hyper, owner):
        out = super()._check_hyper(hyper, owner)
        betas = hyper["betas"]
        if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
            raise TypeError(f"{owner}: betas must be a pair (beta1, beta2), got {betas!r}")
        out["betas"] = (check_real(owner, "betas[0]", betas[0], high=1.0), check_real(owner, "betas[1]", betas[1], high=1.0))
        out["eps"] = check_real(owner, "eps", hyper["eps"], low_open=True)
        out["weight_decay"] = check_real(owner, "weight_decay", hyper["weight_decay"])
        out["decoupled"] = check_bool(owner, "decoupled", hyper["decoupled"])
        return out

    def _update(self, state, w, g, group):
        lr, (b1, b2), eps, weight_decay = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        if weight_decay:
            if group["decoupled"]:
                w *= 1 - lr * weight_decay
            else:
                g = g + weight_decay * w
        m = state.get("m")
        if m is None:
            m = state["m"] = np.zeros_like(w)
            v = state["v"] = np.zeros_like(w)
            state["t"] = 0
        v = state["v"]
        state["t"] += 1
        t = state["t"]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * np.square(g)
        step = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        denom = np.sqrt(v)
        denom += eps * np.sqrt(1 - b2**t)
        w -= step * (m / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.01)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, check_finite=True):
        super().__init__(params, lr, betas, eps, weight_decay, decoupled=True, check_finite=check_finite)
