"""Dtype names PyTorch users type (``tg.float32``, ``tg.long``, ...) and the default float dtype.

The names are NumPy dtypes, so ``x.dtype == tg.float32`` and ``np.zeros(3, tg.float32)``
work. The default float dtype is float32, as in PyTorch: ``nn`` layers, the creation
helpers (``zeros``, ``randn``, ...) and ``tg.tensor`` of Python floats use it, so a
default model fed a default tensor computes in one dtype. ``set_default_dtype(tg.float64)``
switches all of them (gradient checks run in float64 whatever the default).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import DTypeLike

float16 = half = np.dtype(np.float16)
float32 = float = np.dtype(np.float32)  # torch.float is float32
float64 = double = np.dtype(np.float64)
int8 = np.dtype(np.int8)
int16 = short = np.dtype(np.int16)
int32 = int = np.dtype(np.int32)  # torch.int is int32
int64 = long = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
bool = np.dtype(np.bool_)

_default = [float32]


def set_default_dtype(dtype: DTypeLike) -> None:
    """Set the float dtype that layers, creation helpers and ``tg.tensor`` of Python floats use."""
    d = np.dtype(dtype)
    if d not in (float16, float32, float64):
        raise TypeError(f"set_default_dtype: the default must be a float dtype (float16, float32 or float64), "
                        f"got {d}")
    _default[0] = d


def get_default_dtype() -> np.dtype:
    """The default float dtype (float32 unless ``set_default_dtype`` changed it)."""
    return _default[0]


def or_default(dtype: DTypeLike | None) -> np.dtype:
    """``dtype``, or the default float dtype when it is None."""
    return _default[0] if dtype is None else np.dtype(dtype)
