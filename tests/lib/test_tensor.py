"""The Tensor API a NumPy/PyTorch user reaches for without thinking."""
import numpy as np
import pytest

import tinygrad_sm as tg


def test_repr_shows_values_dtype_and_grad_fn():
    x = tg.Tensor([[1.0, 2.0]], requires_grad=True)
    assert repr(x) == "Tensor([[1., 2.]], dtype=float64, requires_grad=True)"
    assert "grad_fn=SoftmaxBackward" in repr(x.softmax())
    assert repr(tg.Tensor([1, 2])) == "Tensor([1, 2], dtype=int64)"


def test_constructor_copies_and_infers_like_numpy():
    a = np.array([1.0, 2.0])
    t = tg.Tensor(a)
    a[0] = 5
    assert t.data[0] == 1.0
    assert tg.Tensor([1, 2]).dtype == np.int64
    assert tg.Tensor([1.0], dtype=np.float32).dtype == np.float32
    shared = t.numpy()
    assert np.shares_memory(np.asarray(t), shared) and not shared.flags.writeable


def test_array_facts_len_iteration_and_item():
    t = tg.arange(6.0).reshape(2, 3)
    assert t.shape == (2, 3) and t.ndim == 2 and t.size == 6 and len(t) == 2
    rows = list(t)
    np.testing.assert_array_equal(rows[1].data, [3.0, 4.0, 5.0])
    assert t[1, 2].item() == 5.0 and float(t[0, 1]) == 1.0
    with pytest.raises(TypeError, match="0-d"):
        len(tg.Tensor(1.0))


def test_iteration_is_differentiable():
    x = tg.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    total = sum(row.sum() * (i + 1) for i, row in enumerate(x))
    total.backward()
    np.testing.assert_array_equal(x.grad.data, [[1.0, 1.0], [2.0, 2.0]])


def test_comparisons_are_boolean_and_carry_no_gradient():
    x = tg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    m = x > 1.5
    assert m.dtype == bool and not m.requires_grad
    np.testing.assert_array_equal(m.data, [False, True, True])
    np.testing.assert_array_equal((x == 2.0).data, [False, True, False])
    assert {x: 1}[x] == 1  # still hashable, by identity


def test_creation_helpers_and_seeded_randn():
    assert tg.zeros(2, 3).shape == (2, 3) and tg.ones((2,)).data.tolist() == [1.0, 1.0]
    assert tg.full((2,), 7.0).data.tolist() == [7.0, 7.0]
    np.testing.assert_array_equal(tg.randn(3, rng=7).data, tg.randn(3, rng=7).data)
    tg.manual_seed(3)
    a = tg.randn(4).data
    tg.manual_seed(3)
    np.testing.assert_array_equal(tg.randn(4).data, a)
    like = tg.zeros_like(tg.Tensor(np.ones((2, 2), np.float32)))
    assert like.dtype == np.float32 and like.shape == (2, 2)
    assert tg.randn_like(like, rng=0).dtype == np.float32
    assert tg.rand(5, rng=0).data.max() < 1.0


def test_indexing_with_tensors_lists_and_masks():
    x = tg.Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    picked = x[tg.Tensor([2, 0, 2]), [1, 1, 3]]
    np.testing.assert_array_equal(picked.data, [9.0, 1.0, 11.0])
    picked.sum().backward()
    expected = np.zeros((3, 4))
    expected[2, 1] = expected[0, 1] = expected[2, 3] = 1
    np.testing.assert_array_equal(x.grad.data, expected)
    np.testing.assert_array_equal(x[x > 9.5].data, [10.0, 11.0])


def test_shape_methods():
    x = tg.arange(24.0).reshape((2, 3, 4))
    assert x.transpose().shape == (4, 3, 2) and x.transpose(1, 0, 2).shape == (3, 2, 4)
    assert x.T.shape == (4, 3, 2) and x.swapaxes(0, 2).shape == (4, 3, 2)
    assert x.flatten().shape == (24,) and x.reshape(-1, 4).shape == (6, 4)
    assert x.broadcast_to((5, 2, 3, 4)).shape == (5, 2, 3, 4)
    assert x.min().item() == 0.0 and x.max(axis=(0, 2)).data.tolist() == [15.0, 19.0, 23.0]


def test_max_splits_the_gradient_between_ties():
    x = tg.Tensor([1.0, 3.0, 3.0], requires_grad=True)
    x.max().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.5, 0.5])


def test_ndarray_on_the_left_defers_to_the_tensor():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, tg.Tensor) and y.requires_grad
    z = np.array([[1.0, 0.0], [0.0, 1.0]]) @ x
    assert isinstance(z, tg.Tensor)


def test_detach_and_functional_namespace():
    x = tg.Tensor([0.1, 0.2], requires_grad=True)
    assert not x.exp().detach().requires_grad
    np.testing.assert_allclose(tg.functional.relu(tg.Tensor([-1.0, 2.0])).data, [0.0, 2.0])
    np.testing.assert_allclose(tg.functional.sigmoid(tg.Tensor([0.0])).data, [0.5])
    np.testing.assert_allclose(tg.functional.tanh(tg.Tensor([0.0])).data, [0.0])


def test_sigmoid_is_accurate_in_both_tails():
    y = tg.Tensor([-40.0, 40.0]).sigmoid().data
    np.testing.assert_allclose(y[0], np.exp(-40.0) / (1 + np.exp(-40.0)), rtol=1e-14)
    assert y[1] == 1.0
