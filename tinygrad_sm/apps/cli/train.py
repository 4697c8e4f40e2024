"""``tinygrad-sm train``: train an MLP on a toy dataset and write metrics, plots and weights."""
import argparse
import math
import os
import platform
import shutil
import sys
import textwrap
import time

import numpy as np

from .checks import DOT_HINT, fail, gib, installed, memory_limit, note, writable_dir, write_json
from .errors import RunError

# Sensible settings per dataset; every one can be overridden on the command line.
PRESETS = {
    "spiral": dict(hidden=100, layers=1, lr=0.01, epochs=500, batch_size=256),
    "moons": dict(hidden=16, layers=2, lr=0.01, epochs=300, batch_size=256),
    "circles": dict(hidden=16, layers=2, lr=0.01, epochs=300, batch_size=256),
    "blobs": dict(hidden=16, layers=1, lr=0.01, epochs=100, batch_size=256),
    "xor": dict(hidden=16, layers=1, lr=0.01, epochs=300, batch_size=256),
    "digits": dict(hidden=128, layers=1, lr=1e-3, epochs=30, batch_size=64),
    # An attention classifier, not an MLP: --hidden is its width (2 heads), --layers is unused.
    "pointer": dict(hidden=32, layers=1, lr=4e-3, epochs=10, batch_size=64),
}
ACTIVATIONS = ["relu", "tanh", "sigmoid"]
BYTES_PER_LAYER = 8192  # Python objects per layer (module, parameters, graph nodes): ~4 KiB measured, doubled


def presets_table():
    lines = ["dataset presets (an option you set replaces its preset value):",
             f"  {'dataset':<10}{'--hidden':>9}{'--layers':>9}{'--lr':>8}{'--epochs':>9}{'--batch-size':>13}"]
    for name, p in PRESETS.items():
        lines.append(f"  {name:<10}{p['hidden']:>9}{p['layers']:>9}{p['lr']:>8g}{p['epochs']:>9}"
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
                           "place of the decision boundary. Options left unset take the dataset's preset (below)."),
                       epilog=presets_table())
    p.add_argument("--dataset", choices=sorted(PRESETS), default="spiral",
                   help="the data to learn (default: spiral)")
    p.add_argument("--hidden", type=int, help="units per hidden layer (default: preset)")
    p.add_argument("--layers", type=int,
                   help="hidden layers, 0 for a linear softmax classifier (default: preset)")
    p.add_argument("--activation", choices=ACTIVATIONS, default="relu",
                   help="hidden-layer activation (default: relu)")
    p.add_argument("--optimizer", choices=["sgd", "adam"], default="adam",
                   help="update rule (default: adam; sgd uses momentum 0.9)")
    p.add_argument("--lr", type=float, help="learning rate (default: preset)")
    p.add_argument("--epochs", type=int, help="passes over the training set (default: preset)")
    p.add_argument("--batch-size", type=int, help="rows per step (default: preset)")
    p.add_argument("--test-size", type=float, default=0.2,
                   help="held-out fraction of the rows (default: 0.2)")
    p.add_argument("--seed", type=int, default=0, help="seeds data, split, init and shuffling (default: 0)")
    p.add_argument("--out", default=None, help="output directory (default: runs/DATASET)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")


