"""Tensors own their memory; writes go through the tensor and bump a version; backward
refuses a graph whose saved values changed. One test per case the memory issue quotes."""
import gc
import sys
import threading

import numpy as np
import pytest
from op_cases import CASES

import tinygrad_sm as tg
from tinygrad_sm.engine import toposort

as_strided = np.lib.stride_tricks.as_strided
sliding_window_view = np.lib.stride_tricks.sliding_window_view


def grad_of(f, x0):
    x = tg.Tensor(x0, requires_grad=True)
    f(x).sum().backward()
    return x.grad.numpy().copy()


# --- 1. a tensor owns its memory ------------------------------------------------------------
def test_tensor_copies_and_nothing_handed_out_can_be_written():
    a = np.array([1.0, 2.0, 3.0])
    t = tg.Tensor(a)
    a[0] = 100.0
    assert t.numpy()[0] == 1.0 and a.flags.writeable  # a copy; the user's array untouched
    for out in (t.numpy(), np.asarray(t), t.data.numpy()):
        with pytest.raises(ValueError, match="read-only"):
            out[0] = 5.0
        with pytest.raises(ValueError, match="cannot set WRITEABLE"):
            out.setflags(write=True)  # not even by turning the flag back on
    assert t.numpy()[0] == 1.0


def test_from_numpy_shares_makes_the_array_read_only_and_writes_go_through_the_tensor():
    a = np.array([1.0, 2.0, 3.0])
    t = tg.from_numpy(a)
    assert np.shares_memory(t.numpy(), a) and not a.flags.writeable
    with pytest.raises(ValueError, match="read-only"):
        a[0] = 9.0
    t[0] = 9.0
    assert a[0] == 9.0 and t._version_counter == 1
    u = tg.from_numpy(a)  # the same memory twice: one version counter
    u.add_(1.0)
    assert t._version_counter == 2 and t.numpy()[0] == 10.0


@pytest.mark.parametrize("exotic", ["memmap", "subclass", "as_strided", pytest.param("torch", marks=pytest.mark.torch)])
def test_from_numpy_refuses_memory_it_cannot_own_and_tensor_copies_it(tmp_path, exotic):
    base = np.arange(6.0)
    if exotic == "memmap":
        a = np.memmap(tmp_path / "m.dat", dtype=np.float64, mode="w+", shape=(6,))
    elif exotic == "subclass":
        a = base.view(type("Sub", (np.ndarray,), {}))
    elif exotic == "as_strided":
        a = as_strided(base, shape=(5, 2), strides=(8, 8))
    else:
        torch = pytest.importorskip("torch")
        a = torch.arange(6.0, dtype=torch.float64).numpy()
    with pytest.raises((TypeError, ValueError), match="from_numpy.*tg.Tensor\\(a\\) copies"):
        tg.from_numpy(a)
    t = tg.Tensor(a)
    assert type(t.numpy().base) is np.ndarray or t.numpy().base is None
    assert np.array_equal(t.numpy(), np.asarray(a)) and np.asarray(a).flags.writeable == a.flags.writeable


# --- 4. raw NumPy operands: a saved constant is copied ------------------------------------------
def _constants(tmp_path):
    """Constants whose memory the user can still write, each with how to write it."""
    owner = np.arange(1.0, 9.0)
    cases = {}
    im2col = as_strided(owner, shape=(3, 4), strides=(16, 8))  # overlapping windows
    cases["as_strided"] = (im2col, lambda: owner.__setitem__(2, 100.0), owner)
    owner2 = np.arange(1.0, 9.0)
    windows = sliding_window_view(owner2, 4, writeable=True)[::2]
    cases["sliding_window_view"] = (windows, lambda: owner2.__setitem__(2, 100.0), owner2)
    mm = np.memmap(tmp_path / "c.dat", dtype=np.float64, mode="w+", shape=(3, 4))
    mm[:] = np.arange(1.0, 13.0).reshape(3, 4)
    cases["memmap"] = (mm, lambda: mm.__setitem__((0, 0), 100.0), mm)
    sub = np.arange(1.0, 13.0).reshape(3, 4).view(type("Sub", (np.ndarray,), {}))
    cases["subclass"] = (sub, lambda: sub.__setitem__((0, 0), 100.0), sub)
    user = np.arange(1.0, 25.0).reshape(6, 4)
    view = user[::2]
    cases["view of a user array"] = (view, lambda: user.__setitem__((0, 0), 100.0), user)
    return cases


