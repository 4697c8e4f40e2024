"""The one training loop and its evaluation helpers. The documented accuracies of the spiral,
the linear classifier and the digits are checked once, by the examples that reach them
(test_examples.py); the moons run (slow) is here."""
import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import data, nn, optim
from tinygrad_sm.apps import training
from tinygrad_sm.apps.training import accuracy, evaluate, fit, predict


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
def test_moons_mlp_reaches_100_percent():
    X, y = data.moons(n=200, noise=0.1, rng=0)
    assert full_batch(nn.MLP([2, 16, 16, 2], activation="tanh", rng=0), X, y, steps=1000, lr=0.01) == 1.0


def test_same_seed_same_numbers():
    X, y = data.moons(rng=1)

    def run():
        model = nn.MLP([2, 8, 2], rng=4)
        return [r["loss"] for r in fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, 3, 32, rng=7)]

    assert run() == run()
    assert np.isfinite(run()).all()


# --- evaluate, predict, accuracy: numbers against NumPy, no recording, modes restored ------------------
def _numpy_logits(model, X):
    h = X.astype(np.float64)
    layers = [m for _, m in model.named_modules() if isinstance(m, nn.Linear)]
    for i, layer in enumerate(layers):
        h = h @ layer.weight.data.astype(np.float64).T + layer.bias.data.astype(np.float64)
        if i < len(layers) - 1:
            h = np.maximum(h, 0.0)
    return h


def test_evaluate_matches_a_numpy_reference_across_batches():
    X, y = data.spiral(n_per_class=50, rng=3)
    model = nn.MLP([2, 16, 3], rng=1)
    z = _numpy_logits(model, X)
    lse = np.log(np.exp(z - z.max(1, keepdims=True)).sum(1)) + z.max(1)
    want_loss = float(np.mean(lse - z[np.arange(len(y)), y]))
    want_acc = float(np.mean(z.argmax(1) == y))
    for batch_size in (len(y), 7):  # one batch, and uneven ones (the last has 3 rows)
        got = evaluate(model, X, y, batch_size=batch_size)
        assert set(got) == {"loss", "accuracy"}
        np.testing.assert_allclose(got["loss"], want_loss, rtol=1e-5)
        assert got["accuracy"] == want_acc
    assert accuracy(model, X, y) == want_acc
    np.testing.assert_array_equal(predict(model, X, batch_size=11), z.argmax(1))
    assert np.isnan(evaluate(model, X[:0], y[:0])["loss"])
    with pytest.raises(ValueError, match="X has 150 rows but y has 149"):
        evaluate(model, X, y[:-1])


def test_evaluation_records_nothing_runs_in_eval_mode_and_restores_each_mode():
    X, y = data.moons(n=40, rng=0)
    model = nn.Sequential(nn.Linear(2, 8, rng=0), nn.Dropout(0.5), nn.ReLU(), nn.Linear(8, 2, rng=1))
    dropout = model[1]
    seen = []
    forward = dropout.forward

    def spy(x):
        seen.append((dropout.training, x.requires_grad or x.grad_fn is not None))
        return forward(x)

    dropout.forward = spy
    model.train()
    dropout.eval()  # a mixed state must come back as it was
    r1 = evaluate(model, X, y)
    assert model.training and not dropout.training and model[0].training
    model.train()
    assert evaluate(model, X, y) == r1  # dropout off: the same numbers in train mode
    assert model.training and dropout.training
    assert seen and all(mode is False and not recorded for mode, recorded in seen)
    model.eval()
    predict(model, X)
    assert not model.training

    class Boom(Exception):
        pass

    def fail(x):
        raise Boom

    model.train()
    dropout.forward = fail
    with pytest.raises(Boom):
        evaluate(model, X, y)
    assert model.training and dropout.training and tg.is_grad_enabled()


# --- the progress bar ---------------------------------------------------------------------------------
class _Stderr:
    def __init__(self, tty):
        self.tty = tty

    def isatty(self):
        return self.tty

    def write(self, s):
        return len(s)

    def flush(self):
        pass


