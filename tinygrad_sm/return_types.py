"""PyTorch's named result tuples: ``x.max(dim=1)`` returns ``max(values, indices)``.

``values`` is differentiable (its gradient goes to the entry at ``indices``, as in
PyTorch); ``indices`` is an int64 tensor with no gradient.
"""
from collections import namedtuple

max = namedtuple("max", ("values", "indices"))  # noqa: A001 (PyTorch's name: torch.return_types.max)
min = namedtuple("min", ("values", "indices"))  # noqa: A001

__all__ = ["max", "min"]
