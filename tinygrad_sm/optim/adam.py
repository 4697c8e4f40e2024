"""Adam, and AdamW (decoupled weight decay)."""
import numpy as np

from .optimizer import Optimizer, check_bool, check_real


class Adam(Optimizer):
    """``m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  w ← w − lr·m̂/(√v̂ + ε)``.

    ``weight_decay`` adds λw to the gradient (L2), or with ``decoupled=True``
    shrinks the weights directly, ``w ← w − lr·λ·w`` (AdamW).
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled=False, check_finite=True):
        super().__init__(params, lr, check_finite)
        name = type(self).__name__
        if isinstance(betas, (str, bytes)) or not hasattr(betas, "__len__") or len(betas) != 2:
            raise TypeError(f"{name}: betas must be a pair (beta1, beta2), got {betas!r}")
        b1 = check_real(name, "betas[0]", betas[0], high=1.0)
        b2 = check_real(name, "betas[1]", betas[1], high=1.0)
        eps = check_real(name, "eps", eps, low_open=True)
        weight_decay = check_real(name, "weight_decay", weight_decay)
        decoupled = check_bool(name, "decoupled", decoupled)
        self.betas, self.eps, self.weight_decay, self.decoupled = (b1, b2), eps, weight_decay, decoupled

    def _update(self, state, w, g):
        b1, b2 = self.betas
        if self.weight_decay:
            if self.decoupled:
                w *= 1 - self.lr * self.weight_decay
            else:
                g = g + self.weight_decay * w
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
        step = self.lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        denom = np.sqrt(v)
        denom += self.eps * np.sqrt(1 - b2**t)
        w -= step * (m / denom)


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.01)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01, check_finite=True):
        super().__init__(params, lr, betas, eps, weight_decay, decoupled=True, check_finite=check_finite)
