"""Checks the subcommands share: output folders, memory budgets, --out and --overwrite.
A failed check is one line naming the flag (a ``UsageError``)."""
import argparse
import os
import tempfile

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


def run_folder_ok(path, command):
    """``path`` can become a run folder: not a file, and its parent writable. The folder itself
    is made by ``runs.run_folder`` (complete or not at all; a numbered sibling if a run is there)."""
    if os.path.exists(path) and not os.path.isdir(path):
        fail(command, f"cannot write to --out {path}: it is a file, not a directory")
    writable_dir(os.path.dirname(os.path.abspath(path)), command)
    return path


def add_out(parser, default, what):
    """``--out`` and ``--overwrite``, worded alike for every subcommand."""
    parser.add_argument("--out", default=default,
                        help=f"folder for {what}; written to a hidden folder and renamed into place when "
                             f"complete; if a run is already there, the first free OUT-2, OUT-3, ... is used"
                             + (f" (default: {default})" if default else ""))
    parser.add_argument("--overwrite", action="store_true",
                        help="replace an existing --out folder instead (once the new one is complete)")
