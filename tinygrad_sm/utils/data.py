"""``TensorDataset`` and ``DataLoader``: minibatches of tensors, PyTorch's way.

    loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True, generator=0)
    for xb, yb in loader: ...

The batch order comes from ``tinygrad_sm.data.loader.batch_indices`` (the one
implementation behind ``data.minibatches`` too). With ``shuffle=True`` every pass
(``iter``) draws a new order from ``generator`` (a seed or a ``np.random.Generator``,
made once) or, without one, from the generator ``tg.manual_seed`` seeds.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from ..creation import _rng
from ..data.loader import batch_indices, check_batch_size
from ..tensor import Tensor

if TYPE_CHECKING:
    from collections.abc import Iterator


class Dataset:
    """The base of map-style datasets, as in PyTorch: define ``__getitem__`` and ``__len__``."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self) -> int:
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


class TensorDataset(Dataset):
    """Rows of equally long tensors (or arrays): ``dataset[i]`` is ``(t0[i], t1[i], ...)``."""

    def __init__(self, *tensors: Any) -> None:
        if not tensors:
            raise ValueError("TensorDataset: needs at least one tensor")
        arrays = []
        for i, t in enumerate(tensors):
            a = np.asarray(t.numpy() if isinstance(t, Tensor) else t)
            if a.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {i} is 0-d; each needs a first (row) axis")
            arrays.append(a)
        lengths = [len(a) for a in arrays]
        if len(set(lengths)) != 1:
            raise ValueError(f"TensorDataset: the tensors have {lengths} rows; they must all have the same number")
        self.tensors = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
        self._arrays = arrays

    def __len__(self) -> int:
        return len(self._arrays[0])

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(Tensor(a[index]) for a in self._arrays)

    def rows(self, index: np.ndarray) -> tuple[Tensor, ...]:
        """The batch of these rows, one tensor per field (one copy each)."""
        return tuple(Tensor(a[index]) for a in self._arrays)


class DataLoader:
    """Batches of a dataset: tuples of tensors, ``batch_size`` rows each.

    Parameters
    ----------
    dataset : TensorDataset, or any object with ``__len__`` and ``__getitem__`` returning a
        tuple of arrays/tensors per row (rows are stacked into batch tensors)
    batch_size : int
    shuffle : bool
        A new order on every pass.
    drop_last : bool
        Leave out a last batch shorter than ``batch_size``.
    generator : int seed or ``np.random.Generator``, optional
        Where shuffled orders come from (default: the ``tg.manual_seed`` generator).
    """

    def __init__(self, dataset: Any, batch_size: int = 1, shuffle: bool = False, drop_last: bool = False,
                 generator: int | np.random.Generator | None = None, collate_fn: Any = None, num_workers: int = 0,
                 pin_memory: bool = False) -> None:
        if not hasattr(dataset, "__len__") or not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: dataset must have __len__ and __getitem__ (e.g. a TensorDataset), got "
                            f"{type(dataset).__name__}")
        check_batch_size(batch_size, "DataLoader")
        self.dataset, self.batch_size = dataset, int(batch_size)
        self.shuffle, self.drop_last = bool(shuffle), bool(drop_last)
        self.generator = None if generator is None else _rng(generator)
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {type(collate_fn).__name__}")
        if not isinstance(num_workers, int) or num_workers < 0:
            raise ValueError(f"DataLoader: num_workers must be an int ≥ 0, got {num_workers!r}")
        self.collate_fn = collate_fn  # batches are made in this process: num_workers and pin_memory change nothing

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def __iter__(self) -> Iterator[tuple[Tensor, ...]]:
        rng = self.generator if self.shuffle else None
        order = batch_indices(len(self.dataset), self.batch_size, self.shuffle, rng, self.drop_last, "DataLoader")
        for idx in order:
            yield self._batch(idx)

    def _batch(self, idx):
        if isinstance(self.dataset, TensorDataset) and self.collate_fn is None:
            return self.dataset.rows(idx)
        rows = [self.dataset[int(i)] for i in idx]
        return (self.collate_fn or default_collate)(rows)


def default_collate(rows: list[Any]) -> Any:
    """Rows into a batch, as PyTorch's ``default_collate``: tuples and lists field by field,
    dicts key by key, numbers, arrays and tensors stacked into one tensor along a new first
    axis, anything else (strings) kept as a list."""
    first = rows[0]
    if isinstance(first, Mapping):
        return {k: default_collate([r[k] for r in rows]) for k in first}
    if isinstance(first, (tuple, list)):
        fields = [default_collate(list(f)) for f in zip(*rows)]
        return tuple(fields) if isinstance(first, tuple) else fields
    if isinstance(first, (Tensor, np.ndarray, np.generic, int, float, bool)):
        return Tensor(np.stack([np.asarray(r.numpy() if isinstance(r, Tensor) else r) for r in rows]))
    return list(rows)


__all__ = ["DataLoader", "Dataset", "TensorDataset", "default_collate"]
