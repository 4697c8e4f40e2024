"""The public API used as a hostile new user would: wrong shapes and dtypes, NaN, empty arrays,
negative numbers, views, two threads, an existing file. Each test names a bug that was real."""
import threading

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import data, nn, optim
from tinygrad_sm.apps.training import accuracy, fit, predict


def _params(model):
    return [p.numpy().copy() for p in model.parameters()]


def _unchanged(model, before):
    return all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before))


# --- training.fit / predict / accuracy ----------------------------------------------------------
@pytest.mark.parametrize("X, y, words", [
    (np.ones((10, 2), np.float32), np.r_[np.zeros(9, np.int64), 3], "label 3 is out of range for a model with 3 outputs"),
    (np.ones((10, 2), np.float32), np.r_[np.zeros(9, np.int64), -1], "label -1 is negative"),
    (np.ones((10, 2), np.float32), np.zeros(9, np.int64), "10 rows of X but 9 labels"),
    (np.r_[np.ones((9, 2)), [[np.nan, 0]]].astype(np.float32), np.zeros(10, np.int64), "finite"),
    (np.ones((10, 2), np.float32), np.zeros(10), "integer array of class indices"),
])
def test_fit_checks_the_data_before_the_first_update(X, y, words):
    # The bad row is the last one: it would have surfaced only after some updates.
    model = nn.MLP([2, 4, 3], rng=0)
    before = _params(model)
    with pytest.raises(ValueError, match=words):
        fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, epochs=2, batch_size=4, rng=0, X_test=X, y_test=y)
    assert _unchanged(model, before) and model.training


@pytest.mark.parametrize("kwargs, words", [
    ({"epochs": -1}, "epochs must be a non-negative integer"), ({"epochs": 2.5}, "epochs"),
    ({"batch_size": 0}, "batch_size must be a positive integer"), ({"batch_size": True}, "batch_size"),
    ({"X_test": np.ones((2, 2), np.float32)}, "both X_test and y_test"),
])
def test_fit_checks_its_arguments(kwargs, words):
    X, y = data.moons(n=20, rng=0)
    model = nn.MLP([2, 2], rng=0)
    args = {"epochs": 1, "batch_size": 4, **kwargs}
    with pytest.raises(ValueError, match=words):
        fit(model, optim.SGD(model.parameters(), lr=0.1), X, y, **args)


def test_a_diverging_fit_says_at_which_epoch_and_step():
    X, y = data.spiral(rng=0)
    model = nn.MLP([2, 16, 3], rng=0)
    with pytest.raises(FloatingPointError, match=r"fit: training diverged at epoch \d+, step \d+ \(loss .*NaN/inf"), \
            np.errstate(all="ignore"):
        fit(model, optim.SGD(model.parameters(), lr=1e12), X, y, epochs=50, batch_size=300, rng=0)
    assert all(np.isfinite(p.data).all() for p in model.parameters())  # the refused step changed nothing


def test_predict_restores_the_training_mode_even_when_the_model_raises():
    model = nn.MLP([2, 3, 2], rng=0)
    with pytest.raises(ValueError):
        predict(model, np.ones((4, 5), np.float32))  # wrong width: the Linear raises
    assert model.training and all(m.training for _, m in model.named_modules())
    model.eval()
    predict(model, np.ones((4, 2), np.float32))
    assert not model.training


def test_predict_and_accuracy_on_no_rows_and_bad_label_shapes():
    model = nn.MLP([2, 3, 2], rng=0)
    assert predict(model, np.zeros((0, 2), np.float32)).shape == (0,)
    X, y = data.moons(n=20, rng=0)
    with pytest.raises(ValueError, match=r"one label per row of X, shape \(20,\); got \(20, 1\)"):
        accuracy(model, X, y[:, None])  # would compare 20 x 20 pairs and report nonsense
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        predict(model, X, batch_size=0)


# --- optimizers, files -------------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [optim.Adam, lambda ps, lr: optim.SGD(ps, lr=lr, momentum=0.9)])
def test_a_parameter_replaced_after_its_state_was_made_is_refused_before_any_update(cls):
    a, b = tg.Tensor(np.ones(2), requires_grad=True), tg.Tensor(np.ones(3), requires_grad=True)
    opt = cls([a, b], lr=0.1)
    for p in (a, b):
        p.grad = tg.Tensor(np.ones(p.shape))
    opt.step()
    b.data = np.ones(5)  # re-initialised with another shape; its momentum buffers have 3 entries
    b.grad = tg.Tensor(np.ones(5))
    before = a.numpy().copy()
    with pytest.raises(ValueError, match=r"parameter 1 has shape \(5,\) but its optimizer state"):
        opt.step()
    np.testing.assert_array_equal(a.data, before)