@pytest.mark.parametrize("name", ["as_strided", "sliding_window_view", "memmap", "subclass", "view of a user array"])
def test_a_constant_changed_between_forward_and_backward_does_not_change_the_gradient(tmp_path, name):
    const, write, owner = _constants(tmp_path)[name]
    want = np.array(const, copy=True)  # d/dx sum(x * c) = c, as c was at forward
    writable = owner.flags.writeable
    x = tg.Tensor(np.ones(const.shape), requires_grad=True)
    loss = (x * const).sum()
    write()  # the user's next write succeeds: their array is as writable as before
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), want)
    assert owner.flags.writeable == writable


@pytest.mark.torch
def test_a_constant_from_another_library_is_used_and_left_alone():
    torch = pytest.importorskip("torch")
    c = torch.arange(4.0, dtype=torch.float64)
    x = tg.Tensor(np.ones(4), requires_grad=True)
    loss = (x * c.numpy()).sum()
    c[0] = 100.0  # torch writes its own memory
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0, 2.0, 3.0])


def test_a_graph_dropped_in_one_thread_leaves_the_users_arrays_writable_at_once():
    user = np.ones((8, 8))
    errors = []

    def record_many():
        try:
            for _ in range(200):
                w = tg.Tensor(np.ones((8, 8)), requires_grad=True)
                (w * 2.0).sum().backward()
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    other = threading.Thread(target=record_many)
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        other.start()
        for _ in range(200):
            x = tg.Tensor(np.ones((8, 8)), requires_grad=True)
            loss = (x * user).sum()
            del loss  # dropped: nothing was ever locked, so nothing waits to be unlocked
            user[0, 0] += 1.0
    finally:
        other.join()
        sys.setswitchinterval(old)
    assert not errors and user[0, 0] == 201.0


# --- 2/3. writes go through the tensor, bump a version, backward checks it ------------------------
def test_an_in_place_write_after_forward_is_refused_at_backward_naming_the_op_and_the_versions():
    x = tg.Tensor([0.5, 1.0], requires_grad=True)
    h = x * 1.0
    y = h.exp()  # saves its output
    z = h.log()  # saves its input h
    with tg.no_grad():
        h.mul_(2.0)  # allowed under no_grad, and seen by the version counter
    with pytest.raises(RuntimeError, match=r"LogBackward: .*modified by an in-place operation: the saved 'x'"
                                           r".*version 1; the node saved it at version 0.*detect_anomaly"):
        (y.sum() + z.sum()).backward()
    assert x.grad is None


def test_a_write_to_a_saved_output_through_a_view_is_refused():
    x = tg.Tensor([[0.5, 1.0], [1.5, 2.0]], requires_grad=True)
    y = x.exp()
    row = y.detach()[0]  # a view of y's memory, cut from the graph
    row[0] = 0.0
    assert y._version_counter == 1
    with pytest.raises(RuntimeError, match="ExpBackward.*its own output"):
        y.sum().backward()


def test_views_share_the_version_counter_of_the_memory():
    x = tg.Tensor(np.arange(6.0))
    v = x.reshape(2, 3)[1]
    v.add_(10.0)
    assert x._version_counter == 1 and v._version_counter == 1
    np.testing.assert_array_equal(x.numpy(), [0, 1, 2, 13, 14, 15])
    d = x.detach()
    d.zero_()
    assert x._version_counter == 2 and (x.numpy() == 0).all()


def test_anomaly_mode_names_the_line_that_created_the_op():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    with tg.detect_anomaly():
        h = x * 1.0
        z = h.log()
    with tg.no_grad():
        h += 1.0
    with pytest.raises(RuntimeError, match=r"created at .*test_versions.py:\d+"):
        z.sum().backward()


def test_every_in_place_method_writes_and_bumps_the_version():
    t = tg.Tensor([1.0, -2.0, 3.0])
    steps = [
        (lambda: t.add_(1.0), [2.0, -1.0, 4.0]), (lambda: t.sub_(tg.Tensor([1.0, 1.0, 1.0])), [1.0, -2.0, 3.0]),
        (lambda: t.mul_(2.0), [2.0, -4.0, 6.0]), (lambda: t.div_(2.0), [1.0, -2.0, 3.0]),
        (lambda: t.clamp_(min=-1.0, max=2.0), [1.0, -1.0, 2.0]), (lambda: t.fill_(7.0), [7.0, 7.0, 7.0]),
        (lambda: t.copy_(np.array([1.0, 2.0, 3.0])), [1.0, 2.0, 3.0]), (lambda: t.zero_(), [0.0, 0.0, 0.0]),
        (lambda: t.__setitem__(slice(1, None), 5.0), [0.0, 5.0, 5.0]),
    ]
    for i, (step, want) in enumerate(steps, 1):
        assert step() is None or True
        np.testing.assert_array_equal(t.numpy(), want)
        assert t._version_counter == i
    t += 1.0
    t -= 1.0
    t *= 2.0
    t /= 2.0
    assert t._version_counter == len(steps) + 4
    np.testing.assert_array_equal(t.numpy(), [0.0, 5.0, 5.0])


