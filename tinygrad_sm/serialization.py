"""``save(obj, path)`` / ``load(path)``: tensors, arrays and plain values, without pickle.

What can be saved: Tensors (and ``nn.Parameter``), ndarrays, NumPy scalars, Python
``int``/``float``/``bool``/``str``/``None``, and dicts, lists and tuples of those, nested
(a model's or an optimizer's ``state_dict()``, a checkpoint ``{"model": ..., "epoch": 3}``).
Anything else (a module, a function, an object array) raises ``TypeError`` naming
where it sits, before the file is touched.

The file is an ``.npz`` archive (readable with ``np.load(path, allow_pickle=False)``):
one ``.npy`` entry per array, and ``__structure__.npy``, a JSON text that records the
nesting, the Python values and which arrays are tensors. Nothing is unpickled, so
loading a file runs no code. Writing goes to a temporary file renamed into place, so a
failure leaves an existing file as it was. Unlike ``Module.save``, ``path`` is used as given.
"""
from __future__ import annotations

import json
import math
import os
import zipfile
from collections import OrderedDict
from typing import Any

import numpy as np

from .files import write_atomic
from .nn.module import Parameter
from .tensor import Tensor

FORMAT = "tinygrad_sm.save"
VERSION = 1
_STRUCTURE = "__structure__"


def save(obj: Any, path: str | os.PathLike) -> str:
    """Write ``obj`` (tensors, arrays, numbers, strings, nested dicts/lists/tuples) to ``path``."""
    path = _check_path(path, "save")
    arrays: dict[str, np.ndarray] = {}
    root = _encode(obj, arrays, "obj")
    text = json.dumps({"format": FORMAT, "version": VERSION, "root": root}, allow_nan=False)

    def write(f):
        with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
            entries = {_STRUCTURE: np.array(text), **arrays}
            for k, v in entries.items():
                with zf.open(k + ".npy", "w", force_zip64=True) as out:
                    np.lib.format.write_array(out, v, allow_pickle=False)

    return write_atomic(path, write)


def load(path: str | os.PathLike) -> Any:
    """Read what ``save`` wrote: tensors come back as tensors (``requires_grad`` kept),
    arrays as arrays, dicts/lists/tuples and plain values as they were."""
    path = _check_path(path, "load")
    if not os.path.exists(path):
        raise FileNotFoundError(f"load: no file {path!r}")
    try:
        with np.load(path, allow_pickle=False) as f:
            if _STRUCTURE not in f.files:
                raise ValueError("no structure entry")
            header = json.loads(str(f[_STRUCTURE]))
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise ValueError("not written by tinygrad_sm.save")
            if header.get("version") != VERSION:
                raise ValueError(f"format version {header.get('version')!r}, this reader knows {VERSION}")
            arrays = {k: f[k] for k in f.files if k != _STRUCTURE}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, json.JSONDecodeError, KeyError) as e:
        raise ValueError(f"load: {path!r} is not a file written by tinygrad_sm.save ({e}); "
                         f"Module.load reads Module.save's files") from None
    try:
        return _decode(header["root"], arrays)
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"load: {path!r} is corrupt: its structure does not match its arrays ({e})") from None


def _check_path(path, fn):
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"{fn}: path must be a str or os.PathLike, got {type(path).__name__}")
    path = os.fsdecode(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"{fn}: {path!r} is a directory; pass a file path, e.g. {os.path.join(path, 'model.npz')!r}")
    return path


def _encode(obj, arrays, where):
    if obj is None or isinstance(obj, (bool, str)):
        return {"type": "value", "value": obj}
    if isinstance(obj, int):
        return {"type": "value", "value": obj}
    if isinstance(obj, float):
        return {"type": "float", "value": obj if math.isfinite(obj) else repr(obj)}
    if isinstance(obj, Tensor):
        kind = "parameter" if isinstance(obj, Parameter) else "tensor"
        return {"type": kind, "ref": _add(np.asarray(obj.numpy()), arrays, where), "requires_grad": obj.requires_grad}
    if isinstance(obj, (np.ndarray, np.generic)):
        a = np.asarray(obj)
        if a.dtype.kind not in "biufcUS":
            raise TypeError(f"save: {where} is an array of dtype {a.dtype}; only numbers, bools and strings are "
                            f"saved (no object arrays: they would need pickle)")
        return {"type": "scalar" if isinstance(obj, np.generic) else "ndarray", "ref": _add(a, arrays, where)}
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise TypeError(f"save: {where} has a key {k!r} ({type(k).__name__}); keys must be str or int")
            items.append([k, _encode(v, arrays, f"{where}[{k!r}]")])
        return {"type": "ordereddict" if isinstance(obj, OrderedDict) else "dict", "items": items}
    if isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {"type": kind, "items": [_encode(v, arrays, f"{where}[{i}]") for i, v in enumerate(obj)]}
    raise TypeError(f"save: {where} is a {type(obj).__name__}, which cannot be saved without pickle; save tensors, "
                    f"arrays, numbers, strings and dicts/lists/tuples of them (for a model: model.state_dict())")


def _add(a, arrays, where):
    key = f"a{len(arrays)}"
    arrays[key] = a
    return key


def _decode(node, arrays):
    kind = node["type"]
    if kind == "value":
        return node["value"]
    if kind == "float":
        return float(node["value"])
    if kind in ("tensor", "parameter"):
        a = arrays[node["ref"]]
        if kind == "parameter":
            return Parameter(a)
        return Tensor(a, requires_grad=bool(node["requires_grad"]))
    if kind == "ndarray":
        return arrays[node["ref"]]
    if kind == "scalar":
        return arrays[node["ref"]][()]
    if kind in ("dict", "ordereddict"):
        pairs = [(k, _decode(v, arrays)) for k, v in node["items"]]
        return OrderedDict(pairs) if kind == "ordereddict" else dict(pairs)
    if kind == "list":
        return [_decode(v, arrays) for v in node["items"]]
    if kind == "tuple":
        return tuple(_decode(v, arrays) for v in node["items"])
    raise ValueError(f"unknown entry type {kind!r}")
