"""Writing files so that a failure never destroys what was there.

``write_atomic`` writes a temporary file beside the target and renames it into place
(``os.replace``: atomic on POSIX and Windows). Until the rename, an existing file is
untouched; if writing fails, the temporary file is removed and the error re-raised.
"""
import os
import secrets


def write_atomic(path, write, text=False):
    """Call ``write(f)`` on a new file in ``path``'s directory, then rename it to ``path``.

    The new file gets the permissions ``open()`` would give it (0o666 less the umask).
    Returns ``path`` (as a str).
    """
    path = os.fsdecode(path)
    directory = os.path.dirname(os.path.abspath(path))
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        tmp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
            break
        except FileExistsError:  # pragma: no cover - 48 random bits collided
            continue
    try:
        with os.fdopen(fd, "w" if text else "wb", **({"encoding": "utf-8"} if text else {})) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path
