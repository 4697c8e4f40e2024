"""Toy datasets are seeded, shaped and labelled as documented."""
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


def test_digits():
    pytest.importorskip("sklearn")
    X, y = data.digits()
    assert X.shape == (1797, 64) and X.dtype == np.float32 and 0 <= X.min() and X.max() <= 1
    assert set(np.unique(y)) == set(range(10))


def test_digits_without_scikit_learn_names_the_extra(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_sklearn(name, *args, **kwargs):
        if name.startswith("sklearn"):
            raise ImportError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_sklearn)
    with pytest.raises(ImportError, match=r"pip install -e '\.\[digits\]'"):
        data.digits()


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
