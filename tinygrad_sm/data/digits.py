"""scikit-learn's bundled 8×8 handwritten digits (1,797 images, no download)."""
import numpy as np


def digits(dtype=np.float32):
    """``(X, y)``: 64 pixel intensities scaled to [0, 1], labels 0–9.

    Needs scikit-learn (an optional extra: ``pip install -e '.[digits]'``).
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise ImportError(
            "digits() needs scikit-learn, an optional extra: pip install -e '.[digits]' "
            "(or pip install scikit-learn)"
        ) from None
    d = load_digits()
    return (d.data / 16.0).astype(dtype), d.target.astype(np.int64)
