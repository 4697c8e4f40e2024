"""tg.autograd.Function: PyTorch's custom-op shape, running as an Op node (gradcheck,
create_graph, pictures, the saved-array protection)."""
import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm.autograd import Function


class Square(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 2 * x * grad_output


class ScaledExp(Function):
    """y = exp(k·x), saving its output; k is a plain number (no gradient)."""

    @staticmethod
    def forward(ctx, x, k):
        y = (x * k).exp()
        ctx.save_for_backward(y)
        ctx.k = k
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * ctx.k * y, None


class MulAdd(Function):
    @staticmethod
    def forward(ctx, a, b, c):
        ctx.save_for_backward(a, b)
        return a * b + c

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        assert len(ctx.needs_input_grad) == 3
        return (g * b if ctx.needs_input_grad[0] else None,
                g * a if ctx.needs_input_grad[1] else None, g)


def test_gradients_and_node():
    x = tg.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = Square.apply(x)
    assert y.grad_fn.name == "SquareBackward" and isinstance(y.grad_fn, tg.Op)
    np.testing.assert_array_equal(y.numpy(), [1, 4, 9])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [2, -4, 6])


@pytest.mark.parametrize("fn, inputs", [
    (Square.apply, [np.array([0.3, -1.2, 2.0])]),
    (lambda x: ScaledExp.apply(x, 0.7), [np.array([[0.1, -0.5], [1.0, 0.3]])]),
    (MulAdd.apply, [np.array([1.0, 2.0]), np.array([-0.5, 3.0]), np.array([0.2, 0.1])]),
])
def test_gradcheck_and_gradgradcheck(fn, inputs):
    assert tg.autograd.gradcheck(fn, inputs, atol=1e-9, rtol=1e-7)
    assert tg.autograd.gradgradcheck(fn, inputs, atol=1e-8, rtol=1e-6)


def test_create_graph_gives_the_second_derivative():
    x = tg.tensor([1.5], dtype=tg.float64, requires_grad=True)
    (g,) = tg.grad(Square.apply(x) * x, x, create_graph=True)  # d(x³)/dx = 3x²
    assert g.item() == pytest.approx(6.75)
    (gg,) = tg.grad(g, x)
    assert gg.item() == pytest.approx(9.0)  # 6x


def test_the_picture_shows_the_function_like_an_op():
    pytest.importorskip("graphviz")
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    src = tg.viz.draw_graph(Square.apply(x).sum()).source
    assert "SquareBackward" in src and "saved0: (2,) float32" in src


def test_needs_input_grad_and_constants():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = tg.tensor([3.0, 4.0])  # needs no gradient: backward may return None for it
    out = MulAdd.apply(a, b, tg.tensor([1.0, 1.0]))
    assert out.grad_fn.ctx.needs_input_grad == (True, False, False)
    out.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [3, 4])


def test_no_graph_without_grad():
    y = Square.apply(tg.tensor([2.0]))
    assert y.grad_fn is None and not y.requires_grad and y.item() == 4.0
    with tg.no_grad():
        assert Square.apply(tg.tensor([2.0], requires_grad=True)).grad_fn is None


def test_saved_tensors_are_freed_and_protected():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = Square.apply(x)
    node = y.grad_fn
    assert node.saved_arrays()  # what save_for_backward kept, visible to tests and pictures
    y.sum().backward()
    assert node.saved is None
    with pytest.raises(RuntimeError, match="second time|freed|retain_graph"):
        y.sum().backward()


def test_an_input_returned_as_is_is_copied():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = Identity.apply(x)
    assert not np.shares_memory(y.numpy(), x.numpy())
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


def test_mark_non_differentiable():
    class Argmax(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.mark_non_differentiable()
            return tg.tensor(np.argmax(x.numpy(), axis=-1).astype(np.float64))

        @staticmethod
        def backward(ctx, g):
            return None

    out = Argmax.apply(tg.tensor([[1.0, 3.0, 2.0]], requires_grad=True))
    assert out.tolist() == [1.0] and not out.requires_grad


def test_errors_name_the_function():
    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            return x, x

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(TypeError, match="Two.forward returned a tuple; return one Tensor"):
        Two.apply(tg.tensor([1.0], requires_grad=True))

    class Wrong(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    z = Wrong.apply(tg.tensor([1.0], requires_grad=True), tg.tensor([2.0]))
    with pytest.raises(TypeError, match="Wrong.backward returned 1 gradients for 2 arguments"):
        z.backward()

    class SaveNumber(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(3)
            return x

    with pytest.raises(TypeError, match="save_for_backward: argument 0 is a int"):
        SaveNumber.apply(tg.tensor([1.0], requires_grad=True))
