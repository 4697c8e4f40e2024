"""Loss primitives whose composite form would be unstable or inexact at the edges."""
import numpy as np

from ..op import Op
from .elementwise import Sigmoid


class BCEWithLogits(Op):
    """ℓ = max(x, 0) − x·t + log(1 + e^(−|x|));  x̄ = g·(σ(x) − t),  t̄ = −g·x

    Elementwise binary cross-entropy on logits x with targets t. No exponential
    can overflow, so |x| up to 1e4 (and beyond) gives finite losses and gradients;
    and the gradient is exact at x = 0, where the composite relu/abs form has kinks.
    Saves the logits (and the targets when x needs a gradient); the VJP recomputes
    σ(x) with the Sigmoid op, so ``create_graph`` differentiates it.
    """

    __slots__ = ()

    def forward(self, x, t):
        try:
            loss = np.maximum(x, 0) - x * t
        except ValueError:
            raise ValueError(f"binary_cross_entropy_with_logits: logits of shape {np.shape(x)} and targets of "
                             f"shape {np.shape(t)} cannot be broadcast together") from None
        loss += np.log1p(np.exp(-np.abs(x)))
        self.save(x=x, t=t if self.needs(0) else None)
        return loss

    def vjp(self, g, x, t):
        gx = g * (Sigmoid.apply(x) - t) if self.needs(0) else None
        gt = -g * x if self.needs(1) else None
        return gx, gt
