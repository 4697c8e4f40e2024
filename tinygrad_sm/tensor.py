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
from .op import Traced
from .ops.common import single_axis
from .ops.elementwise import Add, Cast, Div, Exp, Log, Mul, Neg, Pow, Relu, Sigmoid, Sqrt, Sub, Tanh
from .ops.linalg import MatMul
from .ops.reduce import Max, Mean, Min, Sum
from .ops.shape import BroadcastTo, GetItem, Reshape, Transpose
from .ops.softmax import LogSoftmax, LogSumExp, Softmax
from .record import AccumulateGrad, record

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from numpy.typing import ArrayLike, DTypeLike

    from .op import Op

_new = object.__new__
_accumulating = threading.Lock()


def _make(data, node):
    """Wrap an ndarray without copying; ``node`` is the node that made it (or None)."""
    t = _new(Tensor)
    t.data = data
    t._node = node
    t.requires_grad = node is not None
    t.grad = None
    return t


def _apply(op, *args, **params):
    return _make(*record(op, args, params))


class Tensor(Traced):
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
    """

    __slots__ = ("data", "requires_grad", "grad", "_node", "__weakref__")
    __array_ufunc__ = None  # ndarray (op) Tensor defers to Tensor's reflected operator
    __hash__ = object.__hash__  # == is elementwise, so hash by identity like PyTorch
    data: np.ndarray
    requires_grad: bool
    grad: Tensor | None
    _node: Op | AccumulateGrad | None

    def __init__(self, data: ArrayLike, requires_grad: bool = False, dtype: DTypeLike | None = None) -> None:
        if isinstance(data, Tensor):
            data = data.data
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
        self.data = arr
        self.grad = None
        self._node = None
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    # --- array facts ----------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def grad_fn(self) -> Op | None:
        """The backward node that made this tensor (None for leaves and constants)."""
        node = self._node
        return None if node is None or type(node) is AccumulateGrad else node  # type: ignore[return-value]

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    def numpy(self) -> np.ndarray:
        """The underlying ndarray (shared, not copied)."""
        return self.data

    def item(self) -> Any:
        if self.data.size != 1:
            raise ValueError(
                f"item(): only one-element tensors convert to a Python scalar; this one has "
                f"shape {self.shape} ({self.size} elements). Reduce it first, e.g. .sum() or .mean()"
            )
        return self.data.item()

    def tolist(self) -> Any:
        return self.data.tolist()

    def __array__(self, dtype: DTypeLike | None = None, copy: bool | None = None) -> np.ndarray:
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(self.data.shape[0]):
            yield self[i]

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor with {self.size} elements is ambiguous; use .any() or .all()"
            )
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError(f"only integer one-element tensors can be used as an index, got {self.dtype} {self.shape}")
        return int(self.data.item())

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", precision=4)
        extra = [f"dtype={self.data.dtype}"]
        if self.grad_fn is not None:
            extra.append(f"grad_fn={self.grad_fn.name}")
        elif self.requires_grad:
            extra.append("requires_grad=True")
        return f"Tensor({body}, {', '.join(extra)})"

    # --- copying: the data, never the graph ------------------------------------------
    def __reduce__(self):
        return (_rebuild, (type(self), self.data, self.requires_grad))

    def __deepcopy__(self, memo):
        t = _rebuild(type(self), self.data.copy(), self.requires_grad)
        if self.grad is not None:
            t.grad = _make(self.grad.data.copy(), None)
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
        """The same data, cut from the graph."""
        return _make(self.data, None)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        if self.grad_fn is not None:
            raise RuntimeError("requires_grad_(): only leaves can change requires_grad; use .detach() first")
        if requires_grad:
            if self.data.dtype.kind != "f":
                raise TypeError(
                    f"Tensor: only real floating tensors can require grad, got dtype {self.data.dtype}; "
                    f"pass dtype=np.float32 or np.float64 (or float data)"
                )
            if self._node is None:
                self._node = AccumulateGrad(self)
        else:
            self._node = None
        self.requires_grad = bool(requires_grad)
        return self

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
        return _apply(GetItem, self, index=_index(index))

    # Comparisons give boolean tensors that carry no gradient.
    def __lt__(self, other: ArrayLike | Tensor) -> Tensor:
        return _make(np.asarray(self.data < _operand(other)), None)

    def __le__(self, other: ArrayLike | Tensor) -> Tensor:
        return _make(np.asarray(self.data <= _operand(other)), None)

    def __gt__(self, other: ArrayLike | Tensor) -> Tensor:
        return _make(np.asarray(self.data > _operand(other)), None)

    def __ge__(self, other: ArrayLike | Tensor) -> Tensor:
        return _make(np.asarray(self.data >= _operand(other)), None)

    def __eq__(self, other: object) -> Tensor:  # type: ignore[override]
        return _make(np.asarray(self.data == _operand(other)), None)

    def __ne__(self, other: object) -> Tensor:  # type: ignore[override]
        return _make(np.asarray(self.data != _operand(other)), None)

    def __invert__(self) -> Tensor:
        return _make(np.asarray(~self.data), None)

    def any(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return _make(np.asarray(self.data.any(axis=axis, keepdims=keepdims)), None)

    def all(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return _make(np.asarray(self.data.all(axis=axis, keepdims=keepdims)), None)

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        return _make(np.asarray(self.data.argmax(axis=axis, keepdims=keepdims)), None)  # type: ignore[arg-type]

    def argmin(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        return _make(np.asarray(self.data.argmin(axis=axis, keepdims=keepdims)), None)  # type: ignore[arg-type]

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
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return _apply(Sum, self, axis=axis, keepdims=keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return _apply(Mean, self, axis=axis, keepdims=keepdims)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return _apply(Max, self, axis=axis, keepdims=keepdims)

    def min(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return _apply(Min, self, axis=axis, keepdims=keepdims)

    # --- shape ---------------------------------------------------------------
    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = tuple(shape[0])
        return _apply(Reshape, self, shape=shape)

    def flatten(self) -> Tensor:
        return _apply(Reshape, self, shape=(-1,))

    def transpose(self, *axes: int | Sequence[int]) -> Tensor:
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
    def softmax(self, axis: int = -1, mask: ArrayLike | Tensor | None = None) -> Tensor:
        """``exp(x) / sum(exp(x))`` along ``axis``; VJP ``a * (g - (g * a).sum(axis))``.

        ``mask`` (boolean, broadcastable): ``False`` entries, like ``-inf`` logits,
        get probability 0; a row with every entry excluded is all zeros.
        """
        return _apply(Softmax, self, axis=axis, mask=_operand(mask))

    def log_softmax(self, axis: int = -1, mask: ArrayLike | Tensor | None = None) -> Tensor:
        """``x - logsumexp(x)`` along ``axis``; excluded entries give ``-inf``, a fully
        excluded row gives zeros (with zero gradient)."""
        return _apply(LogSoftmax, self, axis=axis, mask=_operand(mask))

    def logsumexp(self, axis: int = -1, keepdims: bool = False, mask: ArrayLike | Tensor | None = None) -> Tensor:
        """``log(sum(exp(x)))`` along ``axis``, stable; a fully excluded row gives 0."""
        return _apply(LogSumExp, self, axis=axis, keepdims=keepdims, mask=_operand(mask))


def _rebuild(cls, data, requires_grad):
    t = _new(cls)
    Tensor.__init__(t, data, requires_grad=requires_grad)
    return t


def _assign(leaves, retained, create_graph, handed):
    for ref, g in retained:
        t = ref()
        if t is not None:
            t.grad = _gradient(g, create_graph, t.grad, handed)
    for acc, g in leaves:
        leaf = acc.leaf()
        if leaf is not None:
            leaf.grad = _gradient(g, create_graph, leaf.grad, handed)


def _gradient(g, create_graph, prev, handed):
    """What a ``.grad`` becomes: ``g``, or ``prev + g``, as a tensor no one else shares
    (``handed``: ids of arrays already given out by this backward)."""
    if create_graph:
        g = g if isinstance(g, Tensor) else _make(np.asarray(g), None)
        return g if prev is None else prev + g
    g = g.data if isinstance(g, Tensor) else g
    if prev is not None:
        return _make(np.asarray(prev.data + g), None)
    if type(g) is not np.ndarray or g.base is not None or id(g) in handed or not g.flags.writeable:
        g = np.array(g)
    handed.add(id(g))
    return _make(g, None)


def _operand(x):
    return x.data if isinstance(x, Tensor) else x


def _index(index):
    """Tensors inside an index become their arrays; lists become integer/bool arrays."""
    if isinstance(index, tuple):
        return tuple(_index_item(i) for i in index)
    return _index_item(index)


def _index_item(i):
    if isinstance(i, Tensor):
        return i.data
    if isinstance(i, list):
        return np.asarray(i) if i else np.empty(0, dtype=np.intp)  # x[[]] is empty, as in NumPy
    return i
