"""``tinygrad-sm train``: train a classifier on a dataset and write metrics, plots and weights.

Every dataset goes the same way: flags checked and the memory estimated before anything
is allocated, ``training.fit``, then one run folder written by ``outputs.write_run``."""
import argparse
import math
import os
import textwrap
import time
from types import SimpleNamespace

import numpy as np

from ..outputs import metrics, write_run
from ..runs import run_folder
from .checks import add_out, fail, gib, memory_limit, run_folder_ok
from .errors import RunError

# Sensible settings per dataset; every one can be overridden on the command line.
PRESETS = {
    "spiral": dict(hidden=100, layers=1, lr=0.01, epochs=500, batch_size=256),
    "moons": dict(hidden=16, layers=2, lr=0.01, epochs=300, batch_size=256),
    "circles": dict(hidden=16, layers=2, lr=0.01, epochs=300, batch_size=256),
    "blobs": dict(hidden=16, layers=1, lr=0.01, epochs=100, batch_size=256),
    "xor": dict(hidden=16, layers=1, lr=0.01, epochs=300, batch_size=256),
    "digits": dict(hidden=128, layers=1, lr=1e-3, epochs=30, batch_size=64),
    # An attention classifier, not an MLP: --hidden is its width (2 heads); --layers is refused.
    "pointer": dict(hidden=32, lr=4e-3, epochs=10, batch_size=64),
}
ACTIVATIONS = ["relu", "tanh", "sigmoid"]
BYTES_PER_LAYER = 8192  # Python objects per layer (module, parameters, graph nodes): ~4 KiB measured, doubled


def presets_table():
    lines = ["dataset presets (an option you set replaces its preset value):",
             f"  {'dataset':<10}{'--hidden':>9}{'--layers':>9}{'--lr':>8}{'--epochs':>9}{'--batch-size':>13}"]
    for name, p in PRESETS.items():
        lines.append(f"  {name:<10}{p['hidden']:>9}{p.get('layers', '-'):>9}{p['lr']:>8g}{p['epochs']:>9}"
                     f"{p['batch_size']:>13}")
    return "\n".join(lines)


def add_parser(sub):
    p = sub.add_parser("train", help="train a classifier on a toy dataset",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       description=textwrap.fill(
                           "Train an MLP (softmax cross-entropy) on a toy dataset and write metrics.json, "
                           "model.npz, loss.png, decision_boundary.png (2-D data) and backward_graph.svg to "
                           "--out. --dataset pointer trains a self-attention classifier on padded token "
                           "sequences instead, and writes attention.png (one example's attention weights) in "
                           "place of the decision boundary (Adam with a cosine schedule; --layers, --activation "
                           "and --optimizer do not apply and are refused). Options left unset take the dataset's "
                           "preset (below). A run is written to a hidden folder and renamed into place when "
                           "complete; an existing run folder is never overwritten: the run goes to the first free "
                           "numbered sibling (runs/spiral-2, ...) unless --overwrite is given."),
                       epilog=presets_table())
    p.add_argument("--dataset", choices=sorted(PRESETS), default="spiral",
                   help="the data to learn (default: spiral)")
    p.add_argument("--hidden", type=int, help="units per hidden layer (default: preset)")
    p.add_argument("--layers", type=int,
                   help="hidden layers, 0 for a linear softmax classifier (default: preset)")
    p.add_argument("--activation", choices=ACTIVATIONS,
                   help="hidden-layer activation (default: relu)")
    p.add_argument("--optimizer", choices=["sgd", "adam"],
                   help="update rule (default: adam; sgd uses momentum 0.9)")
    p.add_argument("--lr", type=float, help="learning rate (default: preset)")
    p.add_argument("--epochs", type=int, help="passes over the training set (default: preset)")
    p.add_argument("--batch-size", type=int, help="rows per step (default: preset)")
    p.add_argument("--test-size", type=float, default=0.2,
                   help="held-out fraction of the rows (default: 0.2)")
    p.add_argument("--seed", type=int, default=0, help="seeds data, split, init and shuffling (default: 0)")
    add_out(p, None, "the run (default: runs/DATASET)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")


def config_from(args):
    """The resolved run configuration, with the checks that need no data (a ``UsageError`` each)."""
    if args.dataset == "pointer":
        given = [f"--{key}" for key in POINTER_REFUSED if getattr(args, key) is not None]
        if given:
            fail("train", f"{', '.join(given)} {'does' if len(given) == 1 else 'do'} not apply to --dataset pointer "
                          f"(an attention classifier trained with Adam and a cosine schedule)")
    cfg = dict(PRESETS[args.dataset])
    for key in ("hidden", "layers", "lr", "epochs", "batch_size"):
        if getattr(args, key) is not None:
            cfg[key] = getattr(args, key)
    cfg.update(dataset=args.dataset, activation=args.activation or "relu", optimizer=args.optimizer or "adam",
               test_size=args.test_size, seed=args.seed, out=args.out or os.path.join("runs", args.dataset))
    checks = [
        (math.isfinite(cfg["lr"]) and cfg["lr"] > 0, f"--lr must be positive and finite, got {cfg['lr']}"),
        (cfg["epochs"] >= 1, f"--epochs must be at least 1, got {cfg['epochs']}"),
        (cfg["batch_size"] >= 1, f"--batch-size must be at least 1, got {cfg['batch_size']}"),
        (cfg["hidden"] >= 1, f"--hidden must be at least 1, got {cfg['hidden']}"),
        (cfg.get("layers", 0) >= 0, f"--layers must be 0 or more, got {cfg.get('layers')}"),
        (0 < cfg["test_size"] < 1, f"--test-size must be a fraction between 0 and 1, got {cfg['test_size']}"),
        (cfg["seed"] >= 0, f"--seed must be 0 or more, got {cfg['seed']}"),
    ]
    for ok, message in checks:
        if not ok:
            fail("train", message)
    return cfg


