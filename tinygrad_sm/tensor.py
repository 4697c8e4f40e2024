"""The user-facing ``Tensor``: an ndarray, its link into the graph, operator sugar, ``backward``.

Every differentiable method calls one primitive from ``tinygrad_sm/ops/`` by name;
the primitive records itself (``Op.apply``). The graph walk lives in ``engine.py``.
"""
import numpy as np

_new = object.__new__


def _make(data, node):
    """Wrap an ndarray without copying; ``node`` is the op that made it (or None)."""
    t = _new(Tensor)
    t.data = data
    t._node = node
    t.requires_grad = node is not None
    t.grad = None
    return t


class Tensor:
    """An n-dimensional array that records the operations applied to it.

    Parameters
    ----------
    data : array_like
        Copied into a new ndarray (like ``np.array``; use ``.data`` to reach it).
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

    def __init__(self, data, requires_grad=False, dtype=None):
        if isinstance(data, Tensor):
            data = data.data
        arr = np.array(data, dtype=dtype)
        if requires_grad and arr.dtype.kind != "f":
            raise TypeError(
                f"Tensor: only floating tensors can require grad, got dtype {arr.dtype}; "
                f"pass dtype=np.float32 or np.float64 (or float data)"
            )
        self.data = arr
        self.requires_grad = bool(requires_grad)
        self.grad = None
        self._node = None

    # --- array facts ----------------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def size(self):
        return self.data.size

    @property
    def grad_fn(self):
        """The backward node that made this tensor (None for leaves and constants)."""
        return self._node

    @property
    def is_leaf(self):
        return self._node is None

    def numpy(self):
        """The underlying ndarray (shared, not copied)."""
        return self.data

    def item(self):
        if self.data.size != 1:
            raise ValueError(
                f"item(): only one-element tensors convert to a Python scalar; this one has "
                f"shape {self.shape} ({self.size} elements). Reduce it first, e.g. .sum() or .mean()"
            )
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        if self.data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        for i in range(self.data.shape[0]):
            yield self[i]

    def __bool__(self):
        if self.data.size != 1:
            raise ValueError(
                f"the truth value of a tensor with {self.size} elements is ambiguous; use .any() or .all()"
            )
        return bool(self.data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="Tensor(", precision=4)
        extra = [f"dtype={self.data.dtype}"]
        if self._node is not None:
            extra.append(f"grad_fn={self._node.name}")
        elif self.requires_grad:
            extra.append("requires_grad=True")
        return f"Tensor({body}, {', '.join(extra)})"

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Jupyter: the values, and the backward graph of a tensor made by recorded ops."""
        from .viz.notebook import tensor_bundle

        return tensor_bundle(self)

    # --- graph ---------------------------------------------------------------
    def backward(self, grad=None, retain_graph=None, create_graph=False):
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
        """
        engine.backward([self], [grad], retain_graph, create_graph)

    def detach(self):
        """The same data, cut from the graph."""
        return _make(self.data, None)

    def requires_grad_(self, requires_grad=True):
        if self._node is not None:
            raise RuntimeError("requires_grad_(): only leaves can change requires_grad; use .detach() first")
        if requires_grad and self.data.dtype.kind != "f":
            raise TypeError(f"requires_grad_(): dtype {self.data.dtype} is not floating")
        self.requires_grad = bool(requires_grad)
        return self

    def astype(self, dtype):
        return Cast.apply(self, to=np.dtype(dtype))

    # --- operators -----------------------------------------------------------
    def __add__(self, other):
        return Add.apply(self, other)

    def __radd__(self, other):
        return Add.apply(other, self)

    def __sub__(self, other):
        return Sub.apply(self, other)

    def __rsub__(self, other):
        return Sub.apply(other, self)

    def __mul__(self, other):
        return Mul.apply(self, other)

    def __rmul__(self, other):
        return Mul.apply(other, self)

    def __truediv__(self, other):
        return Div.apply(self, other)

    def __rtruediv__(self, other):
        return Div.apply(other, self)

    def __pow__(self, other):
        return Pow.apply(self, other)

    def __rpow__(self, other):
        return Pow.apply(other, self)

    def __matmul__(self, other):
        return MatMul.apply(self, other)

    def __rmatmul__(self, other):
        return MatMul.apply(other, self)

    def __neg__(self):
        return Neg.apply(self)

    def __getitem__(self, index):
        return GetItem.apply(self, index=_index(index))

    # Comparisons give boolean tensors that carry no gradient.
    def __lt__(self, other):
        return _make(self.data < _operand(other), None)

    def __le__(self, other):
        return _make(self.data <= _operand(other), None)

    def __gt__(self, other):
        return _make(self.data > _operand(other), None)

    def __ge__(self, other):
        return _make(self.data >= _operand(other), None)

    def __eq__(self, other):
        return _make(self.data == _operand(other), None)

    def __ne__(self, other):
        return _make(self.data != _operand(other), None)

    def __invert__(self):
        return _make(~self.data, None)

    def any(self, axis=None, keepdims=False):
        return _make(np.asarray(self.data.any(axis=axis, keepdims=keepdims)), None)

    def all(self, axis=None, keepdims=False):
        return _make(np.asarray(self.data.all(axis=axis, keepdims=keepdims)), None)

    def argmax(self, axis=None, keepdims=False):
        return _make(np.asarray(self.data.argmax(axis=axis, keepdims=keepdims)), None)

    # --- elementwise ---------------------------------------------------------
    def exp(self):
        return Exp.apply(self)

    def log(self):
        return Log.apply(self)

    def sqrt(self):
        return Sqrt.apply(self)

    def tanh(self):
        return Tanh.apply(self)

    def sigmoid(self):
        return Sigmoid.apply(self)

    def relu(self):
        return Relu.apply(self)

    # --- reductions ----------------------------------------------------------
    def sum(self, axis=None, keepdims=False):
        return Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return -Max.apply(-self, axis=axis, keepdims=keepdims)

    # --- shape ---------------------------------------------------------------
    def reshape(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            shape = tuple(shape[0])
        return Reshape.apply(self, shape=shape)

    def flatten(self):
        return Reshape.apply(self, shape=(-1,))

    def transpose(self, *axes):
        if len(axes) == 1 and not isinstance(axes[0], (int, np.integer)):
            axes = axes[0]
        return Transpose.apply(self, axes=tuple(axes) if axes else None)

    def swapaxes(self, axis1, axis2):
        axes = list(range(self.ndim))
        axes[axis1], axes[axis2] = axes[axis2], axes[axis1]
        return Transpose.apply(self, axes=tuple(axes))

    @property
    def T(self):
        return Transpose.apply(self, axes=None)

    def broadcast_to(self, shape):
        return BroadcastTo.apply(self, shape=tuple(shape))

    # --- softmax family (primitives: their VJPs read only the saved output) ----
    def softmax(self, axis=-1, mask=None):
        """``exp(x) / sum(exp(x))`` along ``axis``; VJP ``a * (g - (g * a).sum(axis))``.

        ``mask`` (boolean, broadcastable): ``False`` entries, like ``-inf`` logits,
        get probability 0; a row with every entry excluded is all zeros.
        """
        return Softmax.apply(self, _operand(mask), axis=axis)

    def log_softmax(self, axis=-1, mask=None):
        """``x - logsumexp(x)`` along ``axis``; excluded entries give ``-inf``, a fully
        excluded row gives zeros (with zero gradient)."""
        return LogSoftmax.apply(self, _operand(mask), axis=axis)

    def logsumexp(self, axis=-1, keepdims=False, mask=None):
        """``log(sum(exp(x)))`` along ``axis``, stable; a fully excluded row gives 0."""
        return LogSumExp.apply(self, _operand(mask), axis=axis, keepdims=keepdims)


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
        return np.asarray(i)
    return i


# The ops and the engine refer back to Tensor, so they are imported once it exists.
from . import engine  # noqa: E402
from .ops.elementwise import Add, Cast, Div, Exp, Log, Mul, Neg, Pow, Relu, Sigmoid, Sqrt, Sub, Tanh  # noqa: E402
from .ops.linalg import MatMul  # noqa: E402
from .ops.reduce import Max, Mean, Sum  # noqa: E402
from .ops.shape import BroadcastTo, GetItem, Reshape, Transpose  # noqa: E402
from .ops.softmax import LogSoftmax, LogSumExp, Softmax  # noqa: E402
