"""All or nothing: a call that raises changes nothing (parameters, optimizer state, files on
disk, the grad mode); a call that succeeds is complete."""
import copy
import os
import pickle
import re
import threading

import graphviz
import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import nn, optim, viz


def snapshot(model):
    return {k: p.numpy().copy() for k, p in model.named_parameters()}


def assert_unchanged(model, before):
    for k, p in model.named_parameters():
        np.testing.assert_array_equal(p.data, before[k], err_msg=k)


# --- load_state_dict ---------------------------------------------------------------------
@pytest.fixture
def model():
    return nn.MLP([3, 4, 2], rng=0)


def _state_with(model, key, value):
    state = {k: np.ones(p.shape) for k, p in model.named_parameters()}  # valid everywhere else
    state[key] = value
    return state


@pytest.mark.parametrize("value, exc, words", [
    (np.array([["a"] * 4] * 2), TypeError, ["'2.weight'", "<U1", "real numbers"]),
    (np.full((2, 4), None), TypeError, ["'2.weight'", "object"]),
    (np.ones((2, 4)) * (1 + 1j), TypeError, ["'2.weight'", "complex128"]),
    (np.ones((4, 2)), ValueError, ["'2.weight'", "(4, 2)", "(2, 4)"]),  # the (in, out) layout of 0.2
    (np.full((2, 4), np.nan), ValueError, ["'2.weight'", "8 NaN/inf", "check_finite=False"]),
    (np.full((2, 4), 1e300), ValueError, ["'2.weight'", "once cast to float32"]),
    ("not an array", TypeError, ["'2.weight'", "<U12"]),
])
def test_load_state_dict_checks_every_value_before_assigning_any(model, value, exc, words):
    # The bad value is the last parameter's: every earlier one would have loaded.
    before = snapshot(model)
    with pytest.raises(exc) as err:
        model.load_state_dict(_state_with(model, "2.weight", value))
    for w in words:
        assert w in str(err.value), (w, str(err.value))
    assert_unchanged(model, before)


def test_load_state_dict_takes_tensors_ints_and_bools_and_copies(model):
    state = {k: tg.Tensor(np.arange(p.size).reshape(p.shape)) for k, p in model.named_parameters()}
    state["0.bias"] = np.array([True, False, True, False])
    model.load_state_dict(state)
    np.testing.assert_array_equal(model[0].weight.data, np.arange(12).reshape(4, 3))
    np.testing.assert_array_equal(model[0].bias.data, [1, 0, 1, 0])
    assert model[0].weight.dtype == np.float32
    state["0.weight"].data[0, 0] = 100  # the model holds copies
    assert model[0].weight.data[0, 0] == 0


def test_load_state_dict_of_aliased_values_swaps_correctly():
    a, b = nn.Linear(2, 2, bias=False, rng=0), nn.Linear(2, 2, bias=False, rng=1)
    net = nn.Sequential(a, b)
    wa, wb = a.weight.numpy().copy(), b.weight.numpy().copy()
    net.load_state_dict({"0.weight": b.weight.data, "1.weight": a.weight.data})  # views of each other
    np.testing.assert_array_equal(a.weight.data, wb)
    np.testing.assert_array_equal(b.weight.data, wa)


def test_load_state_dict_can_load_non_finite_values_when_asked(model):
    model.load_state_dict(_state_with(model, "2.bias", np.array([np.inf, 0.0])), check_finite=False)
    assert model[2].bias.data[0] == np.inf


def test_load_state_dict_refuses_a_non_mapping(model):
    with pytest.raises(TypeError, match="mapping"):
        model.load_state_dict([("0.weight", np.ones((3, 4)))])


