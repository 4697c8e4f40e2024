"""Toy datasets and batching: ``spiral`` (the default), ``moons``, ``circles``, ``blobs``,
``xor``, ``digits`` (shipped 8×8 images), ``pointer`` (padded token sequences for
attention), ``train_test_split``, ``minibatches``."""
from .digits import digits
from .loader import minibatches, train_test_split
from .sequences import PAD, padding_mask, pointer, token_names
from .toy import blobs, circles, moons, spiral, xor

DATASETS = {"spiral": spiral, "moons": moons, "circles": circles, "blobs": blobs, "xor": xor, "digits": digits,
            "pointer": pointer}

__all__ = ["spiral", "moons", "circles", "blobs", "xor", "digits", "pointer", "PAD", "padding_mask", "token_names",
           "train_test_split", "minibatches", "DATASETS"]
