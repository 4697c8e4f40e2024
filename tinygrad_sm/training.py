"""The training loop the CLI and the examples share: minibatch SGD/Adam on cross-entropy."""
import numbers
import time

import numpy as np

from .data import minibatches
from .functional import cross_entropy
from .grad_mode import no_grad
from .tensor import Tensor


def _positive_int(where, name, value, allow_zero=False):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < (0 if allow_zero else 1):
        raise ValueError(f"{where}: {name} must be a {'non-negative' if allow_zero else 'positive'} integer, got {value!r}")
    return int(value)


def predict(model, X, batch_size=4096):
    """Class predictions (argmax of the logits), computed without recording.

    The model runs in eval mode and gets its own mode back afterwards, also if it raises.
    """
    batch_size = _positive_int("predict", "batch_size", batch_size)
    X = np.asarray(X)
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    try:
        with no_grad():
            parts = [model(Tensor(X[i : i + batch_size])).data.argmax(-1) for i in range(0, len(X), batch_size)]
    finally:
        if was_training:
            model.train()
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.intp)


def accuracy(model, X, y):
    """The fraction of rows whose predicted class is ``y`` (NaN for no rows)."""
    y = np.asarray(y)
    if y.shape != (len(X),):
        raise ValueError(f"accuracy: y must hold one label per row of X, shape ({len(X)},); got {y.shape}")
    return float((predict(model, X) == y).mean()) if len(y) else float("nan")


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


def fit(model, optimizer, X, y, epochs, batch_size, rng=0, X_test=None, y_test=None, on_epoch=None):
    """Train ``model`` with ``optimizer`` on softmax cross-entropy.

    Returns the history: one dict per epoch with ``loss`` (mean over the epoch's
    minibatches), ``train_accuracy``, ``test_accuracy`` (if a test set is given)
    and ``seconds``. ``on_epoch(record)`` is called after each epoch.

    The arguments and the data (row counts, finite inputs, labels in range for the
    model's outputs) are checked before the first update. A non-finite gradient stops
    training with ``FloatingPointError`` naming the epoch and step; the optimizer
    refuses that step, so the parameters are those of the last finite one.
    """
    epochs = _positive_int("fit", "epochs", epochs, allow_zero=True)
    batch_size = _positive_int("fit", "batch_size", batch_size)
    X, y = _check_data(model, X, y, "the training set")
    if (X_test is None) != (y_test is None):
        raise ValueError("fit: pass both X_test and y_test, or neither")
    if X_test is not None:
        X_test, y_test = _check_data(model, X_test, y_test, "the test set")
    gen = np.random.default_rng(rng)
    history = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.train()
        losses, counts = [], []
        for step, (xb, yb) in enumerate(minibatches(X, y, batch_size, rng=gen), start=1):
            loss = cross_entropy(model(Tensor(xb)), yb)
            optimizer.zero_grad()
            loss.backward()
            try:
                optimizer.step()
            except FloatingPointError as e:
                raise FloatingPointError(
                    f"fit: training diverged at epoch {epoch}, step {step} (loss {loss.item():.4g}): {e}"
                ) from e
            losses.append(loss.item())
            counts.append(len(yb))
        record = {
            "epoch": epoch,
            "loss": float(np.average(losses, weights=counts)) if losses else float("nan"),
            "seconds": time.perf_counter() - start,
            "train_accuracy": accuracy(model, X, y),
        }
        if X_test is not None:
            record["test_accuracy"] = accuracy(model, X_test, y_test)
        history.append(record)
        if on_epoch is not None:
            on_epoch(record)
    return history
