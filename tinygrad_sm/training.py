"""The training loop the CLI and the examples share: minibatch SGD/Adam on cross-entropy."""
import time

import numpy as np

from .data import minibatches
from .functional import cross_entropy
from .grad_mode import no_grad
from .tensor import Tensor


def predict(model, X, batch_size=4096):
    """Class predictions (argmax of the logits), computed without recording."""
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    with no_grad():
        out = np.concatenate([model(Tensor(X[i : i + batch_size])).data.argmax(-1) for i in range(0, len(X), batch_size)])
    if was_training:
        model.train()
    return out


def accuracy(model, X, y):
    return float((predict(model, X) == y).mean()) if len(y) else float("nan")


def traced_step(model, X, y):
    """One training step's forward and backward, without the update, keeping the graph
    (``retain_graph=True``) so it can be drawn with what every node saved."""
    model.zero_grad()
    loss = cross_entropy(model(Tensor(X)), y)
    loss.backward(retain_graph=True)
    return loss


def fit(model, optimizer, X, y, epochs, batch_size, rng=0, X_test=None, y_test=None, on_epoch=None):
    """Train ``model`` with ``optimizer`` on softmax cross-entropy.

    Returns the history: one dict per epoch with ``loss`` (mean over the epoch's
    minibatches), ``train_accuracy``, ``test_accuracy`` (if a test set is given)
    and ``seconds``. ``on_epoch(record)`` is called after each epoch.
    """
    gen = np.random.default_rng(rng)
    history = []
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        model.train()
        losses, counts = [], []
        for xb, yb in minibatches(X, y, batch_size, rng=gen):
            loss = cross_entropy(model(Tensor(xb)), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            counts.append(len(yb))
        record = {
            "epoch": epoch,
            "loss": float(np.average(losses, weights=counts)),
            "seconds": time.perf_counter() - start,
            "train_accuracy": accuracy(model, X, y),
        }
        if X_test is not None:
            record["test_accuracy"] = accuracy(model, X_test, y_test)
        history.append(record)
        if on_epoch is not None:
            on_epoch(record)
    return history
