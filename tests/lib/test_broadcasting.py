"""Binary ops on random broadcasting pairs: forward equals NumPy, gradients pass gradcheck
and have each operand's own shape."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_sm as tg

OPS = {
    "add": (lambda x, y: x + y, np.add),
    "sub": (lambda x, y: x - y, np.subtract),
    "mul": (lambda x, y: x * y, np.multiply),
    "div": (lambda x, y: x / y, np.divide),
    "pow": (lambda x, y: x**y, np.power),
    "where": (lambda x, y: tg.where(np.ones(x.shape, bool) if x.ndim else True, x, y), None),
}

pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=1, max_side=3)


@pytest.mark.parametrize("name", sorted(OPS))
@given(shapes=pairs, data=st.data())
def test_random_broadcasting_pairs(name, shapes, data):
    sx, sy = shapes.input_shapes
    low = 0.5 if name in ("div", "pow") else -2.0  # stay in each op's domain
    x = data.draw(hnp.arrays(np.float64, sx, elements=st.floats(low, 2.0)))
    y = data.draw(hnp.arrays(np.float64, sy, elements=st.floats(low, 2.0)))
    f, reference = OPS[name]
    out = f(tg.Tensor(x), tg.Tensor(y))
    assert out.shape == shapes.result_shape
    if reference is not None:
        np.testing.assert_allclose(out.data, reference(x, y), rtol=1e-15)
    tx, ty = tg.Tensor(x, requires_grad=True), tg.Tensor(y, requires_grad=True)
    f(tx, ty).sum().backward()
    assert tx.grad.shape == sx and ty.grad.shape == sy and ty.grad.dtype == np.float64
    assert tg.gradcheck(f, [x, y], atol=1e-8, rtol=1e-6)
