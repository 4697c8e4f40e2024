"""``LayerNorm``: ``functional.layer_norm`` with a learned elementwise scale and shift."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..checks import is_real
from ..dtypes import or_default
from ..functional import layer_norm
from ..functional.normalization import normalized_shape_tuple
from .module import Module, Parameter, check_input_dtype

if TYPE_CHECKING:
    from collections.abc import Sequence

    from numpy.typing import DTypeLike

    from ..tensor import Tensor


class LayerNorm(Module):
    """Normalize over the trailing ``normalized_shape`` axes, then ``* weight + bias``.

    ``weight`` starts at ones and ``bias`` at zeros (shape ``normalized_shape``);
    ``elementwise_affine=False`` leaves them out.
    """

    weight: Parameter | None
    bias: Parameter | None

    def __init__(self, normalized_shape: int | Sequence[int], eps: float = 1e-5,
                 elementwise_affine: bool = True,
                 dtype: DTypeLike | None = None) -> None:
        super().__init__()
        self.normalized_shape = normalized_shape_tuple(normalized_shape, "LayerNorm")
        if not is_real(eps) or not 0 <= eps < np.inf:
            raise ValueError(f"LayerNorm: eps must be a finite number ≥ 0, got {eps!r}")
        self.eps = float(eps)
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape), dtype=or_default(dtype))
            self.bias = Parameter(np.zeros(self.normalized_shape), dtype=or_default(dtype))
        else:
            self.weight = self.bias = None

    def forward(self, x: Tensor) -> Tensor:
        if self.weight is not None:
            check_input_dtype(self, x, self.weight)
        return layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.weight is not None}"