def test_load_state_dict_while_a_forward_graph_is_alive_loads_and_that_graph_then_refuses_backward(model):
    # A live graph saved the second layer's weight for backward. Loading writes through the
    # parameters (their versions go up), so that graph can no longer give a gradient.
    loss = tg.cross_entropy(model(tg.Tensor(np.ones((5, 3), np.float32))), np.zeros(5, np.int64))
    state = {k: np.zeros(p.shape) for k, p in model.named_parameters()}
    model.load_state_dict(state)
    assert all((p.numpy() == 0).all() for p in model.parameters())
    with pytest.raises(RuntimeError, match=r"MatMulBackward|AffineBackward"):
        loss.backward()
    assert all(p.grad is None for p in model.parameters())


# --- save / load ------------------------------------------------------------------------------
def test_save_then_load_with_the_same_name_round_trips(model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert model.save("m") == "m.npz"
    other = nn.MLP([3, 4, 2], rng=1)
    other.load("m")
    assert_unchanged(other, snapshot(model))
    model.save(tmp_path / "n.npz")
    other.load(tmp_path / "n.npz")
    assert sorted(os.listdir(tmp_path)) == ["m.npz", "n.npz"]


def test_loading_a_path_without_the_suffix_says_which_file_it_looked_for(model, tmp_path):
    model.save(tmp_path / "m.npz")
    os.rename(tmp_path / "m.npz", tmp_path / "m")
    with pytest.raises(FileNotFoundError, match=r"no file '.*m\.npz'; '.*m' exists, but load\(\) and save\(\)"):
        model.load(tmp_path / "m")


def test_two_threads_saving_to_one_path_leave_one_whole_file(tmp_path):
    models = [nn.MLP([3, 40, 2], rng=i) for i in range(2)]
    threads = [threading.Thread(target=lambda m=m: [m.save(tmp_path / "m.npz") for _ in range(20)]) for m in models]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    loaded = nn.MLP([3, 40, 2], rng=5).load(tmp_path / "m.npz")
    assert any(all(np.array_equal(p.data, q.data) for p, q in zip(loaded.parameters(), m.parameters()))
               for m in models)
    assert os.listdir(tmp_path) == ["m.npz"]


def test_a_parameter_named_file_saves_and_loads(tmp_path):
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.file = nn.Parameter(np.arange(3.0))  # np.savez(file, **kw) would clash with it

    Net().save(tmp_path / "f")
    other = Net()
    other.file.data[:] = 0
    other.load(tmp_path / "f")
    np.testing.assert_array_equal(other.file.data, [0.0, 1.0, 2.0])


def test_a_failed_save_leaves_the_existing_file_untouched(model, tmp_path, monkeypatch):
    path = tmp_path / "model.npz"
    nn.MLP([3, 4, 2], rng=5).save(path)
    original = path.read_bytes()
    calls = []

    def failing_write_array(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # part-way through the file
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    real = np.lib.format.write_array
    monkeypatch.setattr(np.lib.format, "write_array", failing_write_array)
    with pytest.raises(OSError, match="No space left"):
        model.save(path)
    assert path.read_bytes() == original
    assert os.listdir(tmp_path) == ["model.npz"]  # no temporary file left behind


def test_saving_into_a_missing_directory_creates_nothing(model, tmp_path):
    with pytest.raises(FileNotFoundError):
        model.save(tmp_path / "missing" / "m.npz")
    assert os.listdir(tmp_path) == []


def test_saved_files_get_the_usual_permissions(model, tmp_path):
    umask = os.umask(0o022)
    try:
        model.save(tmp_path / "m.npz")
    finally:
        os.umask(umask)
    assert os.stat(tmp_path / "m.npz").st_mode & 0o777 == 0o644


def test_loading_a_file_that_does_not_fit_changes_nothing(model, tmp_path):
    nn.MLP([3, 5, 2], rng=1).save(tmp_path / "other.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip file")
    before = snapshot(model)
    with pytest.raises(ValueError, match="'0.weight' has shape"):
        model.load(tmp_path / "other.npz")
    with pytest.raises(ValueError):
        model.load(tmp_path / "junk.npz")
    assert_unchanged(model, before)


# --- viz.render ----------------------------------------------------------------------------------
def test_render_without_dot_leaves_an_existing_picture_intact(tmp_path, monkeypatch):
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    loss = x.softmax().sum()
    path = tmp_path / "graph.svg"
    path.write_bytes(b"<svg>the picture from last time</svg>")

    def no_dot(self, *args, **kwargs):
        raise graphviz.ExecutableNotFound(["dot"])

    monkeypatch.setattr(graphviz.Digraph, "pipe", no_dot)
    with pytest.raises(viz.GraphvizNotFound, match="apt-get install graphviz"):
        viz.render(loss, path)
    assert path.read_bytes() == b"<svg>the picture from last time</svg>"
    assert os.listdir(tmp_path) == ["graph.svg"]
    viz.render(loss, tmp_path / "graph.dot")  # the source needs no dot, and replaces atomically too
    assert "SoftmaxBackward" in (tmp_path / "graph.dot").read_text()


# --- the optimizer -----------------------------------------------------------------------------------
def _params_with_grads(*grads):
    ps = []
    for shape, g in grads:
        p = tg.Tensor(np.ones(shape), requires_grad=True)
        p.grad = g
        ps.append(p)
    return ps


@pytest.mark.parametrize("bad, exc", [
    (tg.Tensor(np.ones(1)), ValueError),
    (tg.Tensor(np.ones((3, 1))), ValueError),
    (tg.Tensor(np.ones(3, np.int64)), ValueError),
    (tg.Tensor(np.ones(3, np.float32)), ValueError),
    ([1.0, 1.0, 1.0], TypeError),
])
def test_a_gradient_of_the_wrong_shape_dtype_or_type_is_refused_when_assigned(bad, exc):
    b = tg.Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(exc, match=r"\.grad: assigned"):
        b.grad = bad
    assert b.grad is None


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam])
def test_step_checks_every_gradient_before_updating_any(cls):
    w, b = _params_with_grads(((2, 3), tg.Tensor(np.ones((2, 3)))), ((3,), tg.Tensor([1.0, np.nan, 1.0])))
    opt = cls([w, b], lr=0.1, **({"momentum": 0.9} if cls is optim.SGD else {}))
    with pytest.raises(FloatingPointError, match="parameter 1.*NaN/inf"):
        opt.step()
    assert (w.numpy() == 1).all() and (b.numpy()[[0, 2]] == 1).all()
    assert opt.state == [{}, {}] and opt.steps == 0


