"""The README's runnable code blocks run, and its worked numbers are what the code gives."""
import contextlib
import io
import os
import re

import numpy as np

import tinygrad_sm as tg

README = os.path.join(os.path.dirname(__file__), "..", "README.md")


def python_blocks():
    text = open(README, encoding="utf-8").read()
    return [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if b.startswith("import")]


def test_the_self_contained_blocks_run():
    blocks = python_blocks()
    assert len(blocks) >= 2
    for block in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, "README.md", "exec"), {})


def test_the_worked_example_numbers():
    z = tg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = z.softmax()
    np.testing.assert_allclose(a.data, [0.0900, 0.2447, 0.6652], atol=5e-5)
    a.backward(np.array([1.0, 0.0, 0.0]))
    np.testing.assert_allclose(z.grad.data, [0.0819, -0.0220, -0.0599], atol=5e-5)
    A = a.data
    np.testing.assert_allclose(np.diag(A) - np.outer(A, A),
                               [[0.0819, -0.0220, -0.0599], [-0.0220, 0.1848, -0.1628], [-0.0599, -0.1628, 0.2227]],
                               atol=5e-5)
    x = tg.Tensor([0.5, -1.0, 2.0], requires_grad=True)
    (g,) = tg.grad(x.logsumexp(), [x], create_graph=True)
    (hv,) = tg.grad(g, [x], grad_outputs=np.array([1.0, 0.0, 0.0]))
    np.testing.assert_allclose(hv.data, [0.1446, -0.0069, -0.1377], atol=5e-5)
