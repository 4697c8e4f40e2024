"""nn as a PyTorch user expects it: Linear's (out, in) weight and init, nn.init, Flatten,
Dropout, Module.to/apply/modules/children, dtype mismatches, nn.functional, and a PyTorch
state_dict loaded as is (both ways)."""
import math

import numpy as np
import pytest

import tinygrad_sm as tg
import tinygrad_sm.nn.functional as F
from tinygrad_sm import nn


def test_linear_layout_and_forward():
    lin = nn.Linear(3, 2, rng=0)
    assert lin.weight.shape == (2, 3) and lin.bias.shape == (2,) and lin.weight.dtype == np.float32
    x = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    want = x @ lin.weight.numpy().T + lin.bias.numpy()
    np.testing.assert_allclose(lin(tg.tensor(x)).numpy(), want, rtol=1e-6)
    np.testing.assert_allclose(F.linear(tg.tensor(x), lin.weight, lin.bias).numpy(), want, rtol=1e-6)
    np.testing.assert_allclose(F.linear(tg.tensor(x), lin.weight).numpy(), x @ lin.weight.numpy().T, rtol=1e-6)


def test_linear_init_is_pytorchs_kaiming_uniform_a_sqrt5():
    lin = nn.Linear(400, 300, rng=0)
    bound = 1 / math.sqrt(400)  # √3·gain/√fan_in with gain √(2/(1+5))
    for p in (lin.weight, lin.bias):
        a = p.numpy()
        assert np.abs(a).max() <= bound and np.abs(a).max() > 0.99 * bound
    assert np.var(lin.weight.numpy()) == pytest.approx(bound**2 / 3, rel=0.02)  # uniform: b²/3
    tg.manual_seed(5)
    a = nn.Linear(3, 2).weight.numpy().copy()
    tg.manual_seed(5)
    np.testing.assert_array_equal(nn.Linear(3, 2).weight.numpy(), a)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_init_functions(dtype):
    w = nn.Parameter(np.zeros((300, 200)), dtype=dtype)
    same = w
    assert nn.init.ones_(w) is same and (w.numpy() == 1).all() and w.dtype == dtype
    nn.init.zeros_(w)
    assert (w.numpy() == 0).all()
    nn.init.constant_(w, 0.25)
    assert (w.numpy() == 0.25).all()
    nn.init.uniform_(w, -2, 3, generator=0)
    assert w.numpy().min() >= -2 and w.numpy().max() < 3 and w.numpy().mean() == pytest.approx(0.5, abs=0.02)
    nn.init.normal_(w, 1.0, 2.0, generator=0)
    assert w.numpy().mean() == pytest.approx(1.0, abs=0.02) and w.numpy().std() == pytest.approx(2.0, rel=0.02)
    nn.init.xavier_uniform_(w, generator=0)
    b = math.sqrt(6 / 500)
    assert np.abs(w.numpy()).max() <= b * (1 + 1e-6) and w.numpy().std() == pytest.approx(b / math.sqrt(3), rel=0.02)
    nn.init.xavier_normal_(w, gain=2.0, generator=0)
    assert w.numpy().std() == pytest.approx(2 * math.sqrt(2 / 500), rel=0.02)
    nn.init.kaiming_uniform_(w, nonlinearity="relu", generator=0)
    b = math.sqrt(2) * math.sqrt(3 / 200)
    assert np.abs(w.numpy()).max() <= b * (1 + 1e-6) and np.abs(w.numpy()).max() > 0.99 * b
    nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu", generator=0)
    assert w.numpy().std() == pytest.approx(math.sqrt(2 / 300), rel=0.02)
    assert w.dtype == dtype and w.requires_grad


@pytest.mark.torch
def test_init_matches_pytorchs_bounds():
    torch = pytest.importorskip("torch")
    t = torch.empty(30, 20)
    torch.nn.init.kaiming_uniform_(t, a=math.sqrt(5))
    ours = nn.init.kaiming_uniform_(nn.Parameter(np.zeros((30, 20))), a=math.sqrt(5), generator=0)
    assert abs(t).max().item() <= 1 / math.sqrt(20) and np.abs(ours.numpy()).max() <= 1 / math.sqrt(20)
    assert nn.init.calculate_gain("tanh") == pytest.approx(torch.nn.init.calculate_gain("tanh"))
    assert nn.init.calculate_gain("leaky_relu", 0.2) == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", 0.2))


