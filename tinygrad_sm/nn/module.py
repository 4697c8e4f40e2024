"""``Module`` and ``Parameter``: attribute-registered parameters and submodules."""
import os
import zipfile
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from ..dtypes import get_default_dtype
from ..files import write_atomic
from ..grad_mode import no_grad
from ..tensor import Tensor


def npz_path(path):
    """``path`` with ``.npz`` appended unless it ends with it (NumPy's ``savez`` rule)."""
    path = os.fsdecode(path)
    return path if path.endswith(".npz") else path + ".npz"


class StateDictKeyError(KeyError, RuntimeError):
    """Keys that do not match in ``load_state_dict``: a ``RuntimeError`` as in PyTorch (and a
    ``KeyError``, as in earlier versions)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


def _overwrite(param, array):
    """The one place ``nn`` changes a parameter's values (``nn.init``, ``load_state_dict``,
    ``Module.to``): ``param`` takes ``array``'s values, shape and dtype, and stays the same
    object (an optimizer holding it keeps working). Written through the parameter, so a
    graph that saved the old values refuses to backpropagate. A new dtype gives the leaf a
    fresh gradient node and casts its ``.grad``."""
    array = np.array(array, copy=True)
    retype = array.dtype != param.dtype
    with no_grad():
        param.data = array  # a new dtype: new memory and a new gradient node (Tensor.data's setter)
    if retype and param.grad is not None:
        param.grad = Tensor(np.asarray(param.grad.numpy()).astype(array.dtype))


def check_input_dtype(module, x, param):
    """Refuse a floating input whose dtype differs from ``param``'s (no silent float64 model
    fed float32 data, or the reverse), naming both dtypes and the two fixes."""
    dtype = getattr(x, "dtype", None)
    if dtype is not None and dtype.kind == "f" and dtype != param.dtype:
        name = type(module).__name__
        raise TypeError(
            f"{name}: the input is {dtype} but the layer's parameters are {param.dtype}; convert one: "
            f"model.to({dtype}) (model.double() / model.float()), or x.astype({param.dtype}) for the input. "
            f"Layers are made in tg.get_default_dtype() ({get_default_dtype()}); tg.set_default_dtype changes it"
        )


class Parameter(Tensor):
    """A leaf tensor that requires grad and that a ``Module`` registers by attribute."""

    __slots__ = ()

    def __init__(self, data, dtype=None):
        super().__init__(data, requires_grad=True, dtype=dtype)

    def __repr__(self):
        return "Parameter" + super().__repr__()[len("Tensor"):]


class Module:
    """Base class of layers and models, as in PyTorch.

    Assigning a ``Parameter`` or a ``Module`` to an attribute registers it;
    ``parameters()`` and ``named_parameters()`` walk them in assignment order
    (re-assigning a name keeps its place). Subclasses define ``forward``; calling the
    module calls it.

    As in PyTorch, a name registered as a parameter takes only a ``Parameter`` or
    ``None``, and a submodule's name only a ``Module`` or ``None``: anything else raises
    ``TypeError``. Beyond PyTorch, assigning a *leaf* ``Tensor`` that requires grad
    (``self.w = Tensor(..., requires_grad=True)``) raises ``TypeError`` too, instead of
    keeping a tensor that ``parameters()``, ``state_dict()`` and so the optimizer would
    silently miss: wrap it, ``self.w = Parameter(t)``, or store ``t.detach()``. Other
    values, tensors computed by recorded ops among them, are plain attributes.
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        params, modules = self.__dict__.get("_parameters"), self.__dict__.get("_modules")
        if params is None:
            raise RuntimeError(f"{type(self).__name__}: call super().__init__() before assigning attributes")
        where = f"{type(self).__name__}.{name}"
        if isinstance(value, Parameter):
            modules.pop(name, None)
            params[name] = value
        elif isinstance(value, Module):
            params.pop(name, None)
            modules[name] = value
        elif name in params and value is not None:
            raise TypeError(
                f"cannot assign a {type(value).__name__} to {where}, a parameter: assign a Parameter "
                f"(Parameter(data) copies data into one) or None"
            )
        elif name in modules and value is not None:
            raise TypeError(f"cannot assign a {type(value).__name__} to {where}, a submodule: assign a Module or None")
        elif isinstance(value, Tensor) and value.requires_grad and value.is_leaf:
            raise TypeError(
                f"cannot assign a Tensor that requires grad to {where}: it would not be registered, so "
                f"parameters(), state_dict() and the optimizer would miss it. Assign Parameter(tensor) to "
                f"register it, or tensor.detach() to keep a constant"
            )
        else:
            params.pop(name, None)
            modules.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name):
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def __call__(self, *args, **kwargs):
        return self.forward(*args, **kwargs)

    # --- traversal -----------------------------------------------------------
    def named_modules(self, prefix=""):
        """``(dotted name, module)`` for this module and every submodule, depth first."""
        stack = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            yield name, mod
            children = [(f"{name}.{k}" if name else k, m) for k, m in mod._modules.items()]
            stack.extend(reversed(children))

    def modules(self):
        """This module and every submodule, depth first, each once."""
        seen = set()
        for _, m in self.named_modules():
            if id(m) not in seen:
                seen.add(id(m))
                yield m

    def children(self):
        """The direct submodules."""
        return iter(self._modules.values())

    def named_children(self):
        """``(name, module)`` of the direct submodules."""
        return iter(self._modules.items())

    def apply(self, fn):
        """Call ``fn(module)`` on every submodule, then on this one (PyTorch's order, e.g. for
        ``model.apply(init_weights)``); returns this module."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def to(self, dtype=None, *, device=None):
        """Cast the floating parameters to ``dtype`` (same objects, so an optimizer keeps them);
        ``to("cpu")`` and ``to(device="cpu")`` do nothing, as NumPy has one device. Returns self."""
        if device is not None and str(device).split(":")[0] != "cpu":
            raise ValueError(f"{type(self).__name__}.to: tinygrad_sm runs on the CPU only, got device {device!r}")
        if dtype is None or str(dtype).split(":")[0] == "cpu":  # "cpu", "cpu:0" or tg.device("cpu")
            return self
        try:
            dt = np.dtype(dtype)
        except TypeError:
            raise TypeError(f"{type(self).__name__}.to: expected a dtype (e.g. tg.float64) or 'cpu', "
                            f"got {dtype!r}") from None
        if dt.kind != "f":
            raise TypeError(f"{type(self).__name__}.to: parameters must stay floating; got {dt}")
        for p in self.parameters():
            if p.dtype.kind == "f" and p.dtype != dt:
                _overwrite(p, np.asarray(p.numpy()).astype(dt))
        return self

    def double(self):
        """``to(float64)``."""
        return self.to(np.float64)

    def float(self):
        """``to(float32)``."""
        return self.to(np.float32)

    def half(self):
        """``to(float16)``."""
        return self.to(np.float16)

    def named_parameters(self):
        """``(dotted name, parameter)`` pairs, e.g. ``("layers.0.weight", W)``; each parameter once."""
        seen = set()
        for mod_name, mod in self.named_modules():
            for k, p in mod._parameters.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield (f"{mod_name}.{k}" if mod_name else k), p

    def parameters(self):
        return [p for _, p in self.named_parameters()]

    def zero_grad(self, set_to_none=True):
        """Drop every parameter's gradient (``set_to_none=False``: a new zeros tensor instead)."""
        for p in self.parameters():
            p.grad = None if set_to_none else Tensor(np.zeros(p.shape, p.dtype))

    def train(self, mode=True):
        for _, mod in self.named_modules():
            object.__setattr__(mod, "training", bool(mode))
        return self

    def eval(self):
        return self.train(False)

    # --- persistence -----------------------------------------------------------
    def state_dict(self):
        """``{dotted name: tensor}`` of every parameter, as PyTorch gives it: each tensor is the
        parameter's memory cut from the graph (``p.detach()``), so ``sd[k].copy_(v)`` under
        ``no_grad()`` writes the parameter, and ``.clone()`` (or ``np.array(sd[k])``) copies."""
        return OrderedDict((k, p.detach()) for k, p in self.named_parameters())

    def load_state_dict(self, state, strict=True, check_finite=True):
        """Copy ``state`` (``{dotted name: array or Tensor}``) into the parameters, all or nothing.

        Everything is checked before any parameter changes: the keys must be exactly
        the model's parameter names; every value must have its parameter's shape and a
        real numeric dtype (bool, int or float: not complex, str or object), and, with
        ``check_finite``, no NaN or inf once cast to the parameter's dtype (1e300 is inf
        in float32). The parameters stay the same objects (an optimizer keeps them),
        written in place (a graph made before the load refuses to backpropagate).
        ``strict=False`` loads the keys both sides have and skips the rest, as in PyTorch.
        Returns PyTorch's ``(missing_keys, unexpected_keys)`` named tuple.
        """
        if not isinstance(state, Mapping):
            raise TypeError(f"load_state_dict: expected a mapping of names to arrays, got {type(state).__name__}")
        own = dict(self.named_parameters())
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        if strict and (missing or unexpected):
            raise StateDictKeyError(
                f"load_state_dict: missing keys {missing}, unexpected keys {unexpected} "
                f"(strict=False loads the keys both have)"
            )
        staged = {}
        for k, p in own.items():
            if k not in state:
                continue
            value = state[k]
            try:
                arr = np.asarray(value.numpy() if isinstance(value, Tensor) else value)
            except (TypeError, ValueError) as e:
                raise TypeError(f"load_state_dict: {k!r} is not an array ({type(value).__name__}: {e})") from None
            if arr.dtype.kind not in "biuf":
                raise TypeError(
                    f"load_state_dict: {k!r} has dtype {arr.dtype}; parameters take real numbers (bool, int or float)"
                )
            if arr.shape != p.shape:
                raise ValueError(
                    f"load_state_dict: {k!r} has shape {arr.shape} in the state but {p.shape} in the model"
                )
            with np.errstate(over="ignore", invalid="ignore"):
                cast = arr.astype(p.dtype)  # a copy: the state may alias the parameters
            if check_finite and cast.dtype.kind == "f" and not np.isfinite(cast).all():
                bad = int(np.size(cast) - np.isfinite(cast).sum())
                why = "" if arr.dtype.kind == "f" and not np.isfinite(arr).all() else f" once cast to {p.dtype}"
                raise ValueError(
                    f"load_state_dict: {k!r} has {bad} NaN/inf value(s){why}; pass check_finite=False to load it anyway"
                )
            staged[k] = cast
        for k, arr in staged.items():
            _overwrite(own[k], arr)
        return IncompatibleKeys(missing, unexpected)

    def save(self, path):
        """Write the parameters to an ``.npz`` file (``.npz`` is appended if ``path`` lacks it,
        as ``load`` does). The file is written beside ``path`` and renamed into place, so
        a failure leaves an existing file untouched. Returns the path written."""
        path = npz_path(path)
        state = {k: p.numpy() for k, p in self.state_dict().items()}

        def write(f):  # what np.savez does, without its argument names clashing with keys
            with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
                for k, v in state.items():
                    with zf.open(k + ".npy", "w", force_zip64=True) as out:
                        np.lib.format.write_array(out, v, allow_pickle=False)

        return write_atomic(path, write)

    def load(self, path, check_finite=True):
        """Read parameters written by ``save`` (same suffix rule), all or nothing."""
        npz = npz_path(path)
        if not os.path.exists(npz) and os.path.isfile(os.fsdecode(path)):
            raise FileNotFoundError(
                f"load: no file {npz!r}; {os.fsdecode(path)!r} exists, but load() and save() both add .npz "
                f"to a path without it: rename the file to end in .npz"
            )
        f = np.load(npz, allow_pickle=False)
        if not isinstance(f, np.lib.npyio.NpzFile):  # a .npy (or a .npy renamed .npz): one array, no names
            raise ValueError(f"load: {npz!r} holds a single array (a .npy file), not the named parameters "
                             f"that save() writes to an .npz archive")
        with f:
            self.load_state_dict({k: f[k] for k in f.files}, check_finite=check_finite)
            return self

    def extra_repr(self):
        return ""

    def __repr__(self):
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for name, mod in self._modules.items():
            sub = repr(mod).replace("\n", "\n  ")
            lines.append(f"  ({name}): {sub}")
        return "\n".join(lines) + ("\n)" if len(lines) > 1 else ")")