@pytest.mark.parametrize("write, err, message", [
    (lambda t: t.add_(1.5), TypeError, r"add_: cannot write into the tensor \(int64 \(3,\)\)"),
    (lambda t: t.copy_(np.ones(4, np.int64)), ValueError, r"copy_: cannot write into the tensor"),
    (lambda t: t.__setitem__(7, 1), IndexError, r"setitem .*cannot write"),
    (lambda t: t.fill_(np.ones(2)), ValueError, r"fill_: the value must be a number"),
    (lambda t: t.clamp_(), ValueError, r"clamp_: give min=, max= or both"),
])
def test_a_bad_in_place_write_raises_and_changes_nothing(write, err, message):
    t = tg.Tensor([1, 2, 3])
    with pytest.raises(err, match=message):
        write(t)
    np.testing.assert_array_equal(t.numpy(), [1, 2, 3])
    assert t._version_counter == 0


# --- PyTorch's rule and update idioms -------------------------------------------------------------
def test_in_place_on_a_leaf_that_requires_grad_is_refused_while_grad_mode_is_on():
    w = tg.Tensor([1.0, 2.0], requires_grad=True)
    w.grad = tg.Tensor([1.0, 1.0])
    for write in (lambda: w.add_(1.0), lambda: w.__setitem__(0, 5.0), lambda: w.zero_()):
        with pytest.raises(RuntimeError, match=r"leaf tensor that requires grad.*tg.no_grad\(\).*out-of-place"):
            write()
    with pytest.raises(RuntimeError, match=r"w -= \.\.\.: w is a leaf.*no_grad"):
        w -= 0.1 * w.grad
    np.testing.assert_array_equal(w.numpy(), [1.0, 2.0])


def test_the_pytorch_update_idioms_update_in_place():
    w = tg.Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    same = w
    with tg.no_grad():
        w -= 0.1 * w.grad
    assert w is same and w.is_leaf and w.requires_grad
    np.testing.assert_allclose(w.numpy(), [0.8, 1.6])
    w.grad.zero_()
    np.testing.assert_array_equal(w.grad.numpy(), [0.0, 0.0])
    w.data -= 0.5 * tg.Tensor([1.0, 1.0])  # PyTorch's (and micrograd's) spelling
    assert w is same and w.requires_grad
    np.testing.assert_allclose(w.numpy(), [0.3, 1.1])
    w.grad = None
    (w * w).sum().backward()  # still a leaf in a working graph
    np.testing.assert_allclose(w.grad.numpy(), [0.6, 2.2])


def test_plus_equals_on_a_recorded_tensor_builds_the_graph():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    total = 0.0
    for k in range(3):
        total += (x * (k + 1)).sum()
    t = tg.Tensor(0.0)
    t += (x * x).sum()  # a no-grad tensor += a recorded one: the name is rebound, recorded
    (total + t).backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0 + 2.0, 6.0 + 4.0])
    h = x * 2.0
    with pytest.raises(RuntimeError, match=r"add_: this tensor was computed by recorded ops \(MulBackward\)"):
        h.add_(1.0)


def test_a_gradient_never_aliases_a_parameter_or_a_saved_input():
    class Identityish(tg.Op):
        def forward(self, x):
            self.save(x)
            return x * 1.0

        def vjp(self, g, x):
            return (x,)  # returns the saved input itself

    w = tg.Tensor([1.0, 2.0], requires_grad=True)
    Identityish.apply(w).sum().backward()
    assert not np.shares_memory(w.grad.numpy(), w.numpy())
    w.grad.mul_(0.0)  # writing the gradient leaves the parameter alone
    np.testing.assert_array_equal(w.numpy(), [1.0, 2.0])


