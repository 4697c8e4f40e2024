"""Writing pictures to files; a clear error when Graphviz's ``dot`` is missing."""
import os

import graphviz

from ..files import write_atomic

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}


class GraphvizNotFound(RuntimeError):
    """Rendering needs Graphviz's ``dot`` program."""


def write(dot, path):
    """Write ``dot`` to ``path`` in the format its suffix names (.svg .png .pdf .dot).

    The picture is rendered in memory first and then written to a temporary file that
    is renamed into place, so a failure (no ``dot`` on PATH, a full disk) leaves an
    existing file at ``path`` exactly as it was.
    """
    suffix = os.path.splitext(os.fsdecode(path))[1].lower()
    if suffix not in FORMATS:
        raise ValueError(f"render: unknown suffix {suffix!r} in {path}; use one of {sorted(FORMATS)}")
    if FORMATS[suffix] == "dot":
        data = dot.source.encode("utf-8")
    else:
        data = pipe(dot, FORMATS[suffix])
    write_atomic(path, lambda f: f.write(data))
    return path


def pipe(dot, fmt):
    try:
        return dot.pipe(format=fmt)
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFound(
            f"rendering {fmt} needs Graphviz's 'dot' program, which is not on PATH: install it with "
            f"'apt-get install graphviz' (or 'bash setup.sh'), 'brew install graphviz' or 'conda install "
            f"graphviz'; the DOT source (.source, or a .dot path) works without it"
        ) from None
