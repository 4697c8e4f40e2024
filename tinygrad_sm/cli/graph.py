"""``tinygrad-sm graph``: draw the graph of one training step, or of a Python file's tensor."""
import os
import runpy

from .errors import UsageError
from .train import PRESETS, build, load_dataset


def add_parser(sub):
    p = sub.add_parser("graph", help="draw the forward/backward graph of one training step or of a file",
                       description="Draw the graph of one training step (forward + backward, no update) "
                                   "of an MLP on a toy dataset, or of the tensor named `out` in a Python file.")
    p.add_argument("--dataset", choices=sorted(PRESETS), default="spiral")
    p.add_argument("--hidden", type=int, default=16)
    p.add_argument("--layers", type=int, default=1)
    p.add_argument("--activation", choices=["relu", "tanh", "sigmoid"], default="relu")
    p.add_argument("--batch-size", type=int, default=8, help="rows in the drawn step (default 8)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--expr", metavar="FILE", help="a Python file that assigns the tensor to draw to `out` "
                                                  "(and optionally a Module to `params`)")
    p.add_argument("--kind", choices=["backward", "forward", "both"], default="both")
    p.add_argument("--format", choices=["svg", "png", "pdf", "dot"], default="svg")
    p.add_argument("--max-nodes", type=int, default=500)
    p.add_argument("--show-values", action="store_true", help="print small values and grads in the boxes")
    p.add_argument("--out", default=os.path.join("runs", "graph"), help="output directory (default runs/graph)")


def _from_file(path):
    from ..tensor import Tensor

    if not os.path.isfile(path):
        raise UsageError(f"tinygrad-sm graph: error: --expr {path}: no such file")
    scope = runpy.run_path(path, run_name="__tinygrad_sm_graph__")
    out = scope.get("out")
    if not isinstance(out, Tensor):
        raise UsageError(f"tinygrad-sm graph: error: {path} must assign the tensor to draw to a variable named `out`")
    return out, scope.get("params")


def _from_model(args):
    from ..training import traced_step

    if args.batch_size < 1 or args.hidden < 1 or args.layers < 0:
        raise UsageError("tinygrad-sm graph: error: --batch-size and --hidden must be at least 1, --layers at least 0")
    X, y = load_dataset(args.dataset, args.seed)
    cfg = dict(hidden=args.hidden, layers=args.layers, activation=args.activation, optimizer="sgd", lr=0.1,
               seed=args.seed)
    model, _ = build(cfg, X.shape[1], int(y.max()) + 1)
    return traced_step(model, X[: args.batch_size], y[: args.batch_size]), model


def run(args):
    from ..viz import GraphvizNotFound, render

    if args.max_nodes < 1:
        raise UsageError("tinygrad-sm graph: error: --max-nodes must be at least 1")
    out, params = _from_file(args.expr) if args.expr else _from_model(args)
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as e:
        raise UsageError(f"tinygrad-sm graph: error: cannot write to --out {args.out}: {e.strerror or e}") from None
    kinds = ["backward", "forward"] if args.kind == "both" else [args.kind]
    stem = os.path.splitext(os.path.basename(args.expr))[0] + "_{kind}" if args.expr else "{kind}_graph"
    written = []
    for kind in kinds:
        path = os.path.join(args.out, f"{stem.format(kind=kind)}.{args.format}")
        try:
            render(out, path, kind=kind, params=params, max_nodes=args.max_nodes, show_values=args.show_values)
        except GraphvizNotFound as e:
            raise UsageError(f"tinygrad-sm graph: error: {e}") from None
        written.append(path)
    print("wrote " + ", ".join(written))
    return 0
