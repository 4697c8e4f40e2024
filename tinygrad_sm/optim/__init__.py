"""Optimizers: ``SGD``, ``Adam``, ``AdamW``; updates are in place on the parameter arrays.
``lr_scheduler``: ``StepLR``, ``CosineAnnealingLR``."""
from . import lr_scheduler
from .adam import Adam, AdamW
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "lr_scheduler"]