def test_render_takes_a_bytes_path(tmp_path):
    from tinygrad_sm import viz
    path = viz.render(tg.Tensor([1.0], requires_grad=True) * 2, bytes(tmp_path / "g.dot"))
    assert (tmp_path / "g.dot").read_text().startswith("digraph")
    assert path == bytes(tmp_path / "g.dot")


# --- data ---------------------------------------------------------------------------------------
def test_train_test_split_with_a_numpy_float_fraction():
    parts = data.train_test_split(np.ones((10, 2)), np.arange(10), test_size=np.float32(0.2))
    assert [len(p) for p in parts] == [8, 2, 8, 2]


@pytest.mark.parametrize("test_size", [float("nan"), True])
def test_train_test_split_refuses_nan_and_bool_test_sizes(test_size):
    with pytest.raises((TypeError, ValueError), match="test_size"):
        data.train_test_split(np.ones((10, 2)), np.arange(10), test_size=test_size)


def test_train_test_split_takes_lists():
    X_train, X_test, y_train, y_test = data.train_test_split([[1, 2]] * 10, [0, 1] * 5, test_size=0.2)
    assert np.shape(X_train) == (8, 2) and np.shape(y_test) == (2,)


@pytest.mark.parametrize("X, y, batch_size", [(np.ones((5, 2)), np.ones(3), 2), (np.ones((5, 2)), np.ones(5), 2.5)])
def test_minibatches_checks_its_arguments_before_the_first_batch(X, y, batch_size):
    batches = data.minibatches(X, y, batch_size, shuffle=False)
    with pytest.raises((TypeError, ValueError), match="minibatches"):
        next(batches)


def test_blobs_refuses_zero_centers():
    with pytest.raises(ValueError, match="centers"):
        data.blobs(centers=0)


# --- transforms, gradcheck, viz -----------------------------------------------------------------
@pytest.mark.parametrize("transform", ["vjp", "jvp", "hessian"])
def test_transforms_of_a_constant_function_are_zero(transform):
    x = tg.Tensor([1.0, 2.0])
    if transform == "vjp":
        out, (g,) = tg.vjp(lambda x: tg.Tensor([1.0, 2.0, 3.0]), x, v=np.ones(3))
        np.testing.assert_array_equal(g.data, [0.0, 0.0])
    elif transform == "jvp":
        out, jt = tg.jvp(lambda x: tg.Tensor([1.0, 2.0, 3.0]), x, np.ones(2))
        np.testing.assert_array_equal(jt.data, [0.0, 0.0, 0.0])
    else:
        np.testing.assert_array_equal(tg.hessian(lambda x: tg.Tensor(3.0), x).data, np.zeros((2, 2)))


def test_gradcheck_at_a_nan_input_counts_the_failing_entry():
    with pytest.raises(tg.GradcheckError, match="1 of 1 entries fail"):
        tg.gradcheck(lambda x: x * 2, [np.array([np.nan])])


def test_draw_graph_refuses_a_fractional_max_nodes():
    from tinygrad_sm import viz
    with pytest.raises((TypeError, ValueError), match="max_nodes"):
        viz.draw_graph(tg.Tensor([1.0], requires_grad=True) * 2, max_nodes=2.5)


def test_two_threads_backpropagating_into_one_leaf_lose_no_gradient():
    # The old .grad's addition waits until both threads are in it: with the race, both add to
    # the same old value. With a lock the second thread cannot get there, the wait times out,
    # and it adds to the first one's result.
    barrier = threading.Barrier(2, timeout=2)

    class Meeting(np.ndarray):
        def __add__(self, other):
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                pass
            return np.asarray(self) + other

    w = tg.Tensor(np.zeros(3), requires_grad=True)
    w.grad = tg.Tensor(np.zeros(3))
    w.grad.data = np.zeros(3).view(Meeting)
    threads = [threading.Thread(target=lambda: (w * 1.0).sum().backward()) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(w.grad.data, [2.0, 2.0, 2.0])


def test_indexing_with_an_empty_list_gives_an_empty_tensor_like_numpy():
    x = tg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x[[]]
    assert y.shape == (0,)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 0.0])
