"""``tg.utils.data``: ``DataLoader`` and ``TensorDataset``, as PyTorch spells them."""
from . import data

__all__ = ["data"]
