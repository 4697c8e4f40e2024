"""Training reaches the documented accuracies (the full runs are marked slow; CI runs them)."""
import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import data, nn, optim
from tinygrad_sm.training import accuracy, fit


def full_batch(model, X, y, steps, lr):
    opt = optim.Adam(model.parameters(), lr=lr)
    for _ in range(steps):
        loss = tg.cross_entropy(model(tg.Tensor(X)), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return accuracy(model, X, y)


def test_a_short_run_lowers_the_loss():
    X, y = data.spiral(rng=0)
    model = nn.MLP([2, 32, 3], rng=0)
    history = fit(model, optim.Adam(model.parameters(), lr=0.01), X, y, epochs=20, batch_size=64, rng=0)
    assert history[-1]["loss"] < 0.8 * history[0]["loss"]
    assert history[-1]["train_accuracy"] > history[0]["train_accuracy"]


@pytest.mark.slow
def test_spiral_mlp_reaches_99_percent_and_linear_stays_near_half():
    X, y = data.spiral(n_per_class=100, n_classes=3, noise=0.2, rng=0)
    assert full_batch(nn.MLP([2, 100, 3], rng=0), X, y, steps=500, lr=0.01) >= 0.99
    linear = full_batch(nn.MLP([2, 3], rng=0), X, y, steps=500, lr=0.1)
    assert 0.45 <= linear <= 0.6, linear


@pytest.mark.slow
def test_moons_mlp_reaches_100_percent():
    X, y = data.moons(n=200, noise=0.1, rng=0)
    assert full_batch(nn.MLP([2, 16, 16, 2], activation="tanh", rng=0), X, y, steps=1000, lr=0.01) == 1.0


@pytest.mark.slow
def test_digits_reaches_97_percent_test_accuracy_in_30_epochs():
    X, y = data.digits()
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.2, rng=0)
    model = nn.MLP([64, 128, 10], rng=0)
    fit(model, optim.Adam(model.parameters(), lr=1e-3), X_train, y_train, epochs=30, batch_size=64, rng=0)
    assert accuracy(model, X_test, y_test) >= 0.97


def test_same_seed_same_numbers():
    X, y = data.moons(rng=1)

    def run():
        model = nn.MLP([2, 8, 2], rng=4)
        return [r["loss"] for r in fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, 3, 32, rng=7)]

    assert run() == run()
    assert np.isfinite(run()).all()
