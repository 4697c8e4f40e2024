"""The pointer task: the dataset, the two classifiers, training that stays finite at every
step with fully padded query rows in every batch, the CLI's outputs, and (slow) the
accuracies: attention >= 97% in under 30 s of training, the mean-pool baseline <= 75%."""
import json
import os

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import data, nn
from tinygrad_sm.apps import pointer, training
from tinygrad_sm.apps.plots_attention import attention_plot
from tinygrad_sm.data.sequences import padding_mask, token_names, vocab_size


# --- the dataset -----------------------------------------------------------------------------
def test_pointer_is_seeded_padded_and_labelled_by_the_pointed_token():
    X, y = data.pointer(n=500, rng=3)
    X2, y2 = data.DATASETS["pointer"](n=500, rng=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(X, data.pointer(n=500, rng=4)[0])
    assert X.shape == (500, 16) and X.dtype == np.int64 and y.dtype == np.int64
    valid = padding_mask(X)
    lengths = valid.sum(1)
    assert (lengths < 16).all() and (lengths >= 5).all()  # every sequence has padding
    assert (valid[:, :-1] >= valid[:, 1:]).all()  # padding only at the end
    j = X[:, 0]
    assert ((1 <= j) & (j <= lengths - 1)).all()
    content = X[:, 1:] - 16
    np.testing.assert_array_equal(y, content[np.arange(500), j - 1] % 2)
    real = valid[:, 1:]
    ones = ((content % 2 == 1) & real).sum(1)
    np.testing.assert_array_equal(2 * ones, real.sum(1))  # half of the contents of each class
    assert 0.45 < y.mean() < 0.55
    assert set(np.bincount(j)[1:] > 15) == {True}  # every pointer occurs


def test_the_label_is_not_a_function_of_the_bag_of_tokens():
    """Reordering the content tokens keeps the multiset and the length and can flip the label."""
    X, y = data.pointer(n=50, rng=0)
    for x, label in zip(X, y):
        j, m = x[0], int(padding_mask(x).sum()) - 1
        other = np.flatnonzero((x[1:m + 1] - 16) % 2 != label)[0] + 1
        swapped = x.copy()
        swapped[j], swapped[other] = x[other], x[j]
        assert sorted(swapped) == sorted(x) and (swapped[j] - 16) % 2 != label


@pytest.mark.parametrize("kwargs, message", [
    (dict(n=0), "n must be a positive int"),
    (dict(n_values=3), "n_values must be even"),
    (dict(min_content=3), "min_content must be even"),
    (dict(max_len=5), "max_len 5 leaves no room for 4 content tokens"),
])
def test_pointer_errors(kwargs, message):
    with pytest.raises(ValueError, match="pointer: " + message):
        data.pointer(**kwargs)


def test_token_names():
    assert token_names([3, 16, 17, 0]) == ["→3", "a", "b", "·"]


# --- the models --------------------------------------------------------------------------------
def test_classifiers_shapes_and_padding_queries_attend_to_nothing():
    X, _ = data.pointer(n=6, rng=1)
    model = nn.AttentionClassifier(vocab_size(), 16, d_model=8, num_heads=2, rng=0)
    logits, w = model(X, return_weights=True)
    assert logits.shape == (6, 2) and w.shape == (6, 2, 16, 16)
    valid = padding_mask(X)
    assert (w.numpy()[np.broadcast_to(~valid[:, None, :, None], w.shape)] == 0).all()  # padding query rows
    assert (w.numpy()[np.broadcast_to(~valid[:, None, None, :], w.shape)] == 0).all()  # padding keys
    np.testing.assert_allclose(w.numpy().sum(-1)[np.broadcast_to(valid[:, None], (6, 2, 16))], 1.0, rtol=1e-5)
    assert nn.MeanPoolClassifier(vocab_size(), 16, d_model=8, rng=0)(X).shape == (6, 2)
    with pytest.raises(ValueError, match=r"tokens must have shape \(B, L\) with L ≤ 16"):
        model(np.zeros((2, 17), dtype=int))


def test_padding_changes_nothing_for_the_real_tokens():
    """The same sequences padded to 16 or cut to their longest length give the same logits."""
    X, _ = data.pointer(n=8, rng=2)
    model = nn.AttentionClassifier(vocab_size(), 16, d_model=8, num_heads=2, rng=0, dtype=np.float64)
    longest = int(padding_mask(X).sum(1).max())
    np.testing.assert_allclose(model(X).numpy(), model(X[:, :longest]).numpy(), rtol=1e-12)


def test_mean_pool_ignores_padding_and_the_order_of_tokens():
    X, _ = data.pointer(n=4, rng=5)
    model = nn.MeanPoolClassifier(vocab_size(), 16, d_model=8, rng=0, dtype=np.float64)
    shuffled = X.copy()
    m = int(padding_mask(X[0]).sum())
    shuffled[0, 1:m] = X[0, 1:m][::-1]
    np.testing.assert_allclose(model(X).numpy(), model(shuffled).numpy(), rtol=1e-12)


def test_masked_mean_skips_masked_entries_even_if_not_finite():
    from tinygrad_sm.nn.models import masked_mean

    x = tg.Tensor(np.array([[[1.0, 2.0], [np.inf, np.nan]], [[0.0, 0.0], [0.0, 0.0]]]), requires_grad=True)
    valid = np.array([[True, False], [False, False]])
    out = masked_mean(x, valid)
    np.testing.assert_array_equal(out.numpy(), [[1.0, 2.0], [0.0, 0.0]])
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[[1, 1], [0, 0]], [[0, 0], [0, 0]]])
    with pytest.raises(ValueError, match="masked_mean: valid of shape"):
        masked_mean(x, valid[:, :1])