def test_init_errors_and_apply():
    with pytest.raises(ValueError, match="xavier_uniform_: fan in and fan out need a tensor of at least 2"):
        nn.init.xavier_uniform_(nn.Parameter(np.zeros(3)))
    with pytest.raises(ValueError, match="kaiming_normal_: mode must be 'fan_in' or 'fan_out'"):
        nn.init.kaiming_normal_(nn.Parameter(np.zeros((2, 2))), mode="in")
    with pytest.raises(TypeError, match="zeros_: expected a Tensor"):
        nn.init.zeros_(np.zeros(2))

    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.bias)
            nn.init.ones_(m.weight)

    model = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    opt = tg.optim.SGD(model.parameters(), lr=0.1)
    assert model.apply(init) is model
    assert all((p.numpy() == (1 if p.ndim == 2 else 0)).all() for p in model.parameters())
    assert opt.params[0] is model[0].weight  # the same parameter objects


def test_module_traversal():
    model = nn.Sequential(nn.Linear(2, 3), nn.Sequential(nn.ReLU(), nn.Linear(3, 1)))
    assert [type(m).__name__ for m in model.modules()] == ["Sequential", "Linear", "Sequential", "ReLU", "Linear"]
    assert [n for n, _ in model.named_modules()] == ["", "0", "1", "1.0", "1.1"]
    assert [type(m).__name__ for m in model.children()] == ["Linear", "Sequential"]
    assert [n for n, _ in model.named_children()] == ["0", "1"]
    order = []
    model.apply(lambda m: order.append(type(m).__name__))
    assert order == ["Linear", "ReLU", "Linear", "Sequential", "Sequential"]  # children first, as in PyTorch


def test_to_double_float_keep_the_parameter_objects():
    model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.LayerNorm(3))
    params = model.parameters()
    x = tg.tensor(np.ones((4, 2)))  # float64
    with pytest.raises(TypeError, match=r"Linear: the input is float64 but the layer's parameters are float32.*"
                                        r"model.double\(\).*astype\(float32\)"):
        model(x)
    model(x.astype(np.float32)).sum().backward()
    assert model.double() is model and all(p.dtype == np.float64 for p in model.parameters())
    assert all(a is b for a, b in zip(params, model.parameters()))
    assert all(p.grad.dtype == np.float64 for p in model.parameters())
    model.zero_grad()
    out = model(x)
    assert out.dtype == np.float64
    out.sum().backward()
    assert all(p.grad.dtype == np.float64 for p in model.parameters())
    assert model.to(tg.float32).float() is model and model[0].weight.dtype == np.float32
    assert model.to("cpu") is model
    with pytest.raises(ValueError, match="runs on the CPU only"):
        model.to(device="cuda")
    with pytest.raises(TypeError, match="parameters must stay floating"):
        model.to(tg.int64)
    with pytest.raises(TypeError, match="LayerNorm: the input is float64"):
        model[2](x[:, :1] * np.ones(3))


