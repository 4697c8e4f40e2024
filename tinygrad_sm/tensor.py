"""The user-facing ``Tensor``: an ndarray, its link into the graph, operator sugar, ``backward``.

Every differentiable method calls one primitive from ``tinygrad_sm/ops/`` by name;
``record.py`` runs it and adds the node; ``engine.py`` walks the graph.
"""
from __future__ import annotations

import numbers
import threading
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np

from . import engine
from .inplace import InPlace
from .interop import array_function, array_ufunc
from .op import Traced
from .ops.common import resolve_axis, single_axis
from .ops.elementwise import Add, Cast, Div, Exp, Log, Mul, Neg, Pow, Relu, Sigmoid, Sqrt, Sub, Tanh
from .ops.linalg import MatMul
from .ops.reduce import Max, Mean, Min, Sum
from .ops.shape import BroadcastTo, GetItem, Reshape, Transpose, index_arrays
from .ops.softmax import LogSoftmax, LogSumExp, Softmax
from .record import AccumulateGrad, record
from .tensor_torch import TorchMethods
from .versions import owner_of

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from numpy.typing import ArrayLike, DTypeLike

    from .op import Op

_new = object.__new__
_accumulating = threading.Lock()


def _make(data, node, base=None):
    """Wrap a read-only ndarray without copying; ``node`` is the node that made it (or
    None), ``base`` the tensor whose memory it views (None if it is its own)."""
    t = _new(Tensor)
    t._data = data
    t._node = node
    t._base = base
    return t


def _apply(op, *args, **params):
    return _make(*record(op, args, params))


def _owned(arr):
    """``arr`` made read-only: from now on only the tensor that owns it writes it."""
    arr.setflags(False)
    return arr


