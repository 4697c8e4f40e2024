"""The pointer task end to end: build the attention classifier (or the mean-pool
baseline), train it, and write what ``tinygrad-sm train --dataset pointer`` writes.

``run(config, out)`` is the one call the CLI needs: it trains with ``PRESET``
(overridden by ``config``) and writes ``metrics.json``, ``loss.png``, ``model.npz``,
``backward_graph.svg`` (one step, retained) and ``attention.png`` (one test
example's attention weights) to ``out``.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import platform
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from ..data import minibatches, train_test_split
from ..data.sequences import MAX_LEN, N_VALUES, pointer, token_names, vocab_size
from ..functional import cross_entropy
from ..nn import AttentionClassifier, MeanPoolClassifier
from ..nn.utils import clip_grad_norm_
from ..optim import Adam
from ..optim.lr_scheduler import CosineAnnealingLR
from .training import accuracy, predict

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from matplotlib.figure import Figure

# tests/test_attention_task.py (slow) checks that these settings reach ≥ 97% test accuracy in < 30 s of training.
PRESET = dict(model="attention", n=8000, max_len=MAX_LEN, n_values=N_VALUES, d_model=32, heads=2, lr=4e-3,
              epochs=10, batch_size=64, clip=1.0, test_size=0.2, seed=0)


def build(model: str = "attention", max_len: int = MAX_LEN, n_values: int = N_VALUES, d_model: int = 32,
          heads: int = 2, seed: int = 0) -> AttentionClassifier | MeanPoolClassifier:
    """The attention classifier, or the ``"mean-pool"`` baseline, for pointer sequences."""
    V = vocab_size(max_len, n_values)
    if model == "attention":
        return AttentionClassifier(V, max_len, d_model, heads, num_classes=2, rng=seed)
    if model == "mean-pool":
        return MeanPoolClassifier(V, max_len, d_model, num_classes=2, rng=seed)
    raise ValueError(f"pointer: model must be 'attention' or 'mean-pool', got {model!r}")


@contextlib.contextmanager
def blas_threads(n: int) -> Iterator[None]:
    """Limit NumPy's BLAS to ``n`` threads inside the block (needs threadpoolctl; a no-op
    without it). On a busy machine, multithreaded OpenBLAS turns these small matrix
    products from ~0.1 ms into ~10 ms; one thread is the fast choice here."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(n, user_api="blas"):
        yield


def fit(model: AttentionClassifier | MeanPoolClassifier, X: np.ndarray, y: np.ndarray, epochs: int,
        batch_size: int, lr: float, clip: float | None = 1.0, rng: int | np.random.Generator | None = 0,
        X_test: np.ndarray | None = None, y_test: np.ndarray | None = None,
        on_epoch: Callable[..., Any] | None = None,
        on_step: Callable[..., Any] | None = None) -> list[dict[str, Any]]:
    """Adam with a per-step cosine schedule down to 0, gradients clipped to norm ``clip``
    (0 or None: not clipped), on softmax cross-entropy.

    Returns the history: one dict per epoch with ``loss`` (mean over the epoch's
    minibatches), ``seconds`` (the training steps alone, evaluation excluded), ``lr``
    (at the epoch's end), ``train_accuracy`` and, given a test set, ``test_accuracy``.
    ``on_step(step, loss, model, tokens)`` runs after each backward, before the update.
    """
    opt = Adam(model.parameters(), lr=lr)
    steps_per_epoch = math.ceil(len(X) / batch_size)
    schedule = CosineAnnealingLR(opt, T_max=epochs * steps_per_epoch)
    gen = np.random.default_rng(rng)
    params = model.parameters()
    history, step = [], 0
    for epoch in range(1, epochs + 1):
        model.train()
        losses, counts = [], []
        start = time.perf_counter()
        for xb, yb in minibatches(X, y, batch_size, rng=gen):
            loss = cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            if clip:
                clip_grad_norm_(params, clip)
            if on_step is not None:
                on_step(step, loss, model, xb)
            opt.step()
            schedule.step()
            losses.append(loss.item())
            counts.append(len(yb))
            step += 1
        seconds = time.perf_counter() - start
        record = {"epoch": epoch, "loss": float(np.average(losses, weights=counts)), "seconds": seconds,
                  "lr": schedule.get_last_lr()[0], "train_accuracy": accuracy(model, X, y)}
        if X_test is not None:
            record["test_accuracy"] = accuracy(model, X_test, y_test)
        history.append(record)
        if on_epoch is not None:
            on_epoch(record)
    return history


def run(config: dict[str, Any] | None = None, out: str | os.PathLike[str] | None = None,
        on_epoch: Callable[..., Any] | None = None,
        on_step: Callable[..., Any] | None = None) -> tuple[dict[str, Any], list[str]]:
    """Train on the pointer task; with ``out``, write the CLI's files there.

    ``config`` overrides ``PRESET`` (keys ``dataset`` and ``out`` are accepted and
    ignored, so a CLI's configuration can be passed as it is). Returns
    ``(metrics, written)``: the metrics.json content (config, model size, final loss
    and accuracies, per-epoch history, timing of the training steps alone, versions)
    and the names of the files written. ``on_epoch`` and ``on_step`` go to ``fit``.
    """
    from .. import __version__

    cfg = check_config(config)
    X, y = pointer(cfg["n"], cfg["max_len"], cfg["n_values"], rng=cfg["seed"])
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=cfg["test_size"], rng=cfg["seed"])
    model = build(cfg["model"], cfg["max_len"], cfg["n_values"], cfg["d_model"], cfg["heads"], cfg["seed"])
    with blas_threads(1):
        history = fit(model, X_train, y_train, cfg["epochs"], cfg["batch_size"], cfg["lr"], cfg["clip"],
                      rng=cfg["seed"], X_test=X_test, y_test=y_test, on_epoch=on_epoch, on_step=on_step)
    final = history[-1]
    metrics = {
        "config": {k: v for k, v in cfg.items() if k != "out"},
        "model": {"kind": cfg["model"], "parameters": int(sum(p.size for p in model.parameters()))},
        "final": {k: final[k] for k in ("loss", "train_accuracy", "test_accuracy")},
        "epochs": [{k: v for k, v in r.items() if k != "seconds"} for r in history],
        "timing": {"train_seconds": sum(r["seconds"] for r in history),
                   "seconds_per_epoch": [r["seconds"] for r in history]},
        "versions": {"tinygrad_sm": __version__, "numpy": np.__version__, "python": platform.python_version()},
    }
    written = []
    if out is not None:
        written = write_outputs(model, history, metrics, X_train, y_train, X_test, y_test, cfg, out)
    return metrics, written