def test_zero_grad_set_to_none():
    model = nn.Linear(2, 2)
    model(tg.ones(1, 2)).sum().backward()
    model.zero_grad(set_to_none=False)
    assert all(p.grad is not None and (p.grad.numpy() == 0).all() and p.grad.dtype == p.dtype
               for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_flatten():
    x = tg.zeros(2, 3, 4, 5)
    assert nn.Flatten()(x).shape == (2, 60) and nn.Flatten(0, -1)(x).shape == (120,)
    assert nn.Flatten(1, 2)(x).shape == (2, 12, 5) and nn.Flatten(-2)(x).shape == (2, 3, 20)
    with pytest.raises(ValueError, match="Flatten: start_dim .* comes after end_dim"):
        nn.Flatten(2, 1)(x)
    with pytest.raises(ValueError, match="Flatten: start_dim=1, end_dim=-1 are out of range for an input of shape"):
        nn.Flatten()(tg.zeros(3))
    t = tg.tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    nn.Flatten()(t).sum().backward()
    assert t.grad.shape == (2, 3, 4)


def test_dropout_train_eval_scale_and_seed():
    x = tg.ones(200, 50)
    d = nn.Dropout(0.2)
    tg.manual_seed(0)
    a = d(x).numpy()
    kept = a != 0
    assert set(np.unique(a)) <= {0.0, np.float32(1 / 0.8)} and kept.mean() == pytest.approx(0.8, abs=0.02)
    tg.manual_seed(0)
    np.testing.assert_array_equal(d(x).numpy(), a)  # seeded through tg.manual_seed
    assert not np.array_equal(d(x).numpy(), a)
    d.eval()
    assert d(x) is x
    with pytest.raises(ValueError, match="Dropout: p must be a number in"):
        nn.Dropout(1.0)


def test_nn_functional_is_the_functional_module():
    import tinygrad_sm.functional as functional
    import tinygrad_sm.nn.functional as nnF

    assert tg.nn.functional is nnF and nnF.softmax is functional.softmax
    assert set(nnF.__all__) == set(functional.__all__)
    # the losses take PyTorch's argument order (weight third) and class axis (1)
    assert nnF.cross_entropy is not functional.cross_entropy and nnF.nll_loss is not functional.nll_loss
    x = tg.tensor(np.random.default_rng(0).standard_normal((2, 3)))
    np.testing.assert_allclose(F.softmax(x, dim=1).numpy(), x.softmax(axis=1).numpy())
    np.testing.assert_allclose(F.softmax(x, dim=0).numpy(), x.softmax(axis=0).numpy())
    np.testing.assert_allclose(F.log_softmax(x, dim=0).numpy(), x.log_softmax(axis=0).numpy())
    np.testing.assert_allclose(F.softmax(x, 0).numpy(), x.softmax(axis=0).numpy())
    with pytest.raises(TypeError, match="softmax: got both axis=1 and dim=1"):
        F.softmax(x, axis=1, dim=1)
    with pytest.raises(TypeError, match="log_softmax: got both axis=0 and dim=1"):
        F.log_softmax(x, axis=0, dim=1)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_pytorch_state_dict_loads_as_is_and_back(dtype):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    tdt = getattr(torch, dtype)
    tm = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)).to(tdt)
    ours = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).to(np.dtype(dtype))
    ours.load_state_dict({k: v.numpy() for k, v in tm.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(dtype)
    tol = 1e-6 if dtype == "float32" else 1e-13
    np.testing.assert_allclose(ours(tg.tensor(x)).numpy(), tm(torch.tensor(x)).detach().numpy(), rtol=tol, atol=tol)
    # and back: our weights into a fresh PyTorch model
    nn.init.normal_(ours[2].weight, generator=1)
    back = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3)).to(tdt)
    back.load_state_dict({k: torch.tensor(v.numpy()) for k, v in ours.state_dict().items()})
    np.testing.assert_allclose(back(torch.tensor(x)).detach().numpy(), ours(tg.tensor(x)).numpy(), rtol=tol, atol=tol)


def test_state_dict_holds_tensors_sharing_the_parameters_memory():
    model = tg.nn.Linear(3, 2)
    sd = model.state_dict()
    assert all(isinstance(v, tg.Tensor) for v in sd.values()) and sd["weight"].size() == (2, 3)
    snapshot = {k: v.clone() for k, v in sd.items()}
    with tg.no_grad():
        sd["bias"].copy_(np.array([1.0, 2.0]))
    assert model.bias.tolist() == [1.0, 2.0] and snapshot["bias"].tolist() != [1.0, 2.0]
    model.load_state_dict(snapshot)
    assert model.bias.tolist() == snapshot["bias"].tolist()


def test_load_state_dict_strict_false_and_pytorchs_errors_and_return():
    model = tg.nn.Linear(3, 2)
    result = model.load_state_dict({"weight": np.zeros((2, 3)), "extra": np.ones(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["extra"]
    assert (model.weight.numpy() == 0).all()
    with pytest.raises(RuntimeError, match=r"missing keys \['bias'\].*strict=False"):
        model.load_state_dict({"weight": np.ones((2, 3))})
    assert (model.weight.numpy() == 0).all()  # nothing loaded
    with pytest.raises(TypeError, match="requires_grad must be True or False, got 3.*tg.zeros\\(2, 3\\)"):
        tg.Tensor(2, 3)
