"""Creation helpers: zeros, ones, full, arange, rand, randn (seedable), and *_like."""
import numpy as np

from .tensor import Tensor

_default_rng = np.random.default_rng()


def manual_seed(seed):
    """Seed the generator that ``rand``/``randn`` use when no ``rng`` is passed."""
    global _default_rng
    _default_rng = np.random.default_rng(seed)
    return _default_rng


def _rng(rng):
    """``rng`` may be None (the default generator), an int seed, or a ``np.random.Generator``."""
    if rng is None:
        return _default_rng
    if isinstance(rng, np.random.Generator):
        return rng
    return np.random.default_rng(rng)


def _shape(shape):
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
        return tuple(shape[0])
    return tuple(shape)


def zeros(*shape, dtype=np.float64, requires_grad=False):
    return Tensor(np.zeros(_shape(shape), dtype=dtype), requires_grad=requires_grad)


def ones(*shape, dtype=np.float64, requires_grad=False):
    return Tensor(np.ones(_shape(shape), dtype=dtype), requires_grad=requires_grad)


def full(shape, value, dtype=np.float64, requires_grad=False):
    return Tensor(np.full(shape, value, dtype=dtype), requires_grad=requires_grad)


def arange(start, stop=None, step=1, dtype=None, requires_grad=False):
    data = np.arange(start, stop, step, dtype=dtype) if stop is not None else np.arange(start, dtype=dtype)
    return Tensor(data, requires_grad=requires_grad)


def rand(*shape, rng=None, dtype=np.float64, requires_grad=False):
    """Uniform on [0, 1); ``rng`` is a seed or a ``np.random.Generator``."""
    return Tensor(_rng(rng).random(_shape(shape)).astype(dtype), requires_grad=requires_grad)


def randn(*shape, rng=None, dtype=np.float64, requires_grad=False):
    """Standard normal; ``rng`` is a seed or a ``np.random.Generator``."""
    return Tensor(_rng(rng).standard_normal(_shape(shape)).astype(dtype), requires_grad=requires_grad)


def zeros_like(t, dtype=None, requires_grad=False):
    return zeros(np.shape(t), dtype=dtype or np.result_type(t), requires_grad=requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    return ones(np.shape(t), dtype=dtype or np.result_type(t), requires_grad=requires_grad)


def randn_like(t, rng=None, dtype=None, requires_grad=False):
    return randn(np.shape(t), rng=rng, dtype=dtype or np.result_type(t), requires_grad=requires_grad)
