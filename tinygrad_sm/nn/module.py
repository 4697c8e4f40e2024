"""``Module`` and ``Parameter``: attribute-registered parameters and submodules."""
from collections import OrderedDict

import numpy as np

from ..tensor import Tensor


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
    ``parameters()`` and ``named_parameters()`` walk them in assignment order.
    Subclasses define ``forward``; calling the module calls it.
    """

    def __init__(self):
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "training", True)

    def __setattr__(self, name, value):
        if "_parameters" not in self.__dict__:
            raise RuntimeError(f"{type(self).__name__}: call super().__init__() before assigning attributes")
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

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

    def children(self):
        return iter(self._modules.values())

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

    def zero_grad(self):
        for p in self.parameters():
            p.grad = None

    def train(self, mode=True):
        for _, mod in self.named_modules():
            object.__setattr__(mod, "training", bool(mode))
        return self

    def eval(self):
        return self.train(False)

    # --- persistence -----------------------------------------------------------
    def state_dict(self):
        """``{dotted name: ndarray copy}`` of every parameter."""
        return OrderedDict((k, p.data.copy()) for k, p in self.named_parameters())

    def load_state_dict(self, state):
        """Copy arrays into the parameters; every key and shape is checked first."""
        own = dict(self.named_parameters())
        missing = [k for k in own if k not in state]
        unexpected = [k for k in state if k not in own]
        if missing or unexpected:
            raise KeyError(
                f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}"
            )
        for k, p in own.items():
            arr = np.asarray(state[k])
            if arr.shape != p.shape:
                raise ValueError(
                    f"load_state_dict: {k!r} has shape {arr.shape} in the state but {p.shape} in the model"
                )
        for k, p in own.items():
            p.data[...] = np.asarray(state[k], dtype=p.dtype)
        return self

    def save(self, path):
        """Write the parameters to an ``.npz`` file."""
        np.savez(path, **self.state_dict())

    def load(self, path):
        """Read parameters written by ``save``."""
        with np.load(path) as f:
            return self.load_state_dict({k: f[k] for k in f.files})

    def extra_repr(self):
        return ""

    def __repr__(self):
        lines = [f"{type(self).__name__}({self.extra_repr()}"]
        for name, mod in self._modules.items():
            sub = repr(mod).replace("\n", "\n  ")
            lines.append(f"  ({name}): {sub}")
        return "\n".join(lines) + ("\n)" if len(lines) > 1 else ")")
