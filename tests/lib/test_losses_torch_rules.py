"""cross_entropy / nll_loss as PyTorch defines them: label smoothing of probability targets
that do not sum to one, class ``weight``, ``ignore_index``, all-ignored batches; checked
against PyTorch (when installed) in float32 and float64, and by float64 gradchecks."""
import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import nn
from tinygrad_sm.functional import nll_loss

W = np.array([0.5, 2.0, 1.0, 3.0])


def leaf(a, dtype=np.float64):
    return tg.Tensor(np.asarray(a, dtype=dtype), requires_grad=True)


def test_smoothing_probability_targets_that_do_not_sum_to_one():
    x = leaf([[0.5, -1.0, 2.0]])
    assert tg.cross_entropy(x, np.array([[1.0, 1.0, 0.0]]), label_smoothing=0.3).item() == pytest.approx(
        4.010229204317167, rel=1e-12)
    # an all-zero target row still gets the uniform ε/C part: ε/C·Σ_c (lse − z_c)
    z = np.array([[1.0, 2.0, 3.0]])
    lse = np.log(np.exp(z).sum())
    got = tg.cross_entropy(leaf(z), np.zeros((1, 3)), label_smoothing=0.3).item()
    assert got == pytest.approx(0.1 * (3 * lse - z.sum()), rel=1e-12)
    assert nn.CrossEntropyLoss(label_smoothing=0.3)(leaf(z), np.zeros((1, 3))).item() == pytest.approx(got, rel=1e-12)


def test_smoothed_class_targets_keep_float32():
    z = leaf(np.zeros((2, 3)), np.float32)
    for kw in ({"label_smoothing": 0.1}, {"weight": W[:3]}, {"ignore_index": 1}, {"label_smoothing": 0.2, "weight": W[:3]}):
        for reduction in ("mean", "sum", "none"):
            out = tg.cross_entropy(z, np.array([0, 1]), reduction=reduction, **kw)
            assert out.dtype == np.float32, (kw, reduction)
            out.sum().backward()
            assert z.grad.dtype == np.float32
    assert nll_loss(z, np.array([0, 1]), weight=W[:3]).dtype == np.float32


def test_weighted_mean_is_over_the_weights_of_the_rows_kept():
    z = np.random.default_rng(0).standard_normal((4, 4))
    t = np.array([1, -100, 3, 1])
    lp = z - np.log(np.exp(z).sum(1, keepdims=True))
    keep = [0, 2, 3]
    want = -sum(W[t[i]] * lp[i, t[i]] for i in keep) / sum(W[t[i]] for i in keep)
    assert tg.cross_entropy(leaf(z), t, weight=W).item() == pytest.approx(want, rel=1e-12)
    assert nll_loss(leaf(lp), t, weight=W).item() == pytest.approx(want, rel=1e-12)
    none = tg.cross_entropy(leaf(z), t, weight=W, reduction="none").numpy()
    assert none[1] == 0 and none[0] == pytest.approx(-W[1] * lp[0, 1], rel=1e-12)


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss"])
def test_an_all_ignored_batch(loss):
    f = tg.cross_entropy if loss == "cross_entropy" else nll_loss
    z = leaf(np.ones((2, 3)))
    t = np.array([-100, -100])
    assert np.isnan(f(z, t).item())
    assert f(z, t, reduction="sum").item() == 0.0
    np.testing.assert_array_equal(f(z, t, reduction="none").numpy(), [0.0, 0.0])
    f(z, t).backward()
    np.testing.assert_array_equal(z.grad.numpy(), np.zeros((2, 3)))  # zero, not NaN, as in PyTorch


def test_errors_name_the_argument():
    z = leaf(np.zeros((2, 3)))
    with pytest.raises(IndexError, match=r"target 5 is out of range for 3 classes.*ignore_index=-100"):
        tg.cross_entropy(z, np.array([0, 5]))
    with pytest.raises(IndexError, match="target -1 is out of range"):
        tg.cross_entropy(z, np.array([0, -1]))
    with pytest.raises(ValueError, match=r"weight must be a 1-D array of 3 real numbers.*\(4,\)"):
        tg.cross_entropy(z, np.array([0, 1]), weight=W)
    with pytest.raises(ValueError, match="weight must be a 1-D array of 3"):
        nll_loss(z, np.array([0, 1]), weight=W)
    with pytest.raises(ValueError, match="ignore_index .* class targets only"):
        tg.cross_entropy(z, np.full((2, 3), 1 / 3), ignore_index=0)
    with pytest.raises(TypeError, match="ignore_index must be an int"):
        tg.cross_entropy(z, np.array([0, 1]), ignore_index=None)
    tg.cross_entropy(z, np.array([0, 2]), ignore_index=2).backward()  # an ignored class index in range is fine
    with pytest.raises(TypeError, match="CrossEntropyLoss: the first argument is reduction.*weight="):
        nn.CrossEntropyLoss(W[:3])  # PyTorch's first positional argument is the weight


CASES = [
    ("classes", {}),
    ("classes-smoothed", {"label_smoothing": 0.2}),
    ("weighted", {"weight": W}),
    ("ignored", {"ignore_index": 2}),
    ("weighted-ignored-smoothed", {"weight": W, "ignore_index": -100, "label_smoothing": 0.3}),
    ("probabilities", {"probabilities": True}),
    ("probabilities-unnormalised-smoothed", {"probabilities": "raw", "label_smoothing": 0.3}),
    ("probabilities-weighted-smoothed", {"probabilities": True, "weight": W, "label_smoothing": 0.1}),
]


