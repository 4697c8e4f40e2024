"""``tinygrad-sm train``: train an MLP on a toy dataset and write metrics, plots and weights."""
import json
import os
import platform
import sys
import time

import numpy as np

from .errors import UsageError

# Sensible settings per dataset; every one can be overridden on the command line.
PRESETS = {
    "spiral": dict(hidden=100, layers=1, lr=0.01, epochs=500, batch_size=256),
    "moons": dict(hidden=16, layers=2, lr=0.01, epochs=300, batch_size=256),
    "circles": dict(hidden=16, layers=2, lr=0.01, epochs=300, batch_size=256),
    "blobs": dict(hidden=16, layers=1, lr=0.01, epochs=100, batch_size=256),
    "xor": dict(hidden=16, layers=1, lr=0.01, epochs=300, batch_size=256),
    "digits": dict(hidden=128, layers=1, lr=1e-3, epochs=30, batch_size=64),
}


def add_parser(sub):
    p = sub.add_parser("train", help="train a classifier on a toy dataset",
                       description="Train an MLP (softmax cross-entropy) on a toy dataset. Unset options "
                                   "take the dataset's preset.")
    p.add_argument("--dataset", choices=sorted(PRESETS), default="spiral", help="default: spiral (built in)")
    p.add_argument("--hidden", type=int, help="units per hidden layer")
    p.add_argument("--layers", type=int, help="hidden layers (0: a linear softmax classifier)")
    p.add_argument("--activation", choices=["relu", "tanh", "sigmoid"], default="relu")
    p.add_argument("--optimizer", choices=["sgd", "adam"], default="adam")
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--epochs", type=int)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--test-size", type=float, default=0.2, help="held-out fraction (default 0.2)")
    p.add_argument("--seed", type=int, default=0, help="seeds data, split, init and shuffling")
    p.add_argument("--out", default=None, help="output directory (default: runs/DATASET)")
    p.add_argument("--quiet", action="store_true", help="no progress bar and no summary")


def config_from(args):
    """The resolved run configuration, with argument checks (a ``UsageError`` each)."""
    cfg = dict(PRESETS[args.dataset])
    for key in ("hidden", "layers", "lr", "epochs", "batch_size"):
        if getattr(args, key) is not None:
            cfg[key] = getattr(args, key)
    cfg.update(dataset=args.dataset, activation=args.activation, optimizer=args.optimizer,
               test_size=args.test_size, seed=args.seed, out=args.out or os.path.join("runs", args.dataset))
    checks = [
        (cfg["lr"] > 0, f"--lr must be positive, got {cfg['lr']}"),
        (cfg["epochs"] >= 1, f"--epochs must be at least 1, got {cfg['epochs']}"),
        (cfg["batch_size"] >= 1, f"--batch-size must be at least 1, got {cfg['batch_size']}"),
        (cfg["hidden"] >= 1, f"--hidden must be at least 1, got {cfg['hidden']}"),
        (cfg["layers"] >= 0, f"--layers must be 0 or more, got {cfg['layers']}"),
        (0 < cfg["test_size"] < 1, f"--test-size must be between 0 and 1, got {cfg['test_size']}"),
    ]
    for ok, message in checks:
        if not ok:
            raise UsageError(f"tinygrad-sm train: error: {message}")
    try:
        os.makedirs(cfg["out"], exist_ok=True)
        probe = os.path.join(cfg["out"], ".write-test")
        with open(probe, "w"):
            pass
        os.remove(probe)
    except OSError as e:
        raise UsageError(f"tinygrad-sm train: error: cannot write to --out {cfg['out']}: {e.strerror or e}") from None
    return cfg


def load_dataset(name, seed):
    from ..data import DATASETS
    try:
        return DATASETS[name](rng=seed) if name != "digits" else DATASETS[name]()
    except ImportError as e:
        raise UsageError(f"tinygrad-sm train: error: {e}") from None


