"""Tensor methods as PyTorch spells them (``tensor_torch.py``, ``dim=`` on the reductions):
values, gradients and dtypes against PyTorch when it is installed, and the errors."""
import copy
import pickle

import numpy as np
import pytest

import tinygrad_sm as tg

rng = np.random.default_rng(7)
X234 = rng.standard_normal((2, 3, 4))
X34 = rng.standard_normal((3, 4))
SQUEEZABLE = rng.standard_normal((1, 3, 1, 2))
COLUMN = rng.standard_normal((1, 3, 4))
TIES = np.array([[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, 0.0, 0.5], [2.0, -1.0, 2.0, 2.0]])
AT_BOUNDS = np.array([[-0.5, 0.5, 0.2, -0.9], [0.0, 1.3, -0.5, 0.5]])
WITH_ZEROS = np.array([[0.0, -1.5, 2.0], [0.7, 0.0, -0.3]])

# (label, f, input): f is written once and run on a tinygrad_sm tensor and on a torch tensor.
SAME_SPELLING = [
    ("sum-dim", lambda x: x.sum(dim=1), X234),
    ("sum-dims-keepdim", lambda x: x.sum(dim=(0, 2), keepdim=True), X234),
    ("mean-dim-keepdim", lambda x: x.mean(dim=-1, keepdim=True), X234),
    ("max-dim-values", lambda x: x.max(dim=1).values, X234),
    ("max-dim-keepdim-values", lambda x: x.max(dim=0, keepdim=True)[0], X234),
    ("max-dim-ties", lambda x: x.max(dim=1).values, TIES),
    ("min-dim-values", lambda x: x.min(dim=-1).values, TIES),
    ("max-all", lambda x: x.max(), TIES),
    ("max-other", lambda x: x.max(x * 0 + 0.5), TIES),
    ("softmax-dim", lambda x: x.softmax(dim=0), X34),
    ("log_softmax-dim", lambda x: x.log_softmax(dim=1), X34),
    ("logsumexp-dim-keepdim", lambda x: x.logsumexp(dim=1, keepdim=True), X234),
    ("std-dim", lambda x: x.std(dim=1), X234),
    ("std-unbiased-false", lambda x: x.std(dim=1, unbiased=False), X234),
    ("std-correction0-keepdim", lambda x: x.std(dim=0, correction=0, keepdim=True), X34),
    ("var-all", lambda x: x.var(), X34),
    ("var-dims", lambda x: x.var(dim=(0, 2)), X234),
    ("view", lambda x: x.view(6, 4), X234),
    ("view-tuple-minus1", lambda x: x.view((-1, 2)), X234),
    ("view_as", lambda x: x.view_as(x.sum(dim=0)[None].expand(2, 3, 4).reshape(4, 6)), X234),
    ("unsqueeze", lambda x: x.unsqueeze(1), X34),
    ("unsqueeze-last", lambda x: x.unsqueeze(-1), X34),
    ("squeeze-all", lambda x: x.squeeze(), SQUEEZABLE),
    ("squeeze-dim", lambda x: x.squeeze(2), SQUEEZABLE),
    ("squeeze-dim-not-1", lambda x: x.squeeze(1), SQUEEZABLE),
    ("permute", lambda x: x.permute(2, 0, 1), X234),
    ("permute-tuple", lambda x: x.permute((1, 2, 0)), X234),
    ("t", lambda x: x.t(), X34),
    ("transpose-two-dims", lambda x: x.transpose(0, 1), X34),
    ("transpose-last-two", lambda x: x.transpose(-2, -1), X234),
    ("flatten", lambda x: x.flatten(), X234),
    ("flatten-start", lambda x: x.flatten(1), X234),
    ("flatten-start-end", lambda x: x.flatten(0, 1), X234),
    ("expand", lambda x: x.expand(2, -1, -1), COLUMN),
    ("expand-new-axis", lambda x: x.expand(5, 1, 3, 4), COLUMN),
    ("expand_as", lambda x: x.expand_as(x.expand(3, 3, 4)), COLUMN),
    ("clone", lambda x: x.clone(), X34),
    ("contiguous", lambda x: x.t().contiguous(), X34),
    ("abs", lambda x: x.abs(), WITH_ZEROS),
    ("abs-builtin", lambda x: abs(x), WITH_ZEROS),
    ("sign", lambda x: x.sign() * x, WITH_ZEROS),
    ("clamp", lambda x: x.clamp(min=-0.5, max=0.5), AT_BOUNDS),
    ("clamp-positional", lambda x: x.clamp(-0.5, 0.5), AT_BOUNDS),
    ("clamp-min", lambda x: x.clamp(min=0), AT_BOUNDS),
    ("clamp-max", lambda x: x.clamp(max=0.2), AT_BOUNDS),
    ("clamp-min-above-max", lambda x: x.clamp(min=0.5, max=-0.5), AT_BOUNDS),
    ("clip", lambda x: x.clip(-0.5, 0.5), AT_BOUNDS),
    ("pow", lambda x: x.pow(3), X34),
    ("maximum-ties", lambda x: x.maximum(x[:, :1] * 1), TIES),
    ("minimum-ties", lambda x: x.minimum(x[:, 1:2] * 1), TIES),
    ("float", lambda x: x.float() * 2, X34),
    ("double", lambda x: x.double() * 2, X34),
]


