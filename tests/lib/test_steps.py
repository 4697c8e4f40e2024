"""backward_steps: the frames are the backward pass backward() makes, and the page carries them."""
import html
import json
import pathlib
import re

import numpy as np
import pytest
from function_cases import CASES as FUNCTION_CASES
from op_cases import CASES

import tinygrad_sm as tg
from tinygrad_sm import engine, viz

GRAPHS = [
    pytest.param(f, inputs, id=f"{name}-{label}")
    for name, cases in CASES.items()
    for label, f, inputs in cases
] + [pytest.param(f, inputs, id=f"function-{name}") for name, f, inputs in FUNCTION_CASES]


def embedded(page):
    """The JSON a tool reads from the page."""
    m = re.search(r'<script type="application/json" id="backward-steps">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


def array(v, shape):
    return np.array(v, dtype=np.float64).reshape(shape)


def softmax_example():
    z = tg.Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    w = np.array([[0.5, -1.0, 2.0]])
    return z, w, (z.softmax(axis=-1) * w).sum()


def test_the_softmax_frame_shows_g_the_vjp_and_the_equal_explicit_product(tmp_path):
    z, w, out = softmax_example()
    path = viz.backward_steps(out).save(tmp_path / "steps.html")
    frames = embedded(pathlib.Path(path).read_text(encoding="utf-8"))["frames"]
    (f,) = [f for f in frames if f["node"] == "SoftmaxBackward"]
    a = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    assert f["g"] == w.tolist()  # the gradient arriving at softmax is w, exactly
    expected = a * (w[0] - np.dot(w[0], a))
    np.testing.assert_allclose(f["grads"][0][0], expected, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(f["jacobian_g"][0], expected, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(f["jacobian_g"][0], (np.diag(a) - np.outer(a, a)).T @ w[0], rtol=1e-14)
    assert f["difference"] < 1e-15
    assert f["formula"].startswith("z̄ = a ∘ (g − ⟨g, a⟩)")
    (saved,) = f["saved"]  # softmax read only its output a
    assert {k: saved[k] for k in ("name", "shape", "dtype", "bytes")} == {"name": "out", "shape": [1, 3],
                                                                          "dtype": "float64", "bytes": 24}
    np.testing.assert_allclose(saved["value"], [a], rtol=1e-15)
    assert (f["vjp_bytes"], f["jacobian_bytes"]) == (24, 72)  # a: 3 floats; J: 3x3 floats
    assert f["settings"] == {"axis": 1} and f["jacobian"] == "J = diag(a) − a aᵀ"
    out.backward()
    assert f["grads"][0] == z.grad.data.tolist()  # what backward() gives, bit for bit


@pytest.mark.parametrize("f, inputs", GRAPHS)
def test_frames_are_the_backward_pass_backward_makes(f, inputs):
    xs = [tg.Tensor(x, requires_grad=True) for x in inputs]
    out = f(*xs)
    seed = np.random.default_rng(0).standard_normal(out.shape)
    steps = viz.backward_steps(out, params={f"x{i}": x for i, x in enumerate(xs)}, grad=seed)
    assert all(x.grad is None for x in xs)  # recording assigns nothing
    again = viz.backward_steps(out, params={f"x{i}": x for i, x in enumerate(xs)}, grad=seed)
    assert json.dumps(again.frames) == json.dumps(steps.frames)  # a second call through the kept graph

    # One frame per VJP and per leaf gradient handed back, in the engine's order (reverse creation).
    assert [fr["node"] for fr in steps.frames] == [n.name for n in reversed(engine.toposort([out.grad_fn]))]
    assert [fr["index"] for fr in steps.frames] == list(range(len(steps.frames)))
    for fr in steps.frames:
        if fr["sum"] is not None:
            assert fr["sum"]["exact"] and len(fr["sum"]["parts"]) >= 2
        if "jacobian" in fr:  # softmax family: Jᵀg from the explicit Jacobian is the VJP's result
            jg, vjp = fr["jacobian_g"], fr["grads"][0]
            if isinstance(vjp, dict):  # summarised: compare what is kept
                jg, vjp = [jg[k] for k in ("min", "max", "norm")], [vjp[k] for k in ("min", "max", "norm")]
            np.testing.assert_allclose(np.ravel(jg), np.ravel(vjp), atol=1e-12)
            assert fr["difference"] <= 1e-12
    out.backward(seed, retain_graph=True)
    leaf_frames = {fr["label"]: fr for fr in steps.frames if fr["kind"] == "leaf"}
    for i, x in enumerate(xs):
        if x.grad is None:
            assert f"x{i}" not in leaf_frames
            continue
        fr = leaf_frames[f"x{i}"]
        assert np.array_equal(array(fr["g"], fr["shape"]), x.grad.data, equal_nan=True), i
    json.dumps(steps.frames, allow_nan=False)  # JSON-ready: no NaN or inf literals


def test_a_diamond_shows_the_running_sum_of_its_contributions():
    x = tg.Tensor([0.3, -0.2], requires_grad=True)
    a = x.exp()
    out = (a * a.tanh() + a).sum()
    steps = viz.backward_steps(out)
    (fe,) = [f for f in steps.frames if f["node"] == "ExpBackward"]
    parts = fe["sum"]["parts"]
    assert [p["node"] for p in parts] == ["AddBackward", "MulBackward", "TanhBackward"]  # backward's order
    total = np.zeros(2)
    for p in parts:
        total = total + np.array(p["value"])
    assert np.array_equal(total, fe["g"]) and fe["sum"]["total"] == fe["g"]
    senders = {steps.frames[p["from"]]["node"] for p in parts}
    assert senders == {p["node"] for p in parts}  # each part names the frame that sent it
    out.backward()
    (leaf,) = [f for f in steps.frames if f["kind"] == "leaf"]
    assert leaf["g"] == x.grad.data.tolist()


def test_broadcasting_is_summed_back_in_the_frame():
    x = tg.Tensor(np.arange(12.0).reshape(3, 4) / 10, requires_grad=True)
    b = tg.Tensor([0.1, 0.2, 0.3, 0.4], requires_grad=True)
    out = ((x + b) ** 2).sum()
    steps = viz.backward_steps(out, params={"x": x, "b": b})
    (add,) = [f for f in steps.frames if f["node"] == "AddBackward"]
    assert add["unbroadcast"] == [None, [[3, 4], [4]]]
    out.backward()
    assert add["grads"][1] == b.grad.data.tolist()
    assert {f["label"]: f["g"] for f in steps.frames if f["kind"] == "leaf"} == \
        {"x": x.grad.data.tolist(), "b": b.grad.data.tolist()}


def test_large_arrays_are_summarised_small_ones_whole():
    x = tg.Tensor(np.linspace(-1, 1, 200).reshape(20, 10), requires_grad=True)
    steps = viz.backward_steps(x.softmax(axis=-1).log().sum())
    (f,) = [f for f in steps.frames if f["node"] == "SoftmaxBackward"]
    g = np.asarray(f["g"]) if isinstance(f["g"], list) else None
    assert g is None and set(f["g"]) == {"shape", "min", "max", "norm"} and f["g"]["shape"] == [20, 10]
    assert f["vjp_bytes"] == 200 * 8 and f["jacobian_bytes"] == 20 * 10 * 10 * 8
    assert isinstance(viz.backward_steps((x[0, :4] * 2).sum()).frames[0]["grads"][0], list)


def test_assign_and_retain_graph_do_what_backward_does():
    z, w, out = softmax_example()
    viz.backward_steps(out, assign=True)
    first = z.grad.numpy().copy()
    viz.backward_steps(out, assign=True, retain_graph=False)
    np.testing.assert_array_equal(z.grad.data, 2 * first)  # accumulates, like backward()
    with pytest.raises(RuntimeError, match="already freed"):
        viz.backward_steps(out)


def test_max_nodes_limits_frames_as_it_limits_the_drawing():
    x = tg.Tensor([0.1, 0.2], requires_grad=True)
    out = x.exp().tanh().exp().tanh().sum()
    steps = viz.backward_steps(out, max_nodes=2)
    assert [f["node"] for f in steps.frames] == ["SumBackward", "TanhBackward"] and steps.left_out == 3
    assert "are not recorded" in steps.html() and '"left_out":3' in steps.html()
    out.backward()  # the whole pass still ran, and the graph is kept
    assert x.grad is not None


def test_bad_input_gets_a_clear_error(tmp_path):
    _, _, out = softmax_example()
    with pytest.raises(TypeError, match="must be a Tensor, got ndarray"):
        viz.backward_steps(np.ones(3))
    with pytest.raises(ValueError, match="is a leaf"):
        viz.backward_steps(tg.Tensor([1.0], requires_grad=True))
    with pytest.raises(ValueError, match="no input requires grad"):
        viz.backward_steps(tg.Tensor([1.0]).exp())
    for bad in (0, -1, True, 2.5):
        with pytest.raises(ValueError, match="max_nodes must be a positive int"):
            viz.backward_steps(out, max_nodes=bad)
    with pytest.raises(RuntimeError, match="single-element output"):
        viz.backward_steps(tg.Tensor([1.0, 2.0], requires_grad=True).exp())
    steps = viz.backward_steps(out)
    with pytest.raises(IsADirectoryError, match="is a directory; pass a file path"):
        steps.save(tmp_path)
    keep = tmp_path / "keep.html"
    keep.write_text("before")
    with pytest.raises(FileNotFoundError):
        steps.save(tmp_path / "missing" / "steps.html")
    assert keep.read_text() == "before" and sorted(p.name for p in tmp_path.iterdir()) == ["keep.html"]


def test_the_page_is_self_contained_and_no_string_closes_its_script():
    x = tg.Tensor([0.5, 1.5], requires_grad=True)
    name = "</script><script>alert(1)</script><!--"
    page = viz.backward_steps((x * x).sum(), params={name: x}).html()
    blob = re.search(r'id="backward-steps">(.*?)</script>', page, re.S).group(1)
    assert "</" not in blob and "<!--" not in blob
    assert embedded(page)["frames"][-1]["label"] == name
    assert page.count("<script") == 2 and "alert(1)</script>" not in page
    for bad in ("<link", " src=", "@import", "url("):
        assert bad not in page
    assert set(re.findall(r'(\w+(?::\w+)?)="https?://', page)) <= {"xmlns", "xmlns:xlink"}  # namespaces only


def test_every_frame_names_a_box_of_the_drawing():
    _, _, out = softmax_example()
    steps = viz.backward_steps(out)
    page = steps.html()
    if "graph-list" in page:
        pytest.skip("Graphviz's dot is not installed: the list fallback is tested below")
    boxes = re.findall(r'<g id="(step-[^"]+)" class="node">\s*<title>([^<]+)</title>', page)
    assert {f["id"] for f in steps.frames} <= {b for b, _ in boxes}
    assert all(b == f"step-{t}" for b, t in boxes)  # the DOT names draw_graph gives
    assert '<?xml' not in page and "<!DOCTYPE svg" not in page


def test_without_dot_the_graph_is_a_list(tmp_path, monkeypatch):
    _, _, out = softmax_example()
    steps = viz.backward_steps(out)
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot` here
    page = steps.html()
    assert page.count("Graphviz's dot was not found") == 1 and "<svg" not in page
    items = re.findall(r'<li class="node" id="(step-[^"]+)">([^<]*)</li>', page)
    assert {f["id"] for f in steps.frames} == {i for i, _ in items}
    assert ("step-n2", "SoftmaxBackward axis=1") in items


def test_jupyter_shows_the_page_in_a_frame():
    _, _, out = softmax_example()
    steps = viz.backward_steps(out)
    shown = steps._repr_html_()
    srcdoc = re.match(r'<iframe srcdoc="([^"]*)"', shown).group(1)
    assert html.unescape(srcdoc) == steps.html()


def test_the_readme_example_says_what_the_frames_hold():
    import contextlib
    import io
    import pathlib

    text = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Watching backward run.*?```python\n(.*?)```", text, re.S).group(1)
    scope = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(block, "README.md", "exec"), scope)
    frame = scope["frame"]

    def stated(call):
        comment = re.search(re.escape(f"print({call})") + r" *# ([^:\n]*)", block).group(1)
        return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", comment)]

    assert frame["node"] == "SoftmaxBackward"
    assert stated('frame["g"]') == frame["g"][0]
    np.testing.assert_allclose(stated('frame["grads"][0]'), frame["grads"][0][0], atol=5e-5)
    assert stated('frame["vjp_bytes"], frame["jacobian_bytes"]') == [frame["vjp_bytes"], frame["jacobian_bytes"]]
    assert "SoftmaxBackward axis=1" in [f["label"] for f in scope["steps"].frames]


def test_the_explicit_jacobian_of_a_masked_log_softmax_ignores_excluded_outputs():
    x = tg.Tensor(np.random.default_rng(3).standard_normal((3, 4)), requires_grad=True)
    mask = np.array([[True, False, True, True], [False] * 4, [True, True, False, True]])
    out = x.log_softmax(axis=-1, mask=mask)  # -inf where excluded; a gradient arrives there too
    steps = viz.backward_steps(out, grad=np.random.default_rng(4).standard_normal((3, 4)))
    (f,) = [f for f in steps.frames if f["node"] == "LogSoftmaxBackward"]
    assert "-inf" in f["saved"][0]["value"][0]  # stored as a string: the page's JSON stays valid
    np.testing.assert_allclose(f["jacobian_g"], f["grads"][0], atol=1e-12)
    assert f["grads"][0][1] == [0.0] * 4 and f["grads"][0][0][1] == 0.0


def test_the_engine_hook_sees_each_vjp_once_in_order_and_changes_nothing():
    x = tg.Tensor([0.3, -0.2], requires_grad=True)
    b = tg.Tensor([0.5], requires_grad=True)
    out = ((x.exp() + b) * x).sum()
    seen = []
    seed = np.ones(())
    leaves, _, _ = engine.run([out.grad_fn], [seed], True, False, None,
                              observe=lambda node, g, grads: seen.append((node.name, np.shape(g), len(grads))))
    plain, _, _ = engine.run([out.grad_fn], [seed], True, False, None)
    assert seen == [("SumBackward", (), 1), ("MulBackward", (2,), 2), ("AddBackward", (2,), 2),
                    ("ExpBackward", (2,), 1), ("AccumulateGrad", (1,), 0), ("AccumulateGrad", (2,), 0)]
    assert [(n, g.tolist()) for n, g in leaves] == [(n, g.tolist()) for n, g in plain]
