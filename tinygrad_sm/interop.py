"""NumPy functions on tensors: ``np.exp(t)``, ``ndarray * t``, ``np.isnan(t)``.

``Tensor.__array_ufunc__`` hands a ufunc call here. The ufuncs that are tensor
operations (``np.add``, ``np.exp``, ``np.less``, ...) run as those operations, so they
are recorded and differentiable exactly like ``+`` or ``.exp()``; the result is a
tensor. Any other ufunc runs on the arrays and gives a tensor cut from the graph,
and refuses (naming the ufunc) when an input would need its gradient. ``out=`` a
tensor writes it in place, through the tensor's write path.
"""
import numpy as np

from .grad_mode import STATE

# ufunc -> the tensor method (on the first input) that is the same operation
METHODS = {
    np.add: "__add__", np.subtract: "__sub__", np.multiply: "__mul__", np.true_divide: "__truediv__",
    np.power: "__pow__", np.matmul: "__matmul__", np.negative: "__neg__", np.exp: "exp", np.log: "log",
    np.sqrt: "sqrt", np.tanh: "tanh", np.less: "__lt__", np.less_equal: "__le__", np.greater: "__gt__",
    np.greater_equal: "__ge__", np.equal: "__eq__", np.not_equal: "__ne__", np.invert: "__invert__",
}
REFLECTED = {"__add__": "__radd__", "__sub__": "__rsub__", "__mul__": "__rmul__", "__truediv__": "__rtruediv__",
             "__pow__": "__rpow__", "__matmul__": "__rmatmul__", "__lt__": "__gt__", "__le__": "__ge__",
             "__gt__": "__lt__", "__ge__": "__le__", "__eq__": "__eq__", "__ne__": "__ne__"}


def array_ufunc(tensor_type, wrap, ufunc, method, inputs, kwargs):
    """The result of ``ufunc.method(*inputs, **kwargs)`` where some input is a tensor."""
    out = kwargs.pop("out", None)
    if method == "at":  # np.add.at(t, idx, v): an unbuffered in-place write, through the tensor
        target, rest = inputs[0], [x._data if isinstance(x, tensor_type) else x for x in inputs[1:]]
        if not isinstance(target, tensor_type):
            raise TypeError(f"np.{ufunc.__name__}.at: the target must be the tensor written (or use t[idx] = ...); "
                            f"tensor operands do not write another array")
        target._write(f"np.{ufunc.__name__}.at", lambda w: ufunc.at(w, *rest), *inputs[1:])
        return None
    name = METHODS.get(ufunc) if method == "__call__" and not kwargs else None
    if name is not None:
        first = inputs[0]
        if isinstance(first, tensor_type):
            result = getattr(first, name)(*inputs[1:])
        else:
            result = getattr(inputs[1], REFLECTED[name])(first)
    else:
        if STATE.grad_enabled and needs_grad(inputs):
            raise TypeError(
                f"np.{ufunc.__name__}{'' if method == '__call__' else '.' + method}: this NumPy function is not "
                f"a tinygrad_sm op, so its gradient cannot be recorded; use the tensor method if there is one "
                f"(t.exp(), t.sum(), ...), or detach() the tensor (or use tg.no_grad()) to compute it without one"
            )
        arrays = [x._data if isinstance(x, tensor_type) else x for x in inputs]
        value = getattr(ufunc, method)(*arrays, **kwargs)
        if isinstance(value, tuple):
            result = tuple(wrap(np.asarray(v)) for v in value)
        else:
            result = wrap(np.asarray(value))
    if out is None:
        return result
    targets = out if isinstance(out, tuple) else (out,)
    results = result if isinstance(result, tuple) else (result,)
    if len(targets) != len(results):
        raise ValueError(f"np.{ufunc.__name__}: {len(targets)} out= arrays for {len(results)} results")
    for target, r in zip(targets, results):
        if isinstance(target, tensor_type):
            target.copy_(r)
        else:
            np.copyto(target, r._data)
    return targets if isinstance(result, tuple) else targets[0]


# NumPy functions that read values and give no float result a gradient could flow through
_NO_GRADIENT = {
    "allclose", "isclose", "array_equal", "array_equiv", "shape", "ndim", "size", "argmax", "argmin",
    "argsort", "nonzero", "count_nonzero", "isfinite", "isnan", "isinf", "where", "result_type", "can_cast",
    "may_share_memory", "shares_memory", "array2string", "array_repr", "array_str", "all", "any", "iscomplexobj",
    "isrealobj", "unique", "searchsorted", "sign", "round", "around", "copyto",
}


def array_function(tensor_type, func, args, kwargs):
    """A NumPy function (``np.sum``, ``np.concatenate``, ``np.allclose``...) called with
    tensors computes on their values and returns NumPy's result; when a tensor would need
    a gradient through a float result, it refuses and names the tensor operation to use."""
    if STATE.grad_enabled and func.__name__ not in _NO_GRADIENT and needs_grad((args, kwargs)):
        raise TypeError(
            f"np.{func.__name__}: a tensor that requires grad was passed to a NumPy function, which would drop "
            f"its gradient; use the tensor method or tg function (t.sum(), t.mean(), tg.concatenate, ...), or "
            f"detach() it (or use tg.no_grad()) to compute only the value"
        )
    return func(*_values(tensor_type, args), **_values(tensor_type, kwargs))


def needs_grad(x):
    """Whether ``x`` is, or a list/tuple/dict holds, a tensor that requires grad."""
    if getattr(x, "requires_grad", False):
        return True
    if isinstance(x, (list, tuple)):
        return any(needs_grad(v) for v in x)
    if isinstance(x, dict):
        return any(needs_grad(v) for v in x.values())
    return False


def _values(tensor_type, x):
    if isinstance(x, tensor_type):
        return x.numpy()
    if isinstance(x, (list, tuple)):
        return type(x)(_values(tensor_type, v) for v in x)
    if isinstance(x, dict):
        return {k: _values(tensor_type, v) for k, v in x.items()}
    return x
