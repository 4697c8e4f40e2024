"""nn.utils.clip_grad_norm_: PyTorch's numbers (NaN kept for every norm), new gradient tensors,
checked before anything changes."""
import math

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import nn
from tinygrad_sm.nn.utils import clip_grad_norm_


def with_grads(rng, shapes, dtype=np.float64, scale=1.0):
    params = []
    for s in shapes:
        p = nn.Parameter(rng.standard_normal(s), dtype=dtype)
        p.grad = tg.Tensor(scale * rng.standard_normal(s), dtype=dtype)
        params.append(p)
    return params


def reference(grads, max_norm, p=2.0):
    """The documented rule, in NumPy: norm of all entries together, coefficient clamped at 1."""
    flat = np.concatenate([g.reshape(-1) for g in grads])
    total = np.abs(flat).max() if p == math.inf else (np.abs(flat) ** p).sum() ** (1 / p)
    coef = min(max_norm / (total + 1e-6), 1.0)
    return total, [g * coef for g in grads]


@pytest.mark.parametrize("max_norm, norm_type", [(1.0, 2.0), (0.3, 1.0), (2.0, math.inf), (100.0, 2.0), (0.0, 2.0)])
def test_matches_the_numpy_reference(rng, max_norm, norm_type):
    params = with_grads(rng, [(3, 4), (4,), (2, 2, 2)], scale=2.0)
    before = [p.grad.numpy().copy() for p in params]
    arrays = [p.grad.numpy() for p in params]
    total = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    want_total, want = reference(before, max_norm, norm_type)
    assert isinstance(total, float)
    assert total == pytest.approx(want_total, rel=1e-12)
    for p, a, b, w in zip(params, arrays, before, want):
        assert p.grad.numpy() is not a  # a new gradient tensor; the old array is left as it was
        np.testing.assert_array_equal(a, b)
        np.testing.assert_allclose(p.grad.numpy(), w, rtol=1e-12, atol=1e-300)
    if want_total <= max_norm:
        for p, b in zip(params, before):
            np.testing.assert_array_equal(p.grad.numpy(), b)


def test_skips_parameters_without_grad_and_accepts_one_tensor(rng):
    params = with_grads(rng, [(3,), (2,)], scale=5.0)
    params[1].grad = None
    norm = np.linalg.norm(params[0].grad.numpy())
    assert clip_grad_norm_(iter(params), 0.5) == pytest.approx(norm, rel=1e-12)  # any iterable, once
    assert params[1].grad is None
    np.testing.assert_allclose(np.linalg.norm(params[0].grad.numpy()), 0.5, rtol=1e-5)
    single = with_grads(rng, [(4,)])[0]
    assert clip_grad_norm_(single, 1e9) == pytest.approx(np.linalg.norm(single.grad.numpy()), rel=1e-12)
    assert clip_grad_norm_([nn.Parameter(np.zeros(2))], 1.0) == 0.0


def test_a_gradient_shared_by_two_parameters_is_scaled_once(rng):
    a, b = with_grads(rng, [(3,), (3,)])
    b.grad = a.grad
    g = a.grad.numpy().copy()
    total = clip_grad_norm_([a, b], 0.1)
    assert total == pytest.approx(np.linalg.norm(g), rel=1e-12)
    np.testing.assert_allclose(a.grad.numpy(), g * 0.1 / (total + 1e-6), rtol=1e-12)
    assert b.grad is a.grad


@pytest.mark.parametrize("max_norm, err, message", [
    (-1.0, ValueError, "max_norm must be ≥ 0, got -1.0"),
    (float("nan"), ValueError, "max_norm must be ≥ 0, got nan"),
    ("1", TypeError, "max_norm must be a number"),
])
def test_bad_max_norm_raises_before_anything_changes(rng, max_norm, err, message):
    params = with_grads(rng, [(3, 2), (2,)], scale=10.0)
    before = [p.grad.numpy().copy() for p in params]
    with pytest.raises(err, match="clip_grad_norm_: " + message):
        clip_grad_norm_(params, max_norm)
    for p, b in zip(params, before):
        np.testing.assert_array_equal(p.grad.numpy(), b)


def test_a_read_only_gradient_array_is_replaced_not_written(rng):
    params = with_grads(rng, [(3,), (2,)], scale=10.0)
    old = params[1].grad.numpy()
    old.setflags(write=False)
    kept = old.copy()
    clip_grad_norm_(params, 1.0)
    np.testing.assert_array_equal(old, kept)
    assert np.linalg.norm(np.concatenate([p.grad.numpy() for p in params])) == pytest.approx(1.0, rel=1e-5)


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.5, math.inf])
def test_nan_propagates_for_every_norm_type(norm_type):
    a, b = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros(1))
    a.grad, b.grad = tg.Tensor([3.0, 4.0]), tg.Tensor([np.nan])
    with pytest.raises(FloatingPointError, match="total norm of the gradients is nan"):
        clip_grad_norm_([a, b], 1.0, norm_type=norm_type, error_if_nonfinite=True)
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 4.0])  # nothing changed before the error
    assert math.isnan(clip_grad_norm_([a, b], 1.0, norm_type=norm_type))
    assert np.isnan(a.grad.numpy()).all()


def test_norm_type_is_checked():
    with pytest.raises(ValueError, match="norm_type must be a positive number or inf"):
        clip_grad_norm_([], 1.0, norm_type=0)


def test_nonfinite_gradients(rng):
    params = with_grads(rng, [(3,)])
    params[0].grad = tg.Tensor([0.5, np.nan, 1.0])
    with pytest.raises(FloatingPointError, match="total norm of the gradients is nan"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    assert np.isfinite(params[0].grad.numpy()[[0, 2]]).all()
    assert math.isnan(clip_grad_norm_(params, 1.0))  # as in PyTorch: the gradients become NaN
    assert np.isnan(params[0].grad.numpy()).all()


def test_float32_gradients_stay_float32(rng):
    params = with_grads(rng, [(5,)], dtype=np.float32, scale=3.0)
    clip_grad_norm_(params, 1.0)
    assert params[0].grad.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(params[0].grad.numpy()), 1.0, rtol=1e-5)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("max_norm, norm_type", [(1.0, 2.0), (0.5, math.inf), (3.0, 1.0), (1e6, 2.0)])
def test_matches_pytorch(rng, dtype, max_norm, norm_type):
    torch = pytest.importorskip("torch")
    params = with_grads(rng, [(4, 3), (3,), (2, 5)], dtype=dtype, scale=2.0)
    tparams = []
    for p in params:
        t = torch.tensor(p.numpy().copy(), requires_grad=True)
        t.grad = torch.tensor(p.grad.numpy().copy())
        tparams.append(t)
    total = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    ttotal = torch.nn.utils.clip_grad_norm_(tparams, max_norm, norm_type=norm_type)
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    assert total == pytest.approx(float(ttotal), rel=rtol)
    for p, t in zip(params, tparams):
        np.testing.assert_allclose(p.grad.numpy(), t.grad.numpy(), rtol=rtol * 4, atol=0)