class Tensor(InPlace, TorchMethods, Traced):
    """An n-dimensional array that records the operations applied to it.

    Parameters
    ----------
    data : array_like
        Numbers (nested lists, scalars, an ndarray, a Tensor): copied into a new
        ndarray, like ``np.array``.
    requires_grad : bool
        Make this a leaf whose ``.grad`` is filled by ``backward()``. Floating
        dtypes only.
    dtype : numpy dtype, optional
        Defaults to NumPy's choice (float64 for Python floats, int64 for ints).

    Arithmetic follows NumPy broadcasting and type promotion between arrays;
    Python and NumPy *scalars* adapt to the tensor's dtype, so
    ``float32_tensor * np.float64(2.5)`` stays float32.

    PyTorch's spellings work beside NumPy's: ``dim=``/``keepdim=`` wherever ``axis=``/
    ``keepdims=`` are taken, and the methods of ``tensor_torch.TorchMethods`` (``view``,
    ``unsqueeze``, ``permute``, ``float``, ``to``, ``clamp``, ``std``, ``size()``, ...).

    Memory: a tensor owns its memory (``Tensor(x)`` copies ``x``; ``from_numpy`` shares).
    What ``.numpy()`` and ``np.asarray(t)`` hand out is read-only; writes go through the
    tensor (``t.add_(1)``, ``t[0] = 5``, ``t += 1`` under ``no_grad()``, the optimizer)
    and bump a version counter that every view of the memory shares, so backward can
    refuse a graph whose saved values were changed. ``.data`` is the same memory as a
    tensor cut from the graph, as in PyTorch: ``w.data -= lr * w.grad`` updates ``w``.
    """

    # Three fields every tensor sets (its memory, its node, and the tensor that owns the memory
    # if this is a view); the rarely set ones (a gradient, a version after a write) default on
    # the class and go into the instance dict only when set, so an op's output costs three stores.
    __slots__ = ("_data", "_node", "_base", "__dict__", "__weakref__")
    _grad: Tensor | None = None
    _version: int = 0  # writes to this tensor's own memory so far (kept by the owner only)
    __hash__ = object.__hash__  # == is elementwise, so hash by identity like PyTorch
    _data: np.ndarray
    requires_grad: bool
    grad: Tensor | None
    _node: Op | AccumulateGrad | None
    _base: Tensor | None  # the tensor that owns the memory this one views
    _version: int  # writes to this tensor's own memory so far (kept by the owner only)

    def __init__(self, data: ArrayLike, requires_grad: bool = False, dtype: DTypeLike | None = None) -> None:
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(
                f"Tensor(data, requires_grad=False, dtype=None): requires_grad must be True or False, got "
                f"{requires_grad!r}; for a tensor of a given shape (PyTorch's legacy torch.Tensor(2, 3)) use "
                f"tg.zeros(2, 3) or tg.empty(2, 3)"
            )
        if isinstance(data, Tensor):
            data = data._data
        elif isinstance(data, (str, bytes, dict, set, frozenset)) or data is None or \
                (not isinstance(data, (list, tuple, range, np.ndarray, numbers.Number, np.generic))
                 and not hasattr(data, "__array__") and not hasattr(data, "__array_interface__")):
            raise TypeError(
                f"Tensor: data must be numbers (a scalar, nested lists or an ndarray), got "
                f"{type(data).__name__}" + (" (materialize it first: list(...))" if hasattr(data, "__next__") else "")
            )
        try:
            arr = np.array(data, dtype=dtype)
        except (TypeError, ValueError) as e:
            raise TypeError(f"Tensor: cannot make a numeric array from this {type(data).__name__}: {e}") from None
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"Tensor: data must be numeric, got dtype {arr.dtype} from {type(data).__name__}")
        if type(arr) is not np.ndarray or arr.base is not None or arr is data:  # a subclass, or shared
            arr = np.array(arr, copy=True, subok=False)
        self._data = _owned(arr)
        self._node = None
        self._base = None
        if requires_grad:
            self.requires_grad_(True)

    # --- array facts ----------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def grad(self) -> Tensor | None:
        """The gradient ``backward()`` accumulated here (None before the first)."""
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | np.ndarray | None) -> None:
        if value is not None:
            value = _checked_grad(self, value)
        self._grad = value

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    @property
    def data(self) -> Tensor:
        """This tensor's memory as a tensor cut from the graph (PyTorch's ``.data``).
        Writing it (``w.data -= lr * w.grad``) writes this tensor, bumping its version."""
        return _make(self._data, None, self if self._base is None else self._base)

    @data.setter
    def data(self, value: ArrayLike | Tensor) -> None:
        if isinstance(value, Tensor) and value._data is self._data:
            return  # ``w.data -= x`` already wrote in place: Python assigns the result back
        self._assign_data(value)

    @property
    def _version_counter(self) -> int:
        """How many times this tensor's memory has been written in place."""
        return (self if self._base is None else self._base)._version

    @property
    def grad_fn(self) -> Op | None:
        """The backward node that made this tensor (None for leaves and constants)."""
        node = self._node
        return None if node is None or type(node) is AccumulateGrad else node  # type: ignore[return-value]

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def numpy(self) -> np.ndarray:
        """The tensor's memory as a read-only ndarray (shared, not copied; ``.copy()`` it
        to get an array you can write)."""
        return _readonly(self._data)

    def item(self) -> Any:
        if self._data.size != 1:
            raise ValueError(
                f"item(): only one-element tensors convert to a Python scalar; this one has "
                f"shape {self.shape} ({self.size} elements). Reduce it first, e.g. .sum() or .mean()"
            )
        return self._data.item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        if dtype is not None and dtype != self._data.dtype:
            return self._data.astype(dtype)
        return self._data.copy() if copy else _readonly(self._data)

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """NumPy ufuncs on tensors: the ones that are tensor ops are recorded (``ndarray * t``,
        ``np.exp(t)``); others compute without a graph (``interop.py``)."""
        return array_ufunc(Tensor, _fresh, ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        """Other NumPy functions (``np.sum(t)``, ``np.allclose(t, x)``) read the values."""
        return array_function(Tensor, func, args, kwargs)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(self._data.shape[0]):
            yield self[i]

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(
                f"the truth value of a tensor with {self.size} elements is ambiguous; use .any() or .all()"
            )
        return bool(self._data)

    def __format__(self, spec: str) -> str:
        if spec and self._data.size == 1:
            return format(self._data.item(), spec)  # f"{loss:.3f}" of a one-element tensor
        return super().__format__(spec) if not spec else format(self._data, spec)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError(f"only integer one-element tensors can be used as an index, got {self.dtype} {self.shape}")
        return int(self._data.item())

    def __repr__(self) -> str:
        body = np.array2string(self._data, separator=", ", prefix="Tensor(", precision=4)
        extra = [f"dtype={self._data.dtype}"]
        if self.grad_fn is not None:
            extra.append(f"grad_fn={self.grad_fn.name}")
        elif self.requires_grad:
            extra.append("requires_grad=True")
        return f"Tensor({body}, {', '.join(extra)})"

    # --- copying: the data, never the graph ------------------------------------------
    def __reduce__(self):
        return (_rebuild, (type(self), self._data, self.requires_grad))

    def __deepcopy__(self, memo):
        t = _rebuild(type(self), self._data, self.requires_grad)
        if self.grad is not None:
            t._grad = _make(_owned(self._grad._data.copy()), None)
        memo[id(self)] = t
        return t

    # --- graph ---------------------------------------------------------------
    def _record(self, op, args, params):
        return _make(*record(op, args, params))

    def backward(self, grad: ArrayLike | Tensor | None = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad``.

        Parameters
        ----------
        grad : array_like or Tensor, optional
            The upstream gradient, of this tensor's shape. Needed unless the tensor
            has a single element.
        retain_graph : bool, optional
            Keep the saved arrays for another backward. Defaults to ``create_graph``.
        create_graph : bool
            Record the backward pass, so ``.grad`` can be differentiated again.
            (Prefer ``tinygrad_sm.grad`` for that: a ``.grad`` with a graph refers
            back to its own leaf, a reference cycle only the garbage collector frees.)

        If a VJP raises, no ``.grad`` changes and (unless the graph is retained) the
        graph is freed, releasing every array it protected.
        """
        (seed,) = engine.seeds([self], [grad], create_graph, _make, "backward")
        retain = create_graph if retain_graph is None else retain_graph
        leaves, _, retained = engine.run([self._node], [seed], retain, create_graph, _make)
        handed = {id(seed)}
        with _accumulating:  # read-modify-write of .grad: one thread at a time
            _assign(leaves, retained, create_graph, handed)

    def retain_grad(self) -> Tensor:
        """Keep this non-leaf's gradient in ``.grad`` after ``backward()`` (leaves always do)."""
        node = self.grad_fn
        if node is None:
            if not self.requires_grad:
                raise RuntimeError("retain_grad(): the tensor does not require grad, so it gets no gradient")
            return self
        node.retained = weakref.ref(self)
        return self

    def detach(self) -> Tensor:
        """The same memory, cut from the graph (writes to either bump the same version)."""
        return _make(self._data, None, self if self._base is None else self._base)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self.grad_fn is not None:
            raise RuntimeError("requires_grad_(): only leaves can change requires_grad; use .detach() first")
        if requires_grad:
            if self._data.dtype.kind != "f":
                raise TypeError(
                    f"Tensor: only real floating tensors can require grad, got dtype {self._data.dtype}; "
                    f"pass dtype=np.float32 or np.float64 (or float data)"
                )
            if self._node is None:
                self._node = AccumulateGrad(self)
        else:
            self._node = None
        return self

    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow to this tensor: a leaf made with ``requires_grad=True`` or a
        result of recorded ops. Assigning it (``w.requires_grad = True``) is ``requires_grad_``."""
        return self._node is not None

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def astype(self, dtype: DTypeLike) -> Tensor:
        return _apply(Cast, self, to=np.dtype(dtype))

    # --- operators -----------------------------------------------------------
    def __add__(self, other: ArrayLike | Tensor) -> Tensor:
        return _make(*record(Add, (self, other), None))

    def __radd__(self, other: ArrayLike | Tensor) -> Tensor:
        return _make(*record(Add, (other, self), None))

    def __sub__(self, other: ArrayLike | Tensor) -> Tensor:
        return _make(*record(Sub, (self, other), None))

    def __rsub__(self, other: ArrayLike | Tensor) -> Tensor:
        return _make(*record(Sub, (other, self), None))

    def __mul__(self, other: ArrayLike | Tensor) -> Tensor:
        return _make(*record(Mul, (self, other), None))

    def __rmul__(self, other: ArrayLike | Tensor) -> Tensor:
        return _make(*record(Mul, (other, self), None))

    def __truediv__(self, other: ArrayLike | Tensor) -> Tensor:
        return _make(*record(Div, (self, other), None))

    def __rtruediv__(self, other: ArrayLike | Tensor) -> Tensor:
        return _make(*record(Div, (other, self), None))

    def __pow__(self, other: ArrayLike | Tensor) -> Tensor:
        return _make(*record(Pow, (self, other), None))

    def __rpow__(self, other: ArrayLike | Tensor) -> Tensor:
        return _make(*record(Pow, (other, self), None))

    def __matmul__(self, other: ArrayLike | Tensor) -> Tensor:
        return _make(*record(MatMul, (self, other), None))

    def __rmatmul__(self, other: ArrayLike | Tensor) -> Tensor:
        return _make(*record(MatMul, (other, self), None))

    def __neg__(self) -> Tensor:
        return _make(*record(Neg, (self,), None))

    def __getitem__(self, index: Any) -> Tensor:
        return _apply(GetItem, self, index=index_arrays(index))

    # Comparisons give boolean tensors that carry no gradient.
    def __lt__(self, other: ArrayLike | Tensor) -> Tensor:
        return _fresh(self._data < _operand(other))

    def __le__(self, other: ArrayLike | Tensor) -> Tensor:
        return _fresh(self._data <= _operand(other))

    def __gt__(self, other: ArrayLike | Tensor) -> Tensor:
        return _fresh(self._data > _operand(other))

    def __ge__(self, other: ArrayLike | Tensor) -> Tensor:
        return _fresh(self._data >= _operand(other))

    def __eq__(self, other: object) -> Tensor:  # type: ignore[override]
        return _fresh(self._data == _operand(other))

    def __ne__(self, other: object) -> Tensor:  # type: ignore[override]
        return _fresh(self._data != _operand(other))

    def __invert__(self) -> Tensor:
        return _fresh(~self._data)

    def any(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, *,
            dim: int | tuple[int, ...] | None = None, keepdim: bool | None = None) -> Tensor:
        if dim is not None or keepdim is not None:
            axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim, "any")
        return _fresh(self._data.any(axis=axis, keepdims=keepdims))

    def all(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, *,
            dim: int | tuple[int, ...] | None = None, keepdim: bool | None = None) -> Tensor:
        if dim is not None or keepdim is not None:
            axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim, "all")
        return _fresh(self._data.all(axis=axis, keepdims=keepdims))

    def argmax(self, axis: int | None = None, keepdims: bool = False, *, dim: int | None = None,
               keepdim: bool | None = None) -> Tensor:
        if dim is not None or keepdim is not None:
            axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim, "argmax")
        return _fresh(self._data.argmax(axis=axis, keepdims=keepdims))  # type: ignore[arg-type]

    def argmin(self, axis: int | None = None, keepdims: bool = False, *, dim: int | None = None,
               keepdim: bool | None = None) -> Tensor:
        if dim is not None or keepdim is not None:
            axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim, "argmin")
        return _fresh(self._data.argmin(axis=axis, keepdims=keepdims))  # type: ignore[arg-type]

    # --- elementwise ---------------------------------------------------------
    def exp(self) -> Tensor:
        return _make(*record(Exp, (self,), None))

    def log(self) -> Tensor:
        return _make(*record(Log, (self,), None))

    def sqrt(self) -> Tensor:
        return _make(*record(Sqrt, (self,), None))

    def tanh(self) -> Tensor:
        return _make(*record(Tanh, (self,), None))

    def sigmoid(self) -> Tensor:
        return _make(*record(Sigmoid, (self,), None))

    def relu(self) -> Tensor:
        return _make(*record(Relu, (self,), None))

    # --- reductions ----------------------------------------------------------
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, *,
            dim: int | tuple[int, ...] | None = None, keepdim: bool | None = None) -> Tensor:
        if dim is not None or keepdim is not None:
            axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim, "sum")
        return _apply(Sum, self, axis=axis, keepdims=keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, *,
            dim: int | tuple[int, ...] | None = None, keepdim: bool | None = None) -> Tensor:
        if dim is not None or keepdim is not None:
            axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim, "mean")
        return _apply(Mean, self, axis=axis, keepdims=keepdims)

    def max(self, position: int | tuple[int, ...] | Tensor | None = None, /, keepdims: bool = False, *,
            axis: int | tuple[int, ...] | None = None, dim: int | None = None, keepdim: bool | None = None) -> Any:
        """The largest entries along an axis (all axes by default).

        The rule for the two spellings: ``axis=`` is NumPy's ``max``, a Tensor of values
        (ties share the gradient); ``dim=`` is PyTorch's, the named tuple
        ``tg.return_types.max(values, indices)`` along that one axis (the gradient goes to
        the entry at ``indices``). A positional axis, ``x.max(1)``, gives NumPy's values,
        which refuse to be unpacked or indexed by an integer: ``v, i = x.max(1)`` and
        ``x.max(1)[1]`` are PyTorch habits that would otherwise silently read rows of
        values, so they raise and say to write ``dim=``. ``x.max(other_tensor)`` is
        ``x.maximum(other_tensor)``, as in PyTorch.
        """
        if isinstance(position, Tensor):
            return self.maximum(position)
        return self._extreme(Max, "max", position, axis, keepdims, dim, keepdim)

    def min(self, position: int | tuple[int, ...] | Tensor | None = None, /, keepdims: bool = False, *,
            axis: int | tuple[int, ...] | None = None, dim: int | None = None, keepdim: bool | None = None) -> Any:
        """The smallest entries; the same rule as ``max``: ``dim=`` gives PyTorch's
        ``tg.return_types.min(values, indices)``, ``axis=`` NumPy's values, and a positional
        axis NumPy's values that refuse to be unpacked."""
        if isinstance(position, Tensor):
            return self.minimum(position)
        return self._extreme(Min, "min", position, axis, keepdims, dim, keepdim)

    def _extreme(self, op: type[Op], word: str, position: Any, axis: Any, keepdims: bool, dim: Any,
                 keepdim: Any) -> Any:
        """``max``/``min``: NumPy's values, or with ``dim=`` PyTorch's (values, indices)."""
        if position is not None:
            if axis is not None:
                raise TypeError(f"{word}(): got an axis both by position and as axis=; pass one")
            if dim is None:
                out = self._extreme(op, word, None, position, keepdims, None, keepdim)
                if isinstance(position, (int, np.integer)) and out.ndim:
                    out.__class__ = _ReducedValues  # v, i = x.max(1) must not read rows silently
                return out
            axis = position
        if dim is not None or keepdim is not None:
            axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim, word)
            if dim is not None:
                return self._value_and_index(word, axis, keepdims)
        return _apply(op, self, axis=axis, keepdims=keepdims)

    # --- shape ---------------------------------------------------------------
    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = tuple(shape[0])
        return _apply(Reshape, self, shape=shape)

    def transpose(self, *axes: int | Sequence[int], dim0: int | None = None, dim1: int | None = None) -> Tensor:
        """NumPy's ``transpose(axes)`` (all axes reversed by default), and PyTorch's
        ``transpose(dim0, dim1)``: two different ints (not one tuple) swap those two axes, on
        any number of axes (``k.transpose(-2, -1)``). On a 2-D tensor both readings of
        ``transpose(1, 0)`` agree; ``transpose(0, 1)``, NumPy's identity, is read the PyTorch
        way (``transpose((0, 1))`` keeps NumPy's)."""
        if dim0 is not None or dim1 is not None:
            if axes or dim0 is None or dim1 is None:
                raise TypeError("transpose(): pass dim0= and dim1= together, and no positional axes with them")
            axes = (dim0, dim1)
        if len(axes) == 2 and all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in axes) \
                and (self.ndim != 2 or axes[0] % 2 != axes[1] % 2):
            return self.swapaxes(*axes)
        if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
            axes = axes[0]  # type: ignore[assignment]
        return _apply(Transpose, self, axes=tuple(axes) if axes else None)

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        a = single_axis(axis1, self.ndim, "swapaxes")
        b = single_axis(axis2, self.ndim, "swapaxes")
        axes = list(range(self.ndim))
        axes[a], axes[b] = axes[b], axes[a]
        return _apply(Transpose, self, axes=tuple(axes))

    @property
    def T(self) -> Tensor:
        return _apply(Transpose, self, axes=None)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        return _apply(BroadcastTo, self, shape=tuple(shape))

    # --- softmax family (primitives: their VJPs read only the saved output) ----
    def softmax(self, axis: int | None = None, mask: ArrayLike | Tensor | None = None, *,
                dim: int | None = None) -> Tensor:
        """``exp(x) / sum(exp(x))`` along ``axis`` (or ``dim``; default -1); VJP
        ``a * (g - (g * a).sum(axis))``.

        ``mask`` (boolean, broadcastable): ``False`` entries, like ``-inf`` logits,
        get probability 0; a row with every entry excluded is all zeros.
        """
        if dim is not None:
            axis, _ = resolve_axis(axis, dim, False, None, "softmax")
        return _apply(Softmax, self, axis=-1 if axis is None else axis, mask=_operand(mask))

    def log_softmax(self, axis: int | None = None, mask: ArrayLike | Tensor | None = None, *,
                    dim: int | None = None) -> Tensor:
        """``x - logsumexp(x)`` along ``axis`` (or ``dim``; default -1); excluded entries give
        ``-inf``, a fully excluded row gives zeros (with zero gradient)."""
        if dim is not None:
            axis, _ = resolve_axis(axis, dim, False, None, "log_softmax")
        return _apply(LogSoftmax, self, axis=-1 if axis is None else axis, mask=_operand(mask))

    def logsumexp(self, axis: int | None = None, keepdims: bool = False, mask: ArrayLike | Tensor | None = None, *,
                  dim: int | None = None, keepdim: bool | None = None) -> Tensor:
        """``log(sum(exp(x)))`` along ``axis`` (or ``dim``; default -1), stable; a fully
        excluded row gives 0."""
        if dim is not None or keepdim is not None:
            axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim, "logsumexp")
        return _apply(LogSumExp, self, axis=-1 if axis is None else axis, keepdims=keepdims, mask=_operand(mask))


