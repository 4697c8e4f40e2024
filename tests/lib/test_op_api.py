"""The public op API: a user writes a primitive (forward, what it saves, VJP) by
subclassing ``tg.Op``; it records itself, differentiates under create_graph, passes
gradcheck, and a wrong VJP return gets an error that says what was expected."""
import numpy as np
import pytest

import tinygrad_sm as tg


class MySoftmax(tg.Op):
    """a = exp(z) / Σ exp(z);  z̄ = a ∘ (g − ⟨g, a⟩)"""

    def forward(self, z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        out = e / e.sum(axis=-1, keepdims=True)
        self.save(a=out)
        return out

    def vjp(self, g, a):
        return (a * (g - (g * a).sum(axis=-1, keepdims=True)),)


def test_a_hand_written_softmax_records_itself_and_passes_both_checks():
    z = tg.Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    a = MySoftmax.apply(z)
    assert a.grad_fn.name == "MySoftmaxBackward" and list(a.grad_fn.saved_arrays()) == ["a"]
    np.testing.assert_allclose(a.data, z.softmax().data, rtol=1e-15)
    assert tg.gradcheck(MySoftmax.apply, [np.random.default_rng(0).standard_normal((2, 5))])
    assert tg.gradgradcheck(MySoftmax.apply, [np.random.default_rng(1).standard_normal((2, 5))])
    # On plain arrays it is just the function.
    out = MySoftmax.apply(np.array([0.0, 0.0]))
    assert type(out) is np.ndarray and np.allclose(out, 0.5)


def _op(vjp_result, forward=lambda self, x: x * 2.0):
    return type("Custom", (tg.Op,), {"forward": forward, "vjp": lambda self, g: vjp_result(g)})


@pytest.mark.parametrize("result, message", [
    (lambda g: g * 2.0, r"CustomBackward.vjp returned a ndarray, not a tuple.*e\.g\. \(g \* out,\)"),
    (lambda g: (g, g), r"CustomBackward.vjp returned 2 gradients for 1 inputs"),
    (lambda g: (None,), r"CustomBackward.vjp returned None for input 0, which needs a gradient \(shape \(3,\)\)"),
    (lambda g: (np.ones((2, 2)),), r"returned a gradient of shape \(2, 2\) for input 0, which has shape \(3,\)"),
    (lambda g: (np.array(["a", "b", "c"]),), r"returned a gradient of dtype <U1 for input 0; expected a real floating"),
])
def test_wrong_vjp_returns_say_what_was_expected(result, message):
    x = tg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x.grad = tg.Tensor([5.0, 5.0, 5.0])
    y = _op(result).apply(x)
    with pytest.raises((TypeError, ValueError, RuntimeError), match=message):
        y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, 5.0)  # nothing assigned
    assert x.grad_fn is None and x._version_counter == 0


def test_grad_runs_only_the_vjps_on_a_path_to_an_input():
    calls = []

    class Counted(tg.Op):
        def forward(self, x):
            return x * 3.0

        def vjp(self, g):
            calls.append(1)
            return (g * 3.0,)

    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    w = tg.Tensor([1.0, 1.0], requires_grad=True)
    h = x * 2.0
    loss = (Counted.apply(w) * h).sum()
    (gh,) = tg.grad(loss, [h], retain_graph=True)  # the branch through w leads nowhere we asked
    assert calls == [] and np.allclose(gh.data, 3.0)
    (gw,) = tg.grad(loss, [w])
    assert calls == [1] and np.allclose(gw.data, 3.0 * h.data)


def test_create_graph_through_logsumexp_and_cross_entropy_needs_no_special_nodes():
    x = np.random.default_rng(0).standard_normal((2, 4))
    z = tg.Tensor(x, requires_grad=True)
    lse = z.logsumexp(axis=-1)
    assert sorted(lse.grad_fn.saved_arrays()) == ["out", "x"]  # its input and its output: nothing new
    assert lse.grad_fn.saved_arrays()["x"] is z._data  # the input itself, not a copy
    h = tg.hessian(lambda v: v.logsumexp(), tg.Tensor(x[0]))
    a = np.exp(x[0] - np.log(np.exp(x[0]).sum()))
    np.testing.assert_allclose(h.data, np.diag(a) - np.outer(a, a), atol=1e-12)
    ce = tg.cross_entropy(z, np.array([1, 3]))
    assert list(ce.grad_fn.saved_arrays()) == ["z", "t"]
    assert tg.gradgradcheck(lambda v: tg.cross_entropy(v, np.array([1, 3])), [x])