def test_step_takes_ndarray_gradients_of_the_parameters_dtype():
    w, b = _params_with_grads(((2,), np.ones(2)), ((2,), np.ones(2)))
    optim.SGD([w, b], lr=0.5).step()
    np.testing.assert_array_equal(w.numpy(), [0.5, 0.5])
    np.testing.assert_array_equal(b.numpy(), [0.5, 0.5])


BAD_VALUES = [(float("nan"), ValueError), (float("inf"), ValueError), (None, TypeError), (-0.1, ValueError),
              (True, TypeError), ("0.1", TypeError)]


@pytest.mark.parametrize("value, exc", BAD_VALUES, ids=repr)
@pytest.mark.parametrize("cls, name", [(optim.SGD, "lr"), (optim.SGD, "momentum"), (optim.SGD, "weight_decay"),
                                       (optim.Adam, "lr"), (optim.Adam, "eps"), (optim.Adam, "weight_decay"),
                                       (optim.AdamW, "weight_decay")])
def test_bad_hyperparameters_are_refused_naming_them(cls, name, value, exc):
    p = tg.Tensor([1.0], requires_grad=True)
    kwargs = {"lr": 0.1, name: value}
    with pytest.raises(exc, match=rf"{cls.__name__}: {name} must be"):
        cls([p], **kwargs)