class _ReducedValues(Tensor):
    """What ``x.max(1)`` (a positional axis) returns: NumPy's max values, which refuse to be
    unpacked or indexed by an integer, since ``v, i = x.max(1)`` and ``x.max(1)[1]`` are
    PyTorch's habits for ``(values, indices)`` and would silently give rows of values.
    Arithmetic on it gives ordinary tensors; ``x.max(axis=1)`` is plain NumPy."""

    __slots__ = ()

    _WHY = ("x.max(1)/x.min(1) give NumPy's values, not PyTorch's (values, indices): write x.max(dim=1) "
            "for both (v, i = x.max(dim=1); x.max(dim=1).indices), or x.max(axis=1) for NumPy's values "
            "as an ordinary tensor")

    def __iter__(self):
        raise TypeError(self._WHY + " (unpacking or iterating the values is refused)")

    def __getitem__(self, index: Any) -> Tensor:
        if isinstance(index, (int, np.integer)):  # out.max(1)[1]: PyTorch's habit for the indices
            raise TypeError(self._WHY + f" (an integer index [{index}] is refused)")
        return Tensor.__getitem__(self, index)


def _checked_grad(t, value):
    """What may be assigned to ``t.grad``: a tensor (or array) of ``t``'s shape and dtype."""
    if isinstance(value, np.ndarray):
        value = Tensor(value)
    if not isinstance(value, Tensor):
        raise TypeError(f".grad: assigned a {type(value).__name__}; assign a Tensor of the tensor's shape "
                        f"{t.shape} and dtype {t.dtype}, or None")
    if value.shape != t.shape or value.dtype != t.dtype:
        raise ValueError(f".grad: assigned a {value.dtype} {value.shape} gradient to a {t.dtype} {t.shape} tensor; "
                         f"a gradient has its tensor's shape and dtype (convert it: g.astype({t.dtype}))")
    return value