def config_from(args):
    """The resolved run configuration, with the checks that need no data (a ``UsageError`` each)."""
    cfg = dict(PRESETS[args.dataset])
    for key in ("hidden", "layers", "lr", "epochs", "batch_size"):
        if getattr(args, key) is not None:
            cfg[key] = getattr(args, key)
    cfg.update(dataset=args.dataset, activation=args.activation, optimizer=args.optimizer,
               test_size=args.test_size, seed=args.seed, out=args.out or os.path.join("runs", args.dataset))
    checks = [
        (math.isfinite(cfg["lr"]) and cfg["lr"] > 0, f"--lr must be positive and finite, got {cfg['lr']}"),
        (cfg["epochs"] >= 1, f"--epochs must be at least 1, got {cfg['epochs']}"),
        (cfg["batch_size"] >= 1, f"--batch-size must be at least 1, got {cfg['batch_size']}"),
        (cfg["hidden"] >= 1, f"--hidden must be at least 1, got {cfg['hidden']}"),
        (cfg["layers"] >= 0, f"--layers must be 0 or more, got {cfg['layers']}"),
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


def _progress_wanted():
    """A progress bar on a terminal or in a Jupyter notebook; never in CI or a log file."""
    from ..training import progress_wanted  # the rule training.fit(progress=True) follows too

    return progress_wanted()


def _progress_bar(total):
    if not _progress_wanted():
        return None
    if not installed("tqdm"):
        note("no progress bar: tqdm is not installed (pip install tqdm)")
        return None
    from tqdm.auto import tqdm  # the notebook widget in Jupyter, text on a terminal

    return tqdm(total=total, unit="epoch", file=sys.stderr, dynamic_ncols=True)


class _Diverged(Exception):
    def __init__(self, epoch):
        self.epoch = epoch


def _fit(model, opt, cfg, X_train, y_train, X_test, y_test, bar):
    from ..training import fit

    return _watched(cfg, bar, f"{cfg['optimizer']}, lr={cfg['lr']:g}", lambda on_epoch: fit(
        model, opt, X_train, y_train, cfg["epochs"], cfg["batch_size"], rng=cfg["seed"], X_test=X_test,
        y_test=y_test, on_epoch=on_epoch))


def _watched(cfg, bar, settings, train):
    """``train(on_epoch)`` with the epochs shown on ``bar``, stopped at the first epoch whose
    loss is NaN/inf (or whose gradient the optimizer refuses) with a ``RunError`` naming it."""
    done = [0]

    def on_epoch(r):
        done[0] = r["epoch"]
        if not math.isfinite(r["loss"]):
            raise _Diverged(r["epoch"])
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{r['loss']:.4f}", train=f"{r['train_accuracy']:.3f}",
                            test=f"{r['test_accuracy']:.3f}", refresh=False)

    try:
        # A diverging run is reported below, once, instead of in NumPy's warnings.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return train(on_epoch)
    except (_Diverged, FloatingPointError) as e:
        epoch = e.epoch if isinstance(e, _Diverged) else done[0] + 1
        raise RunError(f"tinygrad-sm train: error: the loss (or its gradient) became NaN/inf at epoch {epoch} "
                       f"of {cfg['epochs']} ({settings}); try a smaller --lr. Nothing was written") from None
    finally:
        if bar is not None:
            bar.close()


def run(args):
    from ... import __version__
    from ...data import train_test_split

    cfg = config_from(args)
    if cfg["dataset"] == "pointer":
        return _run_pointer(args, cfg)
    X, y = load_dataset(cfg["dataset"], cfg["seed"])
    check_split(cfg, len(y))
    n_classes = int(y.max()) + 1
    check_model_size("train", cfg, X.shape[1], n_classes, len(y))
    out = writable_dir(cfg["out"], "train")
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=cfg["test_size"], rng=cfg["seed"])
    model, opt = build(cfg, X.shape[1], n_classes)
    sizes = "-".join(str(s) for s in model.sizes)
    if not args.quiet:
        print(f"tinygrad-sm train: {cfg['dataset']} ({len(y_train)} train / {len(y_test)} test), "
              f"MLP {sizes} {cfg['activation']}, {cfg['optimizer']} lr={cfg['lr']}, "
              f"{cfg['epochs']} epoch{'s' if cfg['epochs'] != 1 else ''}, batch {cfg['batch_size']}, "
              f"seed {cfg['seed']}", flush=True)
    bar = None if args.quiet else _progress_bar(cfg["epochs"])
    start = time.perf_counter()
    history = _fit(model, opt, cfg, X_train, y_train, X_test, y_test, bar)
    seconds = time.perf_counter() - start
    final = history[-1]
    metrics = {
        "config": dict(cfg),
        "model": {"sizes": model.sizes, "parameters": int(sum(p.size for p in model.parameters()))},
        "final": {"loss": final["loss"], "train_accuracy": final["train_accuracy"],
                  "test_accuracy": final["test_accuracy"]},
        "epochs": [{k: v for k, v in r.items() if k != "seconds"} for r in history],
        "timing": {"train_seconds": seconds, "seconds_per_epoch": [r["seconds"] for r in history]},
        "versions": {"tinygrad_sm": __version__, "numpy": np.__version__,
                     "python": platform.python_version()},
    }
    write_json(os.path.join(out, "metrics.json"), metrics)
    try:
        model.save(os.path.join(out, "model.npz"))
    except OSError as e:
        raise RunError(f"tinygrad-sm train: error: cannot write {os.path.join(out, 'model.npz')}: "
                       f"{e.strerror or e}") from None
    written = ["metrics.json", "model.npz"]
    written += _plots(cfg, model, history, X_train, y_train, X_test, y_test, out, sizes)
    graph = _step_graph(model, X_train, y_train, cfg["batch_size"], out)
    if graph:
        written.append(graph)
    if not args.quiet:
        print(f"train accuracy {final['train_accuracy']:.4f}, test accuracy {final['test_accuracy']:.4f} "
              f"({seconds:.2f} s)")
        print(f"wrote {', '.join(written)} to {out}{os.sep}")
    return 0