# --- training ----------------------------------------------------------------------------------
def finite_step_checker(log):
    def on_step(step, loss, model, tokens):
        padded_queries = int((~padding_mask(tokens)).sum())
        grads = [p.grad.numpy() for p in model.parameters()]
        log.append((bool(np.isfinite(loss.item())), all(np.isfinite(g).all() for g in grads), padded_queries))
    return on_step


def test_loss_and_every_gradient_stay_finite_at_every_step():
    X, y = data.pointer(n=640, rng=0)
    model = pointer.build("attention", seed=0)
    opt, schedule = pointer.optimizer(model, lr=4e-3, epochs=2, steps_per_epoch=10)
    log = []
    history = training.fit(model, opt, X, y, epochs=2, batch_size=64, schedule=schedule, schedule_per="batch",
                           clip=1.0, on_step=finite_step_checker(log))
    assert len(log) == 20
    assert all(loss_ok and grads_ok for loss_ok, grads_ok, _ in log)
    assert all(padded > 0 for _, _, padded in log)  # every batch has fully padded query rows
    assert np.isfinite([r["loss"] for r in history]).all()
    assert history[-1]["lr"] == pytest.approx(0.0, abs=1e-12)  # the cosine schedule ran to its end


def test_run_writes_the_cli_outputs(tmp_path):
    metrics, written = pointer.run({"n": 200, "epochs": 1, "batch_size": 50}, out=str(tmp_path))
    assert written[:4] == ["metrics.json", "model.npz", "loss.png", "attention.png"]
    assert written[4].startswith("backward_graph")
    for name in written:
        assert os.path.exists(tmp_path / name.split(" ")[0])
    saved = json.loads((tmp_path / "metrics.json").read_text())
    assert saved["config"]["model"] == "attention" and saved["final"] == metrics["final"]
    assert 0 <= saved["final"]["test_accuracy"] <= 1 and saved["timing"]["train_seconds"] > 0
    model = pointer.build("attention")
    model.load(str(tmp_path / "model.npz"))
    _, written = pointer.run({"model": "mean-pool", "n": 200, "epochs": 1}, out=str(tmp_path / "mp"))
    assert "attention.png" not in written


@pytest.mark.parametrize("config, message", [
    ({"epochs": 0}, "epochs must be an int ≥ 1, got 0"),
    ({"d_model": 30, "heads": 4}, "d_model must be a positive int, a multiple of heads, got 30"),
    ({"model": "mlp"}, "model must be 'attention' or 'mean-pool'"),
    ({"test_size": 1.0}, "test_size must be between 0 and 1"),
    ({"hidden": 3}, r"unknown settings \['hidden'\]"),
])
def test_run_checks_its_settings_first(tmp_path, config, message):
    with pytest.raises(ValueError, match="pointer: " + message):
        pointer.run(config, out=str(tmp_path / "x"))
    assert not os.path.exists(tmp_path / "x")


def test_attention_plot(rng):
    from matplotlib.figure import Figure

    w = rng.dirichlet(np.ones(4), (2, 4))
    fig = attention_plot(w, names=["→1", "a", "b", "·"], title="t")
    assert len(fig.axes) == 3  # two heads and the colour bar
    own = Figure()
    ax = own.subplots()
    assert attention_plot(w, head=1, ax=ax) is own
    with pytest.raises(ValueError, match="2 panels to draw but 1 axes given"):
        attention_plot(w, ax=ax)
    with pytest.raises(ValueError, match=r"weights must have shape \(Lq, Lk\) or \(H, Lq, Lk\)"):
        attention_plot(np.zeros(3))


# --- the numbers the README states (slow: full training) ---------------------------------------------
@pytest.mark.slow
def test_attention_reaches_97_percent_in_under_30_s_and_the_mean_pool_stays_at_chance():
    log = []
    metrics, _ = pointer.run({"model": "attention"}, on_step=finite_step_checker(log))
    assert metrics["final"]["test_accuracy"] >= 0.97, metrics["final"]
    assert metrics["timing"]["train_seconds"] < 30, metrics["timing"]["train_seconds"]
    assert len(log) == metrics["config"]["epochs"] * 100
    assert all(loss_ok and grads_ok and padded > 0 for loss_ok, grads_ok, padded in log)
    baseline, _ = pointer.run({"model": "mean-pool"})
    assert baseline["final"]["test_accuracy"] <= 0.75, baseline["final"]
