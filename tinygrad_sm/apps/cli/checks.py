"""Checks the subcommands share: output folders, memory budgets, --out and --overwrite.
A failed check is one line naming the flag (a ``UsageError``)."""
import argparse
import os
import tempfile

from ..runs import MARKER, is_replaceable
from .errors import UsageError

GiB = 2**30
MEMORY_CAP = 4 * GiB


class DefaultsHelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """``--help`` shows each option's default, except where there is none to show."""

    def _get_help_string(self, action):
        if action.default is None or action.default is False or "default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


def fail(command, message):
    raise UsageError(f"tinygrad-sm {command}: error: {message}")


def memory_limit():
    """``(bytes, why)``: what a command may plan to allocate, half this machine's memory
    and at most 4 GiB."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        total = 0
    if 0 < total // 2 < MEMORY_CAP:
        return total // 2, "half of this machine's memory"
    return MEMORY_CAP, "the 4 GiB cap"


def gib(n):
    return f"{n / GiB:.1f} GiB" if n >= GiB / 10 else f"{n / 2**20:.1f} MiB"


def writable_dir(path, command, flag="--out"):
    """Create ``path`` if needed and check that a file can be written in it."""
    if os.path.exists(path) and not os.path.isdir(path):
        fail(command, f"cannot write to {flag} {path}: it is a file, not a directory")
    try:
        os.makedirs(path, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as e:
        fail(command, f"cannot write to {flag} {path}: {e.strerror or e}")
    return path


def run_folder_ok(path, command, overwrite=False):
    """``path`` can become a run folder: not a file (a trailing slash included), not ``.``,
    ``..``, ``/`` or a folder holding the current one, and its parent writable. With
    ``overwrite``, what is there must be a run folder (``runs.MARKER``) or empty: nothing
    else is ever replaced. The folder itself is made by ``runs.run_folder``."""
    plain = os.path.normpath(path)
    where = os.path.abspath(plain)
    if os.path.exists(plain) and not os.path.isdir(plain):
        fail(command, f"cannot write to --out {path}: it is a file, not a directory")
    here = os.path.abspath(os.getcwd())
    if os.path.basename(where) in ("", ".", "..") or here == where or here.startswith(where.rstrip(os.sep) + os.sep):
        fail(command, f"--out {path} is the current folder or holds it; name a folder for this run "
                      f"(e.g. --out runs/mine)")
    if overwrite and os.path.islink(plain):
        fail(command, f"--out {path} is a symbolic link; --overwrite replaces only a real run folder: "
                      f"pass the folder it points to ({os.path.realpath(plain)})")
    if overwrite and not is_replaceable(plain):
        fail(command, f"--out {path} is a folder that is not a tinygrad-sm run (no {MARKER} in it); "
                      f"--overwrite refuses to replace it: choose another --out, or remove it yourself")
    writable_dir(os.path.dirname(where), command)
    return path


def add_out(parser, default, what):
    """``--out`` and ``--overwrite``, worded alike for every subcommand."""
    parser.add_argument("--out", default=default,
                        help=f"folder for {what}; written to a hidden folder and renamed into place when "
                             f"complete; if a run is already there, the first free OUT-2, OUT-3, ... is used"
                             + (f" (default: {default})" if default else ""))
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an existing --out run folder instead (once the new one is complete); "
                             "only a folder a tinygrad-sm run wrote (or an empty one) is ever replaced")