def _plots(cfg, model, history, X_train, y_train, X_test, y_test, out, sizes):
    """loss.png, and decision_boundary.png for 2-D data; one line instead without matplotlib."""
    names = ["loss.png"] + (["decision_boundary.png"] if X_train.shape[1] == 2 else [])
    if not installed("matplotlib"):
        note(f"skipped {', '.join(names)}: matplotlib is not installed (pip install matplotlib)")
        return []
    try:
        from ..plots import decision_boundary, training_curves
    except ImportError as e:  # installed but broken
        note(f"skipped {', '.join(names)}: matplotlib could not be imported ({e})")
        return []
    final = history[-1]
    title = f"{cfg['dataset']}: MLP {sizes}, {cfg['optimizer']}"
    try:
        training_curves(history, os.path.join(out, "loss.png"), title=title)
        if X_train.shape[1] == 2:
            decision_boundary(model, X_train, y_train, os.path.join(out, "decision_boundary.png"),
                              title=f"{title}: test accuracy {final['test_accuracy']:.3f}",
                              X_test=X_test, y_test=y_test)
    except OSError as e:
        raise RunError(f"tinygrad-sm train: error: cannot write the plots to {out}: "
                       f"{e.strerror or e}") from None
    return names


def _step_graph(model, X, y, batch_size, out):
    """The backward graph of one more step (no update), as SVG; DOT source without Graphviz's
    ``dot``; one line instead without the graphviz package."""
    if not installed("graphviz"):
        note("skipped backward_graph.svg: the graphviz package is not installed (pip install graphviz)")
        return None
    from ...viz import GraphvizNotFound, render
    from ..training import traced_step

    loss = traced_step(model, X[:batch_size], y[:batch_size])
    try:
        if shutil.which("dot") is not None:
            try:
                render(loss, os.path.join(out, "backward_graph.svg"), params=model)
                return "backward_graph.svg"
            except GraphvizNotFound:
                pass
        render(loss, os.path.join(out, "backward_graph.dot"), params=model)
        note(f"wrote backward_graph.dot instead of backward_graph.svg: Graphviz's 'dot' program is not on "
             f"PATH ({DOT_HINT})")
        return "backward_graph.dot"
    except OSError as e:
        raise RunError(f"tinygrad-sm train: error: cannot write the graph to {out}: "
                       f"{e.strerror or e}") from None


def _run_pointer(args, cfg):
    """``--dataset pointer``: the attention classifier of ``apps.pointer``, same outputs."""
    from .. import pointer

    heads = pointer.PRESET["heads"]
    if cfg["hidden"] % heads:
        fail("train", f"--hidden is the attention width for --dataset pointer and must be a multiple of "
                      f"{heads} (the heads), got {cfg['hidden']}")
    task = dict(epochs=cfg["epochs"], lr=cfg["lr"], batch_size=cfg["batch_size"], test_size=cfg["test_size"],
                seed=cfg["seed"], d_model=cfg["hidden"])
    pointer.check_config(task)
    n_test = int(round(cfg["test_size"] * pointer.PRESET["n"]))
    if not 0 < n_test < pointer.PRESET["n"]:
        fail("train", f"--test-size {cfg['test_size']} leaves no test rows or no training rows of "
                      f"{pointer.PRESET['n']}")
    out = writable_dir(cfg["out"], "train")
    if not args.quiet:
        print(f"tinygrad-sm train: pointer ({pointer.PRESET['n']} sequences), self-attention width "
              f"{cfg['hidden']}, {heads} heads, adam with cosine decay lr={cfg['lr']}, {cfg['epochs']} epochs, "
              f"batch {cfg['batch_size']}, seed {cfg['seed']}", flush=True)
    bar = None if args.quiet else _progress_bar(cfg["epochs"])

    metrics, written = _watched(cfg, bar, f"adam, lr={cfg['lr']:g}",
                                lambda on_epoch: pointer.run(task, out=out, on_epoch=on_epoch))
    if not args.quiet:
        final = metrics["final"]
        print(f"train accuracy {final['train_accuracy']:.4f}, test accuracy {final['test_accuracy']:.4f} "
              f"({metrics['timing']['train_seconds']:.2f} s)")
        print(f"wrote {', '.join(written)} to {out}{os.sep}")
    return 0
