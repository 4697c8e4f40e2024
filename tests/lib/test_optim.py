"""Optimizers match their textbook update rules and refuse bad states."""
import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import optim


def _param(values, grad):
    p = tg.Tensor(np.array(values, dtype=np.float64), requires_grad=True)
    p.grad = tg.Tensor(np.array(grad, dtype=np.float64))
    return p


def test_sgd_momentum_nesterov_weight_decay_follow_the_rule():
    p = _param([1.0, -2.0], [0.5, 0.5])
    opt = optim.SGD([p], lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)
    w, buf = p.numpy().copy(), None
    for _ in range(3):
        g = p.grad.numpy() + 0.01 * w
        buf = g.copy() if buf is None else 0.9 * buf + g
        w = w - 0.1 * (g + 0.9 * buf)
        opt.step()
        np.testing.assert_allclose(p.data, w, rtol=1e-15)


def test_adam_and_adamw_follow_the_rule():
    for decoupled in (False, True):
        p = _param([1.0, -2.0, 3.0], [0.1, -0.3, 0.2])
        opt = optim.Adam([p], lr=0.01, betas=(0.8, 0.9), eps=1e-6, weight_decay=0.1, decoupled=decoupled)
        w, m, v = p.numpy().copy(), 0, 0
        for t in range(1, 4):
            g = p.grad.data
            if decoupled:
                w = w * (1 - 0.01 * 0.1)
            else:
                g = g + 0.1 * w
            m = 0.8 * m + 0.2 * g
            v = 0.9 * v + 0.1 * g * g
            w = w - 0.01 * (m / (1 - 0.8**t)) / (np.sqrt(v / (1 - 0.9**t)) + 1e-6)
            opt.step()
            np.testing.assert_allclose(p.data, w, rtol=1e-12)


def test_updates_are_in_place_and_outside_the_graph():
    p = _param([1.0], [1.0])
    memory = p.numpy()
    optim.SGD([p], lr=0.5).step()
    assert np.shares_memory(p.numpy(), memory) and p.grad_fn is None and p.requires_grad and p.is_leaf
    assert p._version_counter == 1 and p.numpy()[0] == 0.5


def test_non_finite_gradients_raise_before_any_update_unless_allowed():
    a, b = _param([1.0], [1.0]), _param([1.0], [np.nan])
    opt = optim.Adam([a, b], lr=0.1)
    with pytest.raises(FloatingPointError, match="parameter 1.*NaN/inf.*check_finite=False"):
        opt.step()
    assert a.data[0] == 1.0 and opt.state[0] == {}
    optim.SGD([a, b], lr=0.1, check_finite=False).step()
    assert a.data[0] == 0.9


def test_a_graph_recorded_before_a_step_refuses_to_backpropagate_after_it():
    w = tg.Tensor([1.0, 2.0], requires_grad=True)
    logged = w.log().sum()  # recorded with grad on (e.g. for logging) and never backpropagated: saves w
    w.grad = tg.Tensor([1.0, 1.0])
    optim.SGD([w], lr=0.1).step()  # allowed, as in PyTorch
    np.testing.assert_allclose(w.numpy(), [0.9, 1.9])
    with pytest.raises(RuntimeError, match=r"LogBackward.*modified by an in-place operation.*version 1.*version 0"):
        logged.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 1.0])  # nothing assigned


def test_bad_hyperparameters_and_state_dict():
    p = _param([1.0], [1.0])
    with pytest.raises(ValueError, match="lr must be positive"):
        optim.SGD([p], lr=0)
    with pytest.raises(ValueError, match="nesterov needs momentum"):
        optim.SGD([p], lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="betas"):
        optim.Adam([p], betas=(1.0, 0.9))
    opt = optim.Adam([p], lr=0.1)
    opt.step()
    state = opt.state_dict()
    fresh = optim.Adam([p], lr=0.5)
    fresh.load_state_dict(state)
    assert fresh.lr == 0.1 and fresh.steps == 1 and fresh.state[0]["t"] == 1
