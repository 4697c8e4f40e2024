"""PyTorch's top-level names: ``tg.tensor``, dtype names, the default dtype, ``linspace``,
``randperm``, ``cat``, and ``tg.exp``-style functions (with ``dim=``/``keepdim=``)."""
import numpy as np
import pytest

import tinygrad_sm as tg


@pytest.fixture
def default_float64():
    tg.set_default_dtype(tg.float64)
    yield
    tg.set_default_dtype(tg.float32)


def test_tensor_is_the_function_not_the_module():
    assert callable(tg.tensor)
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    assert isinstance(x, tg.Tensor) and x.requires_grad and x.dtype == np.float32
    assert tg.tensor([1, 2]).dtype == np.int64 and tg.tensor(True).dtype == np.bool_
    assert tg.tensor(np.ones(2)).dtype == np.float64  # an ndarray keeps its dtype
    assert tg.tensor(np.float64(2.0)).dtype == np.float64 and tg.tensor([[1, 2.5], [3, 4]]).dtype == np.float32
    assert tg.tensor([True, 1]).dtype == np.int64 and tg.tensor(2.0).dtype == np.float32
    assert tg.tensor([1, 2], dtype=tg.float64).dtype == np.float64
    src = np.ones(3)
    t = tg.tensor(src)
    src[0] = 5
    assert t.numpy()[0] == 1.0  # a copy, like torch.tensor


def test_dtype_names_are_numpy_dtypes():
    assert tg.float32 == np.float32 and tg.float == np.float32 and tg.float64 == tg.double == np.float64
    assert tg.float16 == tg.half == np.float16 and tg.int64 == tg.long == np.int64
    assert tg.int32 == tg.int == np.int32 and tg.bool == np.bool_
    assert tg.zeros(2, dtype=tg.long).dtype == np.int64


def test_default_dtype_drives_creation_and_layers(default_float64):
    assert tg.get_default_dtype() == np.float64
    for t in (tg.zeros(2), tg.ones(2), tg.full((2,), 1.5), tg.rand(2), tg.randn(2), tg.linspace(0, 1, 3),
              tg.tensor([0.5]), tg.arange(0.0, 1.0, 0.5), tg.nn.Linear(2, 3).weight):
        assert t.dtype == np.float64
    tg.set_default_dtype(tg.float32)
    for t in (tg.zeros(2), tg.randn(2), tg.tensor([0.5]), tg.nn.Linear(2, 3).weight, tg.arange(0.0, 1.0, 0.5)):
        assert t.dtype == np.float32
    assert tg.arange(3).dtype == np.int64
    with pytest.raises(TypeError, match="set_default_dtype: the default must be a float dtype .* got int64"):
        tg.set_default_dtype(tg.int64)
    assert tg.get_default_dtype() == np.float32


def test_linspace_and_randperm():
    np.testing.assert_allclose(tg.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1.0])
    tg.manual_seed(3)
    a = tg.randperm(6)
    tg.manual_seed(3)
    assert a.dtype == np.int64 and sorted(a.tolist()) == list(range(6)) and tg.randperm(6).tolist() == a.tolist()
    with pytest.raises(ValueError, match="randperm: n must be a non-negative int"):
        tg.randperm(-1)
    with pytest.raises(ValueError, match="linspace: steps must be a non-negative int"):
        tg.linspace(0, 1, 2.5)


def test_cat_is_concatenate_with_dim():
    a, b = tg.ones(2, 3), tg.zeros(1, 3)
    assert tg.cat([a, b]).shape == (3, 3) and tg.cat([a, a], dim=1).shape == (2, 6)
    assert tg.cat([a, a], axis=1).shape == (2, 6)
    with pytest.raises(TypeError, match="cat: got both axis=1 and dim=1"):
        tg.cat([a, a], dim=1, axis=1)


def test_functions_call_the_ops():
    x = np.array([[0.5, -1.0, 2.0], [1.5, 0.2, -0.3]])
    t = tg.tensor(x, requires_grad=True)
    for f, ref in ((tg.exp, np.exp), (tg.sin, np.sin), (tg.cos, np.cos), (tg.tanh, np.tanh),
                   (tg.relu, lambda v: np.maximum(v, 0)), (tg.sigmoid, lambda v: 1 / (1 + np.exp(-v)))):
        np.testing.assert_allclose(f(t).numpy(), ref(x), rtol=1e-12)
        assert f(x).dtype == np.float64  # arrays become tensors
    np.testing.assert_allclose(tg.log(tg.tensor(np.abs(x))).numpy(), np.log(np.abs(x)))
    np.testing.assert_allclose(tg.matmul(t, t.T).numpy(), x @ x.T)
    assert tg.sum(t, dim=1).shape == (2,) and tg.sum(t, dim=1, keepdim=True).shape == (2, 1)
    assert tg.mean(t, axis=0).shape == (3,) and tg.sum(t).item() == pytest.approx(x.sum())
    assert tg.argmax(t, dim=1).tolist() == [2, 0] and tg.argmax(t).item() == 2
    with pytest.raises(TypeError, match="sum: got both axis=0 and dim=1"):
        tg.sum(t, axis=0, dim=1)
    with pytest.raises(TypeError, match="mean: got both keepdims and keepdim"):
        tg.mean(t, dim=0, keepdims=True, keepdim=True)


