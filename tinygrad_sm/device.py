"""PyTorch's device vocabulary, for scripts that pick a device: the only one is the CPU.

``device = tg.device("cuda" if tg.cuda.is_available() else "cpu")`` gives ``cpu``, and
``x.to(device)`` / ``model.to(device)`` keep everything where it is.
"""
from __future__ import annotations


class device:  # noqa: N801 (PyTorch's name)
    """A device name; only ``"cpu"`` (``"cpu:0"``) exists here."""

    __slots__ = ("type", "index")

    def __init__(self, type: str, index: int | None = None) -> None:  # noqa: A002
        name = str(type)
        if name.split(":")[0] != "cpu":
            raise RuntimeError(
                f"device({name!r}): tinygrad_sm runs on the CPU only (NumPy); use 'cpu', or "
                f"tg.device('cuda' if tg.cuda.is_available() else 'cpu'), which gives the CPU here"
            )
        self.type, self.index = "cpu", index

    def __str__(self) -> str:
        return self.type

    def __repr__(self) -> str:
        return f"device(type='{self.type}')"

    def __eq__(self, other: object) -> bool:
        return str(other).split(":")[0] == "cpu"

    def __hash__(self) -> int:
        return hash("cpu")


class cuda:  # noqa: N801 (PyTorch's module name)
    """``tg.cuda.is_available()`` is False: there is no GPU path."""

    @staticmethod
    def is_available() -> bool:
        return False

    @staticmethod
    def device_count() -> int:
        return 0