def _case(kind, kw):
    rng = np.random.default_rng(1)
    kw = dict(kw)
    prob = kw.pop("probabilities", False)
    z = 3 * rng.standard_normal((6, 4))
    if prob == "raw":
        t = rng.uniform(0, 2, (6, 4))
        t[2] = 0
    elif prob:
        t = rng.dirichlet(np.ones(4), 6)
    else:
        t = np.array([0, 3, kw.get("ignore_index", -100), 1, 2, 2])
    return z, t, kw


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("kind, kw", CASES, ids=[c[0] for c in CASES])
def test_cross_entropy_matches_pytorch(kind, kw, reduction, dtype):
    torch = pytest.importorskip("torch")
    z, t, kw = _case(kind, kw)
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-11, "atol": 1e-13}
    za, zb = leaf(z, dtype), torch.tensor(z.astype(dtype), requires_grad=True)
    tb = torch.tensor(t.astype(dtype)) if t.dtype.kind == "f" else torch.tensor(t)
    kb = {k: (torch.tensor(v.astype(dtype)) if k == "weight" else v) for k, v in kw.items()}
    a = tg.cross_entropy(za, t.astype(dtype) if t.dtype.kind == "f" else t, reduction=reduction, **kw)
    b = torch.nn.functional.cross_entropy(zb, tb, reduction=reduction, **kb)
    assert a.dtype == dtype
    np.testing.assert_allclose(a.numpy(), b.detach().numpy(), **tol)
    g = np.random.default_rng(2).standard_normal(a.shape).astype(dtype)
    a.backward(g)
    b.backward(torch.tensor(g))
    np.testing.assert_allclose(za.grad.numpy(), zb.grad.numpy(), **tol)
    module = nn.CrossEntropyLoss(reduction=reduction, **kw)(za.detach(), t.astype(dtype) if t.dtype.kind == "f" else t)
    np.testing.assert_allclose(module.numpy(), a.numpy(), rtol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("kw", [{}, {"weight": W}, {"ignore_index": 3}, {"weight": W, "ignore_index": 0}])
def test_nll_loss_matches_pytorch(kw, reduction, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(4)
    lp = rng.standard_normal((5, 4)).astype(dtype)
    t = np.array([0, 3, -100, 1, 3])
    if "ignore_index" in kw:
        t[2] = 0
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-14}
    xa, xb = leaf(lp, dtype), torch.tensor(lp, requires_grad=True)
    kb = {k: (torch.tensor(v.astype(dtype)) if k == "weight" else v) for k, v in kw.items()}
    a = nll_loss(xa, t, reduction, **kw)
    b = torch.nn.functional.nll_loss(xb, torch.tensor(t), reduction=reduction, **kb)
    np.testing.assert_allclose(a.numpy(), b.detach().numpy(), **tol)
    a.sum().backward()
    b.sum().backward()
    np.testing.assert_allclose(xa.grad.numpy(), xb.grad.numpy(), **tol)
    np.testing.assert_allclose(nn.NLLLoss(reduction, **kw)(xa.detach(), t).numpy(), a.numpy(), rtol=1e-6)


@pytest.mark.parametrize("kind, kw", CASES, ids=[c[0] for c in CASES])
def test_cross_entropy_gradchecks(kind, kw):
    z, t, kw = _case(kind, kw)
    for reduction in ("mean", "none"):
        def f(x, reduction=reduction):
            return tg.cross_entropy(x, t, reduction=reduction, **kw)
        assert tg.gradcheck(f, [z], atol=1e-7, rtol=1e-6)
        assert tg.gradgradcheck(f, [z], atol=1e-6, rtol=1e-5)


def test_nll_loss_gradchecks():
    t = np.array([0, 3, -100, 1, 3])
    lp = np.random.default_rng(5).standard_normal((5, 4))
    assert tg.gradcheck(lambda x: nll_loss(x, t, weight=W), [lp], atol=1e-7, rtol=1e-6)
    assert tg.gradcheck(lambda x: nll_loss(x, t, weight=W, reduction="none"), [lp], atol=1e-7, rtol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kw", [{}, {"weight": W[:3]}, {"label_smoothing": 0.2}, {"weight": W[:3], "label_smoothing": 0.2}])
def test_an_all_ignored_batch_matches_pytorch(kw, dtype):
    torch = pytest.importorskip("torch")
    z = np.random.default_rng(6).standard_normal((3, 3)).astype(dtype)
    t = np.full(3, -100)
    kb = {k: (torch.tensor(v.astype(dtype)) if k == "weight" else v) for k, v in kw.items()}
    for reduction in ("mean", "sum", "none"):
        za, zb = leaf(z, dtype), torch.tensor(z, requires_grad=True)
        a = tg.cross_entropy(za, t, reduction=reduction, **kw)
        b = torch.nn.functional.cross_entropy(zb, torch.tensor(t), reduction=reduction, **kb)
        np.testing.assert_array_equal(a.numpy(), b.detach().numpy())
        a.sum().backward()
        b.sum().backward()
        np.testing.assert_array_equal(za.grad.numpy(), zb.grad.numpy())