@pytest.mark.parametrize("betas, exc, name", [
    ((1.0, 0.9), ValueError, "betas[0]"), ((0.9, -0.1), ValueError, "betas[1]"), ((0.9, np.nan), ValueError, "betas[1]"),
    ((0.9,), TypeError, "betas"), (0.9, TypeError, "betas"), ((None, 0.9), TypeError, "betas[0]"), ("ab", TypeError, "betas"),
])
def test_adam_betas_must_be_a_pair_in_zero_one(betas, exc, name):
    with pytest.raises(exc, match=re.escape(f"Adam: {name} must be")):
        optim.Adam([tg.Tensor([1.0], requires_grad=True)], betas=betas)


def test_numpy_scalars_are_fine_hyperparameters():
    opt = optim.Adam([tg.Tensor([1.0], requires_grad=True)], lr=np.float32(0.5), betas=[np.float64(0.8), 0.9])
    assert opt.lr == 0.5 and type(opt.lr) is float and opt.betas == (0.8, 0.9)


def test_assigning_a_bad_learning_rate_later_is_refused_too():
    opt = optim.SGD([tg.Tensor([1.0], requires_grad=True)], lr=0.1)
    for bad in (float("nan"), -0.1, None, "0.1"):
        with pytest.raises((TypeError, ValueError), match="SGD: lr must be"):
            opt.lr = bad
    assert opt.lr == 0.1
    opt.lr = 0.0  # where a learning-rate schedule may end
    assert opt.lr == 0.0


def test_a_parameter_listed_twice_is_refused_naming_both_indices():
    w, b = tg.Tensor([1.0], requires_grad=True), tg.Tensor([2.0], requires_grad=True)
    with pytest.raises(ValueError, match="SGD: parameter 2 is parameter 0 again"):
        optim.SGD([w, b, w], lr=0.1)
    model = nn.MLP([2, 2], rng=0)
    with pytest.raises(ValueError, match="parameter 2 is parameter 0 again"):
        optim.Adam(model.parameters() + [model[0].weight])


def test_what_is_not_a_list_of_leaf_parameters_is_refused():
    w = tg.Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="pass \\[tensor\\]"):
        optim.SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="named_parameters"):
        optim.SGD(nn.Linear(2, 2).named_parameters(), lr=0.1)
    with pytest.raises(TypeError, match="computed by recorded ops"):
        optim.SGD([w * 2], lr=0.1)
    with pytest.raises(TypeError, match="check_finite must be True or False"):
        optim.SGD([w], lr=0.1, check_finite="no")


def test_optimizer_load_state_dict_is_all_or_nothing_and_copies():
    w, b = _params_with_grads(((2,), tg.Tensor([0.1, 0.2])), ((3,), tg.Tensor([0.3, 0.4, 0.5])))
    opt = optim.Adam([w, b], lr=0.01)
    opt.step()
    state = opt.state_dict()
    fresh = optim.Adam([w, b], lr=0.5)
    bad = copy.deepcopy(state)
    bad["state"][1]["m"] = np.zeros(2)
    with pytest.raises(ValueError, match="state 'm' of parameter 1"):
        fresh.load_state_dict(bad)
    bad = dict(state, lr=float("nan"))
    with pytest.raises(ValueError, match="lr must be finite"):
        fresh.load_state_dict(bad)
    assert fresh.lr == 0.5 and fresh.steps == 0 and fresh.state == [{}, {}]
    fresh.load_state_dict(state)
    fresh.step()
    np.testing.assert_array_equal(state["state"][0]["m"], opt.state[0]["m"])  # the source was not stepped


# --- Module attributes -----------------------------------------------------------------------------------
def test_assigning_a_tensor_to_a_parameter_name_raises_and_keeps_the_parameter():
    lin = nn.Linear(2, 3, rng=0)
    w = lin.weight
    with pytest.raises(TypeError, match=r"cannot assign a Tensor to Linear.weight, a parameter.*Parameter"):
        lin.weight = tg.Tensor(np.zeros((2, 3)), requires_grad=True)
    with pytest.raises(TypeError, match="cannot assign a ndarray to Linear.bias"):
        lin.bias = np.zeros(3)
    assert lin.weight is w and [k for k, _ in lin.named_parameters()] == ["weight", "bias"]


