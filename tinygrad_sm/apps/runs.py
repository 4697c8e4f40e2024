"""The one run writer: every file an application writes goes through here.

A run folder appears complete or not at all: ``run_folder(out)`` yields a fresh hidden
folder beside ``out``, and renames it to ``out`` only when the block finishes; if the
block raises, the partial folder is removed and nothing else changes. An existing run
folder is never overwritten unless asked (``overwrite=True``): the new run takes the
first free numbered sibling (an empty folder counts as free) (``runs/spiral-2``, ``runs/spiral-3``, ...).

Single files (``write_json``, ``write_text``) go through a temporary file and a rename,
so a failure leaves the previous file as it was. JSON is strict: NaN and ±inf are
written as ``null``.
"""
import contextlib
import json
import math
import os
import shutil
import tempfile

import numpy as np

from ..files import write_atomic


def finite_or_none(value):
    """``value`` with every NaN/inf float replaced by None and NumPy scalars made Python
    numbers, so it is strict JSON."""
    if isinstance(value, (np.floating, np.integer, np.bool_)):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite_or_none(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite_or_none(v) for v in value]
    return value


def write_text(path, text):
    """Write ``text`` (UTF-8) to ``path`` through a temporary file and a rename."""
    return write_atomic(path, lambda f: f.write(text), text=True)


def write_json(path, payload):
    """Strict JSON (NaN/inf become null), written atomically."""
    return write_text(path, json.dumps(finite_or_none(payload), indent=1, allow_nan=False) + "\n")


MARKER = ".tinygrad-sm-run"  # in every run folder: --overwrite replaces only folders holding it


def is_replaceable(path):
    """Whether ``--overwrite`` may replace ``path``: nothing there, an empty folder, or a
    run folder (one holding ``MARKER``), never a link or any other folder."""
    if not os.path.lexists(path):
        return True
    if os.path.islink(path) or not os.path.isdir(path):
        return False
    return not os.listdir(path) or os.path.isfile(os.path.join(path, MARKER))


def _free(path):
    """Nothing there, or an empty folder (no run to lose)."""
    if not os.path.lexists(path):
        return True
    return os.path.isdir(path) and not os.path.islink(path) and not os.listdir(path)


def free_name(out):
    """``out`` if no run is there, else the first numbered sibling that is free."""
    out = os.path.normpath(out)
    n = 1
    while not _free(out if n == 1 else f"{out}-{n}"):
        n += 1
    return out if n == 1 else f"{out}-{n}"


@contextlib.contextmanager
def run_folder(out, overwrite=False):
    """Yield a fresh temporary folder beside ``out``; on success rename it into place and
    store the final path in the yielded object's ``final`` attribute.

    Without ``overwrite`` an existing ``out`` is kept and the run lands in a numbered
    sibling; with it, the old folder is replaced only once the new one is complete, and
    only if it is a run folder (it holds ``MARKER``, which every run writes) or empty.
    """
    out = os.path.normpath(out)
    parent = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    folder = _Folder(tempfile.mkdtemp(dir=parent, prefix=f".{os.path.basename(out)}.partial-"))
    os.chmod(folder.path, 0o777 & ~_umask())  # mkdtemp makes it private; a run folder is a usual folder
    try:
        yield folder
        write_text(folder.join(MARKER), "a tinygrad-sm run folder: --overwrite may replace it\n")
        folder.final = _place(folder.path, out, overwrite)
    except BaseException:
        shutil.rmtree(folder.path, ignore_errors=True)
        raise


class _Folder:
    def __init__(self, path):
        self.path, self.final = path, None

    def join(self, name):
        return os.path.join(self.path, name)


def _place(tmp, out, overwrite):
    if overwrite and os.path.isdir(out) and not os.path.islink(out):
        if not is_replaceable(out):
            raise ValueError(f"{out} is not a tinygrad-sm run folder (no {MARKER}); it is not replaced")
        old = tempfile.mkdtemp(dir=os.path.dirname(os.path.abspath(out)), prefix=f".{os.path.basename(out)}.old-")
        os.replace(out, os.path.join(old, "run"))
        try:
            os.rename(tmp, out)
        except BaseException:
            os.replace(os.path.join(old, "run"), out)  # the old run goes back where it was
            os.rmdir(old)
            raise
        shutil.rmtree(old, ignore_errors=True)
        return out
    while True:
        final = free_name(out)
        try:
            os.rename(tmp, final)  # replaces an empty folder; refuses one that filled meanwhile
            return final
        except OSError:
            if _free(final):
                raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask
