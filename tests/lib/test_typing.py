"""The package is typed: it ships ``py.typed``, and its public API carries annotations."""
import inspect
from importlib import resources

import pytest

import tinygrad_sm as tg
from tinygrad_sm import functional as F
from tinygrad_sm import nn

# Names of tinygrad_sm.__all__ defined elsewhere (grad_mode) or without a signature of their own.
NOT_CHECKED = {"functional", "nn", "optim", "data", "no_grad", "enable_grad", "set_grad_enabled",
               "is_grad_enabled", "detect_anomaly", "AnomalyError", "GradcheckError", "autograd", "utils",
               "return_types",
               # dtype names: NumPy dtypes, not functions
               "float16", "half", "float32", "float", "float64", "double", "int32", "int", "int64", "long", "bool"}
# nn classes whose constructors live in nn/module.py.
NN_NOT_CHECKED = {"Module", "Parameter", "utils", "functional", "init"}

TOP = sorted(set(tg.__all__) - NOT_CHECKED)
FUNCTIONAL = sorted(F.__all__)
NN = sorted(set(nn.__all__) - NN_NOT_CHECKED)


def _missing(fn, returns=True):
    """Parameters of ``fn`` without an annotation (self/cls, *args and **kwargs aside),
    and "return" when ``returns`` and the return is not annotated."""
    sig = inspect.signature(fn)
    missing = [name for name, p in sig.parameters.items()
               if name not in ("self", "cls")
               and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
               and p.annotation is inspect.Parameter.empty]
    if returns and sig.return_annotation is inspect.Signature.empty:
        missing.append("return")
    return missing


def _methods(cls):
    """``(qualified name, function)`` for the constructor and the public methods and
    properties ``cls`` has (its own or inherited), up to the framework's ``Module``."""
    seen = set()
    for klass in cls.__mro__:
        if klass in (object, nn.Module) or not klass.__module__.startswith("tinygrad_sm"):
            continue
        for name, attr in vars(klass).items():
            if (name != "__init__" and name.startswith("_")) or name in seen:
                continue
            seen.add(name)
            if isinstance(attr, property):
                attr = attr.fget
            elif isinstance(attr, (classmethod, staticmethod)):
                attr = attr.__func__
            if inspect.isfunction(attr):
                yield f"{klass.__name__}.{name}", attr


def _check(obj):
    if inspect.isclass(obj):
        problems = {name: _missing(f) for name, f in _methods(obj)}
    else:
        problems = {obj.__name__: _missing(obj)}
    return {name: m for name, m in problems.items() if m}


def test_py_typed_is_shipped():
    assert resources.files("tinygrad_sm").joinpath("py.typed").is_file()


@pytest.mark.parametrize("name", TOP)
def test_top_level_api_is_annotated(name):
    assert _check(getattr(tg, name)) == {}


@pytest.mark.parametrize("name", FUNCTIONAL)
def test_functional_api_is_annotated(name):
    assert _check(getattr(F, name)) == {}


@pytest.mark.parametrize("name", NN)
def test_nn_classes_are_annotated(name):
    cls = getattr(nn, name)
    assert inspect.isclass(cls)
    assert _check(cls) == {}


def test_annotations_cost_nothing_at_runtime():
    """Postponed annotations: strings, never evaluated on import."""
    assert isinstance(inspect.signature(tg.Tensor.sum).return_annotation, str)
