"""Toy datasets and batching: ``spiral`` (the default), ``moons``, ``circles``, ``blobs``,
``xor``, ``digits`` (shipped 8×8 images), ``train_test_split``, ``minibatches``."""
from .digits import digits
from .loader import minibatches, train_test_split
from .toy import blobs, circles, moons, spiral, xor

DATASETS = {"spiral": spiral, "moons": moons, "circles": circles, "blobs": blobs, "xor": xor, "digits": digits}

__all__ = ["spiral", "moons", "circles", "blobs", "xor", "digits", "train_test_split", "minibatches", "DATASETS"]