def _run(f, x, dtype, lib):
    """``f`` on ``x`` (as ``dtype``) in ``lib``: the output values, dtype, and the gradient of
    ``(out * w).sum()`` for a fixed random ``w``."""
    if lib is tg:
        t = tg.Tensor(x.astype(dtype), requires_grad=True)
    else:
        t = lib.tensor(x.astype(dtype), requires_grad=True)
    out = f(t)
    w = np.random.default_rng(3).standard_normal(tuple(out.shape))
    if lib is tg:
        (out * w.astype(out.dtype)).sum().backward()
        grad = None if t.grad is None else t.grad.numpy()
        return out.numpy(), str(out.dtype), grad
    (out * lib.tensor(w, dtype=out.dtype)).sum().backward()
    grad = None if t.grad is None else t.grad.numpy()
    return out.detach().numpy(), str(out.dtype).removeprefix("torch."), grad


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("label, f, x", SAME_SPELLING, ids=[c[0] for c in SAME_SPELLING])
def test_values_and_gradients_match_pytorch(label, f, x, dtype):
    torch = pytest.importorskip("torch")
    ours, our_dtype, our_grad = _run(f, x, dtype, tg)
    theirs, their_dtype, their_grad = _run(f, x, dtype, torch)
    tol = 1e-5 if dtype is np.float32 else 1e-12
    assert ours.shape == theirs.shape
    assert our_dtype == their_dtype
    np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)
    np.testing.assert_allclose(our_grad, their_grad, rtol=tol, atol=tol)


@pytest.mark.parametrize("label, f", [
    ("argmax-dim", lambda x: x.argmax(dim=1)),
    ("argmin-dim-keepdim", lambda x: x.argmin(dim=0, keepdim=True)),
    ("max-dim-indices", lambda x: x.max(dim=1).indices),
    ("min-dim-keepdim-indices", lambda x: x.min(dim=0, keepdim=True)[1]),
    ("any-dim", lambda x: (x > 0.5).any(dim=1)),
    ("all-dim-keepdim", lambda x: (x > -1.5).all(dim=0, keepdim=True)),
    ("long", lambda x: (x * 3).long()),
    ("int", lambda x: (x * 3).int()),
    ("bool", lambda x: x.bool()),
])
@pytest.mark.torch
def test_integer_and_boolean_results_match_pytorch(label, f):
    torch = pytest.importorskip("torch")
    x = np.concatenate([TIES, np.zeros((1, 4))])
    ours, theirs = f(tg.Tensor(x)), f(torch.tensor(x))
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


# --- max/min: the dim= rule ------------------------------------------------------------
def test_max_with_dim_returns_values_and_indices_and_positional_stays_numpy():
    x = tg.Tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]], requires_grad=True)
    v, i = x.max(dim=1)
    assert isinstance(x.max(dim=1), tg.return_types.max)
    assert v.tolist() == [5.0, 7.0] and i.tolist() == [1, 0] and i.dtype == np.int64
    assert x.max(dim=1).values.tolist() == v.tolist() and x.max(dim=1).indices.tolist() == i.tolist()
    assert not i.requires_grad and v.requires_grad
    v.sum().backward()
    assert x.grad.tolist() == [[0, 1, 0], [1, 0, 0]]  # the tie goes to the index, as in PyTorch
    # Positional or axis=: NumPy's meaning, a Tensor of values (ties share the gradient).
    assert isinstance(x.max(1), tg.Tensor) and x.max(1).tolist() == [5.0, 7.0]
    assert isinstance(x.max(axis=1), tg.Tensor) and isinstance(x.max(1, keepdim=True), tg.Tensor)
    lo, idx = x.min(dim=0, keepdim=True)
    assert isinstance(x.min(dim=0), tg.return_types.min)
    assert lo.tolist() == [[1.0, 0.0, 2.0]] and idx.tolist() == [[0, 1, 0]]
    assert "so they raise and say to write ``dim=``" in " ".join(tg.Tensor.max.__doc__.split())