class _Bar:
    made = []

    def __init__(self, total, **kw):
        self.total, self.updates, self.postfix, self.closed = total, 0, None, False
        _Bar.made.append(self)

    def update(self, n):
        self.updates += n

    def set_postfix(self, shown, refresh=True):
        self.postfix = shown

    def close(self):
        self.closed = True


@pytest.fixture
def fake_tqdm(monkeypatch):
    import tqdm.auto

    _Bar.made = []
    monkeypatch.setattr(tqdm.auto, "tqdm", _Bar)
    return _Bar.made


def _tiny_fit(**kw):
    X, y = data.moons(n=40, rng=0)
    model = nn.MLP([2, 4, 2], rng=0)
    return fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, epochs=3, batch_size=16, rng=0,
               X_test=X[:10], y_test=y[:10], **kw)


def test_progress_bar_shows_on_a_terminal_and_in_jupyter(monkeypatch, fake_tqdm):
    import sys

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys, "stderr", _Stderr(tty=True))
    _tiny_fit(progress=True)
    (bar,) = fake_tqdm
    assert bar.total == 3 and bar.updates == 3 and bar.closed and set(bar.postfix) == {"loss", "train", "test"}

    monkeypatch.setattr(sys, "stderr", _Stderr(tty=False))
    shell = type("ZMQInteractiveShell", (), {})()
    fake_ipython = type(sys)("IPython")
    fake_ipython.get_ipython = lambda: shell
    monkeypatch.setitem(sys.modules, "IPython", fake_ipython)
    assert training.progress_wanted()
    _tiny_fit(progress=True)
    assert len(fake_tqdm) == 2 and fake_tqdm[1].closed


def test_no_progress_bar_by_default_in_ci_or_in_a_log(monkeypatch, fake_tqdm):
    import sys

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys, "stderr", _Stderr(tty=True))
    _tiny_fit()  # the library default is off
    monkeypatch.setenv("CI", "true")
    _tiny_fit(progress=True)
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys, "stderr", _Stderr(tty=False))
    monkeypatch.setitem(sys.modules, "IPython", None)
    assert not training.progress_wanted()
    _tiny_fit(progress=True)
    assert fake_tqdm == []


def test_the_bar_is_closed_when_training_raises(monkeypatch, fake_tqdm):
    import sys

    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys, "stderr", _Stderr(tty=True))

    def stop(record):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _tiny_fit(progress=True, on_epoch=stop)
    assert fake_tqdm[0].closed and fake_tqdm[0].updates == 1


@pytest.mark.parametrize("batch_size, words", [(-1, "batch_size must be a positive integer, got -1"),
                                               (0, "batch_size must be a positive integer, got 0"),
                                               (1.5, "batch_size must be an integer, got 1.5")])
def test_evaluate_refuses_a_batch_size_that_is_not_a_positive_int(batch_size, words):
    X, y = data.blobs(n=20, rng=0)
    model = nn.MLP([2, 3], rng=0)
    with pytest.raises(ValueError, match=words):
        training.evaluate(model, X, y, batch_size=batch_size)


def test_bench_threads_are_checked_before_torch_sees_them(capsys):
    from tinygrad_sm.apps.bench import harness
    from tinygrad_sm.apps.cli import main

    for what in ("softmax", "attention"):
        assert main(["bench", what, "--threads", "100000", "--quick"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "--threads 100000 is more than" in err[0]
    with pytest.raises(ValueError, match="pin_threads: n must be an int from 1 to"):
        harness.pin_threads(100000)


def test_fit_refuses_an_empty_training_set_and_evaluate_refuses_nan_or_labels_that_are_not_classes():
    model = nn.MLP([2, 4, 3], rng=0)
    X = np.random.default_rng(0).random((10, 2)).astype(np.float32)
    y = np.zeros(10, np.int64)
    with pytest.raises(ValueError, match="fit: the training set is empty"):
        fit(model, optim.SGD(model.parameters(), lr=0.1), X[:0], y[:0], 2, 8)
    with pytest.raises(ValueError, match="evaluate: X must be real and finite"):
        evaluate(model, np.full((3, 2), np.nan, np.float32), np.zeros(3, np.int64))
    with pytest.raises(ValueError, match="evaluate: y must be a 1-d integer array"):
        evaluate(model, X[:3], np.array(["a", "b", "c"]))
