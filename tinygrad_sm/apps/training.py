"""The one training loop (the CLI, the pointer task, the examples and notebooks share it):
minibatches on softmax cross-entropy, and the evaluation helpers around it.

``fit`` trains and returns a per-epoch history; ``evaluate`` gives the mean loss and
the accuracy on a dataset, ``accuracy`` and ``predict`` what their names say. The
evaluation helpers record nothing and leave the model in the train/eval mode they
found it in.
"""
import contextlib
import os
import sys
import time

import numpy as np

from ..checks import check_int, check_real
from ..data import minibatches
from ..functional import cross_entropy
from ..grad_mode import no_grad
from ..nn.utils import clip_grad_norm_
from ..tensor import Tensor

__all__ = ["fit", "evaluate", "accuracy", "predict", "traced_step"]


def _count(where, name, value, low=1):
    """An int ``>= low``, else a ValueError (the one error type callers here have always seen)."""
    try:
        return check_int(where, name, value, low=low)
    except TypeError as e:
        raise ValueError(str(e)) from None


@contextlib.contextmanager
def _evaluating(model):
    """Eval mode and no recording inside; every submodule's own mode restored after,
    also when the body raises."""
    modules = [m for _, m in model.named_modules()] if hasattr(model, "named_modules") else []
    modes = [(m, getattr(m, "training", False)) for m in modules]
    if modules:
        model.eval()
    try:
        with no_grad():
            yield
    finally:
        for m, mode in modes:  # depth first, parents before children: each ends with its own mode
            m.train(mode)


def _logits(model, X, batch_size):
    for i in range(0, len(X), batch_size):
        yield model(Tensor(X[i : i + batch_size]))


def predict(model, X, batch_size=4096):
    """Class predictions: the argmax of ``model``'s logits for each row of ``X``.

    Computed in batches of ``batch_size`` rows, in eval mode, without recording.
    Returns an integer ndarray of ``len(X)`` entries.
    """
    batch_size = _count("predict", "batch_size", batch_size)
    X = np.asarray(X)
    with _evaluating(model):
        parts = [z._data.argmax(-1) for z in _logits(model, X, batch_size)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)


def accuracy(model, X, y, batch_size=4096):
    """The fraction of rows whose predicted class equals ``y`` (NaN for no rows)."""
    y = np.asarray(y)
    if y.shape != (len(X),):
        raise ValueError(f"accuracy: y must hold one label per row of X, shape ({len(X)},); got {y.shape}")
    return float((predict(model, X, batch_size) == y).mean()) if len(y) else float("nan")


def evaluate(model, X, y, batch_size=4096):
    """The mean softmax cross-entropy and the accuracy of ``model`` on ``(X, y)``.

    Computed in batches of ``batch_size`` rows, in eval mode (dropout off), without
    recording; the model's train/eval mode is restored afterwards.

    Returns
    -------
    dict
        ``{"loss": float, "accuracy": float}``; both NaN for an empty dataset.
    """
    batch_size = _count("evaluate", "batch_size", batch_size)
    y = np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"evaluate: X has {len(X)} rows but y has {len(y)}")
    if not len(y):
        return {"loss": float("nan"), "accuracy": float("nan")}
    X = np.asarray(X)
    if X.dtype.kind not in "biuf" or not np.isfinite(X).all():
        raise ValueError(f"evaluate: X must be real and finite (dtype {X.dtype}); it has NaN/inf or is not numeric")
    if y.dtype.kind not in "iu" or y.ndim != 1:
        raise ValueError(f"evaluate: y must be a 1-d integer array of class indices, got {y.dtype} {y.shape}")
    total, correct = 0.0, 0
    with _evaluating(model):
        for start, z in zip(range(0, len(X), batch_size), _logits(model, X, batch_size)):
            yb = y[start : start + batch_size]
            total += float(cross_entropy(z, yb, reduction="sum").item())
            correct += int((z._data.argmax(-1) == yb).sum())
    return {"loss": total / len(y), "accuracy": correct / len(y)}


def traced_step(model, X, y):
    """One training step's forward and backward, without the update, keeping the graph
    (``retain_graph=True``) so it can be drawn with what every node saved."""
    model.zero_grad()
    loss = cross_entropy(model(Tensor(X)), y)
    loss.backward(retain_graph=True)
    return loss


def _check_data(model, X, y, what):
    """The checks that would otherwise fail part-way through an epoch, after some updates."""
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim < 1 or len(X) != len(y):
        raise ValueError(f"fit: {what} has {len(X) if X.ndim else 0} rows of X but {len(y)} labels")
    if what == "the training set" and not len(y):
        raise ValueError("fit: the training set is empty (0 rows); there is nothing to train on")
    if X.dtype.kind not in "biuf" or not np.isfinite(X).all():
        raise ValueError(f"fit: {what} X must be real and finite (dtype {X.dtype})")
    if y.dtype.kind not in "iu" or y.ndim != 1:
        raise ValueError(f"fit: {what} labels must be a 1-d integer array of class indices, got {y.dtype} {y.shape}")
    if len(y) and y.min() < 0:
        raise ValueError(f"fit: {what} label {y.min()} is negative; classes are 0, 1, ...")
    if len(y):
        was_training = getattr(model, "training", False)
        model.eval()
        try:
            with no_grad():
                classes = model(Tensor(X[:1])).shape[-1]  # one row: how many classes the model scores
        finally:
            model.train(was_training)
        if y.max() >= classes:
            raise ValueError(f"fit: {what} label {y.max()} is out of range for a model with {classes} outputs")
    return X, y


