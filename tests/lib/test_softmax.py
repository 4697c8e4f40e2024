"""Softmax as a primitive: its VJP reads only the cached output and never builds J."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_sm as tg
from tinygrad_sm.engine import toposort


def softmax_np(x, axis):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


def explicit_vjp(g, a, axis):
    """g @ (diag(a) − a aᵀ), row by row: the O(N²) reference."""
    g_rows = np.moveaxis(g, axis, -1).reshape(-1, g.shape[axis])
    a_rows = np.moveaxis(a, axis, -1).reshape(-1, a.shape[axis])
    out = np.stack([gr @ (np.diag(ar) - np.outer(ar, ar)) for gr, ar in zip(g_rows, a_rows)])
    return np.moveaxis(out.reshape(np.moveaxis(g, axis, -1).shape), -1, axis)


arrays = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5),
    elements=st.floats(-30, 30, allow_nan=False),
)


@given(arrays, st.data())
def test_vjp_equals_explicit_jacobian_row_by_row(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    g = data.draw(hnp.arrays(np.float64, x.shape, elements=st.floats(-5, 5)))
    t = tg.Tensor(x, requires_grad=True)
    a = t.softmax(axis=axis)
    a.backward(g)
    np.testing.assert_allclose(t.grad.data, explicit_vjp(g, a.data, axis), rtol=1e-10, atol=1e-12)


@given(arrays, st.data())
def test_rows_sum_to_one_and_shift_invariance(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    shift = data.draw(st.floats(-1e3, 1e3))
    a = tg.softmax(x, axis=axis).data
    np.testing.assert_allclose(a.sum(axis), 1.0, rtol=1e-12)
    np.testing.assert_allclose(tg.softmax(x + shift, axis=axis).data, a, rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(a, softmax_np(x, axis), rtol=1e-12, atol=1e-300)


@given(arrays, st.data())
def test_log_softmax_and_logsumexp_gradients(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    g = data.draw(hnp.arrays(np.float64, x.shape, elements=st.floats(-5, 5)))
    a = softmax_np(x, axis)
    t = tg.Tensor(x, requires_grad=True)
    t.log_softmax(axis=axis).backward(g)
    # d log a_i / d z_m = δ_im − a_m  ⇒  z̄ = g − a Σg
    np.testing.assert_allclose(t.grad.data, g - a * g.sum(axis, keepdims=True), rtol=1e-9, atol=1e-12)
    t2 = tg.Tensor(x, requires_grad=True)
    t2.logsumexp(axis=axis).sum().backward()
    np.testing.assert_allclose(t2.grad.data, a, rtol=1e-12, atol=1e-300)


def test_softmax_node_saves_exactly_its_output():
    x = tg.randn(4, 7, rng=0, requires_grad=True)
    a = x.softmax(axis=-1)
    node = a.grad_fn
    assert node.name == "SoftmaxBackward"
    assert list(node.saved_arrays()) == ["out"]
    assert node.saved_arrays()["out"] is a._data  # the output itself, not a copy
    assert node.saved_bytes() == a.data.nbytes


@pytest.mark.parametrize("fused", [False, True])
def test_no_saved_array_in_a_softmax_classifier_is_n_by_n(fused):
    rng = np.random.default_rng(0)
    batch, features, classes = 8, 5, 16
    X = tg.Tensor(rng.standard_normal((batch, features)))
    W = tg.randn(features, classes, rng=1, requires_grad=True)
    b = tg.zeros(classes, requires_grad=True)
    y = rng.integers(0, classes, batch)
    logits = X @ W + b
    if fused:
        loss = tg.cross_entropy(logits, y)
    else:
        onehot = np.eye(classes)[y]
        loss = -(logits.softmax(axis=-1).log() * onehot).sum() / batch
    saved = [arr for node in toposort([loss.grad_fn]) for arr in node.saved_arrays().values()]
    assert saved, "the graph should save something"
    for arr in saved:
        assert not (arr.ndim >= 2 and arr.shape[-1] == arr.shape[-2] == classes), arr.shape
        assert arr.size <= batch * classes
    loss.backward()
    assert W.grad.shape == (features, classes)


def test_jvp_and_vjp_are_the_same_formula():
    """J = diag(a) − a aᵀ is symmetric, so J t (JVP) equals tᵀ J (VJP)."""
    z = np.random.default_rng(3).standard_normal((2, 6))
    t = np.random.default_rng(4).standard_normal((2, 6))
    _, jt = tg.jvp(lambda x: x.softmax(-1), z, t)
    _, (tj,) = tg.vjp(lambda x: x.softmax(-1), z, v=t)
    np.testing.assert_allclose(jt.data, tj.data, rtol=1e-12, atol=1e-15)


def test_hessian_of_logsumexp_is_the_softmax_jacobian():
    z = np.random.default_rng(5).standard_normal(6)
    a = softmax_np(z, -1)
    H = tg.hessian(lambda x: x.logsumexp(), z).data
    np.testing.assert_allclose(H, np.diag(a) - np.outer(a, a), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(H, H.T, atol=0)


def test_mask_excludes_entries_like_neg_inf_logits():
    x = np.array([[1.0, 2.0, 3.0, 4.0]])
    mask = np.array([[True, False, True, True]])
    by_mask = tg.softmax(x, mask=mask).data
    by_inf = tg.softmax(np.where(mask, x, -np.inf)).data
    assert by_mask[0, 1] == 0.0
    np.testing.assert_allclose(by_mask, by_inf, rtol=1e-15)
    np.testing.assert_allclose(by_mask[0, [0, 2, 3]], softmax_np(x[0, [0, 2, 3]], -1), rtol=1e-14)


@pytest.mark.parametrize("how", ["mask", "neg-inf"])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "logsumexp"])
def test_fully_excluded_row_gives_zeros_and_zero_gradient(how, fn):
    x_np = np.array([[0.3, -1.0, 2.0], [1.0, 2.0, 3.0]])
    mask = np.array([[False, False, False], [True, True, True]])
    if how == "neg-inf":
        x_np[0] = -np.inf
        mask = None
    x = tg.Tensor(x_np, requires_grad=True)
    out = getattr(x, fn)(axis=-1, mask=mask)
    assert np.all(np.isfinite(out.data))
    np.testing.assert_array_equal(out.data[0], 0.0)
    out.backward(np.ones(out.shape))
    assert np.all(np.isfinite(x.grad.data))
    np.testing.assert_array_equal(x.grad.data[0], 0.0)
    assert np.any(x.grad.data[1] != 0) or fn == "softmax"


def test_partially_masked_log_softmax_gradient_ignores_excluded_entries():
    x = tg.Tensor([[1.0, 5.0, 2.0]], requires_grad=True)
    keep = np.array([[True, False, True]])
    y = x.log_softmax(mask=keep)
    assert y.data[0, 1] == -np.inf
    y.backward(np.array([[1.0, 7.0, 0.0]]))
    assert x.grad.data[0, 1] == 0.0
    a = softmax_np(np.array([1.0, 2.0]), -1)
    np.testing.assert_allclose(x.grad.data[0, [0, 2]], np.array([1.0, 0.0]) - a * 1.0, rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_logits_stay_finite(dtype):
    x = tg.Tensor(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=dtype), requires_grad=True)
    for fn in ("softmax", "log_softmax", "logsumexp"):
        x.grad = None
        out = getattr(x, fn)(axis=-1)
        assert out.dtype == dtype and np.all(np.isfinite(out.data)), fn
        out.backward(np.ones(out.shape, dtype))
        assert np.all(np.isfinite(x.grad.data)), fn
    np.testing.assert_allclose(tg.softmax(x.data).data[1], 1 / 3, rtol=1e-6)


def test_softmax_keeps_float32():
    x = tg.randn(3, 5, rng=0, dtype=np.float32, requires_grad=True)
    a = x.softmax()
    a.backward(np.ones((3, 5), np.float32))
    assert a.dtype == np.float32 and x.grad.dtype == np.float32


@pytest.mark.parametrize("scale", [2.0, -0.5])
def test_second_derivatives_through_logsumexp_and_cross_entropy_after_other_ops(scale):
    """The softmax these ops cache is re-attached to the graph under create_graph; it
    must sort after the op that fed it, or that op would miss its gradient."""
    z = np.random.default_rng(7).standard_normal(5)
    a = softmax_np(scale * z, -1)
    H = tg.hessian(lambda x: (x * scale).logsumexp(), z).data
    np.testing.assert_allclose(H, scale**2 * (np.diag(a) - np.outer(a, a)), rtol=1e-12, atol=1e-15)
    Hce = tg.hessian(lambda x: tg.cross_entropy((x * scale).reshape(1, 5), np.array([2])), z).data
    np.testing.assert_allclose(Hce, scale**2 * (np.diag(a) - np.outer(a, a)), rtol=1e-12, atol=1e-15)
