"""Pictures of the graph: the DOT text says the right things, and Graphviz renders it."""
import html
import pathlib
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import tinygrad_sm as tg
from tinygrad_sm import nn, viz


@pytest.fixture
def classifier():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(2, 3, rng=0))
    x = tg.Tensor(rng.standard_normal((4, 2)).astype(np.float32))
    probs = model(x).softmax(axis=-1)
    loss = -(probs.log() * np.eye(3, dtype=np.float32)[[0, 1, 2, 0]]).sum() / 4
    return loss, model, probs


def test_backward_dot_names_every_op_what_it_saved_and_gradient_shapes(classifier):
    loss, model, probs = classifier
    src = viz.draw_graph(loss, params=model).source
    for op in ("SoftmaxBackward", "LogBackward", "AffineBackward", "SumBackward", "DivBackward"):
        assert src.count(f'label="{op}') == 1, op
    assert "saved out: (4, 3) float32, 48 B" in src  # the softmax's only saved array
    assert "saved x: (4, 3) float32, 48 B" in src  # log saves its input: the same probabilities
    assert 'label=" (4, 3)"' in src and 'label=" grad ()"' in src
    assert "0.weight\n(3, 2) float32\nAccumulateGrad" in src and "0.bias" in src
    assert 'label="0: Linear(2, 3, bias=True)"' in src  # one cluster per module
    assert 'fillcolor="#ffe0b2"' in src and 'fillcolor="#c8e6c9"' in src  # softmax and parameter styles


def test_footer_compares_saved_bytes_with_the_explicit_jacobian(classifier):
    loss, model, _ = classifier
    src = viz.draw_graph(loss).source
    # 4 rows of 3 classes, float32: the softmax saves 48 B; J would be 4*3*3*4 = 144 B.
    assert "SoftmaxBackward (4, 3): saves 48 B; its explicit Jacobian diag(a) - a a^T would need 144 B" in src
    assert "would need 144 B (4*3^2*4 B)" in src
    # log saves its input, the very array softmax saved: counted once.
    distinct = {id(a): a for n in tg.engine.toposort([loss.grad_fn]) for a in n.saved_arrays().values()}
    total = sum(a.nbytes for a in distinct.values())
    assert total < sum(n.saved_bytes() for n in tg.engine.toposort([loss.grad_fn]))
    assert f"cached for backward: {total} B in {len(distinct)} distinct saved arrays" in src


def test_grad_norms_after_backward_and_freed_nodes(classifier):
    loss, model, _ = classifier
    loss.backward(retain_graph=True)
    src = viz.draw_graph(loss, params=model).source
    norm = np.linalg.norm(model[0].weight.grad.data)
    assert f"|grad| = {norm:.4g}" in src
    loss.backward()  # frees the graph
    assert "saved: freed by backward" in viz.draw_graph(loss).source


def test_drawing_changes_nothing(classifier):
    loss, model, probs = classifier
    before = probs.grad_fn.saved
    viz.draw_graph(loss, params=model)
    viz.draw_graph(loss, kind="forward", params=model, show_values=True)
    assert probs.grad_fn.saved == before and model[0].weight.grad is None


def test_forward_graph_shows_tensors_with_shape_and_dtype_styled_by_role(classifier):
    loss, model, _ = classifier
    src = viz.draw_graph(loss, kind="forward", params=model).source
    assert 'label="Softmax\naxis=1"' in src and "shape=ellipse" in src
    assert 'label="(4, 3) float32"' in src  # an intermediate
    assert 'label="output (4, 3) float32"' not in src and 'label="output () float32"' in src
    assert "constant (4, 2) float32" in src  # the input batch, saved by the matmul for W's gradient
    assert "0.weight\n(3, 2) float32" in src
    for look in ('fillcolor="#c8e6c9"', 'fillcolor="#f8bbd0"', 'fillcolor="#ffffff"', 'fillcolor="#f5f5f5"'):
        assert look in src


def test_show_values_prints_small_values_micrograd_style():
    a = tg.Tensor(2.0, requires_grad=True)
    b = tg.Tensor(-3.0, requires_grad=True)
    out = (a * b).tanh()
    out.backward()
    src = viz.draw_graph(out, show_values=True, params={"a": a, "b": b}).source
    assert "a\n() float64\nAccumulateGrad" in src
    assert f"grad {a.grad.item():.4g}" in src and "data -3" in src and f"data {out.item():.4g}" in src


