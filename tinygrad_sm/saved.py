"""Saved arrays that cannot be corrupted: write-protecting the memory a live node saved.

The rules (the README states them in three sentences):

1. While a live graph node has saved an array, the memory behind it is read-only:
   the array that owns the memory, the saved view itself, and every view made
   from either afterwards. A write raises NumPy's "assignment destination is
   read-only" instead of silently changing a gradient.
2. When the last node holding that memory is freed (backward ran, or raised, or
   the graph was dropped), every array is exactly as writable as before the first
   save; the order in which nodes are freed does not matter. Thread-safe.
3. A writable view the user made *before* the save still reaches the memory (NumPy
   flags are per array object). Anomaly mode catches that: it fingerprints each
   saved array at save time and names the op and the array at backward if the
   bytes changed.

Memory is locked by its owner (the array at the end of the ``.base`` chain), with
one count per owner over all the nodes holding it through any view. Flags flip only
when a count goes from 0 to 1 and back.
"""
import threading
import zlib

import numpy as np

_mutex = threading.Lock()
# id(owner) -> [owner, count, arrays to make writable again...]: a hold keeps its owner
# alive, so the id cannot be reused while it is in here; the owner is restored first.
_held = {}
_deferred = []  # guards released while the mutex was taken (a node freed by the garbage collector)


def owner_of(a):
    """The array that owns ``a``'s memory (``a`` itself if it is not a view of another array)."""
    base = a.base
    while isinstance(base, np.ndarray):
        a = base
        base = a.base
    return a


class Guard(list):
    """The holds of one node: released once, by the engine after the node's VJP, or when
    the node is freed with its graph."""

    __slots__ = ()

    def release(self, wait=True):
        if not self:
            return
        if _mutex.acquire(wait):
            try:
                _drop(self)
            finally:
                _mutex.release()
        else:  # the garbage collector freed a node while this thread holds the mutex
            _deferred.append(self[:])
        self.clear()
        if _deferred:
            _drain()

    def __del__(self):
        if self and _mutex is not None:  # None: the interpreter is shutting down; flags no longer matter
            self.release(wait=False)


def protect(arrays):
    """Write-protect the memory behind ``arrays`` (saved by one node); returns a Guard or None."""
    guard = Guard()
    _mutex.acquire()
    try:
        for v in arrays:
            owner = v if v.base is None else owner_of(v)
            h = _held.get(id(owner))
            if h is None:
                if owner.flags.writeable:
                    owner.setflags(write=False)
                    h = _held[id(owner)] = [owner, 0, owner]
                elif v is owner or not v.flags.writeable:
                    continue  # read-only already, and not by us: nothing can write it
                else:  # the user made the owner read-only after this view: a view we could not
                    h = _held[id(owner)] = [owner, 0]  # make writable again, so anomaly mode's case
            if v is not owner and len(h) > 2 and v.flags.writeable:
                v.setflags(write=False)
                h.append(v)
            h[1] += 1
            guard.append(h)
    finally:
        _mutex.release()
    if _deferred:
        _drain()
    return guard or None


def is_held(a):
    """True while a live node holds the memory behind ``a`` (through any view)."""
    return id(owner_of(a)) in _held


def _drop(holds):
    for h in holds:
        h[1] -= 1
        if h[1] == 0:
            del _held[id(h[0])]
            for arr in h[2:]:
                arr.setflags(write=True)


def _drain():
    while _deferred and _mutex.acquire(False):
        try:
            while _deferred:
                _drop(_deferred.pop())
        finally:
            _mutex.release()


# --- anomaly mode: catching what flags cannot -------------------------------------
def fingerprint(a):
    """A checksum of an array's bytes (anomaly mode only: it reads every byte)."""
    return zlib.crc32(np.ascontiguousarray(a).view(np.uint8).reshape(-1)) if a.size else 0


def fingerprints(saved):
    return {k: fingerprint(v) for k, v in saved.items() if type(v) is np.ndarray}


def changed(saved, checks):
    """Names of saved arrays whose bytes differ from their fingerprint."""
    return [k for k, c in checks.items() if fingerprint(saved[k]) != c]
