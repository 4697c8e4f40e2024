"""The graph walk: accumulation, deep graphs, freeing, grad mode, grad(), write protection."""
import threading

import numpy as np
import pytest

import tinygrad_sm as tg


def test_reuse_and_diamonds_accumulate():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    (x + x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])
    x.grad = None
    a = x * 3
    b = a.exp()
    c = a * a
    (b + c).sum().backward()  # d/dx [e^{3x} + 9x²] = 3e^{3x} + 18x
    np.testing.assert_allclose(x.grad.data, 3 * np.exp(3 * x.data) + 18 * x.data, rtol=1e-14)


def test_hundred_thousand_op_chain_backpropagates_without_recursion():
    x = tg.Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.5
    y.backward()
    assert x.grad.item() == 1.0
    assert y.item() == 1.0 + 0.5 * 100_000
    del y  # a 200,000-node chain is freed without overflowing the C stack


def test_grad_accumulates_across_backward_calls_on_leaves():
    x = tg.Tensor([1.0, -1.0], requires_grad=True)
    for _ in range(3):
        (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, 3 * 2 * x.data)


def test_graph_is_freed_after_backward_and_second_backward_explains_retain_graph():
    x = tg.Tensor([0.5, 1.5], requires_grad=True)
    y = x.softmax()
    loss = (y * y).sum()
    loss.backward()
    assert y.grad_fn.saved is None and y.grad_fn.saved_arrays() == {}
    grad_before = x.grad.numpy().copy()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        loss.backward()
    np.testing.assert_array_equal(x.grad.data, grad_before)


def test_retain_graph_allows_a_second_backward():
    x = tg.Tensor([0.5, 1.5], requires_grad=True)
    loss = (x.softmax() * np.array([1.0, 3.0])).sum()
    loss.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    loss.backward()
    np.testing.assert_allclose(x.grad.data, 2 * first, rtol=1e-15)


def test_non_scalar_backward_takes_a_grad_of_its_shape():
    x = tg.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 2
    y.backward(np.array([[1.0, 0.0], [0.0, 1.0]]))
    np.testing.assert_array_equal(x.grad.data, [[2.0, 0.0], [0.0, 2.0]])


def test_leaf_grad_has_the_leaf_shape_and_dtype_after_broadcasting():
    w = tg.Tensor(np.ones((1, 3), np.float32), requires_grad=True)
    b = tg.Tensor(np.float64(2.0), requires_grad=True)
    x = tg.Tensor(np.ones((4, 3)))
    ((x * w + b) ** 2).sum().backward()
    assert w.grad.shape == (1, 3) and w.grad.dtype == np.float32
    assert b.grad.shape == () and b.grad.dtype == np.float64
    np.testing.assert_allclose(w.grad.data, np.full((1, 3), 4 * 2 * 3.0))


def test_leaf_grads_never_alias_each_other_or_the_callers_array():
    a = tg.Tensor([1.0, 2.0], requires_grad=True)
    b = tg.Tensor([3.0, 4.0], requires_grad=True)
    g = np.array([1.0, 1.0])
    (a + b).backward(g)
    assert not np.shares_memory(a.grad.data, b.grad.data)
    assert not np.shares_memory(a.grad.data, g)
    g[:] = 99
    a.grad.data[:] = 7
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0])


def test_no_grad_context_and_decorator():
    x = tg.Tensor([1.0], requires_grad=True)
    with tg.no_grad():
        y = x * 2
        with tg.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None

    @tg.no_grad()
    def f(t):
        return t.exp()

    assert f(x).grad_fn is None
    assert tg.is_grad_enabled()
    assert (x * 2).grad_fn is not None


def test_no_grad_is_thread_local():
    x = tg.Tensor([1.0], requires_grad=True)
    seen = {}
    entered, checked = threading.Event(), threading.Event()

    def other():
        entered.wait()
        seen["records"] = (x * 2).grad_fn is not None
        checked.set()

    th = threading.Thread(target=other)
    th.start()
    with tg.no_grad():
        entered.set()
        checked.wait()
        assert (x * 2).grad_fn is None
    th.join()
    assert seen["records"] is True


def test_grad_returns_gradients_without_touching_dot_grad():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    y = (h * 3).sum()
    gx, gh = tg.grad(y, [x, h], retain_graph=True)
    np.testing.assert_array_equal(gx.data, 6 * x.data)
    np.testing.assert_array_equal(gh.data, [3.0, 3.0])
    assert x.grad is None
    unused = tg.Tensor([0.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        tg.grad(y, [unused], retain_graph=True)
    assert tg.grad(y, [unused], allow_unused=True) == (None,)


def test_grad_of_grad():
    x = tg.Tensor([0.5, 2.0], requires_grad=True)
    (g,) = tg.grad((x**3).sum(), [x], create_graph=True)
    np.testing.assert_allclose(g.data, 3 * x.data**2)
    (h,) = tg.grad(g.sum(), [x])
    np.testing.assert_allclose(h.data, 6 * x.data)


def test_backward_create_graph_records_dot_grad():
    x = tg.Tensor(1.5, requires_grad=True)
    (x.tanh()).backward(create_graph=True)
    assert x.grad.requires_grad
    (second,) = tg.grad(x.grad, [x])
    t = np.tanh(1.5)
    np.testing.assert_allclose(second.item(), -2 * t * (1 - t * t), rtol=1e-14)


def test_plain_backward_records_nothing():
    x = tg.Tensor([0.3, 0.7], requires_grad=True)
    (x.softmax() * 2).sum().backward()
    assert x.grad.grad_fn is None and not x.grad.requires_grad


def test_retain_grad_keeps_a_non_leafs_gradient_and_the_picture_shows_it():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    h = (x * 3.0).retain_grad()
    other = x * 2.0  # not retained
    loss = (h * h + other).sum()
    loss.backward(retain_graph=True)
    np.testing.assert_allclose(h.grad.data, 2 * h.data)
    assert other.grad is None and x.grad is not None
    assert x.retain_grad() is x  # a leaf keeps its gradient anyway
    src = tg.viz.draw_graph(loss, kind="forward", show_values=True).source
    assert "grad [6, 12]" in src
    with pytest.raises(RuntimeError, match="does not require grad"):
        tg.Tensor([1.0]).retain_grad()
    before = h.grad.numpy().copy()
    tg.grad(loss, [x])  # grad() returns gradients and touches no .grad
    np.testing.assert_array_equal(h.grad.data, before)
