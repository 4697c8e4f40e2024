"""Every primitive, one place each: forward, what it saves, and its VJP side by side.

``REGISTRY`` is the one list of ops: the parametrized gradient tests, the
visualizer's labels and the README's op table all read it, so adding an op here
puts it under test.
"""
from .elementwise import (
    Abs,
    Add,
    Cast,
    Clone,
    Cos,
    Div,
    Exp,
    Log,
    Mul,
    Neg,
    Pow,
    Relu,
    Sigmoid,
    Sign,
    Sin,
    Sqrt,
    Sub,
    Tanh,
    Where,
)
from .linalg import Affine, MatMul
from .loss import BCEWithLogits, CrossEntropy
from .reduce import Max, Mean, Min, Sum
from .shape import BroadcastTo, Concatenate, GetItem, Reshape, Scatter, Stack, Transpose
from .softmax import LogSoftmax, LogSumExp, Softmax, SoftmaxVJP

REGISTRY = (
    Neg, Add, Sub, Mul, Div, Pow, Exp, Log, Sqrt, Tanh, Sigmoid, Relu, Where, Cast, Sin, Cos, Abs, Sign, Clone,
    Sum, Mean, Max, Min,
    Reshape, Transpose, BroadcastTo, GetItem, Scatter, Concatenate, Stack,
    MatMul, Affine,
    Softmax, SoftmaxVJP, LogSoftmax, LogSumExp, CrossEntropy, BCEWithLogits,
)

__all__ = [op.__name__ for op in REGISTRY] + ["REGISTRY"]
