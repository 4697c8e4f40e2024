"""The ``tinygrad-sm`` command (also ``python -m tinygrad_sm``)."""
import argparse
import sys

from . import bench, graph, train
from .errors import UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"{self.prog}: error: {message}")


COMMANDS = {"train": train, "graph": graph, "bench": bench}


def build_parser():
    parser = _Parser(prog="tinygrad-sm", description="tinygrad_sm: reverse-mode autodiff with softmax as a primitive.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, module in COMMANDS.items():
        module.add_parser(sub)
    return parser


def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command].run(args) or 0
    except UsageError as e:
        print(str(e), file=sys.stderr)
        return 2
