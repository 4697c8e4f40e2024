"""optim.lr_scheduler: StepLR and CosineAnnealingLR give PyTorch's learning-rate sequences."""
import math

import numpy as np
import pytest

from tinygrad_sm import nn, optim
from tinygrad_sm.optim.lr_scheduler import CosineAnnealingLR, StepLR


def optimizer(lr=0.1, kind="sgd"):
    params = nn.Linear(2, 2, rng=0).parameters()
    return optim.SGD(params, lr=lr) if kind == "sgd" else optim.Adam(params, lr=lr)


def sequence(scheduler, steps):
    lrs = [scheduler.get_last_lr()[0]]
    for _ in range(steps):
        scheduler.optimizer.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr()[0])
    return lrs


def test_step_lr_follows_the_closed_form():
    lrs = sequence(StepLR(optimizer(0.5), step_size=3, gamma=0.5), 10)
    np.testing.assert_allclose(lrs, [0.5 * 0.5 ** (t // 3) for t in range(11)], rtol=1e-15)


@pytest.mark.parametrize("T_max, eta_min", [(10, 0.0), (4, 0.01), (1, 0.0)])
def test_cosine_follows_the_closed_form(T_max, eta_min):
    lrs = sequence(CosineAnnealingLR(optimizer(0.1), T_max=T_max, eta_min=eta_min), 3 * T_max)
    want = [eta_min + (0.1 - eta_min) * (1 + math.cos(math.pi * t / T_max)) / 2 for t in range(3 * T_max + 1)]
    np.testing.assert_allclose(lrs, want, rtol=1e-12, atol=1e-15)  # past T_max it climbs back, no restart


def test_the_optimizer_gets_the_rate_and_get_last_lr_is_a_fresh_list():
    opt = optimizer(0.2, "adam")
    sched = StepLR(opt, step_size=1, gamma=0.1)
    assert sched.get_last_lr() == [0.2] and opt.lr == 0.2
    sched.step()
    assert opt.lr == pytest.approx(0.02)
    got = sched.get_last_lr()
    got.append(1.0)
    assert sched.get_last_lr() == [opt.lr]


def test_state_dict_round_trip():
    a = CosineAnnealingLR(optimizer(0.1), T_max=7)
    for _ in range(3):
        a.step()
    b = CosineAnnealingLR(optimizer(0.1), T_max=7)
    b.load_state_dict(a.state_dict())
    b.optimizer.lr = a.optimizer.lr
    for _ in range(5):
        a.step()
        b.step()
        assert a.get_last_lr() == b.get_last_lr()
    with pytest.raises(KeyError, match="unexpected keys"):
        b.load_state_dict({"bogus": 1})


@pytest.mark.parametrize("make, message", [
    (lambda o: CosineAnnealingLR(o, T_max=0), "CosineAnnealingLR: T_max must be a positive int, got 0"),
    (lambda o: CosineAnnealingLR(o, T_max=-5), "T_max must be a positive int, got -5"),
    (lambda o: CosineAnnealingLR(o, T_max=2.5), "T_max must be a positive int, got 2.5"),
    (lambda o: CosineAnnealingLR(o, T_max=10, eta_min=-0.1), "CosineAnnealingLR: eta_min must be a finite number ≥ 0"),
    (lambda o: CosineAnnealingLR(o, T_max=10, eta_min=float("nan")), "eta_min must be a finite number ≥ 0, got nan"),
    (lambda o: StepLR(o, step_size=0), "StepLR: step_size must be a positive int, got 0"),
    (lambda o: StepLR(o, step_size=2.0), "step_size must be a positive int, got 2.0"),
    (lambda o: StepLR(o, step_size=2, gamma=0), "StepLR: gamma must be a finite number > 0, got 0"),
    (lambda o: StepLR(o, step_size=2, gamma=float("inf")), "gamma must be a finite number > 0, got inf"),
])
def test_bad_settings_raise_before_the_optimizer_changes(make, message):
    opt = optimizer(0.1)
    with pytest.raises(ValueError, match=message):
        make(opt)
    assert opt.lr == 0.1


def test_needs_an_optimizer_with_a_learning_rate():
    with pytest.raises(TypeError, match="StepLR: optimizer must be an optimizer whose param_groups have a numeric 'lr'"):
        StepLR(object(), step_size=1)


def test_is_exported_as_optim_lr_scheduler():
    assert optim.lr_scheduler.StepLR is StepLR and optim.lr_scheduler.CosineAnnealingLR is CosineAnnealingLR


@pytest.mark.parametrize("build, tbuild", [
    (lambda o: StepLR(o, step_size=3, gamma=0.3), lambda t, o: t.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.3)),
    (lambda o: StepLR(o, step_size=1, gamma=0.9), lambda t, o: t.optim.lr_scheduler.StepLR(o, step_size=1, gamma=0.9)),
    (lambda o: CosineAnnealingLR(o, T_max=10), lambda t, o: t.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10)),
    (lambda o: CosineAnnealingLR(o, T_max=3, eta_min=0.001),
     lambda t, o: t.optim.lr_scheduler.CosineAnnealingLR(o, T_max=3, eta_min=0.001)),
    (lambda o: CosineAnnealingLR(o, T_max=1), lambda t, o: t.optim.lr_scheduler.CosineAnnealingLR(o, T_max=1)),
])
@pytest.mark.torch
def test_same_sequence_as_pytorch_to_the_last_bit(build, tbuild):
    torch = pytest.importorskip("torch")
    ours = sequence(build(optimizer(0.05)), 40)
    p = torch.nn.Parameter(torch.zeros(1))
    topt = torch.optim.SGD([p], lr=0.05)
    sched = tbuild(torch, topt)
    theirs = [sched.get_last_lr()[0]]
    for _ in range(40):
        topt.step()
        sched.step()
        theirs.append(sched.get_last_lr()[0])
    assert ours == theirs
