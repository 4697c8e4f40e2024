"""``tinygrad-sm graph``: draw the graph of one training step, or of a Python file's tensor."""
import os
import runpy
import shutil
import traceback

from ..optional import DOT_HINT, installed
from ..runs import run_folder
from .checks import DefaultsHelpFormatter, add_out, fail, run_folder_ok
from .train import ACTIVATIONS, PRESETS, build, check_model_size, load_dataset

STEP = dict(dataset="spiral", hidden=16, layers=1, activation="relu", batch_size=8, seed=0)


def add_parser(sub):
    p = sub.add_parser("graph", help="draw the forward/backward graph of one training step or of a file",
                       formatter_class=DefaultsHelpFormatter,
                       description="Draw the graph of one training step (forward + backward, no update) of "
                                   "an MLP on a toy dataset, or of the tensor named `out` in a Python file. "
                                   "Writes backward_graph.FORMAT and/or forward_graph.FORMAT to --out; --kind steps "
                                   "writes backward_steps.html, a page that steps through the backward pass.")
    # The training step's settings: None when not given, so --expr can refuse them (they do not apply).
    p.add_argument("--dataset", choices=sorted(set(PRESETS) - {"pointer"}),
                   help="the data of the drawn step (an MLP; train --dataset pointer draws the attention model) "
                        f"(default: {STEP['dataset']})")
    p.add_argument("--hidden", type=int, help=f"units per hidden layer (default: {STEP['hidden']})")
    p.add_argument("--layers", type=int,
                   help=f"hidden layers (0: a linear softmax classifier) (default: {STEP['layers']})")
    p.add_argument("--activation", choices=ACTIVATIONS,
                   help=f"hidden-layer activation (default: {STEP['activation']})")
    p.add_argument("--batch-size", type=int, help=f"rows in the drawn step (default: {STEP['batch_size']})")
    p.add_argument("--seed", type=int, help=f"seeds the data and the initial weights (default: {STEP['seed']})")
    p.add_argument("--expr", metavar="FILE", default=None,
                   help="instead of a training step, a Python file that assigns the tensor to draw to `out` "
                        "(and optionally an nn.Module, a dict of name -> Tensor, or (name, Tensor) pairs to "
                        "`params`, to name the parameters)")
    p.add_argument("--kind", choices=["backward", "forward", "both", "steps"], default="both",
                   help="which graph(s); steps: a page that steps through backward, one VJP at a time")
    p.add_argument("--format", choices=["svg", "png", "pdf", "dot"], default="svg",
                   help="svg, png and pdf need Graphviz's dot program; dot (the source) does not")
    p.add_argument("--max-nodes", type=int, default=500,
                   help="draw at most this many nodes nearest the output")
    p.add_argument("--show-values", action="store_true", help="print small values and grads in the boxes")
    add_out(p, os.path.join("runs", "graph"), "the pictures")


def _check_params(params, path):
    """``params`` as the picture takes it: None, a Module, a dict of name -> Tensor, or
    (name, Tensor) pairs; anything else is one line naming the file."""
    from ...nn import Module
    from ...tensor import Tensor

    if params is None or isinstance(params, Module):
        return params
    expected = "an nn.Module, a dict of name -> Tensor or a list of (name, Tensor) pairs"
    if isinstance(params, dict):
        pairs = list(params.items())
    elif isinstance(params, (list, tuple)):
        pairs = list(params)
    else:
        fail("graph", f"--expr {path}: `params` must be {expected}, got {type(params).__name__}")
    for i, pair in enumerate(pairs):
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and isinstance(pair[0], str)):
            fail("graph", f"--expr {path}: `params` must be {expected}; entry {i} is {pair!r:.60}")
        if not isinstance(pair[1], Tensor):
            fail("graph", f"--expr {path}: `params` must be {expected}; {pair[0]!r} is not a Tensor but "
                          f"{type(pair[1]).__name__}")
    return pairs


