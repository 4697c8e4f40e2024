"""Saved arrays cannot be corrupted, and their protection never outlives the graph.

Each test here is a case that once gave silently wrong gradients or left user data
read-only for good."""
import sys
import threading

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import nn, optim
from tinygrad_sm.saved import is_held


def test_a_view_and_its_base_saved_together_backpropagate_and_are_released():
    X = np.random.default_rng(0).random((8, 3))
    x0 = X[0]
    w = tg.Tensor(np.ones(3), requires_grad=True)
    ((w * X).sum() + (w * x0).sum()).backward()
    np.testing.assert_allclose(w.grad.data, X.sum(0) + x0)
    assert X.flags.writeable and x0.flags.writeable
    X[0, 0] = 5.0
    assert x0[0] == 5.0


@pytest.mark.parametrize("order", ["base-first", "view-first"])
def test_release_order_does_not_matter(order):
    X = np.ones((4, 3))
    view = X[1:]
    w = tg.Tensor(np.ones(3), requires_grad=True)
    a, b = (w * X).sum(), (w * view).sum()
    assert not X.flags.writeable and not view.flags.writeable
    if order == "base-first":
        del a
        assert not X.flags.writeable  # b still holds the same memory through its view
        del b
    else:
        del b
        assert not X.flags.writeable and not view.flags.writeable
        del a
    assert X.flags.writeable and view.flags.writeable


def test_a_write_through_the_leaf_after_a_reshape_raises():
    x = tg.Tensor([1.0, 2, 3, 4], requires_grad=True)
    z = (x.reshape(2, 2) ** 2).sum()  # Pow saves the reshaped view of x's memory
    with pytest.raises(ValueError, match="read-only"):
        x.data[0] = 100
    z.backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 4, 6, 8])
    x.data[0] = 100  # freed: writable again


def test_a_constant_that_is_a_slice_of_a_user_array_is_protected_through_its_base():
    data = np.array(np.arange(12.0).reshape(3, 4))  # owns its memory
    w = tg.Tensor(np.ones(4), requires_grad=True)
    loss = (w * data[1]).sum()
    with pytest.raises(ValueError, match="read-only"):
        data[1, 0] = -1.0  # through the base
    with pytest.raises(ValueError, match="read-only"):
        data[1:][0][0] = -1.0  # through a view made after the save
    loss.backward()
    np.testing.assert_allclose(w.grad.data, [4.0, 5, 6, 7])
    data[1, 0] = -1.0


def test_the_optimizer_refuses_a_parameter_saved_through_a_transpose():
    lin = tg.Tensor(np.ones((3, 2)), requires_grad=True)
    h = tg.Tensor(np.ones((4, 3)), requires_grad=True)
    loss = (h @ lin.T.T).sum()  # MatMul saved a view of the parameter's memory
    loss.backward(retain_graph=True)
    opt = optim.SGD([lin], lr=0.1)
    before = lin.data.copy()
    with pytest.raises(RuntimeError, match="still saved by a graph"):
        opt.step()
    np.testing.assert_array_equal(lin.data, before)
    assert is_held(lin.data)
    del loss
    opt.step()
    assert not np.array_equal(lin.data, before)


def test_arrays_the_user_made_read_only_stay_read_only():
    c = np.ones(3)
    c.setflags(write=False)
    w = tg.Tensor(np.ones(3), requires_grad=True)
    (w * c).sum().backward()
    assert not c.flags.writeable


def test_a_backward_that_raises_frees_the_graph_and_changes_no_grad():
    class Broken(tg.Op):
        def forward(self, x):
            return x * 2

        def vjp(self, g):
            raise ArithmeticError("boom")

    batch = np.ones(3)
    w = tg.Tensor(np.ones(3), requires_grad=True)
    w.grad = tg.Tensor(np.full(3, 7.0))
    loss = Broken.apply(w * batch).sum()
    assert not batch.flags.writeable
    with pytest.raises(ArithmeticError):
        loss.backward()
    assert batch.flags.writeable and w.data.flags.writeable
    np.testing.assert_array_equal(w.grad.data, 7.0)
    with pytest.raises(RuntimeError, match="already freed"):
        loss.backward()


def test_two_threads_backpropagating_through_one_parameter_leave_it_writable():
    w = tg.Tensor(np.ones((4, 4)), requires_grad=True)
    x = np.ones((2, 4))
    errors = []

    def work():
        try:
            for _ in range(300):
                tg.grad(((tg.Tensor(x) @ w).tanh() * w.sum()).sum(), [w])
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    assert errors == []
    assert w.data.flags.writeable and not is_held(w.data)


def test_a_later_array_is_protected_even_if_it_reuses_a_freed_id():
    for _ in range(200):
        w = tg.Tensor(np.ones(2), requires_grad=True)
        y = (w * np.ones(2)).sum()
        del y
        fresh = np.ones(2)  # often lands where the last array was freed
        z = (w * fresh).sum()
        with pytest.raises(ValueError, match="read-only"):
            fresh[0] = 3.0
        del z
        fresh[0] = 3.0


def test_anomaly_mode_names_a_write_through_a_view_made_before_the_save():
    data = np.ones(4)
    early_view = data[:]  # writable, made before the save: flags cannot stop it
    w = tg.Tensor(np.ones(4), requires_grad=True)
    with tg.detect_anomaly():
        loss = (w * data).sum()
        early_view[0] = 50.0
        with pytest.raises(tg.AnomalyError, match=r"MulBackward .*test_protection.py:\d+.*'y' was modified"):
            loss.backward()
    assert data.flags.writeable and w.grad is None


def test_gradients_handed_out_are_fresh_writable_arrays():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    y = tg.Tensor([3.0, 4.0], requires_grad=True)
    (x + y).sum().backward()  # Add hands the same gradient to both inputs
    assert x.grad.data is not y.grad.data
    x.grad.data[0] = 9.0
    assert y.grad.data[0] == 1.0


def test_a_model_trains_while_its_parameters_are_protected_in_each_step():
    model = nn.MLP([2, 4, 3], rng=0, dtype=np.float64)
    opt = optim.SGD(model.parameters(), lr=0.1)
    X = np.random.default_rng(1).standard_normal((8, 2))
    y = np.arange(8) % 3
    w2 = model[2].weight  # saved: the hidden activations need it for their gradient
    for _ in range(3):
        loss = tg.cross_entropy(model(tg.Tensor(X)), y)
        assert not w2.data.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            w2.data -= 1.0
        opt.zero_grad()
        loss.backward()
        assert w2.data.flags.writeable
        opt.step()


def test_a_view_of_an_owner_the_user_made_read_only_is_left_as_it_was():
    data = np.ones(4)
    view = data[:2]  # writable, made before the owner became read-only
    data.setflags(write=False)
    w = tg.Tensor(np.ones(2), requires_grad=True)
    loss = (w * view).sum()
    assert view.flags.writeable  # it could not be made writable again, so it is not touched
    loss.backward()  # and release raises nothing
    assert view.flags.writeable and not data.flags.writeable
    np.testing.assert_array_equal(w.grad.data, [1.0, 1.0])
