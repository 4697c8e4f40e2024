"""Inputs for the parametrized gradient tests, keyed by op name.

``test_gradients.py`` checks that every op in ``tinygrad_sm.ops.REGISTRY`` has an
entry here, so a new op cannot land untested. Inputs stay inside each op's domain
(positive for log/sqrt, away from relu's kink and from ties for max).
"""
import numpy as np

import tinygrad_sm as tg
from tinygrad_sm.ops import Affine, BCEWithLogits, BroadcastTo, Cast, Scatter, SoftmaxVJP

_rng = np.random.default_rng(1234)


def r(*shape):
    return _rng.standard_normal(shape)


def pos(*shape):
    return _rng.uniform(0.5, 2.0, shape)


def away_from_zero(*shape):
    x = _rng.uniform(0.2, 1.5, shape)
    return x * _rng.choice([-1.0, 1.0], shape)


def probs(*shape):
    p = _rng.uniform(0.1, 1.0, shape)
    return p / p.sum(-1, keepdims=True)


TARGET_PROBS = probs(3, 4)
MASK = np.array([[True, False, True, True], [False, False, False, False], [True, True, False, True]])

# name -> list of (label, f, inputs)
CASES = {
    "Neg": [("2d", lambda x: -x, [r(3, 4)])],
    "Add": [
        ("same", lambda x, y: x + y, [r(3, 4), r(3, 4)]),
        ("row-broadcast", lambda x, y: x + y, [r(3, 4), r(4)]),
        ("outer-broadcast", lambda x, y: x + y, [r(3, 1), r(1, 4)]),
        ("scalar", lambda x: 2.5 + x, [r(2, 3)]),
        ("zero-size", lambda x, y: x + y, [r(2, 0, 3), r(3)]),
    ],
    "Sub": [("broadcast", lambda x, y: x - y, [r(3, 4), r(3, 1)]), ("rsub", lambda x: 1.0 - x, [r(5)])],
    "Mul": [
        ("broadcast", lambda x, y: x * y, [r(2, 3, 4), r(3, 1)]),
        ("self", lambda x: x * x, [r(4)]),
        ("size-1", lambda x, y: x * y, [r(1, 4), r(3, 1)]),
    ],
    "Div": [
        ("broadcast", lambda x, y: x / y, [r(3, 4), away_from_zero(4)]),
        ("rdiv", lambda y: 2.0 / y, [away_from_zero(3, 2)]),
    ],
    "Pow": [
        ("square", lambda x: x**2, [r(3, 4)]),
        ("real-exponent", lambda x: x**1.7, [pos(5)]),
        ("tensor-exponent", lambda x, y: x**y, [pos(3, 2), r(2)]),
        ("rpow", lambda y: 2.0**y, [r(4)]),
    ],
    "Exp": [("2d", lambda x: x.exp(), [r(3, 4)])],
    "Log": [("2d", lambda x: x.log(), [pos(3, 4)])],
    "Sqrt": [("2d", lambda x: x.sqrt(), [pos(3, 4)])],
    "Tanh": [("2d", lambda x: x.tanh(), [r(3, 4)])],
    "Sin": [("2d", lambda x: tg.sin(x), [3 * r(3, 4)])],
    "Cos": [("2d", lambda x: tg.cos(x), [3 * r(3, 4)])],
    "Sigmoid": [("2d", lambda x: x.sigmoid(), [3 * r(3, 4)])],
    "Relu": [("2d", lambda x: x.relu(), [away_from_zero(3, 4)])],
    "Where": [
        ("broadcast", lambda x, y: tg.where(np.array([True, False, True]), x, y), [r(2, 3), r(3)]),
        ("scalar-branch", lambda x: tg.where(np.array([[True], [False]]), x, 0.0), [r(2, 3)]),
    ],
    "Abs": [
        ("2d", lambda x: x.abs(), [away_from_zero(3, 4)]),
        ("builtin", lambda x: abs(x) * x, [away_from_zero(5)]),
    ],
    "Sign": [("times-x", lambda x: x.sign() * x, [away_from_zero(3, 4)])],
    "Clone": [
        ("2d", lambda x: x.clone() * np.arange(4.0), [r(3, 4)]),
        ("contiguous", lambda x: x.T.contiguous().tanh(), [r(3, 4)]),
    ],
    "Cast": [("float64", lambda x: Cast.apply(x, to=np.dtype(np.float64)) * 2, [r(3)])],
    "Sum": [
        ("all", lambda x: x.sum(), [r(3, 4)]),
        ("axis", lambda x: x.sum(axis=1), [r(3, 4)]),
        ("tuple-keepdims", lambda x: x.sum(axis=(0, 2), keepdims=True), [r(2, 3, 4)]),
        ("zero-size", lambda x: x.sum(axis=0), [r(0, 3)]),
    ],
    "Mean": [
        ("all", lambda x: x.mean(), [r(3, 4)]),
        ("axis-keepdims", lambda x: x.mean(axis=-1, keepdims=True), [r(3, 4)]),
        ("tuple", lambda x: x.mean(axis=(0, 1)), [r(2, 3, 4)]),
    ],
    "Max": [
        ("all", lambda x: x.max(), [r(3, 4)]),
        ("axis", lambda x: x.max(axis=0), [r(3, 4)]),
        ("keepdims", lambda x: x.max(axis=-1, keepdims=True), [r(2, 3, 4)]),
    ],
    "Min": [
        ("all", lambda x: x.min(), [r(3, 4)]),
        ("tuple-axis", lambda x: x.min(axis=(0, 2)), [r(2, 3, 4)]),
    ],
    "Reshape": [("3d", lambda x: x.reshape(2, -1) * np.arange(6.0), [r(3, 4)])],
    "Transpose": [
        ("T", lambda x: x.T * np.arange(3.0), [r(3, 4)]),
        ("axes", lambda x: x.transpose(2, 0, 1), [r(2, 3, 4)]),
    ],
    "BroadcastTo": [("expand", lambda x: BroadcastTo.apply(x, shape=(2, 3, 4)), [r(3, 1)])],
    "GetItem": [
        ("slice", lambda x: x[1:, ::2], [r(3, 4)]),
        ("int", lambda x: x[1], [r(3, 4)]),
        ("repeated-advanced", lambda x: x[np.array([0, 2, 0])], [r(3, 4)]),
        ("pairs", lambda x: x[np.array([0, 1, 1]), np.array([3, 0, 0])], [r(3, 4)]),
        ("bool-mask", lambda x: x[np.array([True, False, True])], [r(3, 4)]),
        ("newaxis-ellipsis", lambda x: x[None, ..., 1], [r(3, 4)]),
    ],
    "Scatter": [
        ("basic", lambda x: Scatter.apply(x, index=(slice(None), 1), shape=(3, 4)), [r(3)]),
        ("repeated", lambda x: Scatter.apply(x, index=np.array([0, 0, 2]), shape=(3, 2)), [r(3, 2)]),
    ],
    "Concatenate": [
        ("axis0", lambda x, y: tg.concatenate([x, y], axis=0), [r(2, 3), r(1, 3)]),
        ("axis-1", lambda x, y, z: tg.concatenate([x, y, z], axis=-1), [r(2, 1), r(2, 3), r(2, 2)]),
    ],
    "Stack": [
        ("axis0", lambda x, y: tg.stack([x, y]), [r(2, 3), r(2, 3)]),
        ("axis-1", lambda x, y: tg.stack([x, y], axis=-1), [r(2, 3), r(2, 3)]),
    ],
    "MatMul": [
        ("2d", lambda x, y: x @ y, [r(3, 4), r(4, 2)]),
        ("vec-mat", lambda x, y: x @ y, [r(4), r(4, 2)]),
        ("mat-vec", lambda x, y: x @ y, [r(3, 4), r(4)]),
        ("vec-vec", lambda x, y: x @ y, [r(4), r(4)]),
        ("batched", lambda x, y: x @ y, [r(2, 3, 4), r(4, 2)]),
        ("broadcast-batch", lambda x, y: x @ y, [r(2, 1, 3, 4), r(3, 4, 2)]),
        ("vec-batched", lambda x, y: x @ y, [r(3), r(2, 3, 2)]),
    ],
    "Affine": [
        ("2d", lambda x, w, b: Affine.apply(x, w, b), [r(3, 4), r(2, 4), r(2)]),
        ("vector-x", lambda x, w, b: Affine.apply(x, w, b), [r(4), r(2, 4), r(2)]),
        ("batched-x", lambda x, w, b: Affine.apply(x, w, b), [r(2, 3, 4), r(2, 4), r(2)]),
        ("column-major-w", lambda x, w, b: Affine.apply(x, w, b), [r(3, 4), np.asfortranarray(r(2, 4)), r(2)]),
        ("column-major-w-batched", lambda x, w, b: Affine.apply(x, w, b),
         [r(2, 3, 4), np.asfortranarray(r(2, 4)), r(2)]),
        ("functional", lambda x, w, b: tg.functional.linear(x, w, b).tanh(), [r(3, 4), r(2, 4), r(2)]),
        ("functional-no-bias", lambda x, w: tg.functional.linear(x, w), [r(3, 4), r(2, 4)]),
    ],
    "Softmax": [
        ("last", lambda x: x.softmax(axis=-1), [r(3, 4)]),
        ("first", lambda x: x.softmax(axis=0), [r(3, 4)]),
        ("middle-3d", lambda x: x.softmax(axis=1), [r(2, 3, 2)]),
        ("masked", lambda x: x.softmax(axis=-1, mask=MASK), [r(3, 4)]),
        ("size-1-axis", lambda x: x.softmax(axis=-1), [r(3, 1)]),
    ],
    "SoftmaxVJP": [
        ("g-and-a", lambda g, z: SoftmaxVJP.apply(g, z.softmax(-1), axis=-1), [r(3, 4), r(3, 4)]),
    ],
    "LogSoftmax": [
        ("last", lambda x: x.log_softmax(axis=-1), [r(3, 4)]),
        ("first", lambda x: x.log_softmax(axis=0), [r(3, 4)]),
        ("masked", lambda x: tg.where(MASK, x.log_softmax(axis=-1, mask=MASK), 0.0), [r(3, 4)]),
    ],
    "LogSumExp": [
        ("last", lambda x: x.logsumexp(axis=-1), [r(3, 4)]),
        ("keepdims-first", lambda x: x.logsumexp(axis=0, keepdims=True), [r(3, 4)]),
        ("masked", lambda x: x.logsumexp(axis=-1, mask=MASK), [r(3, 4)]),
    ],
    "CrossEntropy": [
        ("mean", lambda z: tg.cross_entropy(z, np.array([0, 3, 1])), [r(3, 4)]),
        ("sum", lambda z: tg.cross_entropy(z, np.array([2, 2]), reduction="sum"), [r(2, 5)]),
        ("none-axis0", lambda z: tg.cross_entropy(z, np.array([1, 0, 2]), reduction="none", axis=0), [r(4, 3)]),
        ("probabilities", lambda z: tg.cross_entropy(z, TARGET_PROBS), [r(3, 4)]),
        ("label-smoothing", lambda z: tg.cross_entropy(z, np.array([0, 3, 1]), label_smoothing=0.1), [r(3, 4)]),
        ("smoothed-probabilities-axis0",
         lambda z: tg.cross_entropy(z, TARGET_PROBS.T, reduction="sum", axis=0, label_smoothing=0.3), [r(4, 3)]),
    ],
    "BCEWithLogits": [
        ("primitive", lambda x, t: BCEWithLogits.apply(x, t),
         [np.array([[0.0, 1.3, -0.7], [2.1, 0.0, -1.6]]), _rng.uniform(0.05, 0.95, (2, 3))]),
        ("broadcast-target", lambda x: BCEWithLogits.apply(x, np.array([0.2, 0.9, 0.5])), [r(2, 3)]),
    ],
}
