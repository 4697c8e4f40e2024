"""Seeded generators for the classic 2-D toy classification sets (NumPy only)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..checks import is_int
from ..creation import _rng

if TYPE_CHECKING:
    from numpy.typing import DTypeLike


def _finish(X, y, rng, dtype):
    order = rng.permutation(len(y))
    return X[order].astype(dtype), y[order].astype(np.int64)


def spiral(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2,
           rng: int | np.random.Generator | None = 0, dtype: DTypeLike = np.float32) -> tuple[np.ndarray,
           np.ndarray]:
    """The CS231n spiral: ``n_classes`` arms of ``n_per_class`` points each.

    Arm j: radius r ∈ [0, 1], angle ``4j + 4r`` plus Gaussian noise of std ``noise``.
    A linear classifier gets about half of the 3-arm set right; a small MLP all of it.
    Returns ``(X, y)``: float array ``(n, 2)``, int labels ``(n,)``.
    """
    gen = _rng(rng)
    X = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for j in range(n_classes):
        ix = slice(n_per_class * j, n_per_class * (j + 1))
        r = np.linspace(0.0, 1, n_per_class)
        t = np.linspace(j * 4, (j + 1) * 4, n_per_class) + gen.standard_normal(n_per_class) * noise
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return _finish(X, y, gen, dtype)


def moons(n: int = 200, noise: float = 0.1, rng: int | np.random.Generator | None = 0,
          dtype: DTypeLike = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (class 0 on top), with Gaussian noise."""
    gen = _rng(rng)
    n0 = n // 2
    t0 = np.linspace(0, np.pi, n0)
    t1 = np.linspace(0, np.pi, n - n0)
    X = np.r_[np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]]
    y = np.r_[np.zeros(n0), np.ones(n - n0)]
    X = X + gen.standard_normal(X.shape) * noise
    return _finish(X, y, gen, dtype)


def circles(n: int = 200, noise: float = 0.05, factor: float = 0.5,
            rng: int | np.random.Generator | None = 0, dtype: DTypeLike = np.float32) -> tuple[np.ndarray,
            np.ndarray]:
    """A circle inside a circle (inner radius ``factor``); class 1 is the inner one."""
    gen = _rng(rng)
    n0 = n // 2
    t0 = np.linspace(0, 2 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0, 2 * np.pi, n - n0, endpoint=False)
    X = np.r_[np.c_[np.cos(t0), np.sin(t0)], factor * np.c_[np.cos(t1), np.sin(t1)]]
    y = np.r_[np.zeros(n0), np.ones(n - n0)]
    X = X + gen.standard_normal(X.shape) * noise
    return _finish(X, y, gen, dtype)


def blobs(n: int = 300, centers: int = 3, std: float = 0.6, rng: int | np.random.Generator | None = 0,
          dtype: DTypeLike = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs around ``centers`` points evenly spaced on a circle of radius 2."""
    if not is_int(centers) or centers < 1:
        raise ValueError(f"blobs: centers must be a positive int, got {centers!r}")
    gen = _rng(rng)
    angles = 2 * np.pi * np.arange(centers) / centers
    means = 2 * np.c_[np.cos(angles), np.sin(angles)]
    y = np.arange(n) % centers
    X = means[y] + gen.standard_normal((n, 2)) * std
    return _finish(X, y, gen, dtype)


def xor(n: int = 200, noise: float = 0.1, rng: int | np.random.Generator | None = 0,
        dtype: DTypeLike = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Points around the four corners of a square; the label is the XOR of the signs."""
    gen = _rng(rng)
    corners = gen.integers(0, 2, (n, 2))
    X = (2 * corners - 1) * 1.0 + gen.standard_normal((n, 2)) * noise * 2
    y = corners[:, 0] ^ corners[:, 1]
    return _finish(X, y, gen, dtype)