def test_a_leaf_tensor_that_requires_grad_must_be_wrapped_to_be_kept():
    m = nn.Module()
    with pytest.raises(TypeError, match="Parameter\\(tensor\\) to register it, or tensor.detach\\(\\)"):
        m.scale = tg.Tensor([1.0], requires_grad=True)
    assert not hasattr(m, "scale") and m.parameters() == []
    m.scale = nn.Parameter(tg.Tensor([2.0]))
    m.offset = tg.Tensor([1.0])  # no grad: a constant attribute
    m.cache = m.scale * 2  # made by recorded ops: a plain attribute too
    assert m.parameters() == [m.scale] and list(m.state_dict()) == ["scale"]


def test_reassigning_a_parameter_keeps_its_place_and_delete_or_none_unregisters():
    lin = nn.Linear(2, 3, rng=0)
    lin.weight = nn.Parameter(np.zeros((2, 3)))
    assert [k for k, _ in lin.named_parameters()] == ["weight", "bias"]
    lin.bias = None
    assert [k for k, _ in lin.named_parameters()] == ["weight"]
    del lin.weight
    assert lin.parameters() == [] and not hasattr(lin, "weight")
    seq = nn.Sequential(nn.Linear(2, 2, rng=0))
    with pytest.raises(TypeError, match="a submodule"):
        seq.__setattr__("0", 5)


def test_sequential_takes_modules_only_and_slices_to_a_sequential():
    with pytest.raises(TypeError, match="Sequential: item 1 is a function"):
        nn.Sequential(nn.ReLU(), lambda x: x)
    mlp = nn.MLP([2, 3, 3, 2], rng=0)
    head = mlp[-2:]
    assert isinstance(head, nn.Sequential) and head[1] is mlp[-1]


@pytest.mark.parametrize("args", [(2.5, 3), (0, 3), (True, 3), (2, -1), ("2", 3)])
def test_linear_sizes_must_be_positive_integers(args):
    with pytest.raises(ValueError, match="Linear: (in|out)_features must be a positive integer"):
        nn.Linear(*args)


@pytest.mark.parametrize("p", [float("nan"), 1.0, -0.1, "0.5", True])
def test_dropout_probability_is_checked(p):
    with pytest.raises(ValueError, match="Dropout: p must be a number in"):
        nn.Dropout(p)


# --- grad mode ---------------------------------------------------------------------------------------
def test_set_grad_enabled_as_a_call_takes_effect_at_once():
    x = tg.Tensor([1.0], requires_grad=True)
    try:
        tg.set_grad_enabled(False)
        assert not tg.is_grad_enabled() and not (x * 2).requires_grad
        tg.set_grad_enabled(True)
        assert tg.is_grad_enabled() and (x * 2).requires_grad
    finally:
        tg.set_grad_enabled(True)


def test_set_grad_enabled_as_a_context_manager_restores_the_previous_mode():
    with tg.no_grad():
        with tg.set_grad_enabled(True):
            assert tg.is_grad_enabled()
        assert not tg.is_grad_enabled()
    with pytest.raises(KeyError):
        with tg.set_grad_enabled(False):
            raise KeyError("inside")
    assert tg.is_grad_enabled()
    with pytest.raises(TypeError, match="True or False"):
        tg.set_grad_enabled("no")
    assert tg.is_grad_enabled()


def test_set_grad_enabled_as_a_decorator_applies_inside_calls_only():
    @tg.set_grad_enabled(False)
    def f():
        return tg.is_grad_enabled()

    assert tg.is_grad_enabled()
    assert f() is False and tg.is_grad_enabled()