def _fresh(arr):
    """A tensor (no graph) owning a result computed here, e.g. a comparison's booleans."""
    arr = np.asarray(arr)
    if arr.base is not None or not arr.flags.owndata:
        arr = arr.copy()
    return _make(_owned(arr), None)


def _readonly(arr):
    """``arr`` to hand out: a read-only view the receiver cannot make writable (a view of
    a read-only owner refuses ``setflags(write=True)``). Its flag is cleared explicitly:
    while another thread writes the tensor, the owner is briefly writable."""
    view = arr.view()
    view.setflags(False)
    return view


def _rebuild(cls, data, requires_grad):
    t = _new(cls)
    Tensor.__init__(t, data, requires_grad=requires_grad)
    return t


def _assign(leaves, retained, create_graph, handed):
    for ref, g in retained:
        t = ref()
        if t is not None:
            t._grad = _gradient(g, create_graph, t._grad, handed)
    for acc, g in leaves:
        leaf = acc.leaf()
        if leaf is not None:
            leaf._grad = _gradient(g, create_graph, leaf._grad, handed)


def _gradient(g, create_graph, prev, handed):
    """What a ``.grad`` becomes: ``g``, or ``prev + g``, as a tensor no one else shares
    (``handed``: ids of arrays already given out by this backward)."""
    if create_graph:
        g = g if isinstance(g, Tensor) else _fresh(g)
        return g if prev is None else prev + g
    g = g._data if isinstance(g, Tensor) else g
    if prev is not None:
        if prev._base is None and prev._node is None:  # owns its memory, no graph
            return prev.add_(g)  # accumulated in place, as PyTorch does: the same .grad object
        return _fresh(prev._data + g)
    if type(g) is not np.ndarray or g.base is not None or id(g) in handed or not g.flags.writeable:
        g = np.array(g)  # a saved array, an input's memory, or a view: never alias it
    handed.add(id(g))
    return _make(_owned(g), None)


