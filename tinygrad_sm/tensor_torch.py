"""Tensor methods as PyTorch spells them: ``view unsqueeze permute float to clamp std size()``...

``TorchMethods`` is a base of ``Tensor`` (like ``InPlace``): each method here is a few
lines over the primitives in ``ops/`` (called by name through ``Op.apply``), so the
results are recorded, differentiable and version-checked like every other op.
Views (``view``, ``unsqueeze``, ``squeeze``, ``permute``, ``t``, ``expand``, ``flatten``
when it can) share the input's memory and its version counter.
"""
from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from . import return_types
from .ops.common import normalize_axis, resolve_axis, single_axis
from .ops.elementwise import Abs, Cast, Clone, Cos, Sign, Sin, Where
from .ops.shape import BroadcastTo, Reshape, Transpose

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import ArrayLike, DTypeLike

# The class these methods are mixed into: tensor.py imports this module, never the reverse.
Tensor = Any

DEVICE = "cpu"


class Size(tuple):
    """A shape, as ``x.size()`` returns it (PyTorch's ``torch.Size``): a tuple of ints."""

    __slots__ = ()

    def numel(self) -> int:
        """The number of elements of a tensor of this shape."""
        return math.prod(self)

    def __repr__(self) -> str:
        return f"tg.Size({list(self)})"


class SizeInt(int):
    """``x.size``: NumPy's element count, an ``int`` that PyTorch code may also call.

    ``x.size == 6`` and ``x.size * 2`` are NumPy's (the number of elements);
    ``x.size()`` is the shape as a ``tg.Size`` and ``x.size(d)`` the length of axis ``d``,
    as in PyTorch. Pickling or copying it gives a plain ``int``.
    """

    def __new__(cls, n: int, shape: tuple[int, ...]) -> SizeInt:
        self = super().__new__(cls, n)
        self._shape = shape
        return self

    def __call__(self, dim: int | None = None) -> Any:
        if dim is None:
            return Size(self._shape)
        ndim = len(self._shape)
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or not -ndim <= dim < ndim:
            raise _dim_error("size", dim, self._shape, -ndim, ndim - 1)
        return self._shape[dim]

    def __reduce__(self) -> tuple[Any, ...]:
        return (int, (int(self),))


class Conversions:
    """PyTorch's dtype shorthands (``x.float()`` is ``x.to(tg.float32)``). A class of their
    own, so that in ``TorchMethods`` the names ``float``, ``int`` and ``bool`` stay the
    builtins (a type checker reads annotations in the class's own namespace)."""

    __slots__ = ()

    def double(self) -> Tensor:
        return self._as(np.float64, False, "double")

    def half(self) -> Tensor:
        return self._as(np.float16, False, "half")

    def long(self) -> Tensor:
        return self._as(np.int64, False, "long")

    def short(self) -> Tensor:
        return self._as(np.int16, False, "short")

    def float(self) -> Tensor:
        return self._as(np.float32, False, "float")

    def int(self) -> Tensor:
        return self._as(np.int32, False, "int")

    def bool(self) -> Tensor:
        return self._as(np.bool_, False, "bool")


