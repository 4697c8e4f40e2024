"""optim as in PyTorch: param_groups (per-group settings that schedulers and users change),
zero_grad(set_to_none=True) by default, and the update matching PyTorch's per group."""
import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import nn, optim
from tinygrad_sm.optim.lr_scheduler import StepLR


def params(n=2, seed=0):
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        p = nn.Parameter(rng.standard_normal(3))
        p.grad = tg.Tensor(rng.standard_normal(3))
        out.append(p)
    return out


def test_a_plain_list_is_one_group():
    a, b = params()
    opt = optim.SGD([a, b], lr=0.1, momentum=0.9)
    assert len(opt.param_groups) == 1
    g = opt.param_groups[0]
    assert g["params"] == [a, b] and g["lr"] == 0.1 and g["momentum"] == 0.9 and g["nesterov"] is False
    opt.lr = 0.2
    assert g["lr"] == 0.2
    g["lr"] = 0.3
    assert opt.lr == 0.3


def test_groups_take_their_own_settings():
    a, b = params()
    wa, wb = a.numpy().copy(), b.numpy().copy()
    ga, gb = a.grad.numpy().copy(), b.grad.numpy().copy()
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 1.0, "name": "head"}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 1.0] and opt.param_groups[1]["name"] == "head"
    opt.step()
    np.testing.assert_allclose(a.numpy(), wa - 0.1 * ga)
    np.testing.assert_allclose(b.numpy(), wb - 1.0 * gb)


def test_group_errors_name_the_group():
    a, b = params()
    with pytest.raises(ValueError, match="SGD: parameter group 1: lr must be positive"):
        optim.SGD([{"params": [a]}, {"params": [b], "lr": -1}], lr=0.1)
    with pytest.raises(ValueError, match="Adam: parameter group 0: betas\\[0\\] must be in"):
        optim.Adam([{"params": [a], "betas": (1.5, 0.9)}])
    with pytest.raises(TypeError, match="SGD: parameter group 0 has no 'params' entry"):
        optim.SGD([{"lr": 0.1}], lr=0.1)
    with pytest.raises(ValueError, match="parameter 1 is parameter 0 again"):
        optim.SGD([{"params": [a]}, {"params": [a]}], lr=0.1)
    with pytest.raises(TypeError, match="all tensors or all dicts"):
        optim.SGD([a, {"params": [b]}], lr=0.1)
    opt = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    before = a.numpy().copy()
    opt.param_groups[1]["lr"] = float("nan")
    with pytest.raises(ValueError, match="SGD.step: parameter group 1: lr must be finite"):
        opt.step()
    np.testing.assert_array_equal(a.numpy(), before)  # checked before anything changed


def test_schedulers_change_every_group():
    a, b = params()
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 1.0}], lr=0.1)
    sched = StepLR(opt, step_size=1, gamma=0.5)
    sched.step()
    assert [g["lr"] for g in opt.param_groups] == [0.05, 0.5] and sched.get_last_lr() == [0.05, 0.5]
    assert sched.base_lrs == [0.1, 1.0]


def test_state_dict_round_trips_the_groups():
    a, b = params()
    opt = optim.Adam([{"params": [a]}, {"params": [b], "lr": 0.5, "betas": (0.8, 0.9)}], lr=0.01)
    opt.step()
    state = opt.state_dict()
    c, d = params()
    fresh = optim.Adam([{"params": [c]}, {"params": [d]}], lr=0.3)
    fresh.load_state_dict(state)
    assert fresh.param_groups[1]["lr"] == 0.5 and fresh.param_groups[1]["betas"] == (0.8, 0.9)
    assert fresh.param_groups[0]["lr"] == 0.01 and fresh.param_groups[1]["params"] == [d]
    bad = dict(state, param_groups=state["param_groups"][:1])
    with pytest.raises(ValueError, match="1 parameter groups for 2"):
        fresh.load_state_dict(bad)


def test_zero_grad_sets_to_none_by_default():
    a, b = params()
    opt = optim.SGD([a, b], lr=0.1)
    opt.zero_grad(set_to_none=False)
    assert all(p.grad is not None and (p.grad.numpy() == 0).all() for p in (a, b))
    opt.zero_grad()
    assert a.grad is None and b.grad is None


@pytest.mark.torch
@pytest.mark.parametrize("make, tmake", [
    (lambda g: optim.SGD(g, lr=0.1, momentum=0.9), lambda torch, g: torch.optim.SGD(g, lr=0.1, momentum=0.9)),
    (lambda g: optim.Adam(g, lr=0.01), lambda torch, g: torch.optim.Adam(g, lr=0.01)),
])
def test_groups_match_pytorch(make, tmake):
    torch = pytest.importorskip("torch")
    ours = params(2)
    theirs = [torch.tensor(p.numpy().copy(), requires_grad=True) for p in ours]
    opt = make([{"params": [ours[0]]}, {"params": [ours[1]], "lr": 0.5, "weight_decay": 0.1}])
    topt = tmake(torch, [{"params": [theirs[0]]}, {"params": [theirs[1]], "lr": 0.5, "weight_decay": 0.1}])
    for step in range(3):
        for p, t in zip(ours, theirs):
            g = np.random.default_rng(step).standard_normal(3)
            p.grad, t.grad = tg.Tensor(g), torch.tensor(g)
        opt.step()
        topt.step()
    for p, t in zip(ours, theirs):
        np.testing.assert_allclose(p.numpy(), t.detach().numpy(), rtol=1e-12)