# --- 7. the op API refuses malformed ops ---------------------------------------------------------
@pytest.mark.parametrize("result, message", [
    (lambda x: (x, x), r"Bad\.forward returned a tuple of 2 values"),
    (lambda x: None, r"Bad\.forward returned NoneType"),
    (lambda x: "abc", r"Bad\.forward returned str"),
    (lambda x: np.array([object()]), r"Bad\.forward returned an array of dtype object"),
])
def test_a_forward_that_does_not_return_one_numeric_array_is_refused(result, message):
    Bad = type("Bad", (tg.Op,), {"forward": lambda self, x: result(x), "vjp": lambda self, g: (g,)})
    with pytest.raises(TypeError, match=message + ".*one numeric NumPy array"):
        Bad.apply(tg.Tensor([1.0, 2.0], requires_grad=True))


@pytest.mark.parametrize("result, message", [
    (lambda g: (1.0,), r"returned a float as the gradient of input 0"),
    (lambda g: ("abc",), r"returned a str as the gradient of input 0"),
    (lambda g: [g], r"returned a list, not a tuple"),
    (lambda g: 2.0, r"returned a float, not a tuple"),
])
def test_a_vjp_that_returns_no_gradient_array_is_refused(result, message):
    Bad = type("Bad", (tg.Op,), {"forward": lambda self, x: x * 2.0, "vjp": lambda self, g: result(g)})
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"BadBackward\.vjp " + message):
        Bad.apply(x).sum().backward()
    assert x.grad is None


def test_save_names_that_do_not_match_the_vjp_are_refused_by_name():
    class Named(tg.Op):
        def forward(self, x):
            self.save(z=x)
            return x * 2.0

        def vjp(self, g, out):
            return (g * 2.0,)

    with pytest.raises(TypeError, match=r"Named\.save: got 'z', missing 'out', but the VJP is vjp\(self, g, out\)"):
        Named.apply(tg.Tensor([1.0], requires_grad=True))


@pytest.mark.parametrize("name", ["seq", "shape", "dtype", "saved", "parents", "versions"])
def test_a_setting_cannot_collide_with_the_engines_bookkeeping(name):
    with pytest.raises(TypeError, match=f"setting '{name}' collides with a name the engine uses"):
        type("Scaled", (tg.Op,), {"params": (name,), "forward": lambda self, x: x, "vjp": lambda self, g: (g,)})


def test_a_setting_with_its_own_name_keeps_its_value():
    class Scaled(tg.Op):
        params = ("factor",)

        def __init__(self, factor):
            self.factor = factor

        def forward(self, x):
            return x * self.factor

        def vjp(self, g):
            return (g * self.factor,)

    x = tg.Tensor([1.0], requires_grad=True)
    Scaled.apply(x, factor=3.0).sum().backward()
    assert x.grad.item() == 3.0


# --- 8. threads -----------------------------------------------------------------------------------
def test_two_threads_backpropagating_one_loss_one_succeeds_the_other_is_told_it_was_freed():
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for _ in range(20):
            x = tg.Tensor(np.linspace(0.1, 1.0, 50), requires_grad=True)
            h = x
            for _ in range(50):
                h = (h * 1.01).tanh()
            loss = h.sum()
            outcomes = []
            barrier = threading.Barrier(2)

            def run():
                barrier.wait()
                try:
                    loss.backward()
                    outcomes.append("ok")
                except RuntimeError as e:
                    outcomes.append("freed" if "already freed" in str(e) else repr(e))

            threads = [threading.Thread(target=run) for _ in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert sorted(outcomes) == ["freed", "ok"], outcomes
            assert x.grad is not None
    finally:
        sys.setswitchinterval(old)


def test_a_dropped_graph_is_freed_at_once(no_gc=None):
    gc.disable()
    try:
        x = tg.Tensor([1.0, 2.0], requires_grad=True)
        loss = (x.exp() * x).sum()
        nodes = [n for n in toposort([loss.grad_fn]) if n.name != "AccumulateGrad"]
        import weakref
        refs = [weakref.ref(n) for n in nodes]
        del loss, nodes
        assert all(r() is None for r in refs)
    finally:
        gc.enable()


# --- 9. smaller fixes -----------------------------------------------------------------------------
def test_non_numeric_operands_raise_a_plain_type_error():
    x = tg.Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"add: .*operands float64 \(1,\), str"):
        x + "a"
    with pytest.raises(TypeError, match=r"where: an operand is not numeric \(str <U1\)"):
        tg.where(np.array([True]), x, "a")
    with pytest.raises(TypeError, match=r"concatenate: an operand is not numeric"):
        tg.concatenate([x, np.array(["a"])])
    with pytest.raises(TypeError, match=r"concatenate: an operand is not numeric \(ndarray object\)"):
        tg.concatenate([x, np.array([None])])


