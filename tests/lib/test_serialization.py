"""tg.save / tg.load: nested state without pickle, atomic writes, clear errors."""
import os
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import nn


def test_round_trip_of_nested_values(tmp_path):
    w = tg.tensor([[1.0, 2.0]], requires_grad=True)
    obj = {
        "model": OrderedDict(weight=np.arange(6.0).reshape(2, 3), bias=np.zeros(2, np.float32)),
        "w": w, "param": nn.Parameter(np.ones(2)),
        "epoch": 3, "lr": 1e-3, "best": float("inf"), "name": "run-1", "done": False, "none": None,
        "history": [0.5, 0.25, (1, "a")], 7: np.float32(2.5), "ints": tg.tensor([1, 2]),
    }
    path = tg.save(obj, tmp_path / "ckpt.pt")
    assert path == str(tmp_path / "ckpt.pt")  # the path as given: no suffix added
    got = tg.load(tmp_path / "ckpt.pt")
    assert list(got) == list(obj) and isinstance(got["model"], OrderedDict)
    np.testing.assert_array_equal(got["model"]["weight"], obj["model"]["weight"])
    assert got["model"]["bias"].dtype == np.float32
    assert isinstance(got["w"], tg.Tensor) and got["w"].requires_grad and got["w"].dtype == np.float32
    assert isinstance(got["param"], nn.Parameter)
    assert got["epoch"] == 3 and got["lr"] == 1e-3 and got["best"] == float("inf") and got["none"] is None
    assert got["history"] == [0.5, 0.25, (1, "a")] and got["done"] is False and got["name"] == "run-1"
    assert got[7] == np.float32(2.5) and type(got[7]) is np.float32
    assert got["ints"].dtype == np.int64
    with np.load(path, allow_pickle=False) as f:  # a plain npz: readable without pickle
        assert "__structure__" in f.files


def test_a_model_state_dict_round_trip(tmp_path):
    a, b = nn.Linear(3, 2), nn.Linear(3, 2)
    tg.save(a.state_dict(), tmp_path / "m.npz")
    b.load_state_dict(tg.load(tmp_path / "m.npz"))
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())


@pytest.mark.parametrize("value, where", [
    (object(), "obj is a object"),
    ({"f": len}, r"obj\['f'\] is a builtin_function_or_method"),
    ([1, nn.Linear(1, 1)], r"obj\[1\] is a Linear"),
    (np.array([None]), "obj is an array of dtype object"),
    ({(1, 2): 3}, r"obj has a key \(1, 2\) \(tuple\)"),
])
def test_unsupported_values_raise_before_the_file_changes(tmp_path, value, where):
    path = tmp_path / "x.npz"
    tg.save({"old": 1}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError, match="save: " + where):
        tg.save(value, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["x.npz"]


def test_bad_paths_and_files(tmp_path):
    with pytest.raises(IsADirectoryError, match="save: .* is a directory"):
        tg.save({}, tmp_path)
    with pytest.raises(IsADirectoryError, match="load: .* is a directory"):
        tg.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="load: no file"):
        tg.load(tmp_path / "missing.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip at all")
    with pytest.raises(ValueError, match="is not a file written by tinygrad_sm.save"):
        tg.load(junk)
    other = tmp_path / "other.npz"
    np.savez(other, a=np.ones(2))
    with pytest.raises(ValueError, match="is not a file written by tinygrad_sm.save"):
        tg.load(other)
    model = tmp_path / "model.npz"
    nn.Linear(2, 2).save(model)
    with pytest.raises(ValueError, match="Module.load reads Module.save's files"):
        tg.load(model)


def test_a_structure_that_names_a_missing_array_is_corrupt(tmp_path):
    path = tmp_path / "c.npz"
    tg.save({"a": np.ones(2)}, path)
    with zipfile.ZipFile(path) as zf:
        structure = zf.read("__structure__.npy")
    broken = tmp_path / "broken.npz"
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("__structure__.npy", structure)
    with pytest.raises(ValueError, match="is corrupt"):
        tg.load(broken)
