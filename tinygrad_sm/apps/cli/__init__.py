"""The ``tinygrad-sm`` command (also ``python -m tinygrad_sm``).

Exit codes: 0 done, 1 a run that could not finish (it diverged, a file could not be
written, the disk is full, memory ran out), 2 a bad argument, 130 interrupted (Ctrl-C;
a run folder being written is removed); each failure is one line on stderr, never a
traceback.
"""
import argparse
import os
import sys

from ... import __version__
from . import bench, graph, train
from .errors import RunError, UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(f"{self.prog}: error: {message}")


COMMANDS = {"train": train, "graph": graph, "bench": bench}


def build_parser():
    parser = _Parser(prog="tinygrad-sm",
                     description="tinygrad_sm: reverse-mode autodiff with softmax as a primitive.",
                     epilog="Run 'tinygrad-sm COMMAND --help' for a command's options and defaults.")
    parser.add_argument("--version", action="version", version=f"tinygrad_sm {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for module in COMMANDS.values():
        module.add_parser(sub)
    return parser


def main(argv=None):
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:  # bare `tinygrad-sm`: what it can do, as for a bad argument
            parser.print_help(sys.stderr)
            return 2
        return COMMANDS[args.command].run(args) or 0
    except SystemExit as e:  # --help and --version print, then exit 0
        return e.code if isinstance(e.code, int) else 0
    except UsageError as e:
        print(str(e), file=sys.stderr)
        return 2
    except RunError as e:
        print(str(e), file=sys.stderr)
        return 1
    except BrokenPipeError:  # `tinygrad-sm ... | head`: the reader left; say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except OSError as e:  # a full disk (ENOSPC), a file-size limit (EFBIG), a vanished folder, ...
        where = f" {e.filename}" if e.filename else ""
        print(f"tinygrad-sm: error: cannot write{where}: {e.strerror or e}", file=sys.stderr)
        return 1
    except MemoryError:
        print("tinygrad-sm: error: out of memory; try smaller sizes", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tinygrad-sm: interrupted", file=sys.stderr)
        return 130