def test_max_dim_of_a_scalar_and_of_integers():
    v, i = tg.Tensor(3.0).max(dim=0)
    assert v.item() == 3.0 and i.item() == 0
    v, i = tg.Tensor([[3, 9], [4, 1]]).min(dim=-1)
    assert v.tolist() == [3, 1] and i.tolist() == [0, 1]


# --- size ------------------------------------------------------------------------------
def test_size_is_numpys_int_and_pytorchs_method():
    x = tg.Tensor(np.zeros((2, 3)))
    assert x.size == 6 and x.size * 2 == 12 and isinstance(x.size, int) and x.size + 1 == 7
    assert x.size() == (2, 3) and isinstance(x.size(), tg.Size) and x.size().numel() == 6
    assert x.size(0) == 2 and x.size(-1) == 3 and x.size(dim=1) == 3
    assert x.numel() == 6 and x.dim() == 2 and x.ndim == 2
    assert f"{x.size}" == "6" and repr(x.size) == "6" and repr(x.size()) == "tg.Size([2, 3])"
    for y in (pickle.loads(pickle.dumps(x.size)), copy.deepcopy(x.size)):
        assert y == 6 and type(y) is int
    assert tg.Tensor(5.0).size == 1 and tg.Tensor(5.0).size() == ()
    with pytest.raises(IndexError, match=r"size\(\): dim 2 is out of range .* shape \(2, 3\)"):
        x.size(2)
    with pytest.raises(IndexError, match=r"size\(\): dim 0 is out of range for a tensor of shape \(\)"):
        tg.Tensor(5.0).size(0)


# --- dtype and device --------------------------------------------------------------------
def test_dtype_conversions_and_to():
    x = tg.Tensor([1.7, -2.2], dtype=np.float64, requires_grad=True)
    assert x.float().dtype == np.float32 and x.half().dtype == np.float16 and x.double() is x
    assert x.long().tolist() == [1, -2] and x.long().dtype == np.int64 and x.int().dtype == np.int32
    assert x.bool().dtype == np.bool_ and not x.long().requires_grad
    assert x.to(tg.float32).dtype == np.float32 and x.to(dtype=np.float32).dtype == np.float32
    assert x.to("cpu") is x and x.to("cpu", tg.float32).dtype == np.float32 and x.cpu() is x
    assert x.to(tg.Tensor([1], dtype=np.int32)).dtype == np.int32 and x.to(x) is x
    assert x.to(tg.float64, copy=True) is not x and x.device == "cpu" and x.to(x.device) is x
    assert x.type() == "tinygrad_sm.DoubleTensor" and x.type(tg.float32).dtype == np.float32
    assert x.type("torch.LongTensor").dtype == np.int64 and x.type_as(tg.Tensor([1.0], dtype=np.float16)).dtype == np.float16
    y = x.float() * 3
    y.sum().backward()
    assert x.grad.dtype == np.float64 and x.grad.tolist() == [3.0, 3.0]


def test_to_an_unknown_device_or_dtype_says_so():
    x = tg.Tensor([1.0])
    with pytest.raises(RuntimeError, match="to\\(\\): device 'cuda' is not available.*CPU only"):
        x.to("cuda")
    with pytest.raises(RuntimeError, match="cuda:1"):
        x.to(device="cuda:1")
    with pytest.raises(RuntimeError, match="cuda\\(\\).*CPU only"):
        x.cuda()
    with pytest.raises(TypeError, match="to\\(\\): expected a dtype"):
        x.to(object())
    with pytest.raises(TypeError, match="two dtypes"):
        x.to(tg.float32, tg.float64)
    with pytest.raises(TypeError, match="unknown tensor type"):
        x.type("torch.FancyTensor")


