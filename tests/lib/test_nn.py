"""Modules, parameters, state dicts, layers."""
import os

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import nn


def test_named_parameters_use_dotted_names_in_order():
    model = nn.MLP([2, 4, 3], rng=0)
    assert [k for k, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in model.parameters())
    assert model[0].weight.shape == (4, 2) and model[0].weight.dtype == np.float32  # (out, in)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(nn.Linear(2, 2, rng=0), nn.Tanh())
            self.head = nn.Linear(2, 1, rng=1)
            self.head_again = self.head  # shared: listed once

        def forward(self, x):
            return self.head(self.body(x))

    net = Net()
    assert [k for k, _ in net.named_parameters()] == ["body.0.weight", "body.0.bias", "head.weight", "head.bias"]
    assert [k for k, _ in net.named_modules()] == ["", "body", "body.0", "body.1", "head", "head_again"]


def test_linear_init_is_fan_in_scaled_and_seeded():
    a, b = nn.Linear(100, 50, rng=3), nn.Linear(100, 50, rng=3)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert np.abs(a.weight.data).max() <= 0.1 and np.abs(a.weight.data).max() > 0.09


def test_zero_grad_train_eval_and_dropout():
    model = nn.Sequential(nn.Linear(4, 4, rng=0), nn.Dropout(0.5, rng=0))
    x = tg.Tensor(np.ones((8, 4), np.float32))
    model(x).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    dropped = model(x).data
    assert (dropped == 0).any()
    model.eval()
    assert not model[1].training
    np.testing.assert_array_equal(model(x).data, model[0](x).data)


def test_state_dict_round_trip_and_save_load(tmp_path):
    a, b = nn.MLP([3, 5, 2], rng=0), nn.MLP([3, 5, 2], rng=1)
    b.load_state_dict(a.state_dict())
    for (ka, pa), (kb, pb) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(pa.data, pb.data)
    path = tmp_path / "model.npz"
    a.save(path)
    c = nn.MLP([3, 5, 2], rng=2).load(path)
    np.testing.assert_array_equal(c[0].weight.data, a[0].weight.data)


def test_load_state_dict_names_the_offending_key_and_changes_nothing():
    model = nn.MLP([3, 5, 2], rng=0)
    before = model[0].weight.numpy().copy()
    state = model.state_dict()
    state["0.weight"] = np.zeros((3, 5))
    state["2.bias"] = np.zeros(2)
    with pytest.raises(ValueError, match=r"'0.weight' has shape \(3, 5\) in the state but \(5, 3\)"):
        model.load_state_dict(state)
    np.testing.assert_array_equal(model[0].weight.data, before)
    del state["0.weight"]
    state["extra"] = np.zeros(1)
    with pytest.raises(KeyError, match=r"missing keys \['0.weight'\], unexpected keys \['extra'\]"):
        model.load_state_dict(state)


def test_activation_layers_and_softmax_layers():
    x = tg.Tensor(np.array([[-1.0, 0.0, 2.0]]))
    np.testing.assert_array_equal(nn.ReLU()(x).data, [[0.0, 0.0, 2.0]])
    np.testing.assert_allclose(nn.Tanh()(x).data, np.tanh(x.data))
    np.testing.assert_allclose(nn.Sigmoid()(x).data, 1 / (1 + np.exp(-x.data)))
    np.testing.assert_allclose(nn.Softmax()(x).data.sum(), 1.0)
    np.testing.assert_allclose(np.exp(nn.LogSoftmax()(x).data), nn.Softmax()(x).data)
    with pytest.raises(ValueError, match="activation must be one of"):
        nn.MLP([2, 2], activation="gelu")


def test_loading_a_npy_renamed_npz_says_what_the_file_is(tmp_path):
    np.save(tmp_path / "w.npy", np.zeros(3))
    os.replace(tmp_path / "w.npy", tmp_path / "w.npz")
    with pytest.raises(ValueError, match=r"holds a single array \(a \.npy file\), not the named parameters"):
        nn.MLP([2, 3], rng=0).load(tmp_path / "w.npz")
