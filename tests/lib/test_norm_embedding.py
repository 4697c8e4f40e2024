"""layer_norm / LayerNorm and embedding / Embedding: values, gradients, errors, PyTorch agreement."""
import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import nn
from tinygrad_sm.functional import embedding, layer_norm


def ln_reference(x, k, w=None, b=None, eps=1e-5):
    axes = tuple(range(x.ndim - k, x.ndim))
    mu = x.mean(axes, keepdims=True)
    y = (x - mu) / np.sqrt(x.var(axes, keepdims=True) + eps)
    return y * (1 if w is None else w) + (0 if b is None else b)


# --- layer_norm ------------------------------------------------------------------------------
def test_layer_norm_values(rng):
    x, w, b = rng.standard_normal((2, 3, 4)), rng.standard_normal(4), rng.standard_normal(4)
    np.testing.assert_allclose(layer_norm(x, 4, w, b).numpy(), ln_reference(x, 1, w, b), rtol=1e-12)
    np.testing.assert_allclose(layer_norm(x, (3, 4)).numpy(), ln_reference(x, 2), rtol=1e-12)


def test_layer_norm_float32_and_empty_batch(rng):
    x = tg.Tensor(rng.standard_normal((3, 8)).astype(np.float32), requires_grad=True)
    out = layer_norm(x, 8, nn.LayerNorm(8).weight)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32
    empty = tg.Tensor(np.zeros((0, 8)), requires_grad=True)
    out = layer_norm(empty, 8)
    assert out.shape == (0, 8)
    out.sum().backward()
    assert empty.grad.shape == (0, 8)


def test_layer_norm_of_a_constant_row_is_finite():
    x = tg.Tensor(np.full((2, 4), 3.0), requires_grad=True)
    out = layer_norm(x, 4)
    np.testing.assert_array_equal(out.numpy(), 0.0)
    out.sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


@pytest.mark.parametrize("args, err, message", [
    ((np.zeros((2, 3)), 4), ValueError, r"normalized_shape \(4,\) must match the trailing axes of x, got x of shape \(2, 3\)"),
    ((np.zeros((2, 3)), (2, 3, 1)), ValueError, r"normalized_shape \(2, 3, 1\) must match the trailing axes"),
    ((np.zeros((2, 3)), 0), ValueError, "normalized_shape must be one or more positive ints"),
    ((np.zeros((2, 3)), 3.0), TypeError, "normalized_shape must be an int or a tuple of ints"),
    ((np.zeros((2, 3)), 3, np.ones(4)), ValueError, r"weight must have shape normalized_shape \(3,\), got \(4,\)"),
    ((np.zeros((2, 3)), 3, None, np.ones(2)), ValueError, r"bias must have shape normalized_shape \(3,\), got \(2,\)"),
    ((np.zeros((2, 3)), 3, None, None, -1e-5), ValueError, "eps must be a finite number ≥ 0"),
    ((np.zeros((2, 3), dtype=int), 3), TypeError, "x must be floating"),
])
def test_layer_norm_errors(args, err, message):
    with pytest.raises(err, match="layer_norm: " + message):
        layer_norm(*args)


def test_layer_norm_module():
    m = nn.LayerNorm((2, 3))
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    np.testing.assert_array_equal(m.weight.numpy(), np.ones((2, 3)))
    np.testing.assert_array_equal(m.bias.numpy(), np.zeros((2, 3)))
    assert m.weight.dtype == np.float32
    assert nn.LayerNorm(3, elementwise_affine=False).parameters() == []
    with pytest.raises(ValueError, match="LayerNorm: eps must be"):
        nn.LayerNorm(3, eps=float("nan"))


@pytest.mark.torch
def test_layer_norm_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    x, w, b = rng.standard_normal((3, 2, 5)), rng.standard_normal((2, 5)), rng.standard_normal((2, 5))
    ours = [tg.Tensor(a, requires_grad=True) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    out = layer_norm(ours[0], (2, 5), ours[1], ours[2], eps=1e-3)
    tout = torch.nn.functional.layer_norm(theirs[0], (2, 5), theirs[1], theirs[2], eps=1e-3)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = rng.standard_normal(out.shape)
    out.backward(g)
    tout.backward(torch.tensor(g))
    for a, t in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-9, atol=1e-12)


# --- embedding -------------------------------------------------------------------------------
def test_embedding_picks_rows_and_accumulates_repeated_indices(rng):
    w = tg.Tensor(rng.standard_normal((5, 3)), requires_grad=True)
    idx = np.array([[0, 4, 0], [4, 4, 2]])
    out = embedding(idx, w)
    np.testing.assert_array_equal(out.numpy(), w.numpy()[idx])
    out.sum().backward()
    counts = np.bincount(idx.reshape(-1), minlength=5)
    np.testing.assert_array_equal(w.grad.numpy(), np.repeat(counts[:, None], 3, axis=1))


def test_embedding_takes_tensors_of_indices_and_empty_batches(rng):
    w = tg.Tensor(rng.standard_normal((5, 3)), requires_grad=True)
    assert embedding(tg.Tensor(np.array([1, 2])), w).shape == (2, 3)
    empty = embedding(np.zeros((0, 4), dtype=np.int64), w)
    assert empty.shape == (0, 4, 3)
    empty.sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), 0.0)


@pytest.mark.parametrize("indices, err, message", [
    ([0, 5], IndexError, r"index 5 is out of range for 5 embeddings \(valid indices: 0\.\.4\)"),
    ([-1, 0], IndexError, "index -1 is out of range for 5 embeddings"),
    ([0.0, 1.0], TypeError, "indices must be integers, got dtype float64"),
    ([True, False], TypeError, "indices must be integers, got dtype bool"),
])
def test_embedding_errors(indices, err, message):
    w = tg.Tensor(np.zeros((5, 3)), requires_grad=True)
    with pytest.raises(err, match="embedding: " + message):
        embedding(np.array(indices), w)
    assert w.grad is None


def test_embedding_module_is_seeded():
    a, b = nn.Embedding(10, 4, rng=7), nn.Embedding(10, 4, rng=7)
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    assert a.weight.shape == (10, 4) and a.weight.dtype == np.float32
    assert abs(float(nn.Embedding(1000, 8, rng=0).weight.numpy().std()) - 1) < 0.05  # N(0, 1), like PyTorch
    with pytest.raises(ValueError, match="Embedding: num_embeddings must be a positive int, got 0"):
        nn.Embedding(0, 4)


@pytest.mark.torch
def test_embedding_matches_pytorch(rng):
    torch = pytest.importorskip("torch")
    w = rng.standard_normal((6, 3))
    idx = np.array([[1, 5, 1], [0, 1, 5]])
    ours = tg.Tensor(w, requires_grad=True)
    theirs = torch.tensor(w, requires_grad=True)
    out, tout = embedding(idx, ours), torch.nn.functional.embedding(torch.tensor(idx), theirs)
    np.testing.assert_array_equal(out.numpy(), tout.detach().numpy())
    g = rng.standard_normal(out.shape)
    out.backward(g)
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)
