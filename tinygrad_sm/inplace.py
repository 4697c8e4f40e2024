"""The write path: every change to a tensor's memory after it was made goes through here.

A tensor's memory is read-only to NumPy; the methods below open it for one write,
under a lock, then bump the version counter of the tensor that owns the memory (all
its views share it) and mark the node that saved it as its output. Backward compares
versions (``versions.py``), so no write can silently change a gradient.

PyTorch's rule: while grad mode is on, a tensor that requires grad is not written in
place (the write would not be recorded). ``+=`` and friends then fall back to the
out-of-place result, so ``total += loss`` still builds the graph; on a leaf they
refuse, since the name would silently stop being the parameter.
"""
from __future__ import annotations

import threading
from typing import Any

import numpy as np

from .grad_mode import STATE, no_grad
from .interop import needs_grad
from .ops.shape import index_arrays
from .record import AccumulateGrad
from .versions import owner_of

_writing = threading.Lock()


def _raw(x: Any) -> Any:
    """An operand's array: a tensor's memory, or the value itself (a list or tuple holding
    tensors becomes an array of their values)."""
    data = getattr(x, "_data", None)
    if data is not None:
        return data
    if isinstance(x, (list, tuple)):
        return np.asarray([_raw(v) for v in x])
    return x


class InPlace:
    """In-place methods of ``Tensor``: each checks, writes through ``_write``, returns self."""

    __slots__ = ()

    # --- the one write path ---------------------------------------------------------
    def _check_writable(self, what: str) -> None:
        if STATE.grad_enabled and self.requires_grad:
            if type(self._node) is AccumulateGrad:
                raise RuntimeError(
                    f"{what}: a leaf tensor that requires grad (shape {self.shape}) cannot be changed in place "
                    f"while grad mode is on: the change would not be recorded. Update parameters under "
                    f"`with tg.no_grad():` (as optimizers do), or use an out-of-place op (w = w - lr * g)"
                )
            raise RuntimeError(
                f"{what}: this tensor was computed by recorded ops ({self._node.name}) and requires grad; an "
                f"in-place change would not be recorded. Use the out-of-place form (x = x + y), or detach() it "
                f"first if its gradient does not matter"
            )

    def _write(self, what: str, fn: Any, *operands: Any) -> Any:
        """Run ``fn(w)`` on a writable view ``w`` of this tensor's memory, then bump the version."""
        self._check_writable(what)
        if STATE.grad_enabled:
            for x in operands:
                if needs_grad(x):
                    raise RuntimeError(
                        f"{what}: the value written requires grad, and an in-place write cannot record it; "
                        f"build the result out of place (tg.where, tg.concatenate), or detach() the value"
                    )
        arr = self._data
        if 0 in arr.strides and any(s == 0 and n > 1 for s, n in zip(arr.strides, arr.shape)):
            raise RuntimeError(
                f"{what}: this tensor is a broadcast view (expand, broadcast_to) whose entries share memory, so "
                f"one write would change several entries; clone() it first (as PyTorch requires too)"
            )
        owner = owner_of(arr)
        with _writing:
            reopen = not owner.flags.writeable
            if reopen:
                owner.setflags(True)
            try:
                w = arr.view()
                w.setflags(True)
                fn(w)
            except (TypeError, ValueError, IndexError, OverflowError) as e:
                raise _write_error(what, self, e) from None
            finally:
                if reopen:
                    owner.setflags(False)
            root = self if self._base is None else self._base
            root._version += 1
            for t in (self, root):
                node = t._node
                if node is not None and type(node) is not AccumulateGrad:
                    node.written = root._version
        return self

    # --- named in-place methods (PyTorch's) -----------------------------------------
    def add_(self, other: Any, alpha: float = 1) -> Any:
        """``self += alpha * other``, in place."""
        o = _raw(other)
        return self._write("add_", lambda w: np.add(w, o if alpha == 1 else np.multiply(o, alpha), out=w), other)

    def sub_(self, other: Any, alpha: float = 1) -> Any:
        """``self -= alpha * other``, in place."""
        o = _raw(other)
        return self._write("sub_", lambda w: np.subtract(w, o if alpha == 1 else np.multiply(o, alpha), out=w),
                           other)

    def mul_(self, other: Any) -> Any:
        o = _raw(other)
        return self._write("mul_", lambda w: np.multiply(w, o, out=w), other)

    def div_(self, other: Any) -> Any:
        o = _raw(other)
        return self._write("div_", lambda w: np.true_divide(w, o, out=w), other)

    def zero_(self) -> Any:
        return self._write("zero_", lambda w: w.fill(0))

    def fill_(self, value: Any) -> Any:
        v = _raw(value)
        if np.ndim(v) != 0:
            raise ValueError(f"fill_: the value must be a number (or a one-element tensor), got shape {np.shape(v)}")
        return self._write("fill_", lambda w: w.fill(v), value)

    def copy_(self, src: Any) -> Any:
        """Copy ``src`` (broadcast to this shape, cast to this dtype) into this tensor."""
        s = _raw(src)
        return self._write("copy_", lambda w: np.copyto(w, s, casting="same_kind"), src)

    def clamp_(self, min: Any = None, max: Any = None) -> Any:  # noqa: A002 (PyTorch's names)
        if min is None and max is None:
            raise ValueError("clamp_: give min=, max= or both")
        lo, hi = _raw(min), _raw(max)
        return self._write("clamp_", lambda w: np.clip(w, lo, hi, out=w), min, max)

    def __setitem__(self, index: Any, value: Any) -> None:
        idx, v = index_arrays(index), _raw(value)

        def put(w):
            w[idx] = v
        self._write("setitem (t[...] = v)", put, value)

    def _assign_data(self, value: Any) -> None:
        """``t.data = value`` (PyTorch's spelling): the same shape and dtype is written in
        place; another shape or dtype replaces the memory (a tensor that owns its memory
        only), and graphs recorded before no longer reach this tensor."""
        if hasattr(value, "_data") and self._base is None and value._data is not self._data:
            self._share(value)  # ``dec.weight.data = enc.weight.data``: the same memory, as in PyTorch
            return
        v = _raw(value)
        if np.shape(v) == self.shape and np.result_type(v) == self.dtype:
            with no_grad():
                self._write("t.data = value", lambda w: np.copyto(w, v))
            return
        if self._base is not None:
            raise ValueError(
                f"t.data = value: this tensor is a view of another's memory, so its shape {self.shape} and dtype "
                f"{self.dtype} cannot change (value: {np.result_type(v)} {np.shape(v)}); assign a value of that "
                f"shape, or make a new tensor"
            )
        arr = np.array(v, copy=True, subok=False)
        if self.requires_grad and arr.dtype.kind != "f":
            raise TypeError(f"t.data = value: the tensor requires grad, so the value must be floating, got {arr.dtype}")
        arr.setflags(False)
        self._rebind(arr, None)

    def _share(self, other: Any) -> None:
        """Make this tensor (one that owns its memory) a view of ``other``'s memory, sharing
        its version counter; graphs recorded before no longer reach this tensor."""
        if self.requires_grad and other.dtype.kind != "f":
            raise TypeError(f"t.data = value: the tensor requires grad, so the value must be floating, "
                            f"got {other.dtype}")
        self._rebind(other._data, other if other._base is None else other._base)

    def _rebind(self, data: np.ndarray, base: Any) -> None:
        """Point this tensor at other memory (``data``, owned by ``base`` or by itself). Its
        version goes up, so views of the old memory see the change, and graphs recorded
        before no longer reach it: its old gradient node sends gradients nowhere."""
        with _writing:
            self._version += 1
            self._data = data
            self._base = base
            node = self._node
            if type(node) is AccumulateGrad:
                node.leaf = _gone
                self._node = AccumulateGrad(self)
            elif node is not None:
                node.written = self._version

    # --- augmented assignment: in place when nothing needs recording ---------------
    def _augmented(self, op: str, other: Any, inplace: Any, outofplace: Any) -> Any:
        if STATE.grad_enabled and (self.requires_grad or getattr(other, "requires_grad", False)):
            if type(self._node) is AccumulateGrad:
                raise RuntimeError(
                    f"w {op}= ...: w is a leaf tensor that requires grad, and grad mode is on; update it in "
                    f"place under `with tg.no_grad():` (w {op}= lr * w.grad works there), or rebind it out of "
                    f"place (w = w {op} ...), which makes w a new, non-leaf tensor"
                )
            return outofplace(self, other)  # recorded: the name is rebound to the new tensor
        return inplace(other)

    def __iadd__(self, other: Any) -> Any:
        return self._augmented("+", other, self.add_, type(self).__add__)

    def __isub__(self, other: Any) -> Any:
        return self._augmented("-", other, self.sub_, type(self).__sub__)

    def __imul__(self, other: Any) -> Any:
        return self._augmented("*", other, self.mul_, type(self).__mul__)

    def __itruediv__(self, other: Any) -> Any:
        return self._augmented("/", other, self.div_, type(self).__truediv__)


def _gone() -> None:
    return None


def _write_error(what: str, t: Any, err: Exception) -> Exception:
    kind = next((k for k in (TypeError, IndexError, OverflowError) if isinstance(err, k)), ValueError)
    return kind(f"{what}: cannot write into the tensor ({t.dtype} {t.shape}): {err}")
