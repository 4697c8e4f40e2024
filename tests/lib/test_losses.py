"""mse_loss, binary_cross_entropy_with_logits, nll_loss, label smoothing: values, dtypes,
edge cases (huge logits, empty batches), clear errors, and agreement with PyTorch."""
import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import nn
from tinygrad_sm.functional import (
    binary_cross_entropy_with_logits,
    label_smoothing_targets,
    mse_loss,
    nll_loss,
)


def leaf(a, dtype=np.float64):
    return tg.Tensor(np.asarray(a, dtype=dtype), requires_grad=True)


def bce_reference(x, t):
    return np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# --- mse_loss --------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction, reduce", [("mean", np.mean), ("sum", np.sum), ("none", lambda a: a)])
def test_mse_values_and_gradient(rng, reduction, reduce):
    x, t = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    xt = leaf(x)
    out = mse_loss(xt, t, reduction=reduction)
    np.testing.assert_allclose(out.numpy(), reduce((x - t) ** 2), rtol=1e-12)
    out.sum().backward()
    scale = 1 / x.size if reduction == "mean" else 1
    np.testing.assert_allclose(xt.grad.numpy(), 2 * (x - t) * scale, rtol=1e-12)


def test_mse_keeps_float32_and_casts_array_targets(rng):
    x = leaf(rng.standard_normal(5), np.float32)
    loss = mse_loss(x, np.zeros(5))  # float64 target array: cast to the input's dtype
    assert loss.dtype == np.float32
    loss.backward()
    assert x.grad.dtype == np.float32


def test_mse_refuses_shapes_that_would_broadcast():
    with pytest.raises(ValueError, match=r"mse_loss: input of shape \(4, 1\) and target of shape \(4,\) differ"):
        mse_loss(tg.zeros(4, 1), np.zeros(4))


def test_mse_of_an_empty_batch():
    with pytest.raises(ValueError, match="mse_loss: input of shape \\(0, 3\\) is empty"):
        mse_loss(tg.zeros(0, 3), np.zeros((0, 3)))
    assert mse_loss(tg.zeros(0, 3), np.zeros((0, 3)), reduction="sum").item() == 0.0


def test_losses_name_a_bad_reduction():
    for f, args in ((mse_loss, (tg.zeros(2), np.zeros(2))), (nll_loss, (tg.zeros(2, 3), [0, 1])),
                    (binary_cross_entropy_with_logits, (tg.zeros(2), np.zeros(2)))):
        with pytest.raises(ValueError, match=f"{f.__name__}: reduction must be one of"):
            f(*args, reduction="avg")


# --- binary_cross_entropy_with_logits ----------------------------------------------------------
def test_bce_values_and_gradients(rng):
    x, t = 3 * rng.standard_normal((4, 3)), rng.uniform(0, 1, (4, 3))
    xt, tt = leaf(x), leaf(t)
    loss = binary_cross_entropy_with_logits(xt, tt)
    np.testing.assert_allclose(loss.item(), bce_reference(x, t).mean(), rtol=1e-12)
    loss.backward()
    np.testing.assert_allclose(xt.grad.numpy(), (sigmoid(x) - t) / x.size, rtol=1e-10)
    np.testing.assert_allclose(tt.grad.numpy(), -x / x.size, rtol=1e-12)


def test_bce_gradient_is_exact_at_zero():
    x = leaf([0.0, 0.0, 0.0])
    binary_cross_entropy_with_logits(x, np.array([0.0, 0.5, 1.0]), reduction="sum").backward()
    assert x.grad.numpy().tolist() == [0.5, 0.0, -0.5]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_is_finite_for_huge_logits(dtype):
    x = leaf([1e4, -1e4, 1e4, -1e4, 3e38 if dtype == np.float32 else 1e300], dtype)
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.0])
    loss = binary_cross_entropy_with_logits(x, t, reduction="none")
    assert loss.dtype == dtype
    np.testing.assert_allclose(loss.numpy()[:4], [0.0, 0.0, 1e4, 1e4], rtol=1e-6)
    assert np.isfinite(loss.numpy()).all()
    loss.sum().backward()
    assert x.grad.numpy().tolist() == [0.0, 0.0, 1.0, -1.0, 1.0]


def test_bce_casts_integer_and_boolean_targets():
    x = leaf([0.3, -0.2], np.float32)
    a = binary_cross_entropy_with_logits(x, np.array([1, 0]))
    b = binary_cross_entropy_with_logits(x, np.array([True, False]))
    assert a.dtype == b.dtype == np.float32 and a.item() == b.item()


def test_bce_errors_name_the_argument():
    with pytest.raises(ValueError, match=r"targets of shape \(3,\) must have the logits' shape \(2, 3\)"):
        binary_cross_entropy_with_logits(tg.zeros(2, 3), np.zeros(3))
    with pytest.raises(TypeError, match="binary_cross_entropy_with_logits: logits must be floating, got dtype int64"):
        binary_cross_entropy_with_logits(np.array([1, 2]), np.zeros(2))