def test_numpy_ufuncs_on_tensors_are_recorded_and_other_functions_read_values():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    y = np.exp(x) * np.array([1.0, 3.0])
    assert isinstance(y, tg.Tensor) and y.grad_fn is not None
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0]) * [1.0, 3.0])
    with pytest.raises(TypeError, match=r"np\.sum: a tensor that requires grad.*t\.sum\(\)"):
        np.sum(x)
    with pytest.raises(TypeError, match=r"np\.sinh: this NumPy function is not a tinygrad_sm op"):
        np.sinh(x)
    assert np.sum(x.detach()) == 3.0 and np.allclose(x, [1.0, 2.0])


def test_a_write_into_a_broadcast_view_is_refused():
    x = tg.Tensor([1.0, 2.0])
    e = x.broadcast_to((3, 2))
    with pytest.raises(RuntimeError, match=r"setitem .*broadcast view.*clone\(\) it first"):
        e[0, 0] = 5.0
    assert x.numpy().tolist() == [1.0, 2.0] and x._version_counter == 0
    c = e.clone()
    c[0, 0] = 5.0
    assert c.numpy()[0, 0] == 5.0 and x.numpy()[0] == 1.0


def test_top_level_max_follows_pytorch():
    out = tg.Tensor([[0.1, 0.7, 0.2], [0.9, 0.05, 0.05]])
    _, predicted = tg.max(out, 1)
    assert predicted.tolist() == [1, 0]
    assert tg.max(out).item() == 0.9 and tg.min(out, dim=0).indices.tolist() == [0, 1, 1]


def test_a_recorded_op_is_two_slotted_objects_with_no_dict():
    for name, cases in CASES.items():
        for label, f, inputs, *_ in cases:
            out = f(*[tg.Tensor(a, requires_grad=True) for a in inputs])
            assert not vars(out)
            for node in toposort([out._node]):
                assert not getattr(node, "__dict__", None), (name, label, type(node).__name__)


# --- what an outside review found ------------------------------------------------------------------
def test_ufunc_at_on_a_tensor_writes_through_it_and_bumps_the_version():
    t = tg.Tensor([1.0, 2.0, 3.0])
    w = tg.Tensor(np.ones(3), requires_grad=True)
    loss = (w * t).sum()
    np.add.at(t, [0, 1], 10.0)
    assert t.numpy().tolist() == [11.0, 12.0, 3.0] and t._version_counter == 1
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        loss.backward()


def test_arrays_handed_out_while_another_thread_writes_stay_read_only():
    t = tg.Tensor(np.zeros(1000))
    stop = threading.Event()

    def write():
        while not stop.is_set():
            t.add_(0.0)

    writer = threading.Thread(target=write)
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    writer.start()
    try:
        assert not any(t.numpy().flags.writeable or np.asarray(t).flags.writeable for _ in range(3000))
    finally:
        stop.set()
        writer.join()
        sys.setswitchinterval(old)


def test_a_list_of_tensors_that_need_grad_cannot_be_written_in_place():
    w = tg.Tensor([1.0, 2.0], requires_grad=True)
    t = tg.zeros(3)
    with pytest.raises(RuntimeError, match="the value written requires grad"):
        t[0:2] = [w[0] * 3, w[1] * 3]
    with tg.no_grad():
        t[0:2] = [w[0] * 3, w[1] * 3]  # no graph to lose: the values are written
    assert t.tolist() == [3.0, 6.0, 0.0]


def test_function_saving_an_outside_tensor_keeps_its_value_at_forward():
    W = tg.Tensor([1.0, 2.0, 3.0])

    class MulW(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(W)
            return x * W

        @staticmethod
        def backward(ctx, g):
            (w,) = ctx.saved_tensors
            return g * w

    x = tg.Tensor(np.ones(3), requires_grad=True)
    y = MulW.apply(x).sum()
    with tg.no_grad():
        W.mul_(10.0)
    y.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 2.0, 3.0])