def build(cfg, n_features, n_classes):
    from .. import nn, optim

    sizes = [n_features] + [cfg["hidden"]] * cfg["layers"] + [n_classes]
    model = nn.MLP(sizes, activation=cfg["activation"], rng=cfg["seed"])
    if cfg["optimizer"] == "adam":
        opt = optim.Adam(model.parameters(), lr=cfg["lr"])
    else:
        opt = optim.SGD(model.parameters(), lr=cfg["lr"], momentum=0.9)
    return model, opt


def run(args):
    from .. import __version__
    from ..data import train_test_split
    from ..training import fit

    cfg = config_from(args)
    X, y = load_dataset(cfg["dataset"], cfg["seed"])
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=cfg["test_size"], rng=cfg["seed"])
    n_classes = int(y.max()) + 1
    model, opt = build(cfg, X.shape[1], n_classes)
    sizes = "-".join(str(s) for s in model.sizes)
    if not args.quiet:
        print(f"tinygrad-sm train: {cfg['dataset']} ({len(y_train)} train / {len(y_test)} test), "
              f"MLP {sizes} {cfg['activation']}, {cfg['optimizer']} lr={cfg['lr']}, "
              f"{cfg['epochs']} epochs, batch {cfg['batch_size']}, seed {cfg['seed']}")
    bar = None
    if not args.quiet:
        from tqdm import tqdm

        bar = tqdm(total=cfg["epochs"], unit="epoch", file=sys.stderr, dynamic_ncols=True, disable=None)  # off when not a terminal

    def on_epoch(r):
        if bar is not None:
            bar.update(1)
            bar.set_postfix(loss=f"{r['loss']:.4f}", train=f"{r['train_accuracy']:.3f}",
                            test=f"{r['test_accuracy']:.3f}", refresh=False)

    start = time.perf_counter()
    history = fit(model, opt, X_train, y_train, cfg["epochs"], cfg["batch_size"], rng=cfg["seed"],
                  X_test=X_test, y_test=y_test, on_epoch=on_epoch)
    seconds = time.perf_counter() - start
    if bar is not None:
        bar.close()
    final = history[-1]
    out = cfg["out"]
    metrics = {
        "config": dict(cfg),
        "model": {"sizes": model.sizes, "parameters": int(sum(p.size for p in model.parameters()))},
        "final": {"loss": final["loss"], "train_accuracy": final["train_accuracy"],
                  "test_accuracy": final["test_accuracy"]},
        "epochs": [{k: v for k, v in r.items() if k != "seconds"} for r in history],
        "timing": {"train_seconds": seconds, "seconds_per_epoch": [r["seconds"] for r in history]},
        "versions": {"tinygrad_sm": __version__, "numpy": np.__version__, "python": platform.python_version()},
    }
    with open(os.path.join(out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    model.save(os.path.join(out, "model.npz"))
    from ..plots import decision_boundary, training_curves

    title = f"{cfg['dataset']}: MLP {sizes}, {cfg['optimizer']}"
    training_curves(history, os.path.join(out, "loss.png"), title=title)
    written = ["metrics.json", "model.npz", "loss.png"]
    if X.shape[1] == 2:
        decision_boundary(model, X_train, y_train, os.path.join(out, "decision_boundary.png"),
                          title=f"{title}: test accuracy {final['test_accuracy']:.3f}", X_test=X_test, y_test=y_test)
        written.append("decision_boundary.png")
    written.append(_step_graph(model, X_train, y_train, cfg["batch_size"], out))
    if not args.quiet:
        print(f"train accuracy {final['train_accuracy']:.4f}, test accuracy {final['test_accuracy']:.4f} "
              f"({seconds:.2f} s)")
        print(f"wrote {', '.join(written)} to {out}/")
    return 0


def _step_graph(model, X, y, batch_size, out):
    """The backward graph of one more step (no update), as SVG; DOT source without Graphviz."""
    from ..training import traced_step
    from ..viz import GraphvizNotFound, render

    loss = traced_step(model, X[:batch_size], y[:batch_size])
    try:
        render(loss, os.path.join(out, "backward_graph.svg"), params=model)
        return "backward_graph.svg"
    except GraphvizNotFound:
        render(loss, os.path.join(out, "backward_graph.dot"), params=model)
        return "backward_graph.dot (install Graphviz to render it)"