def _operand(x):
    return x._data if isinstance(x, Tensor) else x


_shared = weakref.WeakValueDictionary()  # id(owner ndarray) -> the tensor made by from_numpy on it


def from_numpy(a: np.ndarray) -> Tensor:
    """A tensor that shares ``a``'s memory instead of copying it (like ``torch.from_numpy``).

    To keep the promise that nothing writes a tensor's memory behind its back, ``a`` (and,
    if ``a`` is a view, the array that owns its memory) becomes read-only: write through
    the tensor (``t[0] = 1``, ``t.add_(1)`` under ``no_grad()``), which every reader of
    ``a`` sees. Only plain, writable ndarrays that own their memory (or views of one) can
    be shared: a memmap, an ndarray subclass, an ``as_strided`` view or another library's
    memory is refused; ``tg.Tensor(a)`` copies those.
    """
    if type(a) is not np.ndarray:
        raise TypeError(
            f"from_numpy: expected a plain numpy.ndarray, got {type(a).__name__}; a memmap, subclass or other "
            f"array type cannot be shared safely: tg.Tensor(a) copies it"
        )
    if a.dtype.kind not in "biuf":
        raise TypeError(f"from_numpy: the array has dtype {a.dtype}; tinygrad_sm tensors hold real numbers or bools")
    owner = owner_of(a)
    if owner.base is not None:
        raise ValueError(
            f"from_numpy: this array's memory belongs to a {type(owner.base).__name__}, not to an ndarray "
            f"(e.g. as_strided, a buffer, another library's tensor), so it cannot be made read-only; "
            f"tg.Tensor(a) copies it"
        )
    known = _shared.get(id(owner))
    if known is not None and owner_of(known._data) is not owner:
        known = None
    if not a.flags.writeable and known is None:
        raise ValueError(
            "from_numpy: the array is read-only, so something else may own its writes; tg.Tensor(a) copies it"
        )
    if a is not owner and not _extent_ok(a):
        raise ValueError("from_numpy: the array's elements overlap in memory (a stride of 0?); tg.Tensor(a) copies it")
    with _accumulating:
        root = _shared.get(id(owner))
        if root is not None and owner_of(root._data) is not owner:
            root = None
        if a is not owner:
            a.setflags(False)
        owner.setflags(False)
        if root is None:
            t = _make(a, None)
            if a is owner:
                _shared[id(owner)] = t
            else:  # a view: a root tensor for the whole owner keeps the version counter
                root = _make(owner, None)
                _shared[id(owner)] = root
                t._base = root
        else:
            t = _make(a, None, root)
    return t


def _extent_ok(a):
    """No two elements share memory: sorted absolute strides each span the axes below them."""
    dims = sorted((abs(s), n) for s, n in zip(a.strides, a.shape) if n > 1)
    span = a.itemsize
    for s, n in dims:
        if s < span:
            return False
        span = s * n
    return True
