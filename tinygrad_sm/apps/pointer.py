"""The pointer task: the attention classifier (or the mean-pool baseline) on padded
token sequences, trained by the one loop (``training.fit``) and written by the one run
writer (``outputs``, ``runs``).

``run(config, out)`` trains with ``PRESET`` (overridden by ``config``) and writes
``metrics.json``, ``model.npz``, ``loss.png``, ``attention.png`` (one test example's
attention weights) and ``backward_graph.svg`` into a run folder.
"""
from __future__ import annotations

import contextlib
import math
import os
from typing import TYPE_CHECKING, Any

import numpy as np

from ..checks import is_int, is_real
from ..data import train_test_split
from ..data.sequences import MAX_LEN, N_VALUES, pointer, token_names, vocab_size
from ..nn import AttentionClassifier, MeanPoolClassifier
from ..optim import Adam
from ..optim.lr_scheduler import CosineAnnealingLR
from .outputs import metrics, write_run
from .runs import run_folder
from .training import fit, predict

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from matplotlib.figure import Figure

# tests/apps/test_pointer.py (slow) checks that these settings reach ≥ 97% test accuracy in < 30 s of training.
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


def optimizer(model: AttentionClassifier | MeanPoolClassifier, lr: float, epochs: int,
              steps_per_epoch: int) -> tuple[Adam, CosineAnnealingLR]:
    """Adam with a cosine schedule down to 0 over every step of the run (stepped per batch)."""
    opt = Adam(model.parameters(), lr=lr)
    return opt, CosineAnnealingLR(opt, T_max=epochs * steps_per_epoch)


def train(cfg: dict[str, Any], on_epoch: Callable[..., Any] | None = None,
          on_step: Callable[..., Any] | None = None,
          progress: bool = False) -> tuple[Any, list[dict[str, Any]], tuple[np.ndarray, ...]]:
    """Build the data and the model of a checked ``cfg`` and train them with ``training.fit``
    (Adam, a per-batch cosine schedule, gradients clipped to ``cfg["clip"]``).

    Returns ``(model, history, (X_train, X_test, y_train, y_test))``. ``progress`` shows
    ``training.fit``'s progress bar.
    """
    X, y = pointer(cfg["n"], cfg["max_len"], cfg["n_values"], rng=cfg["seed"])
    split = train_test_split(X, y, test_size=cfg["test_size"], rng=cfg["seed"])
    X_train, X_test, y_train, y_test = split
    model = build(cfg["model"], cfg["max_len"], cfg["n_values"], cfg["d_model"], cfg["heads"], cfg["seed"])
    opt, schedule = optimizer(model, cfg["lr"], cfg["epochs"], math.ceil(len(X_train) / cfg["batch_size"]))
    with blas_threads(1):
        history = fit(model, opt, X_train, y_train, cfg["epochs"], cfg["batch_size"], rng=cfg["seed"],
                      X_test=X_test, y_test=y_test, on_epoch=on_epoch, schedule=schedule, schedule_per="batch",
                      clip=cfg["clip"], on_step=on_step, progress=progress)
    return model, history, split


def pictures(model: Any, history: list[dict[str, Any]], split: tuple[np.ndarray, ...],
             cfg: dict[str, Any]) -> dict[str, Callable[[], Figure]]:
    """loss.png, and attention.png for the attention model: file name -> a callable drawing it."""
    from .plots import training_curves

    title = f"pointer: {cfg['model']} d={cfg['d_model']}" + (f" H={cfg['heads']}" if cfg["model"] == "attention" else "")
    drawn = {"loss.png": lambda: training_curves(history, title=title)}
    if cfg["model"] == "attention":
        drawn["attention.png"] = lambda: example_figure(model, split[1], split[3], cfg["max_len"])
    return drawn


def run(config: dict[str, Any] | None = None, out: str | os.PathLike[str] | None = None,
        on_epoch: Callable[..., Any] | None = None, on_step: Callable[..., Any] | None = None,
        overwrite: bool = False) -> tuple[dict[str, Any], list[str]]:
    """Train on the pointer task; with ``out``, write the CLI's files into a run folder there.

    ``config`` overrides ``PRESET`` (keys ``dataset`` and ``out`` are accepted and
    ignored, so a CLI's configuration can be passed as it is). Returns
    ``(metrics, written)``: the metrics.json content and the names of the files written.
    The folder appears complete or not at all; an existing run folder is kept and the
    run goes to a numbered sibling unless ``overwrite`` (``runs.run_folder``).
    """
    cfg = check_config(config)
    model, history, split = train(cfg, on_epoch, on_step)
    payload = metrics({k: v for k, v in cfg.items() if k not in ("out", "dataset")}, model, history,
                      {"kind": cfg["model"]})
    if out is None:
        return payload, []
    with run_folder(out, overwrite) as folder:
        written = write_run(folder, model, payload, pictures(model, history, split, cfg),
                            split[0][: cfg["batch_size"]], split[2][: cfg["batch_size"]])
    return payload, written


def check_config(config: dict[str, Any] | None) -> dict[str, Any]:
    """``PRESET`` updated with ``config``, every setting checked (a ValueError naming it)."""
    cfg: dict[str, Any] = dict(PRESET)
    cfg.update(config or {})
    unknown = set(cfg) - set(PRESET) - {"out", "dataset"}
    if unknown:
        raise ValueError(f"pointer: unknown settings {sorted(unknown)}")
    checks = [
        ("model", cfg["model"] in ("attention", "mean-pool"), "'attention' or 'mean-pool'"),
        ("n", is_int(cfg["n"]) and cfg["n"] >= 2, "an int ≥ 2"),
        ("epochs", is_int(cfg["epochs"]) and cfg["epochs"] >= 1, "an int ≥ 1"),
        ("batch_size", is_int(cfg["batch_size"]) and cfg["batch_size"] >= 1, "an int ≥ 1"),
        ("heads", is_int(cfg["heads"]) and cfg["heads"] >= 1, "an int ≥ 1"),
        ("d_model", is_int(cfg["d_model"]) and cfg["d_model"] >= 1 and cfg["d_model"] % max(int(cfg["heads"]), 1) == 0,
         "a positive int, a multiple of heads"),
        ("lr", is_real(cfg["lr"]) and 0 < cfg["lr"] < math.inf, "positive and finite"),
        ("clip", cfg["clip"] is None or (is_real(cfg["clip"]) and 0 <= cfg["clip"] < math.inf),
         "≥ 0 (0 or None: no clipping)"),
        ("test_size", is_real(cfg["test_size"]) and 0 < cfg["test_size"] < 1, "between 0 and 1"),
    ]
    for key, ok, what in checks:
        if not ok:
            raise ValueError(f"pointer: {key} must be {what}, got {cfg[key]!r}")
    return cfg


def training_bytes(cfg: dict[str, Any]) -> int:
    """About how many bytes training takes, from the sizes alone: parameters with their
    gradients and Adam's two moments, and a batch's activations (the heads' L×L maps and
    the (B, L, d) tensors along the way, with their gradients), in float32."""
    # A batch never holds more sequences than the data set has (the evaluation batch is 4096).
    d, L, B = cfg["d_model"], cfg["max_len"], max(min(cfg["batch_size"], cfg["n"]), min(4096, cfg["n"]))
    V = vocab_size(cfg["max_len"], cfg["n_values"])
    params = (V + L) * d + 4 * d * d + 4 * d + 2 * d + 2
    activations = B * cfg["heads"] * L * L * 3 + B * L * d * 12
    return 4 * (4 * params + 2 * activations)


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