def test_sin_cos_gradients():
    x = np.linspace(-3, 3, 7)
    assert tg.autograd.gradcheck(tg.sin, [x], atol=1e-9) and tg.autograd.gradgradcheck(tg.cos, [x], atol=1e-8)
    t = tg.tensor(x, requires_grad=True)
    tg.sin(t).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), np.cos(x), rtol=1e-12)


def test_autograd_namespace():
    assert tg.autograd.grad is tg.grad and tg.autograd.gradcheck is tg.gradcheck
    assert tg.autograd.gradgradcheck is tg.gradgradcheck
    x = tg.tensor([2.0], dtype=tg.float64, requires_grad=True)
    (g,) = tg.autograd.grad(x * x, x)
    assert g.item() == 4.0


def test_stack_concatenate_softmax_modules_and_from_numpy_take_pytorch_spellings():
    a, b = tg.ones(2, 3), tg.zeros(2, 3)
    assert tg.stack([a, b], dim=1).shape == (2, 2, 3) and tg.stack([a, b]).shape == (2, 2, 3)
    assert tg.concatenate([a, b], dim=1).shape == (2, 6) and tg.concatenate([a, b], 1).shape == (2, 6)
    with pytest.raises(TypeError, match="stack: got both axis=0 and dim=1"):
        tg.stack([a, b], axis=0, dim=1)
    x = tg.tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_allclose(tg.nn.Softmax(dim=0)(x).numpy(), x.softmax(axis=0).numpy())
    np.testing.assert_allclose(tg.nn.LogSoftmax(dim=1)(x).numpy(), x.log_softmax(axis=1).numpy())
    assert tg.nn.Softmax()(x).shape == (2, 3) and tg.nn.Softmax(0).axis == 0
    with pytest.raises(TypeError, match="Softmax: got both"):
        tg.nn.Softmax(0, dim=1)
    src = np.arange(3, dtype=np.float64)
    t = tg.from_numpy(src)  # shares: src becomes read-only, writes go through t
    t[0] = 9
    assert t.dtype == np.float64 and src.tolist() == [9.0, 1.0, 2.0]
    with pytest.raises(TypeError, match="from_numpy: expected a plain numpy.ndarray, got list"):
        tg.from_numpy([1.0])


def test_device_and_test_helpers_as_pytorch_scripts_use_them():
    device = tg.device("cuda" if tg.cuda.is_available() else "cpu")
    assert str(device) == "cpu" and device == "cpu"
    x = tg.randn(3, 4).to(device)
    model = tg.nn.Linear(4, 2).to(device)
    assert model(x).shape == (3, 2)
    with pytest.raises(RuntimeError, match="CPU only"):
        tg.device("cuda")
    assert tg.equal(x, x) and tg.allclose(x, x + 1e-9) and tg.is_tensor(x) and not tg.is_tensor(x.numpy())
    assert tg.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]] and tg.empty(2, 3).shape == (2, 3)
    r = tg.randint(0, 10, (50,), rng=0)
    assert r.dtype == np.int64 and r.shape == (50,) and 0 <= r.numpy().min() and r.numpy().max() < 10
    assert tg.randint(3, (4,), rng=0).numpy().max() < 3
    assert tg.isnan(tg.Tensor([1.0, np.nan])).tolist() == [False, True]
    assert tg.mm(x, tg.transpose(x, 0, 1)).shape == (3, 3) and tg.flatten(tg.unsqueeze(x, 0)).shape == (12,)
    assert tg.sqrt(tg.Tensor([4.0])).item() == 2.0 and tg.pow(tg.Tensor([2.0]), 3).item() == 8.0


def test_method_spellings_of_the_operators_and_floor_division():
    y = tg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    z = y.add(1, alpha=2).sub(1).mul(2).div(2).neg().sin().masked_fill(np.array([True, False, False]), 0.0).sum()
    z.backward()
    want = -np.cos(-(np.array([1.0, 2.0, 3.0]) + 1.0))  # d sin(-(y + 1)) / dy
    want[0] = 0.0
    np.testing.assert_allclose(y.grad.numpy(), want, rtol=1e-12)
    pred, t = tg.Tensor([1, 2, 0]), tg.Tensor([1, 3, 0])
    assert pred.eq(t.view_as(pred)).sum().item() == 2 and pred.ne(t).tolist() == [False, True, False]
    assert (tg.arange(6) // 2).tolist() == [0, 0, 1, 1, 2, 2] and (tg.arange(6) % 4).tolist() == [0, 1, 2, 3, 0, 1]
    with pytest.raises(TypeError, match="floor_divide: this NumPy function is not a tinygrad_sm op"):
        y // 2
