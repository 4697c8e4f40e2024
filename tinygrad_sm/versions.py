"""Saved values that cannot be silently corrupted: the version check.

A tensor owns its memory, and the arrays the framework hands out of it are
read-only. The only writes are the framework's own (in-place methods, ``+=`` under
``no_grad()``, the optimizer, ``load_state_dict``), and each bumps a version
counter kept by the tensor that owns the memory, shared by every view of it.

A node records, for each tensor whose memory it saved, the version at save time;
a write to its own saved output marks the node. Backward checks both before it
runs the node's VJP and raises, naming the op and the saved value, instead of
computing a wrong gradient.
"""
import zlib

import numpy as np


def owner_of(a):
    """The last ndarray in ``a``'s ``.base`` chain (``a`` itself if it is not a view)."""
    base = a.base
    while isinstance(base, np.ndarray):
        a = base
        base = a.base
    return a


def check(node, saved):
    """Raise if a tensor whose memory ``node`` saved was written after the save."""
    held = node.versions
    if held is not None:
        for i in range(0, len(held), 2):
            root, then = held[i], held[i + 1]
            if root._version != then:
                _stale(node, saved, root, then)
    if node.written is not None and node.sources and -1 in node.sources:
        _stale(node, saved, None, None)


def _stale(node, saved, root, then):
    if root is None:
        what = "its own output"
        versions = "it was modified in place after forward"
    else:
        which = [name for name, v in node.saved_items(saved)
                 if isinstance(v, np.ndarray) and np.may_share_memory(v, root._data)]
        what = ", ".join(repr(n) for n in which) or "value"
        what = f"the saved {what} ({root._data.dtype} {root._data.shape})"
        versions = f"its memory is at version {root._version}; the node saved it at version {then}"
    site = node.site
    where = (f"the op was created at {site}" if site else
             "run the forward pass under tg.detect_anomaly() to see the line that created the op")
    raise RuntimeError(
        f"{node.name}: one of the values it saved for backward was modified by an in-place "
        f"operation: {what}; {versions}. The gradient would be wrong. Call backward() before changing "
        f"the tensor, or change a copy (x = x.clone()) / use an out-of-place op; {where}"
    )


# --- anomaly mode: a last line behind the version counters --------------------------
def fingerprint(a):
    """A checksum of an array's bytes (anomaly mode only: it reads every byte)."""
    return zlib.crc32(np.ascontiguousarray(a).view(np.uint8).reshape(-1)) if a.size else 0


def fingerprints(saved):
    return tuple(fingerprint(v) if type(v) is np.ndarray else None for v in saved)


def changed(node, saved):
    """Names of saved arrays whose bytes differ from their fingerprints."""
    items = node.saved_items(saved)
    return [name for (name, v), c in zip(items, node.checks) if c is not None and fingerprint(v) != c]