# --- nll_loss ----------------------------------------------------------------------------------
def test_nll_values_and_repeated_rows_accumulate(rng):
    lp = rng.standard_normal((4, 3))
    t = np.array([2, 2, 0, 2])
    x = leaf(lp)
    loss = nll_loss(x, t, reduction="sum")
    assert loss.item() == pytest.approx(-lp[np.arange(4), t].sum(), rel=1e-12)
    loss.backward()
    want = np.zeros((4, 3))
    want[np.arange(4), t] = -1
    np.testing.assert_array_equal(x.grad.numpy(), want)


def test_nll_of_log_softmax_is_cross_entropy(rng):
    z = rng.standard_normal((5, 4))
    t = np.array([0, 3, 1, 1, 2])
    a = nll_loss(tg.Tensor(z).log_softmax(-1), t)
    assert a.item() == pytest.approx(tg.cross_entropy(tg.Tensor(z), t).item(), rel=1e-12)


def test_nll_class_axis_and_shapes(rng):
    lp = rng.standard_normal((2, 3, 4))  # (N, C, d) with classes on axis 1, as PyTorch lays them out
    t = np.array([[0, 2, 1, 1], [2, 2, 0, 1]])
    out = nll_loss(lp, t, reduction="none", axis=1)
    want = -np.take_along_axis(lp, t[:, None], axis=1)[:, 0]
    np.testing.assert_allclose(out.numpy(), want)


@pytest.mark.parametrize("targets, err, message", [
    ([0, 3], IndexError, "nll_loss: targets entry 3 is out of range for 3 classes"),
    ([-1, 0], IndexError, "nll_loss: targets entry -1 is out of range for 3 classes"),
    ([0.0, 1.0], TypeError, "nll_loss: targets must be integer class indices, got dtype float64"),
    ([[0, 1]], ValueError, r"nll_loss: targets must have shape \(2,\)"),
])
def test_nll_errors(targets, err, message):
    x = leaf(np.zeros((2, 3)))
    with pytest.raises(err, match=message):
        nll_loss(x, np.array(targets))
    assert x.grad is None


def test_nll_empty_batch():
    with pytest.raises(ValueError, match="nll_loss: targets of shape \\(0,\\) is empty"):
        nll_loss(tg.zeros(0, 3), np.zeros(0, dtype=int))
    assert nll_loss(tg.zeros(0, 3), np.zeros(0, dtype=int), reduction="sum").item() == 0.0


# --- label smoothing ---------------------------------------------------------------------------
def test_label_smoothing_targets():
    got = label_smoothing_targets([2, 0], 3, 0.3)
    np.testing.assert_allclose(got, [[0.1, 0.1, 0.8], [0.8, 0.1, 0.1]])
    np.testing.assert_allclose(label_smoothing_targets(np.array([[0.5, 0.5, 0.0]]), 3, 0.3), [[0.45, 0.45, 0.1]])
    axis0 = label_smoothing_targets([1, 1], 3, 0.0, axis=0)  # classes down axis 0
    np.testing.assert_array_equal(axis0, [[0, 0], [1, 1], [0, 0]])
    assert label_smoothing_targets([0], 2, 0.1, dtype=np.float32).dtype == np.float32


def test_label_smoothing_is_the_documented_mixture(rng):
    z = rng.standard_normal((4, 5))
    t = np.array([0, 4, 2, 2])
    eps = 0.2
    smoothed = tg.cross_entropy(tg.Tensor(z), label_smoothing_targets(t, 5, eps)).item()
    lp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    want = ((1 - eps) * -lp[np.arange(4), t] + eps * -lp.mean(-1)).mean()
    assert smoothed == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("eps, err", [(-0.1, ValueError), (1.5, ValueError), (float("nan"), ValueError),
                                      ("0.1", TypeError), (True, TypeError)])
def test_label_smoothing_must_be_in_0_1(eps, err):
    with pytest.raises(err, match="label_smoothing must be"):
        label_smoothing_targets([0, 1], 2, eps)
    with pytest.raises(err, match="label_smoothing must be"):
        nn.CrossEntropyLoss(label_smoothing=eps)


def test_label_smoothing_checks_class_targets():
    with pytest.raises(IndexError, match="cross_entropy: targets entry 3 is out of range for 3 classes"):
        label_smoothing_targets([0, 3], 3, 0.1)
    with pytest.raises(ValueError, match=r"probability targets of shape \(2, 4\) need 3 classes"):
        label_smoothing_targets(np.zeros((2, 4)), 3, 0.1)


