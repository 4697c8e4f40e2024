"""Argument checks the library and the applications share, each spelled once.

A number is a Python or NumPy real that is not a bool (``np.float32(0.1)`` is a
number, ``True`` is not); an integer likewise. The ``check_*`` functions return the
value as a Python ``float``/``int``/``bool`` or raise a ``TypeError`` (wrong kind) or
``ValueError`` (out of range) whose message names ``owner`` and ``name``.
"""
import math
import numbers

import numpy as np

REDUCTIONS = ("mean", "sum", "none")


def is_real(value):
    """A real number (Python or NumPy), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def is_int(value):
    """An integer (Python or NumPy), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def check_real(owner, name, value, low=0.0, low_open=False, high=None):
    """``value`` as a float: finite, ``>= low`` (``> low`` with ``low_open``) and, if
    ``high`` is given, ``< high``."""
    if not is_real(value):
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r} ({type(value).__name__})")
    v = float(value)
    if not math.isfinite(v) or v < low or (low_open and v == low) or (high is not None and v >= high):
        if high is not None:
            bounds = f"in {'(' if low_open else '['}{low:g}, {high:g})"
        else:
            bounds = "positive and finite" if low_open and low == 0 else f"finite and {'>' if low_open else '>='} {low:g}"
        raise ValueError(f"{owner}: {name} must be {bounds}, got {value!r}")
    return v


def check_int(owner, name, value, low=1):
    """``value`` as an int ``>= low`` (by default a positive integer)."""
    if not is_int(value):
        raise TypeError(f"{owner}: {name} must be an integer, got {value!r} ({type(value).__name__})")
    if value < low:
        what = "a positive integer" if low == 1 else "a non-negative integer" if low == 0 else f"an integer >= {low}"
        raise ValueError(f"{owner}: {name} must be {what}, got {value!r}")
    return int(value)


def check_probability(owner, name, value):
    """``value`` as a float in [0, 1] (NaN refused)."""
    if not is_real(value):
        raise TypeError(f"{owner}: {name} must be a number in [0, 1], got {value!r} ({type(value).__name__})")
    v = float(value)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{owner}: {name} must be in [0, 1], got {value!r}")
    return v


def check_bool(owner, name, value):
    """``value`` as a bool (Python or NumPy), nothing else."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return bool(value)


def check_reduction(owner, reduction):
    """One of ``REDUCTIONS``."""
    if reduction not in REDUCTIONS:
        raise ValueError(f"{owner}: reduction must be one of {REDUCTIONS}, got {reduction!r}")
    return reduction