class TorchMethods(Conversions):
    """PyTorch's Tensor methods that NumPy has no (or another) spelling for."""

    __slots__ = ()

    # --- facts ---------------------------------------------------------------------
    @property
    def size(self) -> SizeInt:
        """The number of elements (NumPy's ``a.size``), callable as PyTorch's method:
        ``x.size()`` is the shape (a ``tg.Size``), ``x.size(d)`` the length of axis ``d``."""
        arr = self._data
        return SizeInt(arr.size, arr.shape)

    def numel(self) -> int:
        """The number of elements (``x.size`` in NumPy's spelling)."""
        return int(self._data.size)

    def nelement(self) -> int:
        return int(self._data.size)

    def dim(self) -> int:
        """The number of axes (``x.ndim``)."""
        return self._data.ndim

    @property
    def device(self) -> str:
        """Always ``"cpu"``: tinygrad_sm computes with NumPy."""
        return DEVICE

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f"

    def element_size(self) -> int:
        return self._data.itemsize

    # --- dtype and device --------------------------------------------------------
    def to(self, *args: Any, dtype: DTypeLike | None = None, device: Any = None, copy: bool = False,
           non_blocking: bool = False) -> Tensor:
        """``x.to(dtype)``, ``x.to("cpu")``, ``x.to(other)`` (other's dtype), ``x.to("cpu", dtype)``.

        Returns ``x`` itself when nothing changes (unless ``copy=True``), as PyTorch does.
        The only device is the CPU; any other raises.
        """
        for a in args:
            if isinstance(a, str) or type(a).__name__ == "device":
                if device is not None:
                    raise TypeError(f"to(): got two devices, {device!r} and {a!r}")
                device = a
            elif hasattr(a, "_data"):  # another tensor: its dtype (and its device, the CPU)
                dtype = a.dtype if dtype is None else _two_dtypes(dtype, a.dtype)
            else:
                dtype = a if dtype is None else _two_dtypes(dtype, a)
        if device is not None:
            _check_device(device, "to")
        return self._as(dtype, copy, "to")

    def cpu(self) -> Tensor:
        """The tensor itself: it is already on the CPU."""
        return self

    def cuda(self, device: Any = None) -> Tensor:
        raise RuntimeError(
            "cuda(): tinygrad_sm runs on the CPU only (NumPy), so there is no CUDA device; drop .cuda(), "
            "or pick the device as `device = 'cpu'` and use .to(device)"
        )

    def type(self, dtype: DTypeLike | None = None) -> Any:
        """``x.type()`` names the type (``"tinygrad_sm.FloatTensor"``); ``x.type(dtype)``
        (a dtype or a name like ``"torch.DoubleTensor"``) converts, like ``to(dtype)``."""
        if dtype is None:
            return f"tinygrad_sm.{_TYPE_NAMES.get(self._data.dtype, str(self._data.dtype))}Tensor"
        if isinstance(dtype, str) and dtype.endswith("Tensor"):
            name = dtype.rsplit(".", 1)[-1][:-len("Tensor")]
            found = [d for d, n in _TYPE_NAMES.items() if n == name]
            if not found:
                raise TypeError(f"type(): unknown tensor type {dtype!r}; pass a dtype such as tg.float32")
            dtype = found[0]
        return self._as(dtype, False, "type")

    def type_as(self, other: Tensor) -> Tensor:
        """This tensor in ``other``'s dtype."""
        return self._as(other.dtype, False, "type_as")

    def _as(self, dtype: Any, copy: bool, method: str) -> Tensor:
        if dtype is None:
            return self.clone() if copy else self
        try:
            d = np.dtype(dtype)
        except TypeError:
            raise TypeError(
                f"{method}(): expected a dtype (tg.float32, np.int64, ...), a device ('cpu') or a tensor, "
                f"got {dtype!r}"
            ) from None
        if d.kind not in "biuf":
            raise TypeError(f"{method}(): tinygrad_sm tensors hold real numbers or bools, got dtype {d}")
        if d == self._data.dtype:
            return self.clone() if copy else self
        return Cast.apply(self, to=d)

    # --- shape: views of the same memory ----------------------------------------------
    def view(self, *shape: Any) -> Tensor:
        """The same memory in another shape (one axis may be -1); writes through either
        bump the same version. Raises when the memory's layout cannot be viewed so (after
        ``t()`` or ``permute``): ``reshape`` copies then."""
        if len(shape) == 1 and not isinstance(shape[0], (int, np.integer)):
            if not isinstance(shape[0], (tuple, list)):
                raise TypeError(
                    f"view(): expected a shape (ints or one tuple), got {shape[0]!r}; view(dtype), PyTorch's "
                    f"reinterpretation of the bits, is not supported: convert with .to(dtype)"
                )
            shape = tuple(shape[0])
        arr = self._data
        target = _resolve_shape(shape, arr.size, "view", arr.shape)
        try:
            np.reshape(arr, target, copy=False)
        except ValueError:
            raise RuntimeError(
                f"view(): the memory of this tensor of shape {arr.shape} is not laid out so that it can be "
                f"viewed as {tuple(shape)} without copying (it is a transpose or a strided slice); use "
                f".reshape(...), which copies when it must, or .contiguous().view(...)"
            ) from None
        return Reshape.apply(self, shape=target)

    def view_as(self, other: Tensor) -> Tensor:
        return self.view(other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def unsqueeze(self, dim: int) -> Tensor:
        """A view with a new axis of length 1 at ``dim`` (``-1`` appends one)."""
        shape = self._data.shape
        n = len(shape) + 1
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)) or not -n <= dim < n:
            raise _dim_error("unsqueeze", dim, shape, -n, n - 1)
        d = int(dim) % n
        return Reshape.apply(self, shape=shape[:d] + (1,) + shape[d:])

    def squeeze(self, dim: int | tuple[int, ...] | None = None, *, axis: int | tuple[int, ...] | None = None) -> Tensor:
        """A view without the axes of length 1 (all of them, or those of ``dim``). As in
        PyTorch, a ``dim`` whose length is not 1 is left as it is (NumPy would raise)."""
        shape = self._data.shape
        dim, _ = resolve_axis(axis, dim, False, None, "squeeze")
        if dim is None:
            drop = {i for i, n in enumerate(shape) if n == 1}
        else:
            dims = dim if isinstance(dim, (tuple, list)) else (dim,)
            for d in dims:
                if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or \
                        not -len(shape) <= d < max(len(shape), 1):
                    raise _dim_error("squeeze", d, shape, -len(shape), len(shape) - 1)
            drop = {int(d) % len(shape) for d in dims if shape and shape[int(d) % len(shape)] == 1}
        return Reshape.apply(self, shape=tuple(n for i, n in enumerate(shape) if i not in drop))

    def permute(self, *dims: Any) -> Tensor:
        """A view with the axes in the order ``dims`` (a permutation of all of them)."""
        if len(dims) == 1 and not isinstance(dims[0], (int, np.integer)):
            dims = tuple(dims[0])
        ndim = self._data.ndim
        ok = len(dims) == ndim and all(
            not isinstance(d, bool) and isinstance(d, (int, np.integer)) and -ndim <= d < ndim for d in dims)
        if not ok or sorted(int(d) % ndim for d in dims) != list(range(ndim)):
            raise ValueError(
                f"permute(): dims {tuple(dims)} are not a permutation of the {ndim} axes of shape "
                f"{self._data.shape}; give each axis once, e.g. permute({', '.join(map(str, reversed(range(ndim))))})"
            )
        return Transpose.apply(self, axes=tuple(int(d) % ndim for d in dims))

    def t(self) -> Tensor:
        """The transpose of a 2-D tensor (a view); 0-D and 1-D tensors come back as they are."""
        if self._data.ndim > 2:
            raise ValueError(
                f"t(): expects a tensor with at most 2 dims, got shape {self._data.shape}; use "
                f"transpose(dim0, dim1) to swap two axes, or permute(...) to reorder them all"
            )
        return Transpose.apply(self, axes=None)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Axes ``start_dim`` to ``end_dim`` (inclusive; all by default) merged into one; a
        view when the memory allows, else a copy (like ``reshape``)."""
        shape = self._data.shape
        if not shape:
            return Reshape.apply(self, shape=(1,))
        n = len(shape)
        for d in (start_dim, end_dim):
            if isinstance(d, bool) or not isinstance(d, (int, np.integer)) or not -n <= d < n:
                raise _dim_error("flatten", d, shape, -n, n - 1)
        s, e = int(start_dim) % n, int(end_dim) % n
        if s > e:
            raise ValueError(f"flatten(): start_dim={start_dim} comes after end_dim={end_dim} for shape {shape}")
        return Reshape.apply(self, shape=shape[:s] + (math.prod(shape[s:e + 1]),) + shape[e + 1:])

    def expand(self, *sizes: Any) -> Tensor:
        """A read-only view repeating axes of length 1 to ``sizes`` (-1 keeps an axis;
        new leading axes may be added), like ``broadcast_to``."""
        if len(sizes) == 1 and not isinstance(sizes[0], (int, np.integer)):
            sizes = tuple(sizes[0])
        shape = self._data.shape
        lead = len(sizes) - len(shape)
        bad = lead < 0 or any(isinstance(s, bool) or not isinstance(s, (int, np.integer)) for s in sizes)
        target = []
        for i, s in enumerate(sizes):
            if bad:
                break
            old = shape[i - lead] if i >= lead else None
            if s == -1 and old is not None:
                s = old
            bad = s < 0 or (old is not None and old != 1 and old != s)
            target.append(int(s))
        if bad:
            raise ValueError(
                f"expand(): cannot expand shape {shape} to {tuple(sizes)}; each axis must keep its length "
                f"(or -1) or grow from 1, and new axes go in front with a length (not -1)"
            )
        return BroadcastTo.apply(self, shape=tuple(target))

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    # --- copies ----------------------------------------------------------------------
    def clone(self) -> Tensor:
        """A copy in new memory; differentiable (the gradient passes through unchanged)."""
        return Clone.apply(self)

    def contiguous(self) -> Tensor:
        """The tensor itself if its memory is C-ordered, else a copy that is."""
        return self if self._data.flags.c_contiguous else Clone.apply(self)

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph, in place: it becomes a leaf that needs no grad."""
        self._node = None
        return self

    # --- PyTorch's method names for the operators ----------------------------------------
    def add(self, other: Any, alpha: float = 1) -> Tensor:
        return self + (other if alpha == 1 else other * alpha)

    def sub(self, other: Any, alpha: float = 1) -> Tensor:
        return self - (other if alpha == 1 else other * alpha)

    def mul(self, other: Any) -> Tensor:
        return self * other

    def div(self, other: Any) -> Tensor:
        return self / other

    def neg(self) -> Tensor:
        return -self

    def mm(self, other: Any) -> Tensor:
        return self @ other

    def eq(self, other: Any) -> Tensor:
        return self == other

    def ne(self, other: Any) -> Tensor:
        return self != other

    def gt(self, other: Any) -> Tensor:
        return self > other

    def ge(self, other: Any) -> Tensor:
        return self >= other

    def lt(self, other: Any) -> Tensor:
        return self < other

    def le(self, other: Any) -> Tensor:
        return self <= other

    def sin(self) -> Tensor:
        return Sin.apply(self)

    def cos(self) -> Tensor:
        return Cos.apply(self)

    def masked_fill(self, mask: Any, value: float) -> Tensor:
        """``value`` where ``mask`` is True, this tensor elsewhere (differentiable in this tensor)."""
        return Where.apply(np.asarray(mask, dtype=bool), value, self)

    def __floordiv__(self, other: Any) -> Tensor:  # values only, like PyTorch's floor_divide
        return np.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return np.floor_divide(other, self)

    def __mod__(self, other: Any) -> Tensor:
        return np.remainder(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return np.remainder(other, self)

    # --- elementwise -------------------------------------------------------------------
    def abs(self) -> Tensor:
        """``|x|``; the gradient is ``sign(x)`` (0 at 0, as in PyTorch)."""
        return Abs.apply(self)

    def __abs__(self) -> Tensor:
        return Abs.apply(self)

    def sign(self) -> Tensor:
        """-1, 0 or 1 (0 for NaN); its gradient is 0."""
        return Sign.apply(self)

    def pow(self, exponent: ArrayLike | Tensor) -> Tensor:
        return self ** exponent

    def square(self) -> Tensor:
        return self * self

    def clamp(self, min: ArrayLike | Tensor | None = None, max: ArrayLike | Tensor | None = None) -> Tensor:  # noqa: A002
        """Values limited to ``[min, max]`` (either may be omitted, or a tensor). The
        gradient is 1 inside, boundaries included, and 0 outside, as in PyTorch; if
        ``min > max`` every value becomes ``max``."""
        if min is None and max is None:
            raise ValueError("clamp(): give min=, max= or both (e.g. x.clamp(min=0))")
        out = self
        if min is not None:
            out = Where.apply(out < min, min, out)
        if max is not None:
            out = Where.apply(out > max, max, out)
        return out

    clip = clamp

    def maximum(self, other: ArrayLike | Tensor) -> Tensor:
        """The larger of the two, elementwise (NaN wins); ties share the gradient equally."""
        return self._pick(other, self > other, self < other)

    def minimum(self, other: ArrayLike | Tensor) -> Tensor:
        """The smaller of the two, elementwise (NaN wins); ties share the gradient equally."""
        return self._pick(other, self < other, self > other)

    def _pick(self, other: Any, mine: Tensor, theirs: Tensor) -> Tensor:
        if self._data.dtype.kind != "f" and np.result_type(getattr(other, "_data", other)).kind != "f":
            return Where.apply(mine, self, other)  # integers: a tie is one value
        return Where.apply(mine, self, Where.apply(theirs, other, self * 0.5 + other * 0.5))

    # --- reductions -------------------------------------------------------------------
    def var(self, axis: int | tuple[int, ...] | None = None, unbiased: bool | None = None, keepdims: bool = False,
            *, dim: int | tuple[int, ...] | None = None, keepdim: bool | None = None, correction: float | None = None,
            ddof: float | None = None) -> Tensor:
        """The variance ``Σ(x - mean)² / (n - correction)``, PyTorch's: ``correction=1``
        (Bessel's, the unbiased estimate) unless ``unbiased=False`` or ``correction=0``.
        NumPy's ``ddof`` is accepted as another name for ``correction`` (NumPy's
        default is 0: pass ``ddof=0`` for ``np.var``)."""
        return self._moment("var", axis, dim, keepdims, keepdim, unbiased, correction, ddof)

    def std(self, axis: int | tuple[int, ...] | None = None, unbiased: bool | None = None, keepdims: bool = False,
            *, dim: int | tuple[int, ...] | None = None, keepdim: bool | None = None, correction: float | None = None,
            ddof: float | None = None) -> Tensor:
        """The standard deviation, ``var(...).sqrt()``: ``correction=1`` by default, as in
        PyTorch (``ddof=0`` or ``unbiased=False`` gives NumPy's ``np.std``)."""
        var = self._moment("std", axis, dim, keepdims, keepdim, unbiased, correction, ddof)
        zero = np.asarray(var._data == 0)  # a constant column: std 0, and its gradient 0 as in PyTorch
        if not zero.any():
            return var.sqrt()
        return Where.apply(zero, 0.0, Where.apply(zero, 1.0, var).sqrt())

    def _moment(self, word: str, axis: Any, dim: Any, keepdims: bool, keepdim: Any, unbiased: Any, correction: Any,
                ddof: Any) -> Tensor:
        axis, keepdims = resolve_axis(axis, dim, keepdims, keepdim, word)
        given = [n for n, v in (("unbiased", unbiased), ("correction", correction), ("ddof", ddof)) if v is not None]
        if len(given) > 1:
            raise TypeError(f"{word}(): got {' and '.join(given)}; pass one (ddof is NumPy's name for correction, "
                            f"unbiased=True is correction=1)")
        c = (1 if unbiased else 0) if unbiased is not None else (ddof if correction is None else correction)
        c = 1 if c is None else c
        arr = self._data
        if arr.dtype.kind != "f":
            raise TypeError(f"{word}(): needs a floating tensor, got dtype {arr.dtype}; convert it first, e.g. "
                            f"x.float().{word}()")
        axes = normalize_axis(axis, arr.ndim, word)
        n = arr.size if axes is None else math.prod(arr.shape[a] for a in axes)
        d = self - self.mean(axis=axes, keepdims=True)
        if n - c > 0:
            return (d * d).sum(axis=axes, keepdims=keepdims) * (1.0 / (n - c))
        warnings.warn(f"{word}(): degrees of freedom n - correction = {n} - {c} <= 0; the result is inf or nan",
                      RuntimeWarning, stacklevel=3)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (d * d).sum(axis=axes, keepdims=keepdims) / 0.0

    def _value_and_index(self, word: str, dim: Any, keepdim: bool) -> Any:
        """``max(dim=)``/``min(dim=)``: PyTorch's ``(values, indices)`` along one axis; the
        gradient of ``values`` goes to the entry at ``indices`` only."""
        arr = self._data
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise TypeError(
                f"{word}(dim={dim!r}): dim= takes one int (PyTorch's (values, indices) along one axis); for "
                f"the {word} over several axes, pass axis=: x.{word}(axis={dim!r})"
            )
        find = np.argmax if word == "max" else np.argmin
        result = getattr(return_types, word)
        if arr.ndim == 0:
            if not -1 <= dim <= 0:
                raise _dim_error(word, dim, arr.shape, -1, 0)
            return result(Clone.apply(self), self._fresh_index(np.zeros((), np.int64)))
        d = single_axis(dim, arr.ndim, word)
        if arr.shape[d] == 0:
            raise ValueError(f"{word}(dim={dim}): cannot reduce axis {d} of length 0 (shape {arr.shape})")
        idx = find(arr, axis=d)
        out_shape = idx.shape
        grids = list(np.indices(out_shape, sparse=True)) if out_shape else []
        values = self[tuple(grids[:d] + [idx] + grids[d:])]
        if keepdim:
            kept = out_shape[:d] + (1,) + out_shape[d:]
            return result(values.reshape(kept), self._fresh_index(idx.reshape(kept)))
        return result(values, self._fresh_index(idx))

    def _fresh_index(self, idx: np.ndarray) -> Tensor:
        return type(self)(np.asarray(idx, dtype=np.int64))


_TYPE_NAMES = {np.dtype(k): v for k, v in (
    (np.float16, "Half"), (np.float32, "Float"), (np.float64, "Double"), (np.int8, "Char"), (np.uint8, "Byte"),
    (np.int16, "Short"), (np.int32, "Int"), (np.int64, "Long"), (np.bool_, "Bool"))}


def _two_dtypes(a: Any, b: Any) -> Any:
    raise TypeError(f"to(): got two dtypes, {a!r} and {b!r}; pass one")


def _check_device(device: Any, method: str) -> None:
    name = str(device)
    if name.split(":")[0] != DEVICE:
        raise RuntimeError(
            f"{method}(): device {name!r} is not available: tinygrad_sm runs on the CPU only (NumPy). Use "
            f"'cpu' (e.g. device = 'cpu'), or drop the .to(device) call"
        )


def _resolve_shape(shape: Sequence[Any], size: int, method: str, old: tuple[int, ...]) -> tuple[int, ...]:
    """``shape`` with its one -1 filled in, or a ValueError when it cannot hold ``size`` elements."""
    if not all(not isinstance(n, bool) and isinstance(n, (int, np.integer)) for n in shape):
        raise TypeError(f"{method}(): the shape must be ints, got {tuple(shape)!r}")
    known = math.prod(int(n) for n in shape if n != -1)
    free = sum(1 for n in shape if n == -1)
    ok = free <= 1 and all(n >= -1 for n in shape) and (
        known == size if free == 0 else (known != 0 and size % known == 0))
    if not ok:
        raise ValueError(
            f"{method}(): cannot view shape {old} ({size} elements) as {tuple(shape)}; the sizes must match "
            f"(one axis may be -1)"
        )
    return tuple(size // known if n == -1 else int(n) for n in shape)


def _dim_error(method: str, dim: Any, shape: tuple[int, ...], lo: int, hi: int) -> Exception:
    return np.exceptions.AxisError(
        f"{method}(): dim {dim!r} is out of range for a tensor of shape {shape}; expected an int in [{lo}, {hi}]"
    )