def load_dataset(name, seed):
    from ...data import DATASETS

    return DATASETS[name](rng=seed) if name != "digits" else DATASETS[name]()


def check_split(cfg, n_rows):
    """Both halves of the split get at least one row (the same rounding as ``train_test_split``)."""
    n_test = int(round(cfg["test_size"] * n_rows))
    if n_test < 1 or n_test > n_rows - 1:
        side = "no test rows" if n_test < 1 else "no training rows"
        fail("train", f"--test-size {cfg['test_size']} leaves {side} out of the {n_rows} rows of "
                      f"{cfg['dataset']} (it needs between {1 / n_rows:.2g} and {1 - 1 / n_rows:.4g})")


def training_bytes(n_features, hidden, layers, n_classes, batch_rows, optimizer, itemsize=4):
    """About how many bytes training the MLP takes: parameters, gradients and optimizer
    state, the float64 draw that initialises the largest layer, activations and their
    gradients for ``batch_rows`` rows, and the Python objects of every layer. Computed
    from the sizes alone, before anything is allocated."""
    if layers == 0:
        params, largest, units = n_features * n_classes + n_classes, n_features * n_classes, n_classes
    else:
        params = (n_features * hidden + hidden + (layers - 1) * (hidden * hidden + hidden)
                  + hidden * n_classes + n_classes)
        largest = max(n_features * hidden, hidden * hidden if layers > 1 else 0, hidden * n_classes)
        units = layers * hidden + n_classes
    states = 2 if optimizer == "adam" else 1  # Adam's two moments; SGD's momentum buffer
    return (params * itemsize * (2 + states) + largest * 8 + batch_rows * units * itemsize * 4
            + (layers + 1) * BYTES_PER_LAYER)


def check_model_size(command, cfg, n_features, n_classes, n_rows):
    rows = max(min(cfg["batch_size"], n_rows), min(4096, n_rows))  # a step's batch, or an evaluation chunk
    need = training_bytes(n_features, cfg["hidden"], cfg["layers"], n_classes, rows, cfg["optimizer"])
    limit, why = memory_limit()
    if need > limit:
        fail(command, f"--hidden {cfg['hidden']} --layers {cfg['layers']} needs about {gib(need)} of memory, "
                      f"more than the {gib(limit)} allowed ({why}); use a smaller --hidden or --layers")


def build(cfg, n_features, n_classes):
    from ... import nn, optim

    sizes = [n_features] + [cfg["hidden"]] * cfg["layers"] + [n_classes]
    model = nn.MLP(sizes, activation=cfg["activation"], rng=cfg["seed"])
    if cfg["optimizer"] == "adam":
        opt = optim.Adam(model.parameters(), lr=cfg["lr"])
    else:
        opt = optim.SGD(model.parameters(), lr=cfg["lr"], momentum=0.9)
    return model, opt


class _Diverged(Exception):
    def __init__(self, epoch):
        self.epoch = epoch


def _watched(cfg, settings, train):
    """``train(on_epoch)``, stopped at the first epoch whose loss is NaN/inf (or whose
    gradient the optimizer refuses) with a ``RunError`` naming it."""
    done = [0]

    def on_epoch(r):
        done[0] = r["epoch"]
        if not math.isfinite(r["loss"]):
            raise _Diverged(r["epoch"])

    try:
        # A diverging run is reported below, once, instead of in NumPy's warnings.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return train(on_epoch)
    except (_Diverged, FloatingPointError) as e:
        epoch = e.epoch if isinstance(e, _Diverged) else done[0] + 1
        raise RunError(f"tinygrad-sm train: error: the loss (or its gradient) became NaN/inf at epoch {epoch} "
                       f"of {cfg['epochs']} ({settings}); try a smaller --lr. Nothing was written") from None