@pytest.mark.slow  # a 10^5-node walk; the engine's own 10^5-op chain test stays in the core tier
def test_a_100000_node_chain_draws_capped_without_recursion():
    x = tg.Tensor(1.0, requires_grad=True)
    y = x
    for _ in range(50_000):
        y = y * 1.0 + 0.0
    src = viz.draw_graph(y, max_nodes=100).source
    assert "... 99900 more backward nodes not drawn (max_nodes=100)" in src
    assert src.count("Backward") <= 101


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf"])
def test_render_for_real(classifier, tmp_path, suffix):
    loss, model, _ = classifier
    path = viz.render(loss, tmp_path / f"g{suffix}", params=model)
    data = pathlib.Path(path).read_bytes()
    if suffix == ".svg":
        root = ET.fromstring(data)
        assert root.tag.endswith("svg")
        assert b"SoftmaxBackward" in data
    elif suffix == ".png":
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    else:
        assert data[:5] == b"%PDF-"


def test_without_dot_the_source_works_and_rendering_says_how_to_install(classifier, tmp_path, monkeypatch):
    loss, _, _ = classifier
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` here
    assert "SoftmaxBackward" in pathlib.Path(viz.render(loss, tmp_path / "g.dot")).read_text()
    with pytest.raises(viz.GraphvizNotFound, match="apt-get install graphviz"):
        viz.render(loss, tmp_path / "g.svg")


def test_bad_arguments():
    with pytest.raises(TypeError, match="draw_graph"):
        viz.draw_graph(np.ones(2))
    with pytest.raises(ValueError, match="kind"):
        viz.draw_graph(tg.Tensor(1.0), kind="sideways")
    with pytest.raises(ValueError, match="suffix"):
        viz.render(tg.Tensor(1.0), "graph.jpg")


def test_jupyter_shows_values_and_graph_inline(classifier):
    loss, model, _ = classifier
    from tinygrad_sm.viz.notebook import tensor_html

    page = tensor_html(loss)  # registered with IPython's HTML formatter when viz is imported there
    assert page.startswith(f"<pre>{html.escape(repr(loss))}</pre>") and "<svg" in page
    assert tensor_html(tg.Tensor([1.0])) is None  # no graph, no picture: the plain repr
    assert "image/svg+xml" in viz.draw_graph(loss)._repr_mimebundle_()


def test_the_footer_is_not_cut_off_when_librsvg_renders_the_svg(classifier, tmp_path):
    import shutil
    import subprocess

    import matplotlib.image

    if shutil.which("rsvg-convert") is None:
        pytest.skip("librsvg's rsvg-convert is not installed (apt-get install librsvg2-bin)")
    loss, model, _ = classifier
    viz.render(loss, tmp_path / "g.svg", params=model)
    subprocess.run(["rsvg-convert", str(tmp_path / "g.svg"), "-o", str(tmp_path / "g.png")], check=True)
    img = matplotlib.image.imread(tmp_path / "g.png")
    ink = img[..., :3].min(axis=2) < 0.9  # any non-white pixel
    if img.shape[2] == 4:
        ink &= img[..., 3] > 0.1
    assert not ink[:, -4:].any(), "something is drawn at the right edge: a label runs out of the picture"
    footer_rows = ink[int(img.shape[0] * 0.85):]
    assert footer_rows.any()  # the footer is there


def test_the_forward_graph_draws_only_real_inputs_and_intermediate_values():
    x = tg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    h = x * 2.0  # its value is kept by the graph: Exp saves... no, the next Mul saves it
    out = (h * x).softmax()
    src = viz.draw_graph(out, kind="forward", show_values=True).source
    assert src.count('label="Softmax') == 1
    # Softmax has one input: no unlabelled "constant" for its unused mask.
    assert src.count("constant") == 1  # the 2.0 of x * 2.0, nothing else
    assert "data [2, 4, 6]" in src  # the intermediate h, known from what its consumer saved
    assert f"data {viz.labels.values_str(out.data)}" in src  # the output


def test_the_footer_of_an_attention_block_counts_per_head_maps():
    rng = np.random.default_rng(0)
    q, k, v = (tg.Tensor(rng.standard_normal((2, 4, 16, 8)).astype(np.float32), requires_grad=True) for _ in "qkv")
    out = tg.functional.scaled_dot_product_attention(q, k, v)
    src = viz.draw_graph(out.sum()).source
    # B·H·Lq·Lk·itemsize saved, against B·H·Lq·Lk²·itemsize for the explicit Jacobian.
    assert "SoftmaxBackward (2, 4, 16, 16): saves 8.0 KiB; its explicit Jacobian" in src
    assert "would need 128.0 KiB (2*4*16*16^2*4 B)" in src
