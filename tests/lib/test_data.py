"""Toy datasets are seeded, shaped and labelled as documented; the digits ship with the package."""
import os
import subprocess
import sys

import numpy as np
import pytest

from tinygrad_sm import data


@pytest.mark.parametrize("name", ["spiral", "moons", "circles", "blobs", "xor"])
def test_toy_sets_are_seeded_float_and_int(name):
    X1, y1 = data.DATASETS[name](rng=5)
    X2, y2 = data.DATASETS[name](rng=5)
    X3, _ = data.DATASETS[name](rng=6)
    np.testing.assert_array_equal(X1, X2)
    assert not np.array_equal(X1, X3)
    assert X1.dtype == np.float32 and X1.shape[1] == 2 and y1.dtype == np.int64
    assert len(X1) == len(y1) and set(np.unique(y1)) == set(range(y1.max() + 1))


def test_spiral_shape():
    X, y = data.spiral(n_per_class=50, n_classes=4)
    assert X.shape == (200, 2) and np.bincount(y).tolist() == [50] * 4
    assert np.abs(X).max() < 1.5


DIGIT_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]  # the UCI test set's classes 0..9


def test_digits_ship_with_the_package():
    X, y = data.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 1
    np.testing.assert_array_equal(np.unique(X * 16), np.arange(17))  # pixels are counts 0..16
    assert np.bincount(y).tolist() == DIGIT_COUNTS
    X64, y64 = data.digits(dtype=np.float64)
    assert X64.dtype == np.float64
    np.testing.assert_array_equal(X64, X)
    np.testing.assert_array_equal(y64, y)


def test_digits_are_fresh_arrays_and_need_no_scikit_learn():
    X, y = data.digits()
    X[:] = -1
    y[:] = -1
    X2, y2 = data.digits()
    assert X2.min() == 0 and y2.min() == 0  # writing into one result does not change the next
    code = ("import sys; from tinygrad_sm.data import digits; X, y = digits(); "
            "assert 'sklearn' not in sys.modules and 'scipy' not in sys.modules; print(X.shape)")
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    assert done.returncode == 0 and done.stdout.strip() == "(1797, 64)", done.stderr


def test_digits_equal_scikit_learns_copy():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    d = sklearn_datasets.load_digits()
    X, y = data.digits(dtype=np.float64)
    np.testing.assert_array_equal(X, d.data / 16.0)
    np.testing.assert_array_equal(y, d.target)


def test_split_and_minibatches_cover_everything_once():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    Xtr, Xte, ytr, yte = data.train_test_split(X, y, test_size=0.3, rng=0)
    assert len(Xte) == 3 and len(Xtr) == 7
    assert sorted(np.r_[ytr, yte].tolist()) == list(range(10))
    np.testing.assert_array_equal(Xtr[:, 0] / 2, ytr)
    batches = list(data.minibatches(X, y, 4, rng=0))
    assert [len(b) for _, b in batches] == [4, 4, 2]
    assert sorted(np.concatenate([b for _, b in batches]).tolist()) == list(range(10))
    with pytest.raises(ValueError, match="leaves no training data"):
        data.train_test_split(X, y, test_size=1.0)
