"""Learning-rate schedules: ``StepLR`` and ``CosineAnnealingLR``, PyTorch's sequences.

A scheduler sets the ``"lr"`` of each of its optimizer's ``param_groups`` (each group
follows the schedule from its own starting rate) on every ``step()``; call ``step()`` after
``optimizer.step()``, once per epoch (or per iteration, if that is what the
schedule counts). The updates use PyTorch's own recursive formulas, so the
learning rates agree with ``torch.optim.lr_scheduler`` to the last bit, and a
change made to a group's ``"lr"`` (or ``optimizer.lr``) by hand carries on through the
schedule as it does there.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..checks import is_int, is_real

if TYPE_CHECKING:
    from .optimizer import Optimizer


class LRScheduler:
    """Base class: ``step()``, ``get_last_lr()`` (one rate per parameter group, PyTorch-style),
    ``last_epoch`` (steps taken), ``base_lrs``, ``state_dict()``/``load_state_dict()``.
    A schedule defines ``_next_lr(lr, base_lr)``: the learning rate after ``lr`` at ``last_epoch``."""

    def __init__(self, optimizer: Optimizer) -> None:
        groups = getattr(optimizer, "param_groups", None)
        if not isinstance(groups, list) or not groups or not all(
                isinstance(g, dict) and is_real(g.get("lr")) for g in groups):
            raise TypeError(f"{type(self).__name__}: optimizer must be an optimizer whose param_groups have a "
                            f"numeric 'lr', got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lrs = [float(g["lr"]) for g in groups]
        self.last_epoch = 0
        self._last_lr = list(self.base_lrs)

    @property
    def base_lr(self) -> float:
        """The first group's starting rate."""
        return self.base_lrs[0]

    def step(self) -> None:
        """Advance one epoch and set each group's learning rate."""
        self.last_epoch += 1
        lrs = [self._next_lr(float(g["lr"]), base) for g, base in zip(self.optimizer.param_groups, self.base_lrs)]
        for g, lr in zip(self.optimizer.param_groups, lrs):
            g["lr"] = lr
        self._last_lr = lrs

    def get_last_lr(self) -> list[float]:
        """The learning rates the last ``step()`` (or the constructor) set, one per group."""
        return list(self._last_lr)

    def state_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, list) else v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        unknown = set(state) - set(self.state_dict())
        if unknown:
            raise KeyError(f"{type(self).__name__}.load_state_dict: unexpected keys {sorted(unknown)}")
        self.__dict__.update({k: (list(v) if isinstance(v, list) else v) for k, v in state.items()})


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs:
    ``lr_t = base_lr · gamma^⌊t / step_size⌋``."""

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1) -> None:
        if not is_int(step_size) or step_size < 1:
            raise ValueError(f"StepLR: step_size must be a positive int, got {step_size!r}")
        if not is_real(gamma) \
                or not 0 < gamma < math.inf:
            raise ValueError(f"StepLR: gamma must be a finite number > 0, got {gamma!r}")
        super().__init__(optimizer)
        self.step_size, self.gamma = int(step_size), float(gamma)

    def _next_lr(self, lr, base_lr):
        return lr * self.gamma if self.last_epoch % self.step_size == 0 else lr


class CosineAnnealingLR(LRScheduler):
    """Anneal from the optimizer's lr to ``eta_min`` along half a cosine over ``T_max`` epochs:
    ``lr_t = eta_min + (base_lr − eta_min)·(1 + cos(π t / T_max)) / 2``; past ``T_max``
    it climbs back, as PyTorch's does (no restarts)."""

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0) -> None:
        if not is_int(T_max) or T_max < 1:
            raise ValueError(f"CosineAnnealingLR: T_max must be a positive int, got {T_max!r}")
        if not is_real(eta_min) \
                or not 0 <= eta_min < math.inf:
            raise ValueError(f"CosineAnnealingLR: eta_min must be a finite number ≥ 0, got {eta_min!r}")
        super().__init__(optimizer)
        self.T_max, self.eta_min = int(T_max), float(eta_min)

    def _next_lr(self, lr, base_lr):
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if (t - 1 - T) % (2 * T) == 0:  # the trough: the ratio below would be 0/0
            return lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
        return (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (lr - eta_min) + eta_min