def _from_file(path):
    from ...tensor import Tensor

    if not os.path.isfile(path):
        fail("graph", f"--expr {path}: {'not a file' if os.path.exists(path) else 'no such file'}")
    try:
        scope = runpy.run_path(path, run_name="__tinygrad_sm_graph__")
    except (Exception, SystemExit) as e:
        frames = [f for f in traceback.extract_tb(e.__traceback__) if os.path.abspath(f.filename) ==
                  os.path.abspath(path)]
        where = f" at line {frames[-1].lineno}" if frames else (
            f" at line {e.lineno}" if isinstance(e, SyntaxError) and e.lineno else "")
        fail("graph", f"--expr {path} raised {type(e).__name__}{where}: {e}")
    out = scope.get("out")
    if not isinstance(out, Tensor):
        fail("graph", f"--expr {path} must assign the tensor to draw to a variable named `out`")
    return out, _check_params(scope.get("params"), path)


def _from_model(args):
    from ..training import traced_step

    for key, value in STEP.items():
        if getattr(args, key) is None:
            setattr(args, key, value)

    checks = [
        (args.batch_size >= 1, f"--batch-size must be at least 1, got {args.batch_size}"),
        (args.hidden >= 1, f"--hidden must be at least 1, got {args.hidden}"),
        (args.layers >= 0, f"--layers must be 0 or more, got {args.layers}"),
        (args.seed >= 0, f"--seed must be 0 or more, got {args.seed}"),
    ]
    for ok, message in checks:
        if not ok:
            fail("graph", message)
    X, y = load_dataset(args.dataset, args.seed)
    cfg = dict(hidden=args.hidden, layers=args.layers, activation=args.activation, optimizer="sgd", lr=0.1,
               seed=args.seed, batch_size=args.batch_size)
    check_model_size("graph", cfg, X.shape[1], int(y.max()) + 1, min(args.batch_size, len(y)))
    model, _ = build(cfg, X.shape[1], int(y.max()) + 1)
    return traced_step(model, X[: args.batch_size], y[: args.batch_size]), model


def run(args):
    if args.max_nodes < 1:
        fail("graph", f"--max-nodes must be at least 1, got {args.max_nodes}")
    if not installed("graphviz"):
        fail("graph", "drawing needs the graphviz package, which is not installed (pip install graphviz)")
    if args.kind != "steps" and args.format != "dot" and shutil.which("dot") is None:
        fail("graph", f"--format {args.format} needs Graphviz's 'dot' program, which is not on PATH "
                      f"({DOT_HINT}); --format dot writes the DOT source without it")
    from ...viz import GraphvizNotFound, render

    if args.expr:
        given = [f"--{key.replace('_', '-')}" for key in STEP if getattr(args, key) is not None]
        if given:
            fail("graph", f"{', '.join(given)} {'does' if len(given) == 1 else 'do'} not apply to --expr "
                          f"(they describe the training step drawn without it)")
    out, params = _from_file(args.expr) if args.expr else _from_model(args)
    run_folder_ok(args.out, "graph", overwrite=args.overwrite)
    if args.kind == "steps":
        return _steps(out, params, args)
    kinds = ["backward", "forward"] if args.kind == "both" else [args.kind]
    stem = os.path.splitext(os.path.basename(args.expr))[0] + "_{kind}" if args.expr else "{kind}_graph"
    names = [f"{stem.format(kind=kind)}.{args.format}" for kind in kinds]
    try:
        with run_folder(args.out, overwrite=args.overwrite) as folder:
            for kind, name in zip(kinds, names):
                render(out, folder.join(name), kind=kind, params=params, max_nodes=args.max_nodes,
                       show_values=args.show_values)
    except GraphvizNotFound:
        fail("graph", f"--format {args.format} needs Graphviz's 'dot' program, which failed to run ({DOT_HINT})")
    print("wrote " + ", ".join(os.path.join(folder.final, name) for name in names))
    return 0


def _steps(out, params, args):
    """``--kind steps``: the page that steps through one backward pass (without dot, the
    graph is a list), written into a run folder like the pictures."""
    from ...viz import backward_steps

    try:
        steps = backward_steps(out, params=params, max_nodes=args.max_nodes)
        with run_folder(args.out, overwrite=args.overwrite) as folder:
            steps.save(folder.join("backward_steps.html"))
    except (ValueError, RuntimeError) as e:
        fail("graph", f"--kind steps: {e}")
    print(f"wrote {os.path.join(folder.final, 'backward_steps.html')} ({len(steps.frames)} steps)")
    return 0