# --- views share memory and the version counter ------------------------------------------
def test_view_shares_memory_and_writes_bump_the_base_version():
    x = tg.Tensor(np.arange(6.0))
    v = x.view(2, 3)
    assert np.shares_memory(v.numpy(), x.numpy())
    before = x._version_counter
    with tg.no_grad():
        v[0, 1] = 10.0
    assert x.tolist()[1] == 10.0 and x._version_counter == before + 1 == v._version_counter
    x.add_(1)
    assert v.tolist()[0] == [1.0, 11.0, 3.0] and v._version_counter == before + 2
    for view in (x.unsqueeze(0), x.view(3, 2).t(), x.view(3, 2).permute(1, 0), x.view(1, 6).squeeze(0),
                 x.view(2, 3).flatten(), x.view_as(tg.zeros(3, 2))):
        assert np.shares_memory(view.numpy(), x.numpy())
    assert not np.shares_memory(x.clone().numpy(), x.numpy())


def test_a_write_through_a_view_is_caught_by_backward():
    w = tg.Tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    h = w * 1
    y = h.view(2, 2).exp()  # Exp saves its output
    with tg.no_grad():
        y.view(4)[0] = 0.0
    with pytest.raises(RuntimeError, match="Exp"):
        y.sum().backward()


def test_clone_is_new_memory_with_a_gradient():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    c = x.clone()
    assert c.grad_fn.name == "CloneBackward" and not np.shares_memory(c.numpy(), x.numpy())
    (c * c).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]
    t = tg.Tensor(np.arange(6.0).reshape(2, 3)).t()
    assert not t.numpy().flags.c_contiguous and t.contiguous().numpy().flags.c_contiguous
    assert x.contiguous() is x


def test_grad_zero_and_detach_in_place():
    w = tg.Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    w.grad.zero_()
    assert w.grad.tolist() == [0.0, 0.0]
    y = w * 2
    assert y.detach_() is y and y.grad_fn is None and not y.requires_grad


def test_abs_builtin_and_its_gradient_at_zero():
    x = tg.Tensor([-2.0, 0.0, 3.0], requires_grad=True)
    assert abs(x).tolist() == [2.0, 0.0, 3.0]
    abs(x).sum().backward()
    assert x.grad.tolist() == [-1.0, 0.0, 1.0]
    assert abs(tg.Tensor([-3, 4])).tolist() == [3, 4]
    node = tg.Tensor([1.0, -1.0], requires_grad=True).abs().grad_fn
    assert node.name == "AbsBackward" and node.saved_arrays()["sign"].dtype == np.int8  # one byte per entry


def test_std_and_var_spellings():
    x = tg.Tensor(X34)
    np.testing.assert_allclose(x.std().item(), X34.std(ddof=1))
    np.testing.assert_allclose(x.var(1, False).numpy(), X34.var(axis=1))
    np.testing.assert_allclose(x.std(axis=0, ddof=0).numpy(), X34.std(axis=0))
    np.testing.assert_allclose(x.var(dim=1, keepdims=True).numpy(), X34.var(axis=1, ddof=1, keepdims=True))
    assert tg.Tensor(X34.astype(np.float32)).std(dim=0).dtype == np.float32
    with pytest.warns(RuntimeWarning, match="degrees of freedom"):
        assert np.isnan(tg.Tensor([1.0]).std().item())


def test_transpose_keeps_numpys_permutations():
    x = tg.Tensor(X234)
    assert x.transpose().shape == (4, 3, 2) and x.transpose(1, 0, 2).shape == (3, 2, 4)
    assert x.transpose((0, 1, 2)).shape == (2, 3, 4) and x.transpose(0, 2).shape == (4, 3, 2)
    assert x.transpose(dim0=1, dim1=2).shape == (2, 4, 3)
    m = tg.Tensor(X34)
    assert m.transpose((0, 1)).shape == (3, 4)  # one tuple: NumPy's permutation
    assert m.transpose(1, 0).shape == m.transpose(0, 1).shape == (4, 3)


