"""All or nothing: a call that raises changes nothing (parameters, optimizer state, files on
disk, the grad mode); a call that succeeds is complete."""
import os

import graphviz
import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import viz


def snapshot(model):
    return {k: p.data.copy() for k, p in model.named_parameters()}


def assert_unchanged(model, before):
    for k, p in model.named_parameters():
        np.testing.assert_array_equal(p.data, before[k], err_msg=k)


# --- viz.render ----------------------------------------------------------------------------------
def test_render_without_dot_leaves_an_existing_picture_intact(tmp_path, monkeypatch):
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    loss = x.softmax().sum()
    path = tmp_path / "graph.svg"
    path.write_bytes(b"<svg>the picture from last time</svg>")

    def no_dot(self, *args, **kwargs):
        raise graphviz.ExecutableNotFound(["dot"])

    monkeypatch.setattr(graphviz.Digraph, "pipe", no_dot)
    with pytest.raises(viz.GraphvizNotFound, match="apt-get install graphviz"):
        viz.render(loss, path)
    assert path.read_bytes() == b"<svg>the picture from last time</svg>"
    assert os.listdir(tmp_path) == ["graph.svg"]
    viz.render(loss, tmp_path / "graph.dot")  # the source needs no dot, and replaces atomically too
    assert "SoftmaxBackward" in (tmp_path / "graph.dot").read_text()
