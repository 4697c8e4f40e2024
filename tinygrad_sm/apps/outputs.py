"""What every training run writes, for every dataset: metrics.json, model.npz, its
pictures and the backward graph of one step, into a run folder of ``runs``.

A missing optional package (matplotlib, graphviz, Graphviz's ``dot``) skips its file
with one line saying how to get it; the run itself goes on.
"""
import platform
import shutil

import numpy as np

from .optional import DOT_HINT, installed, note
from .runs import write_json


def metrics(cfg, model, history, extra=None):
    """The metrics.json content: the settings, the model's size, the final numbers, the
    per-epoch history and the training time (evaluation excluded), and the versions."""
    from .. import __version__

    final = history[-1]
    return {
        "config": dict(cfg),
        "model": {**(extra or {}), "parameters": int(sum(p.size for p in model.parameters()))},
        "final": {k: final[k] for k in ("loss", "train_accuracy", "test_accuracy")},
        "epochs": [{k: v for k, v in r.items() if k not in ("seconds", "eval_seconds")} for r in history],
        "timing": {"train_seconds": sum(r["seconds"] for r in history),
                   "eval_seconds": sum(r["eval_seconds"] for r in history),
                   "seconds_per_epoch": [r["seconds"] for r in history]},
        "versions": {"tinygrad_sm": __version__, "numpy": np.__version__, "python": platform.python_version()},
    }


def write_run(folder, model, payload, pictures, X, y):
    """Write everything into ``folder`` (a ``runs.run_folder``); return the names written.

    ``pictures`` maps a file name to a callable that returns a matplotlib Figure;
    ``X[:batch], y[:batch]`` is the step whose backward graph is drawn.
    """
    write_json(folder.join("metrics.json"), payload)
    model.save(folder.join("model.npz"))
    written = ["metrics.json", "model.npz"]
    if pictures and not installed("matplotlib"):
        note(f"skipped {', '.join(pictures)}: matplotlib is not installed (pip install matplotlib)")
    elif pictures:
        for name, draw in pictures.items():
            draw().savefig(folder.join(name), dpi=90)
            written.append(name)
    graph = step_graph(folder, model, X, y)
    return written + ([graph] if graph else [])


def step_graph(folder, model, X, y):
    """The backward graph of one more step (no update), as SVG; DOT source without
    Graphviz's ``dot``; one line instead without the graphviz package."""
    if not installed("graphviz"):
        note("skipped backward_graph.svg: the graphviz package is not installed (pip install graphviz)")
        return None
    from ..viz import GraphvizNotFound, render
    from .training import traced_step

    loss = traced_step(model, X, y)
    if shutil.which("dot") is not None:
        try:
            render(loss, folder.join("backward_graph.svg"), params=model)
            return "backward_graph.svg"
        except GraphvizNotFound:
            pass
    render(loss, folder.join("backward_graph.dot"), params=model)
    note(f"wrote backward_graph.dot instead of backward_graph.svg: Graphviz's 'dot' program is not on "
         f"PATH ({DOT_HINT})")
    return "backward_graph.dot"
