"""Every error names the op and the shapes, and is raised before any state changes."""
import numpy as np
import pytest

import tinygrad_sm as tg


@pytest.fixture
def graph():
    """A leaf and a live graph, to check that failed calls leave both untouched."""
    x = tg.Tensor(np.arange(6.0).reshape(2, 3) / 10, requires_grad=True)
    y = x.softmax(axis=-1)
    return x, y


def assert_untouched(x, y):
    assert x.grad is None
    assert y.grad_fn.saved is not None and "out" in y.grad_fn.saved_arrays()


@pytest.mark.parametrize(
    "call, exc, words",
    [
        (lambda x, y: y @ tg.Tensor(np.ones((4, 2))), ValueError, ["matmul", "(2, 3)", "(4, 2)"]),
        (lambda x, y: y + np.ones(4), ValueError, ["add", "(2, 3)", "(4,)", "broadcast"]),
        (lambda x, y: y * np.ones((3, 2)), ValueError, ["mul", "(2, 3)", "(3, 2)"]),
        (lambda x, y: y.reshape(4, 2), ValueError, ["reshape", "(2, 3)", "(4, 2)"]),
        (lambda x, y: y.sum(axis=2), np.exceptions.AxisError, ["sum", "axis 2", "dimension 2"]),
        (lambda x, y: y.softmax(axis=-3), np.exceptions.AxisError, ["softmax", "axis -3"]),
        (lambda x, y: y.item(), ValueError, ["item", "(2, 3)", "one-element"]),
        (lambda x, y: y.backward(), RuntimeError, ["single-element", "(2, 3)", "grad="]),
        (lambda x, y: y.backward(np.ones(3)), ValueError, ["grad has shape (3,)", "(2, 3)"]),
        (lambda x, y: y.softmax(mask=np.ones((4, 3), bool)), ValueError, ["softmax", "mask", "(4, 3)"]),
        (lambda x, y: tg.cross_entropy(y, np.array([0, 3])), IndexError, ["cross_entropy", "target 3", "3 classes"]),
        (lambda x, y: tg.cross_entropy(y, np.array([-1, 0])), IndexError, ["target -1"]),
        (lambda x, y: tg.cross_entropy(y, np.array([0, 1, 2])), ValueError, ["targets (2,)", "(3,)"]),
        (lambda x, y: tg.cross_entropy(y, np.array([0, 1]), reduction="avg"), ValueError, ["reduction"]),
        (lambda x, y: tg.concatenate([y, tg.Tensor(np.ones((2, 2)))], axis=0), ValueError, ["concatenate", "(2, 2)"]),
        (lambda x, y: y.transpose(0, 0), ValueError, ["transpose", "permutation"]),
        (lambda x, y: y[5], IndexError, ["getitem", "(2, 3)"]),
    ],
)
def test_errors_name_the_op_and_shapes_and_change_nothing(graph, call, exc, words):
    x, y = graph
    with pytest.raises(exc) as err:
        call(x, y)
    for w in words:
        assert w in str(err.value), (w, str(err.value))
    assert_untouched(x, y)


def test_softmax_over_a_size_zero_axis():
    with pytest.raises(ValueError, match=r"softmax: axis 1 of shape \(3, 0\) has size 0"):
        tg.softmax(np.ones((3, 0)), axis=1)
    assert tg.softmax(np.ones((0, 3)), axis=1).shape == (0, 3)  # empty batch is fine


def test_backward_from_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tg.Tensor([1.0]).sum().backward()
    x = tg.Tensor([1.0], requires_grad=True)
    with tg.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="no_grad"):
        y.backward()
    assert x.grad is None


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(TypeError, match="only real floating tensors can require grad.*int64"):
        tg.Tensor([1, 2, 3], requires_grad=True)
    with pytest.raises(TypeError, match="only real floating tensors can require grad"):
        tg.Tensor([1, 2]).requires_grad_()


def test_second_backward_error_comes_before_any_gradient_changes():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    w = tg.Tensor([3.0, 4.0], requires_grad=True)
    shared = x * 2
    loss1 = (shared * w).sum()
    loss1.backward()
    loss2 = (shared + w).sum()  # reuses `shared`, whose node loss1 freed
    gx, gw = x.grad.numpy().copy(), w.grad.numpy().copy()
    with pytest.raises(RuntimeError, match="already freed"):
        loss2.backward()
    np.testing.assert_array_equal(x.grad.data, gx)
    np.testing.assert_array_equal(w.grad.data, gw)


def test_cross_entropy_rejects_targets_that_require_grad():
    z = tg.Tensor(np.zeros((2, 3)), requires_grad=True)
    t = tg.Tensor(np.full((2, 3), 1 / 3), requires_grad=True)
    with pytest.raises(ValueError, match="detach"):
        tg.cross_entropy(z, t)


def test_matmul_rejects_zero_dim_operands():
    with pytest.raises(ValueError, match=r"matmul: operands need at least one axis.*\(\)"):
        tg.Tensor(2.0) @ tg.Tensor([1.0])
