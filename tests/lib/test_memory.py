"""Graphs are freed by reference counting alone, and training memory stays flat."""
import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm.engine import toposort


@pytest.fixture
def no_gc():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def _classifier_graph():
    rng = np.random.default_rng(0)
    x = tg.Tensor(rng.standard_normal((16, 4)))
    w1 = tg.Tensor(rng.standard_normal((4, 8)), requires_grad=True)
    w2 = tg.Tensor(rng.standard_normal((8, 3)), requires_grad=True)
    hidden = (x @ w1).tanh()
    loss = tg.cross_entropy(hidden @ w2, rng.integers(0, 3, 16)) + hidden.softmax().max()
    return loss, hidden, (w1, w2)


@pytest.mark.parametrize("run_backward", [True, False])
def test_dropped_graph_is_freed_without_the_cycle_collector(no_gc, run_backward):
    loss, hidden, params = _classifier_graph()
    nodes = [n for n in toposort([loss.grad_fn]) if n.name != "AccumulateGrad"]  # leaves keep theirs
    refs = [weakref.ref(n) for n in nodes] + [weakref.ref(hidden), weakref.ref(loss)]
    param_data = [p.numpy() for p in params]
    saved = [weakref.ref(a) for n in nodes for a in n.saved_arrays().values()
             if not any(np.shares_memory(a, d) for d in param_data)]
    assert len(refs) > 8 and saved
    if run_backward:
        loss.backward()
    del loss, hidden, nodes
    assert [r for r in refs if r() is not None] == []
    assert [r for r in saved if r() is not None] == []
    assert all(p._version_counter == 0 for p in params)


def test_create_graph_through_grad_leaves_no_cycles(no_gc):
    x = tg.Tensor([0.2, 0.4, 0.9], requires_grad=True)
    y = x.softmax().logsumexp()
    (g,) = tg.grad(y, [x], create_graph=True)
    refs = [weakref.ref(n) for n in toposort([g.grad_fn]) if n.name != "AccumulateGrad"]
    assert len(refs) > 3
    del y, g
    assert [r for r in refs if r() is not None] == []


def test_training_loop_memory_stays_flat_over_1000_steps_after_warm_up():
    rng = np.random.default_rng(0)
    x = tg.Tensor(rng.standard_normal((32, 2)).astype(np.float32))
    y = rng.integers(0, 3, 32)
    w1 = tg.Tensor(rng.standard_normal((2, 16)).astype(np.float32) * 0.5, requires_grad=True)
    w2 = tg.Tensor(rng.standard_normal((16, 3)).astype(np.float32) * 0.5, requires_grad=True)

    def step():
        loss = tg.cross_entropy((x @ w1).relu() @ w2, y)
        loss.backward()
        for p in (w1, w2):
            p.data -= 0.1 * p.grad.data
            p.grad = None
        return loss.item()

    # NumPy and CPython keep bounded internal caches that fill over the first few
    # thousand steps (about 100 KB, seen with tracemalloc); after that a flat loop
    # allocates nothing that outlives its step. A leak of even 10 bytes a step fails this.
    first = step()
    for _ in range(3000):
        step()
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    for _ in range(1000):
        last = step()
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert last < first  # it trained
    assert current - base < 10_000, f"grew by {current - base} bytes over 1,000 steps"


def test_a_leaf_and_its_accumulator_are_freed_together(no_gc):
    w = tg.Tensor([1.0, 2.0], requires_grad=True)
    acc = weakref.ref(w._node)
    loss = (w.exp() + 1).sum()  # saves only its output: nothing refers to w but its node, weakly
    leaf = weakref.ref(w)
    del w
    assert leaf() is None  # the graph refers to the accumulator, the accumulator to the leaf weakly
    assert acc() is not None  # the live graph still leads to it
    loss.backward()  # the leaf is gone: nothing to accumulate into, and no error
    del loss
    assert acc() is None


def test_a_saved_leaf_lives_as_long_as_the_graph_that_saved_it(no_gc):
    w = tg.Tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()  # saves w (its version is checked at backward)
    leaf = weakref.ref(w)
    del w
    assert leaf() is not None
    loss.backward()  # frees the graph, and with it the leaf
    assert leaf() is None


def test_a_masked_log_softmax_node_keeps_no_array_once_backward_freed_it():
    mask = np.array([[True, False, True]])
    x = tg.Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    y = x.log_softmax(mask=mask)
    node = y.grad_fn
    keep = weakref.ref(node.saved_arrays()["keep"])
    y.sum().backward()
    assert node.saved is None and keep() is None  # nothing on the node holds the keep-mask any more
