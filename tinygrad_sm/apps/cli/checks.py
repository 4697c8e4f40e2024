"""Checks the subcommands share: output directories, memory budgets, optional packages,
strict JSON. A failed check is one line naming the flag (a ``UsageError``)."""
import argparse
import importlib.util
import json
import math
import os
import sys
import tempfile

from .errors import RunError, UsageError

DOT_HINT = "apt-get install graphviz, brew install graphviz or conda install graphviz"
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


def installed(module):
    """True if ``module`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def note(message):
    """One line on stderr about something optional that was skipped; the run goes on."""
    print(message, file=sys.stderr)


def finite_or_none(value):
    """``value`` with every NaN/inf float replaced by None, so it is strict JSON."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(v) for v in value]
    return value


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_json(path, payload):
    """Write strict JSON (NaN/inf become null) to a temporary file, then rename it over
    ``path``: a failure never leaves a truncated file behind."""
    text = json.dumps(finite_or_none(payload), indent=1, allow_nan=False)
    directory = os.path.dirname(path) or "."
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(text + "\n")
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; give it a usual file's mode
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as e:
        raise RunError(f"tinygrad-sm: error: cannot write {path}: {e.strerror or e}") from None
    return path
