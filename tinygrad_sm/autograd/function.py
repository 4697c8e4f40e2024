"""``Function``: custom differentiable ops in PyTorch's shape, built on ``Op``.

    class Square(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return 2 * x * grad_output

    y = Square.apply(x)

``apply`` runs one ``FunctionOp`` (an ``Op``): its forward calls the user's ``forward``
on detached tensors with recording off, its VJP calls the user's ``backward``. So
gradcheck, the graph pictures, anomaly mode and the saved-value protection treat a
Function like any primitive; a ``backward`` written with tensor operations is
differentiated again under ``create_graph``.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..grad_mode import no_grad
from ..op import Op, Traced
from ..tensor import Tensor, _make


class FunctionCtx:
    """The ``ctx`` of ``forward``/``backward``: ``save_for_backward``, ``saved_tensors``,
    ``needs_input_grad``, ``mark_non_differentiable``; other attributes are free for the
    user (``ctx.k = 3``) and stay until the node is freed."""

    def __init__(self, needs_input_grad: tuple[bool, ...]) -> None:
        self.needs_input_grad = needs_input_grad
        self.to_save: tuple[Any, ...] | None = None
        self.non_differentiable = False
        self._saved: tuple[Any, ...] | None = None

    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep these tensors (inputs, the output, or tensors made in forward) for ``backward``."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward: argument {i} is a {type(t).__name__}; save tensors (or None) "
                                f"here and other values as ctx attributes (ctx.k = k)")
        self.to_save = tensors

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        if self._saved is None:
            raise RuntimeError("saved_tensors: available in backward only, and only once per backward pass "
                               "(use retain_graph=True to backpropagate twice)")
        return self._saved

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Declare the output not differentiable: ``apply`` returns it detached."""
        self.non_differentiable = True


class Function:
    """Subclass with static ``forward(ctx, *args)`` and ``backward(ctx, *grad_outputs)``,
    then call ``YourFunction.apply(*args)``.

    ``forward`` gets tensor arguments as tensors (detached, recording off) and any other
    argument as given, and returns one Tensor. ``backward`` gets the output's gradient
    as a Tensor and returns one gradient (a Tensor, or None) per argument of ``forward``:
    None for non-tensor arguments and for inputs that need no gradient.
    """

    @staticmethod
    def forward(ctx: FunctionCtx, *args: Any) -> Tensor:
        raise NotImplementedError("Function subclasses must define a static forward(ctx, *args)")

    @staticmethod
    def backward(ctx: FunctionCtx, *grad_outputs: Tensor) -> Any:
        raise NotImplementedError("Function subclasses must define a static backward(ctx, grad_output)")

    @classmethod
    def apply(cls, *args: Any) -> Tensor:
        if any(isinstance(a, Traced) for a in args):
            kinds = tuple(isinstance(a, Traced) for a in args)
            tensors = [a for a in args if isinstance(a, Traced)]
            others = tuple(None if k else a for k, a in zip(kinds, args))
            roots = tuple(t if t._base is None else t._base for t in tensors)
            out = FunctionOp.apply(*tensors, fn=cls, kinds=kinds, others=others, roots=roots)
        else:  # no tensor at all: run forward on the values as given
            out = cls.forward(FunctionCtx((False,) * len(args)), *args)
        node = out.grad_fn if isinstance(out, Tensor) else None
        if node is not None and node.ctx.non_differentiable:
            return out.detach()
        return out


class FunctionOp(Op):
    """The node of one ``Function.apply``: forward and VJP call the user's static methods."""

    __slots__ = ("fn", "kinds", "others", "roots", "ctx")
    family = "function"  # no params shown: the node's name already says which Function

    def __init__(self, fn, kinds, others, roots):
        self.fn, self.kinds, self.others, self.roots = fn, kinds, others, roots

    @property
    def name(self) -> str:
        return self.fn.__name__ + "Backward"

    def _arguments(self, tensors):
        """The user's argument list: tensors where they passed tensors, their other values as given."""
        it = iter(tensors)
        return [next(it) if k else v for k, v in zip(self.kinds, self.others)]

    def forward(self, *arrays):
        needs = iter(p is not None for p in self.parents)
        self.ctx = ctx = FunctionCtx(tuple(next(needs) if k else False for k in self.kinds))
        # The caller's memory, sharing its version counter: an in-place change in forward is seen
        # by every graph that saved these tensors (it refuses to backpropagate, as in PyTorch).
        inputs = [_make(a, None, root) for a, root in zip(arrays, self.roots)]
        with no_grad():
            out = self.fn.forward(ctx, *self._arguments(inputs))
        if not isinstance(out, Tensor):
            raise TypeError(f"{self.fn.__name__}.forward returned a {type(out).__name__}; return one Tensor "
                            f"(several outputs are not supported: return them stacked, or use two Functions)")
        out_array = out._data
        if any(out_array is a for a in arrays):  # an input returned as is: the output owns a copy
            out_array = out_array.copy()
        to_save, ctx.to_save = ctx.to_save, None
        if to_save:  # an input or the output itself, so it is recognised as one; anything else
            # (a tensor from outside, which may change later, or one made here) as a copy
            self.save(*[None if t is None else t._data if any(t._data is a for a in (out_array, *arrays))
                        else np.array(t._data) for t in to_save])
        return out_array

    def vjp(self, g, *saved):
        lifted = isinstance(g, Traced)  # under create_graph: tensors connected to the graph
        ctx = self.ctx
        ctx._saved = tuple(wrap(v) for v in saved)
        try:
            grads = self.fn.backward(ctx, wrap(g))
        finally:
            ctx._saved = None
        if not isinstance(grads, tuple):
            grads = (grads,)
        if len(grads) != len(self.kinds):
            raise TypeError(f"{self.fn.__name__}.backward returned {len(grads)} gradients for {len(self.kinds)} "
                            f"arguments of forward; return one per argument (None where there is none)")
        out = []
        for k, gi in zip(self.kinds, grads):
            if not k:
                continue  # a non-tensor argument: no node, no gradient
            if gi is not None and not lifted:
                gi = np.asarray(gi.numpy() if isinstance(gi, Tensor) else gi)
            out.append(gi)
        return tuple(out)


def wrap(v):
    """A saved value or gradient as the user's backward sees it: a Tensor (or None) of its
    own copy, so a write in ``backward`` reaches neither a saved input nor a gradient that
    other nodes share."""
    if v is None or isinstance(v, Traced):
        return v
    a = np.array(v)
    a.setflags(False)
    return _make(a, None)
