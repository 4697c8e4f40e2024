"""Splitting and minibatching ndarray datasets."""
from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING

import numpy as np

from ..checks import is_real
from ..creation import _rng

if TYPE_CHECKING:
    from collections.abc import Iterator


def train_test_split(X: np.ndarray, y: np.ndarray, test_size: float = 0.2,
                     rng: int | np.random.Generator | None = 0,
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle, then hold out ``test_size`` (a fraction or a count) for testing.

    Returns ``X_train, X_test, y_train, y_test`` like scikit-learn.
    """
    X, y = np.asarray(X), np.asarray(y)
    n = len(X)
    if len(y) != n:
        raise ValueError(f"train_test_split: X has {n} rows but y has {len(y)}")
    if not is_real(test_size) or \
            not math.isfinite(test_size):
        raise ValueError(f"train_test_split: test_size must be a fraction in (0, 1) or a count of rows, "
                         f"got {test_size!r}")
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
    elif 0 < test_size < 1:
        n_test = int(round(float(test_size) * n))
    else:
        raise ValueError(f"train_test_split: test_size {test_size!r} leaves no training data (a fraction must be "
                         f"in (0, 1))")
    if not 0 <= n_test < n:
        raise ValueError(f"train_test_split: test_size {test_size} leaves no training data out of {n} rows")
    order = _rng(rng).permutation(n)
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def minibatches(X: np.ndarray, y: np.ndarray, batch_size: int, shuffle: bool = True,
                rng: int | np.random.Generator | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(X_batch, y_batch)`` covering the data once; reshuffled on every call."""
    n = len(X)
    if len(y) != n:
        raise ValueError(f"minibatches: X has {n} rows but y has {len(y)}")
    for idx in batch_indices(n, batch_size, shuffle, rng, False, "minibatches"):
        yield X[idx], y[idx]


def batch_indices(n: int, batch_size: int, shuffle: bool, rng: int | np.random.Generator | None,
                  drop_last: bool, fn: str) -> Iterator[np.ndarray]:
    """The row indices of each batch of ``n`` rows: in order, or shuffled once by ``rng``;
    a last, shorter batch is dropped with ``drop_last``. ``batch_size`` is checked first."""
    check_batch_size(batch_size, fn)
    order = _rng(rng).permutation(n) if shuffle else np.arange(n)
    stop = n - n % batch_size if drop_last else n
    for start in range(0, stop, batch_size):
        yield order[start : start + batch_size]


def check_batch_size(batch_size, fn):
    if isinstance(batch_size, (bool, np.bool_)) or not isinstance(batch_size, numbers.Integral) or batch_size <= 0:
        raise ValueError(f"{fn}: batch_size must be a positive int, got {batch_size!r}")