def progress_wanted():
    """Whether a progress bar belongs here: on a terminal or in a Jupyter kernel; never
    when ``CI`` is set or stderr goes to a file or pipe outside Jupyter (logs)."""
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        return False
    if sys.stderr is not None and sys.stderr.isatty():
        return True
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def _progress_bar(total):
    if not progress_wanted():
        return None
    try:
        from tqdm.auto import tqdm  # a widget in Jupyter (with ipywidgets), text on a terminal
    except ImportError:
        print("no progress bar: tqdm is not installed (pip install tqdm)", file=sys.stderr)
        return None
    return tqdm(total=total, unit="epoch", file=sys.stderr, dynamic_ncols=True)


def fit(model, optimizer, X, y, epochs, batch_size, rng=0, X_test=None, y_test=None, on_epoch=None,
        progress=False, schedule=None, schedule_per="epoch", clip=None, on_step=None):
    """Train ``model`` with ``optimizer`` on softmax cross-entropy, in minibatches.

    The one training loop: the MLP datasets, the pointer task, the CLI, the examples and
    the notebook all train through it.

    Parameters
    ----------
    model : nn.Module
        Maps a ``(batch, ...)`` tensor to ``(batch, classes)`` logits.
    optimizer : optim.Optimizer
        Over ``model.parameters()``.
    X, y : ndarray
        Training rows and their integer class labels.
    epochs, batch_size : int
    rng : int or numpy Generator
        Seeds the minibatch shuffling (same seed, same run).
    X_test, y_test : ndarray, optional
        Held-out data, scored after every epoch.
    on_epoch : callable, optional
        Called with each epoch's record as soon as it is complete.
    progress : bool
        Show a progress bar (tqdm's: a widget in Jupyter, text on a terminal). Even when
        True, none is shown where nobody watches: with ``CI`` set, or stderr not a
        terminal outside Jupyter.
    schedule : optim.lr_scheduler schedule, optional
        Stepped after every update (``schedule_per="batch"``) or every epoch (``"epoch"``).
    clip : float, optional
        Clip the gradients' global norm to ``clip`` before each update (None or 0: no clipping).
    on_step : callable, optional
        ``on_step(step, loss, model, xb)`` after each backward (and clipping), before the update;
        ``step`` counts from 0 over the whole run.

    Returns
    -------
    list of dict
        One record per epoch: ``epoch``, ``loss`` (mean over the epoch's minibatches,
        weighted by their sizes), ``seconds`` (the training steps alone),
        ``eval_seconds`` (scoring the train and test sets), ``lr`` (the optimizer's at the
        epoch's end), ``train_accuracy``, and ``test_accuracy`` when a test set is given.

    The arguments and the data (row counts, finite inputs, labels in range for the
    model's outputs) are checked before the first update. A non-finite gradient stops
    training with ``FloatingPointError`` naming the epoch and step; the optimizer
    refuses that step, so the parameters are those of the last finite one.
    """
    epochs = _count("fit", "epochs", epochs, low=0)
    batch_size = _count("fit", "batch_size", batch_size)
    if schedule_per not in ("epoch", "batch"):
        raise ValueError(f"fit: schedule_per must be 'epoch' or 'batch', got {schedule_per!r}")
    clip = None if clip is None else check_real("fit", "clip", clip) or None
    X, y = _check_data(model, X, y, "the training set")
    if (X_test is None) != (y_test is None):
        raise ValueError("fit: pass both X_test and y_test, or neither")
    if X_test is not None:
        X_test, y_test = _check_data(model, X_test, y_test, "the test set")
    gen = np.random.default_rng(rng)
    params = model.parameters()
    history, step = [], 0
    bar = _progress_bar(epochs) if progress else None
    try:
        for epoch in range(1, epochs + 1):
            start = time.perf_counter()
            model.train()
            losses, counts = [], []
            for xb, yb in minibatches(X, y, batch_size, rng=gen):
                loss = cross_entropy(model(Tensor(xb)), yb)
                optimizer.zero_grad()
                loss.backward()
                if clip:
                    clip_grad_norm_(params, clip)
                if on_step is not None:
                    on_step(step, loss, model, xb)
                try:
                    optimizer.step()
                except FloatingPointError as e:
                    raise FloatingPointError(
                        f"fit: training diverged at epoch {epoch}, step {len(losses) + 1} "
                        f"(loss {loss.item():.4g}): {e}"
                    ) from e
                if schedule is not None and schedule_per == "batch":
                    schedule.step()
                losses.append(loss.item())
                counts.append(len(yb))
                step += 1
            if schedule is not None and schedule_per == "epoch":
                schedule.step()
            seconds = time.perf_counter() - start
            record = {
                "epoch": epoch,
                "loss": float(np.average(losses, weights=counts)) if losses else float("nan"),
                "seconds": seconds,
                "lr": float(optimizer.lr),
                "train_accuracy": accuracy(model, X, y),
            }
            if X_test is not None:
                record["test_accuracy"] = accuracy(model, X_test, y_test)
            record["eval_seconds"] = time.perf_counter() - start - seconds
            history.append(record)
            if bar is not None:
                shown = {"loss": f"{record['loss']:.4f}", "train": f"{record['train_accuracy']:.3f}"}
                if "test_accuracy" in record:
                    shown["test"] = f"{record['test_accuracy']:.3f}"
                bar.set_postfix(shown, refresh=False)
                bar.update(1)
            if on_epoch is not None:
                on_epoch(record)
    finally:
        if bar is not None:
            bar.close()
    return history
