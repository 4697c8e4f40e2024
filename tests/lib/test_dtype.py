"""dtype in, dtype out: float32 stays float32, scalars adapt, gradients keep the leaf's dtype."""
import numpy as np
import pytest

import tinygrad_sm as tg

SCALARS = [2.5, 2, np.float64(2.5), np.float32(2.5), np.array(2.5), True]


@pytest.mark.parametrize("scalar", SCALARS, ids=repr)
@pytest.mark.parametrize("op", ["add", "radd", "sub", "rsub", "mul", "rmul", "div", "rdiv", "pow"])
def test_float32_with_any_scalar_stays_float32(op, scalar):
    # Decision: NumPy 2 keeps float32 for `* 2.5` but upcasts for `* np.float64(2.5)`.
    # A Tensor treats NumPy scalars and 0-d arrays like Python scalars: float32 stays.
    x = tg.Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    y = {
        "add": lambda: x + scalar, "radd": lambda: scalar + x, "sub": lambda: x - scalar,
        "rsub": lambda: scalar - x, "mul": lambda: x * scalar, "rmul": lambda: scalar * x,
        "div": lambda: x / scalar, "rdiv": lambda: scalar / x, "pow": lambda: x ** scalar,
    }[op]()
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("method", ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softmax", "log_softmax", "logsumexp"])
def test_unary_ops_keep_float32(method):
    x = tg.Tensor(np.array([[0.5, 1.5, 2.0]], np.float32), requires_grad=True)
    y = getattr(x, method)()
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_tensor_tensor_promotion_follows_numpy_and_grads_keep_each_leafs_dtype():
    a = tg.Tensor(np.ones(3, np.float32), requires_grad=True)
    b = tg.Tensor(np.ones(3, np.float64), requires_grad=True)
    c = a * b
    assert c.dtype == np.float64
    c.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64


def test_float32_matmul_cross_entropy_stays_float32():
    x = tg.Tensor(np.ones((4, 3), np.float32))
    w = tg.Tensor(np.full((3, 5), 0.1, np.float32), requires_grad=True)
    loss = tg.cross_entropy(x @ w, np.array([0, 1, 2, 3]))
    assert loss.dtype == np.float32
    loss.backward()
    assert w.grad.dtype == np.float32


def test_integer_arithmetic_follows_numpy():
    i = tg.Tensor([1, 2])
    assert (i + 1).dtype == np.int64
    assert (i * 2.5).dtype == np.float64
    assert (i / 2).dtype == np.float64


def test_astype_is_differentiable_and_casts_the_gradient_back():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    y = x.astype(np.float32) * 3
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])