def check_config(config: dict[str, Any] | None) -> dict[str, Any]:
    """``PRESET`` updated with ``config``, every setting checked (a ValueError naming it)."""
    cfg: dict[str, Any] = dict(PRESET)
    cfg.update(config or {})
    unknown = set(cfg) - set(PRESET) - {"out", "dataset"}
    if unknown:
        raise ValueError(f"pointer: unknown settings {sorted(unknown)}")
    checks = [
        ("model", cfg["model"] in ("attention", "mean-pool"), "'attention' or 'mean-pool'"),
        ("epochs", _int(cfg["epochs"]) and cfg["epochs"] >= 1, "an int ≥ 1"),
        ("batch_size", _int(cfg["batch_size"]) and cfg["batch_size"] >= 1, "an int ≥ 1"),
        ("heads", _int(cfg["heads"]) and cfg["heads"] >= 1, "an int ≥ 1"),
        ("d_model", _int(cfg["d_model"]) and cfg["d_model"] >= 1 and cfg["d_model"] % max(int(cfg["heads"]), 1) == 0,
         "a positive int, a multiple of heads"),
        ("lr", cfg["lr"] > 0, "positive"),
        ("clip", cfg["clip"] is None or cfg["clip"] >= 0, "≥ 0 (0 or None: no clipping)"),
        ("test_size", 0 < cfg["test_size"] < 1, "between 0 and 1"),
    ]
    for key, ok, what in checks:
        if not ok:
            raise ValueError(f"pointer: {key} must be {what}, got {cfg[key]!r}")
    return cfg


def _int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def write_outputs(model: AttentionClassifier | MeanPoolClassifier, history: list[dict[str, Any]],
                  metrics: dict[str, Any], X_train: np.ndarray, y_train: np.ndarray, X_test: np.ndarray,
                  y_test: np.ndarray, cfg: dict[str, Any], out: str | os.PathLike[str]) -> list[str]:
    """metrics.json, model.npz, loss.png, attention.png (attention model only) and the
    backward graph of one training step; returns the names written."""
    from .plots import training_curves

    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    model.save(os.path.join(out, "model.npz"))
    title = f"pointer: {cfg['model']} d={cfg['d_model']}" + (f" H={cfg['heads']}" if cfg["model"] == "attention" else "")
    training_curves(history, os.path.join(out, "loss.png"), title=title)
    written = ["metrics.json", "model.npz", "loss.png"]
    if cfg["model"] == "attention":
        example_figure(model, X_test, y_test, cfg["max_len"]).savefig(os.path.join(out, "attention.png"), dpi=110)
        written.append("attention.png")
    written.append(_step_graph(model, X_train[: cfg["batch_size"]], y_train[: cfg["batch_size"]], out))
    return written


def example_figure(model: AttentionClassifier, X: np.ndarray, y: np.ndarray, max_len: int = MAX_LEN,
                   index: int | None = None) -> Figure:
    """The attention weights of one example (the first test sequence with a pointer past
    position 3, so the pattern is visible), every head, titled with label and prediction."""
    from .. import no_grad
    from .plots_attention import attention_plot

    if index is None:
        far = np.flatnonzero(X[:, 0] > 3)
        index = int(far[0]) if len(far) else 0
    tokens = X[index : index + 1]
    length = int((tokens[0] != 0).sum())
    shown = min(length + 2, tokens.shape[1])  # the sequence and two padding positions
    model.eval()
    with no_grad():
        _, weights = model(tokens, return_weights=True)
    model.train()
    pred = int(predict(model, tokens)[0])
    title = (f"pointer example {index}: {' '.join(token_names(tokens[0, :length], max_len))}  "
             f"(label {int(y[index])}, predicted {pred}); padding queries attend to nothing")
    names = [n if i == 0 or n == "·" else f"{i}:{n}" for i, n in enumerate(token_names(tokens[0, :shown], max_len))]
    return attention_plot(weights.numpy()[0][:, :shown, :shown], names=names, title=title)


def _step_graph(model, X, y, out):
    """The backward graph of one step (no update), as SVG; DOT source without Graphviz."""
    from ..viz import GraphvizNotFound, render

    model.zero_grad()
    loss = cross_entropy(model(X), y)
    loss.backward(retain_graph=True)
    try:
        render(loss, os.path.join(out, "backward_graph.svg"), params=model)
        return "backward_graph.svg"
    except GraphvizNotFound:
        render(loss, os.path.join(out, "backward_graph.dot"), params=model)
        return "backward_graph.dot (install Graphviz to render it)"