def _mlp_job(cfg):
    """The checks of an MLP run (before anything is allocated), and how to train and draw it."""
    from ...data import train_test_split
    from .. import plots
    from ..training import fit

    X, y = load_dataset(cfg["dataset"], cfg["seed"])
    check_split(cfg, len(y))
    n_classes = int(y.max()) + 1
    check_model_size("train", cfg, X.shape[1], n_classes, len(y))
    sizes = "-".join(str(s) for s in [X.shape[1]] + [cfg["hidden"]] * cfg["layers"] + [n_classes])
    n_test = int(round(cfg["test_size"] * len(y)))

    def train(on_epoch, progress):
        split = train_test_split(X, y, test_size=cfg["test_size"], rng=cfg["seed"])
        model, opt = build(cfg, X.shape[1], n_classes)
        history = fit(model, opt, split[0], split[2], cfg["epochs"], cfg["batch_size"], rng=cfg["seed"],
                      X_test=split[1], y_test=split[3], on_epoch=on_epoch, progress=progress)
        return model, history, split

    def pictures(model, history, split):
        title = f"{cfg['dataset']}: MLP {sizes}, {cfg['optimizer']}"
        drawn = {"loss.png": lambda: plots.training_curves(history, title=title)}
        if X.shape[1] == 2:
            drawn["decision_boundary.png"] = lambda: plots.decision_boundary(
                model, split[0], split[2], title=f"{title}: test accuracy {history[-1]['test_accuracy']:.3f}",
                X_test=split[1], y_test=split[3], resolution=150)
        return drawn

    header = (f"{cfg['dataset']} ({len(y) - n_test} train / {n_test} test), MLP {sizes} {cfg['activation']}, "
              f"{cfg['optimizer']} lr={cfg['lr']}")
    return SimpleNamespace(header=header, config=cfg, settings=f"{cfg['optimizer']}, lr={cfg['lr']:g}", train=train,
                           pictures=pictures, about=lambda model: {"sizes": model.sizes})


POINTER_REFUSED = ("layers", "activation", "optimizer")


def _pointer_job(cfg):
    """``--dataset pointer``: the attention classifier of ``apps.pointer``, same checks and outputs."""
    from .. import pointer

    heads = pointer.PRESET["heads"]
    if cfg["hidden"] % heads:
        fail("train", f"--hidden is the attention width for --dataset pointer and must be a multiple of "
                      f"{heads} (the heads), got {cfg['hidden']}")
    task = dict(epochs=cfg["epochs"], lr=cfg["lr"], batch_size=cfg["batch_size"], test_size=cfg["test_size"],
                seed=cfg["seed"], d_model=cfg["hidden"])
    task = pointer.check_config(task)
    n = task["n"]
    n_test = int(round(cfg["test_size"] * n))
    if not 0 < n_test < n:
        fail("train", f"--test-size {cfg['test_size']} leaves no test rows or no training rows of {n}")
    need, (limit, why) = pointer.training_bytes(task), memory_limit()
    if need > limit:
        fail("train", f"--hidden {cfg['hidden']} needs about {gib(need)} of memory, more than the {gib(limit)} "
                      f"allowed ({why}); use a smaller --hidden")
    header = (f"pointer ({n - n_test} train / {n_test} test sequences), self-attention width {cfg['hidden']}, "
              f"{heads} heads, adam with cosine decay lr={cfg['lr']}")
    config = {"dataset": "pointer", **task, "out": cfg["out"]}
    return SimpleNamespace(header=header, config=config, settings=f"adam, lr={cfg['lr']:g}",
                           train=lambda on_epoch, progress: pointer.train(task, on_epoch, progress=progress),
                           pictures=lambda model, history, split: pointer.pictures(model, history, split, task),
                           about=lambda model: {"kind": task["model"]})


def run(args):
    cfg = config_from(args)
    job = _pointer_job(cfg) if cfg["dataset"] == "pointer" else _mlp_job(cfg)
    run_folder_ok(cfg["out"], "train", overwrite=args.overwrite)
    if not args.quiet:
        epochs = f"{cfg['epochs']} epoch{'s' if cfg['epochs'] != 1 else ''}"
        print(f"tinygrad-sm train: {job.header}, {epochs}, batch {cfg['batch_size']}, seed {cfg['seed']}",
              flush=True)
    start = time.perf_counter()
    model, history, split = _watched(cfg, job.settings, lambda on_epoch: job.train(on_epoch, not args.quiet))
    payload = metrics(job.config, model, history, job.about(model))
    try:  # the pictures run the model again: a run that blew up is its loss's to report, not NumPy's
        with run_folder(cfg["out"], overwrite=args.overwrite) as folder, \
                np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            written = write_run(folder, model, payload, job.pictures(model, history, split),
                                split[0][: cfg["batch_size"]], split[2][: cfg["batch_size"]])
    except OSError as e:
        raise RunError(f"tinygrad-sm train: error: cannot write the run to {cfg['out']}: {e.strerror or e}; "
                       f"nothing was written") from None
    if not args.quiet:
        final = history[-1]
        print(f"train accuracy {final['train_accuracy']:.4f}, test accuracy {final['test_accuracy']:.4f} "
              f"({payload['timing']['train_seconds']:.2f} s training, {time.perf_counter() - start:.2f} s "
              f"with evaluation and files)")
        print(f"wrote {', '.join(written)} to {folder.final}{os.sep}")
    return 0