def test_function_writing_its_input_in_place_is_seen_by_other_graphs():
    class Double(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2.0)  # PyTorch's mark_dirty pattern: the caller's tensor changes
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2.0

    class WriteSaved(tg.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 1.0

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            with tg.no_grad():
                x.add_(100.0)  # writes the Function's own copy, never the caller's memory
            return g

    a = tg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = a * 1.0
    w = tg.Tensor(np.ones(3), requires_grad=True)
    z = (w * h).sum()
    Double.apply(h)
    assert h.tolist() == [2.0, 4.0, 6.0]
    with pytest.raises(RuntimeError, match="MulBackward.*modified by an in-place operation"):
        z.backward()
    h2 = a * 1.0
    z2 = (w * h2).sum() + WriteSaved.apply(h2).sum()
    z2.backward()
    np.testing.assert_array_equal(w.grad.numpy(), [1.0, 2.0, 3.0])


def test_std_of_a_constant_column_has_a_zero_gradient():
    f = tg.Tensor([[1.0, 5.0], [1.0, 7.0], [1.0, 9.0]], requires_grad=True)
    f.std(0).sum().backward()
    assert np.isfinite(f.grad.numpy()).all() and (f.grad.numpy()[:, 0] == 0).all()


def test_unpacking_numpy_max_values_is_refused_with_the_pytorch_spelling():
    out = tg.Tensor([[0.1, 0.9], [0.8, 0.2]])
    with pytest.raises(TypeError, match=r"write x\.max\(dim=1\) for both.*unpacking or iterating"):
        _, pred = out.max(1)
    with pytest.raises(TypeError, match=r"an integer index \[1\] is refused"):
        out.max(1)[1]
    _, pred = out.max(dim=1)
    assert pred.tolist() == [1, 0] and out.max(1).tolist() == [0.9, 0.8]
    assert out.max(axis=1)[1].item() == 0.8  # NumPy's spelling: an ordinary tensor of values


def test_grad_accumulates_in_place_and_assignments_are_checked():
    p = tg.Tensor([1.0, 1.0], requires_grad=True)
    (p * 3).sum().backward()
    first = p.grad
    (p * 4).sum().backward()
    assert p.grad is first and first.tolist() == [7.0, 7.0]
    w = tg.Tensor([[1.0], [2.0]], requires_grad=True)
    for bad, err in ((tg.Tensor([0.0, 0.0]), ValueError), (tg.Tensor([[1], [2]]), ValueError), ([1.0, 2.0], TypeError)):
        with pytest.raises(err, match=r"\.grad: assigned"):
            w.grad = bad
    assert w.grad is None
    alias = w.detach()
    w.grad = alias  # a view of the parameter: accumulation must not write the parameter
    (w * w).sum().backward()
    assert w.numpy().tolist() == [[1.0], [2.0]] and w.grad.tolist() == [[3.0], [6.0]]


def test_data_assignment_of_a_tensor_shares_memory_like_pytorch_weight_tying():
    enc, dec = tg.nn.Linear(3, 2), tg.nn.Linear(3, 2)
    dec.weight.data = enc.weight.data
    with tg.no_grad():
        enc.weight.add_(1.0)
    assert (dec.weight == enc.weight).all().item() and dec.weight.is_leaf and dec.weight.requires_grad
    x = tg.randn(4, 3)
    (dec(x).sum() + enc(x).sum()).backward()
    assert dec.weight.grad.shape == (2, 3)


def test_out_of_multi_output_ufuncs_is_written():
    a, b = np.zeros(2), np.zeros(2)
    np.modf(tg.Tensor([1.5, 2.25]), out=(a, b))
    assert a.tolist() == [0.5, 0.25] and b.tolist() == [1.0, 2.0]


def test_the_pytorch_spelled_losses_take_classes_along_axis_1():
    import tinygrad_sm.nn.functional as F

    logits = np.random.default_rng(0).standard_normal((2, 3, 3))  # (N, C, d) with C == d: no shape error
    targets = np.array([[0, 1, 2], [2, 0, 1]])
    by_axis_1 = tg.cross_entropy(tg.Tensor(logits), targets, axis=1).item()
    assert F.cross_entropy(tg.Tensor(logits), targets).item() == by_axis_1
    assert tg.nn.CrossEntropyLoss()(tg.Tensor(logits), targets).item() == by_axis_1
    assert tg.cross_entropy(tg.Tensor(logits), targets).item() != by_axis_1  # NumPy's spelling: the last axis


def test_assigning_requires_grad_makes_a_leaf_that_gets_a_gradient():
    w = tg.randn(3, dtype=np.float64)
    w.requires_grad = True  # PyTorch's habit, the same as w.requires_grad_()
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * w.numpy())
    h = w * 2.0
    with pytest.raises(RuntimeError, match="only leaves can change requires_grad"):
        h.requires_grad = False