# --- modules -----------------------------------------------------------------------------------
def test_loss_modules_call_their_functions(rng):
    x, t = rng.standard_normal((3, 4)), rng.uniform(0, 1, (3, 4))
    cls = np.array([1, 0, 3])
    assert nn.MSELoss(reduction="sum")(tg.Tensor(x), t).item() == mse_loss(x, t, "sum").item()
    assert nn.BCEWithLogitsLoss()(tg.Tensor(x), t).item() == binary_cross_entropy_with_logits(x, t).item()
    assert nn.NLLLoss()(tg.Tensor(x), cls).item() == nll_loss(x, cls).item()
    assert nn.CrossEntropyLoss()(tg.Tensor(x), cls).item() == tg.cross_entropy(tg.Tensor(x), cls).item()
    smooth = nn.CrossEntropyLoss(label_smoothing=0.1)(tg.Tensor(x.astype(np.float32)), cls)
    assert smooth.dtype == np.float32
    with pytest.raises(ValueError, match="MSELoss: reduction must be one of"):
        nn.MSELoss(reduction="max")


# --- against PyTorch ---------------------------------------------------------------------------
@pytest.mark.torch
def test_losses_match_pytorch(rng):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x, t = 4 * rng.standard_normal((5, 3)), rng.uniform(0, 1, (5, 3))
    cls = np.array([2, 0, 1, 1, 2])
    for reduction in ("mean", "sum", "none"):
        cases = [
            (lambda a, b: mse_loss(a, b, reduction), lambda a, b: F.mse_loss(a, b, reduction=reduction), t),
            (lambda a, b: binary_cross_entropy_with_logits(a, b, reduction),
             lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction=reduction), t),
        ]
        for ours, theirs, target in cases:
            xa, ta = leaf(x), leaf(target)
            xb = torch.tensor(x, requires_grad=True)
            tb = torch.tensor(target, requires_grad=True)
            a, b = ours(xa, ta), theirs(xb, tb)
            np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12, atol=1e-14)
            g = rng.standard_normal(a.shape)
            a.backward(g)
            b.backward(torch.tensor(g))
            np.testing.assert_allclose(xa.grad.numpy(), xb.grad.numpy(), rtol=1e-10, atol=1e-14)
            np.testing.assert_allclose(ta.grad.numpy(), tb.grad.numpy(), rtol=1e-10, atol=1e-14)
        xa, xb = leaf(x), torch.tensor(x, requires_grad=True)
        a = nll_loss(xa.log_softmax(-1), cls, reduction)
        b = F.nll_loss(torch.log_softmax(xb, -1), torch.tensor(cls), reduction=reduction)
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12)
        a.sum().backward()
        b.sum().backward()
        np.testing.assert_allclose(xa.grad.numpy(), xb.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.torch
@pytest.mark.parametrize("probabilities", [False, True])
def test_label_smoothing_matches_pytorch(rng, probabilities):
    torch = pytest.importorskip("torch")
    z = rng.standard_normal((6, 4))
    t = rng.dirichlet(np.ones(4), 6) if probabilities else np.array([0, 3, 1, 1, 2, 0])
    for reduction in ("mean", "sum", "none"):
        za, zb = leaf(z), torch.tensor(z, requires_grad=True)
        a = nn.CrossEntropyLoss(reduction=reduction, label_smoothing=0.15)(za, t)
        b = torch.nn.functional.cross_entropy(zb, torch.tensor(t), reduction=reduction, label_smoothing=0.15)
        np.testing.assert_allclose(a.numpy(), b.detach().numpy(), rtol=1e-12)
        a.sum().backward()
        b.sum().backward()
        np.testing.assert_allclose(za.grad.numpy(), zb.grad.numpy(), rtol=1e-10, atol=1e-15)


@pytest.mark.torch
def test_bce_with_huge_logits_matches_pytorch():
    torch = pytest.importorskip("torch")
    x = np.array([1e4, -1e4, 1e4, -1e4, 0.0, 30.0, -30.0])
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.3, 0.0, 1.0])
    xa, xb = leaf(x), torch.tensor(x, requires_grad=True)
    a = binary_cross_entropy_with_logits(xa, t, reduction="sum")
    b = torch.nn.functional.binary_cross_entropy_with_logits(xb, torch.tensor(t), reduction="sum")
    assert a.item() == pytest.approx(b.item(), rel=1e-12)
    a.backward()
    b.backward()
    np.testing.assert_allclose(xa.grad.numpy(), xb.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("probabilities", [False, True])
def test_the_fused_op_smooths_labels_like_the_explicit_targets(reduction, probabilities):
    rng = np.random.default_rng(3)
    z = rng.standard_normal((5, 4))
    t = rng.dirichlet(np.ones(4), 5) if probabilities else rng.integers(0, 4, 5)
    fused = tg.Tensor(z, requires_grad=True)
    explicit = tg.Tensor(z, requires_grad=True)
    a = tg.cross_entropy(fused, t, reduction=reduction, label_smoothing=0.2)
    b = tg.cross_entropy(explicit, label_smoothing_targets(t, 4, 0.2), reduction=reduction)
    np.testing.assert_allclose(a.data, b.data, rtol=1e-13, atol=1e-15)
    a.sum().backward()
    b.sum().backward()
    np.testing.assert_allclose(fused.grad.data, explicit.grad.data, rtol=1e-13, atol=1e-15)
