"""The training pictures return their Figure, draw into given Axes, and write a file only
when given a path (so a notebook shows them inline without touching the disk)."""
import base64
import os
import types

import numpy as np
import pytest

from tinygrad_sm import data, nn
from tinygrad_sm.apps import plots
from tinygrad_sm.apps.plots_attention import attention_plot

Figure = pytest.importorskip("matplotlib.figure").Figure

HISTORY = [{"epoch": e, "loss": 1.0 / e, "train_accuracy": 0.5 + 0.1 * e, "test_accuracy": 0.5 + 0.05 * e}
           for e in range(1, 4)]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_training_curves_returns_a_new_figure_and_writes_nothing_without_a_path(in_tmp):
    fig = plots.training_curves(HISTORY, title="run")
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    loss, acc = fig.axes
    np.testing.assert_allclose(loss.lines[0].get_ydata(), [1, 0.5, 1 / 3])
    assert [line.get_label() for line in acc.lines] == ["train", "test"]
    assert fig.get_suptitle() == "run"
    assert os.listdir(in_tmp) == []


def test_training_curves_draws_into_a_pair_of_axes_and_saves_when_asked(in_tmp):
    own = Figure()
    axes = own.subplots(2, 2)
    pair = axes[1]  # the bottom row: an ndarray of two Axes
    assert plots.training_curves(HISTORY, ax=pair) is own
    assert [len(a.lines) for a in axes.ravel()] == [0, 0, 1, 2]
    assert plots.training_curves(HISTORY, ax=list(axes[0]), path=in_tmp / "curves.png") is own
    assert (in_tmp / "curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert plots.training_curves(HISTORY, str(in_tmp / "positional.svg")) is not own  # the CLI's call
    assert (in_tmp / "positional.svg").read_bytes().lstrip().startswith(b"<?xml")
    with pytest.raises(ValueError, match="training_curves: ax must be a pair of matplotlib Axes, got 1"):
        plots.training_curves(HISTORY, ax=axes[0, 0])


def test_decision_boundary_returns_its_figure_honours_ax_and_path(in_tmp):
    X, y = data.spiral(n_per_class=20, rng=0)
    model = nn.MLP([2, 8, 3], rng=0)
    fig = plots.decision_boundary(model, X, y, title="boundary", resolution=20)
    assert isinstance(fig, Figure) and len(fig.axes) == 1 and fig.axes[0].get_title() == "boundary"
    assert os.listdir(in_tmp) == []
    own = Figure()
    left, right = own.subplots(1, 2)
    assert plots.decision_boundary(model, X, y, ax=right, X_test=X[:5], y_test=y[:5], resolution=20) is own
    assert not left.has_data() and right.has_data()
    plots.decision_boundary(model, X, y, in_tmp / "db.png", resolution=20)
    assert os.listdir(in_tmp) == ["db.png"]
    with pytest.raises(ValueError, match="decision_boundary: ax must be one matplotlib Axes, got 2"):
        plots.decision_boundary(model, X, y, ax=[left, right])


def test_attention_plot_writes_only_when_given_a_path(in_tmp, rng):
    w = rng.dirichlet(np.ones(3), (3,))
    attention_plot(w)
    assert os.listdir(in_tmp) == []
    fig = attention_plot(w, path=in_tmp / "attention.png")
    assert isinstance(fig, Figure) and os.listdir(in_tmp) == ["attention.png"]


def test_in_ipython_a_returned_figure_displays_as_a_png(monkeypatch):
    IPython = pytest.importorskip("IPython")
    from IPython.core.formatters import DisplayFormatter

    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert not plots.register()  # not inside IPython: nothing to do
    shell = types.SimpleNamespace(display_formatter=DisplayFormatter())
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    assert "image/png" not in shell.display_formatter.format(Figure())[0]  # what a bare kernel shows
    assert plots.register()
    png = shell.display_formatter.format(plots.training_curves(HISTORY))[0]["image/png"]
    png = png if isinstance(png, bytes) else base64.b64decode(png)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not plots.register()  # a formatter is set (ours, or pyplot's inline one): left alone
