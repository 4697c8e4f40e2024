"""tg.utils.data: TensorDataset and DataLoader (batch_size, shuffle with a seed, drop_last, len)."""
import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm.utils.data import DataLoader, Dataset, TensorDataset


def dataset(n=10):
    X = tg.tensor(np.arange(2 * n, dtype=np.float32).reshape(n, 2))
    y = tg.tensor(np.arange(n))
    return TensorDataset(X, y)


def test_in_order_batches_of_tensors():
    loader = DataLoader(dataset(), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and len(batches) == 3
    for xb, yb in batches:
        assert isinstance(xb, tg.Tensor) and isinstance(yb, tg.Tensor)
        assert xb.dtype == np.float32 and yb.dtype == np.int64
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[1][0].tolist() == [[8, 9], [10, 11], [12, 13], [14, 15]]


def test_drop_last():
    loader = DataLoader(dataset(), batch_size=4, drop_last=True)
    assert len(loader) == 2 and [len(b[1]) for b in loader] == [4, 4]
    assert len(DataLoader(dataset(8), batch_size=4, drop_last=True)) == 2


def test_shuffle_is_seeded_and_new_every_pass():
    a = DataLoader(dataset(), batch_size=3, shuffle=True, generator=7)
    b = DataLoader(dataset(), batch_size=3, shuffle=True, generator=7)
    first = [yb.tolist() for _, yb in a]
    assert first == [yb.tolist() for _, yb in b]
    assert sorted(sum(first, [])) == list(range(10))
    second = [yb.tolist() for _, yb in a]
    assert second != first and sorted(sum(second, [])) == list(range(10))
    tg.manual_seed(1)
    c = [yb.tolist() for _, yb in DataLoader(dataset(), batch_size=3, shuffle=True)]
    tg.manual_seed(1)
    assert c == [yb.tolist() for _, yb in DataLoader(dataset(), batch_size=3, shuffle=True)]


def test_rows_stay_paired_when_shuffled():
    for xb, yb in DataLoader(dataset(), batch_size=4, shuffle=True, generator=0):
        np.testing.assert_array_equal(xb.numpy()[:, 0], 2 * yb.numpy())


def test_any_dataset_with_len_and_getitem():
    class Squares:
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return np.array([float(i)]), i * i

    xb, yb = next(iter(DataLoader(Squares(), batch_size=5)))
    assert xb.shape == (5, 1) and yb.tolist() == [0, 1, 4, 9, 16]


def test_dataset_indexing_and_errors():
    ds = dataset(4)
    x, y = ds[2]
    assert x.tolist() == [4.0, 5.0] and y.item() == 2 and len(ds) == 4
    with pytest.raises(ValueError, match=r"TensorDataset: the tensors have \[3, 2\] rows"):
        TensorDataset(np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="DataLoader: batch_size must be a positive int, got 0"):
        DataLoader(ds, batch_size=0)
    with pytest.raises(TypeError, match="DataLoader: dataset must have __len__ and __getitem__"):
        DataLoader(3)


def test_utils_are_real_modules():
    import tinygrad_sm.utils.data as data_module

    assert tg.utils.data is data_module and data_module.DataLoader is DataLoader


def test_dict_rows_collate_key_by_key_and_collate_fn_and_num_workers_are_taken():
    class Rows(Dataset):
        def __len__(self):
            return 5

        def __getitem__(self, i):
            return {"x": np.full(2, i, np.float32), "y": i, "name": f"n{i}"}

    batch = next(iter(DataLoader(Rows(), batch_size=2, num_workers=2, pin_memory=True)))
    assert batch["x"].shape == (2, 2) and batch["x"].dtype == np.float32
    assert batch["y"].tolist() == [0, 1] and batch["name"] == ["n0", "n1"]
    assert next(iter(DataLoader(Rows(), batch_size=3, collate_fn=len))) == 3
    with pytest.raises(ValueError, match="num_workers must be an int"):
        DataLoader(Rows(), num_workers=-1)
