"""The 8×8 handwritten digits, shipped with the package (1,797 images, NumPy only).

The data is the copy of the test set of the UCI "Optical Recognition of Handwritten
Digits" data set (E. Alpaydin and C. Kaynak, 1998, UCI Machine Learning Repository),
the same 1,797 images scikit-learn bundles, licensed under CC BY 4.0. Each image is
a 32×32 bitmap counted in non-overlapping 4×4 blocks, so a pixel is an integer 0..16.
``digits.npz`` holds ``images`` (uint8, (1797, 8, 8)) and ``labels`` (uint8, (1797,)),
in scikit-learn's ``load_digits()`` order.
"""
from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from numpy.typing import DTypeLike


@lru_cache(maxsize=1)
def _arrays():
    with resources.files(__package__).joinpath("digits.npz").open("rb") as f, np.load(f) as z:
        images, labels = z["images"], z["labels"]
    images.flags.writeable = labels.flags.writeable = False
    return images, labels


def digits(dtype: DTypeLike = np.float32) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)``: the 1,797 digits as 64 pixel intensities scaled to [0, 1], labels 0–9.

    ``X`` has shape (1797, 64) and dtype ``dtype`` (pixel / 16, row-major over the 8×8
    image); ``y`` is int64. Data: UCI "Optical Recognition of Handwritten Digits"
    (Alpaydin & Kaynak), CC BY 4.0; see the module docstring.
    """
    images, labels = _arrays()
    return (images.reshape(len(images), 64) / np.float64(16.0)).astype(dtype), labels.astype(np.int64)