@pytest.mark.parametrize("switch, inside", [(tg.no_grad, False), (tg.enable_grad, True)])
def test_switches_decorate_with_and_without_parentheses(switch, inside):
    @switch
    def bare(a, b=1):
        """doc"""
        return tg.is_grad_enabled(), a + b

    @switch()
    def called():
        return tg.is_grad_enabled()

    with tg.set_grad_enabled(not inside):
        assert bare(1, b=2) == (inside, 3) and called() is inside
        assert tg.is_grad_enabled() is (not inside)
    assert bare.__name__ == "bare" and bare.__doc__ == "doc"


def test_detect_anomaly_decorates_bare_too():
    @tg.detect_anomaly
    def f():
        return tg.Tensor([-1.0], requires_grad=True).sqrt()

    with pytest.raises(tg.AnomalyError), np.errstate(invalid="ignore"):
        f()


def test_no_grad_on_a_generator_applies_while_its_body_runs_and_not_between_yields():
    seen = []

    @tg.no_grad
    def gen():
        seen.append(tg.is_grad_enabled())
        got = yield 1
        seen.append((tg.is_grad_enabled(), got))
        try:
            yield 2
        except ValueError:
            seen.append(("thrown", tg.is_grad_enabled()))
            yield 3
        return "done"

    g = gen()
    assert next(g) == 1 and tg.is_grad_enabled()  # the caller's mode between yields
    assert g.send("x") == 2 and tg.is_grad_enabled()
    assert g.throw(ValueError("v")) == 3 and tg.is_grad_enabled()
    with pytest.raises(StopIteration) as stop:
        next(g)
    assert stop.value.value == "done"
    assert seen == [False, (False, "x"), ("thrown", False)]


def test_closing_a_generator_runs_its_cleanup_in_the_decorated_mode():
    seen = []

    @tg.no_grad()
    def gen():
        try:
            yield 1
        finally:
            seen.append(tg.is_grad_enabled())

    g = gen()
    next(g)
    g.close()
    assert seen == [False] and tg.is_grad_enabled()


def test_one_no_grad_instance_shared_by_two_threads():
    # Thread A (recording) enters, then B (not recording) enters the same instance; A
    # leaves while B is still inside. Each must get its own mode back.
    ng = tg.no_grad()
    a_in, b_in, a_out = threading.Event(), threading.Event(), threading.Event()
    results = {}

    def a():
        with ng:
            a_in.set()
            b_in.wait()
        results["a"] = tg.is_grad_enabled()
        a_out.set()

    def b():
        tg.set_grad_enabled(False)
        a_in.wait()
        with ng:
            b_in.set()
            a_out.wait()
        results["b"] = tg.is_grad_enabled()

    threads = [threading.Thread(target=a), threading.Thread(target=b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"a": True, "b": False}


# --- copy and pickle -----------------------------------------------------------------------------------
def test_copies_of_leaves_keep_data_and_requires_grad_but_share_nothing():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    for y in (copy.deepcopy(x), pickle.loads(pickle.dumps(x))):
        assert y.requires_grad and y.data is not x.data
        np.testing.assert_array_equal(y.data, x.data)


def test_deepcopy_of_a_model_gives_independent_parameters():
    model = nn.MLP([2, 3, 2], rng=0)
    twin = copy.deepcopy(model)
    twin[0].weight.data[:] = 0
    assert not (model[0].weight.data == 0).all()
    assert twin.parameters()[0] is twin[0].weight  # registry and attribute are the same copy


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_copying_a_tensor_made_by_recorded_ops_copies_the_data_without_the_graph(how):
    # It once copied the whole graph, leaves included, and recursed once per node.
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    for _ in range(100_000):
        y = y * 1.0
    z = copy.deepcopy(y) if how == "deepcopy" else pickle.loads(pickle.dumps(y))
    np.testing.assert_array_equal(z.data, [2.0, 4.0])
    assert z.grad_fn is None and z.data is not y.data