# --- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("call, exc, words", [
    (lambda x: x.sum(axis=0, dim=1), TypeError, ["sum", "axis=0", "dim=1"]),
    (lambda x: x.mean(keepdims=True, keepdim=True), TypeError, ["mean", "keepdims", "keepdim"]),
    (lambda x: x.max(axis=0, dim=1), TypeError, ["max", "axis=0", "dim=1"]),
    (lambda x: x.softmax(axis=0, dim=1), TypeError, ["softmax", "axis", "dim"]),
    (lambda x: x.argmax(axis=0, dim=0), TypeError, ["argmax", "axis", "dim"]),
    (lambda x: x.std(axis=0, dim=0), TypeError, ["std", "axis", "dim"]),
    (lambda x: x.std(unbiased=True, correction=0), TypeError, ["std", "unbiased", "correction"]),
    (lambda x: x.max(dim=(0, 1)), TypeError, ["max(dim=(0, 1))", "axis="]),
    (lambda x: x.max(dim=3), IndexError, ["max", "3"]),
    (lambda x: x.min(dim=1) if x.shape[1] == 0 else tg.Tensor(np.zeros((2, 0))).min(dim=1), ValueError,
     ["min(dim=1)", "length 0"]),
    (lambda x: tg.Tensor(np.zeros((2, 3, 4))).t(), ValueError, ["t()", "(2, 3, 4)", "permute"]),
    (lambda x: x.view(4, 2), ValueError, ["view()", "(2, 3)", "6 elements", "(4, 2)"]),
    (lambda x: x.view(-1, -1), ValueError, ["view()", "-1"]),
    (lambda x: x.t().view(6), RuntimeError, ["view()", "(3, 2)", ".reshape(", "contiguous"]),
    (lambda x: x.view(np.float32), TypeError, ["view()", "to(dtype)"]),
    (lambda x: x.unsqueeze(3), IndexError, ["unsqueeze()", "dim 3", "[-3, 2]"]),
    (lambda x: x.squeeze(2), IndexError, ["squeeze()", "dim 2"]),
    (lambda x: x.permute(0, 0), ValueError, ["permute()", "(0, 0)", "permutation"]),
    (lambda x: x.permute(0), ValueError, ["permute()", "(0,)"]),
    (lambda x: x.flatten(1, 0), ValueError, ["flatten()", "start_dim=1", "end_dim=0"]),
    (lambda x: x.flatten(2), IndexError, ["flatten()", "dim 2"]),
    (lambda x: x.expand(4, 3), ValueError, ["expand()", "(2, 3)", "(4, 3)"]),
    (lambda x: x.expand(3), ValueError, ["expand()", "(3,)"]),
    (lambda x: x.expand(-1, 2, 3), ValueError, ["expand()", "new axes"]),
    (lambda x: x.clamp(), ValueError, ["clamp()", "min=", "max="]),
    (lambda x: x.to("cuda"), RuntimeError, ["to()", "'cuda'", "cpu"]),
    (lambda x: x.long().std(), TypeError, ["std()", "int64", ".float()"]),
    (lambda x: x.size(5), IndexError, ["size()", "dim 5"]),
])
def test_errors_name_the_method_what_it_got_and_the_fix(call, exc, words):
    x = tg.Tensor(np.arange(6.0).reshape(2, 3))
    with pytest.raises(exc) as err:
        call(x)
    for w in words:
        assert w in str(err.value), (w, str(err.value))


# --- a script from PyTorch habits ------------------------------------------------------------
def test_a_from_memory_pytorch_script_runs():
    import tinygrad_sm as torch
    import tinygrad_sm.nn.functional as F

    torch.manual_seed(0)
    x = torch.randn(8, 1, 4, 4)
    target = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1])
    w = torch.randn(16, 3, requires_grad=True)
    b = torch.zeros(3, requires_grad=True)
    device = "cpu"
    w2, b2 = w.to(device), b.to(device)
    for _ in range(30):
        h = x.view(x.size(0), -1).float()
        h = (h - h.mean(dim=1, keepdim=True)) / (h.std(dim=1, keepdim=True) + 1e-5)
        logits = h @ w2 + b2
        loss = F.cross_entropy(logits, target.long())
        loss.backward()
        with torch.no_grad():
            w -= 0.5 * w.grad
            b -= 0.5 * b.grad
            w.grad.zero_()
            b.grad.zero_()
    probs = logits.softmax(dim=-1)
    conf, pred = probs.max(dim=1)
    assert pred.shape == conf.shape == (8,) and pred.dtype == torch.long
    acc = (pred == target).float().mean().item()
    assert acc == 1.0 and loss.item() < 0.2
    assert logits.detach().clamp(min=-1, max=1).abs().max().item() <= 1
    assert x.squeeze(1).unsqueeze(0).permute(1, 0, 2, 3).flatten(start_dim=1).shape == (8, 16)
    assert x.numel() == 128 and x.dim() == 4 and x.size(1) == 1 and list(x.size()) == [8, 1, 4, 4]
    assert w.clone().detach().t().contiguous().view(-1).numel() == 48
