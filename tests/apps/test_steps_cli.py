"""The step-through page from the command line: `tinygrad-sm graph --kind steps`."""
import json
import re

from tinygrad_sm.apps.cli import main


def embedded(page):
    """The JSON a tool reads from the page."""
    m = re.search(r'<script type="application/json" id="backward-steps">(.*?)</script>', page, re.S)
    return json.loads(m.group(1))


def test_cli_writes_the_page_of_a_training_step_or_a_file(tmp_path, monkeypatch, capsys):
    assert main(["graph", "--kind", "steps", "--out", str(tmp_path / "a")]) == 0
    frames = embedded((tmp_path / "a" / "backward_steps.html").read_text(encoding="utf-8"))["frames"]
    assert frames[0]["node"] == "CrossEntropyBackward" and "jacobian_g" in frames[0]
    assert {f["label"] for f in frames if f["kind"] == "leaf"} == {"0.weight", "0.bias", "2.weight", "2.bias"}
    assert f"({len(frames)} steps)" in capsys.readouterr().out
    assert main(["graph", "--kind", "steps", "--max-nodes", "2", "--out", str(tmp_path / "b")]) == 0
    page = (tmp_path / "b" / "backward_steps.html").read_text(encoding="utf-8")
    assert [f["node"] for f in embedded(page)["frames"] if f["kind"] == "vjp"] == ["CrossEntropyBackward",
                                                                                   "AffineBackward"]
    expr = tmp_path / "expr.py"
    expr.write_text("import numpy as np\nimport tinygrad_sm as tg\nz = tg.Tensor([[1.0, 2.0, 3.0]], "
                    "requires_grad=True)\nout = (z.softmax(axis=-1) * np.array([[0.5, -1.0, 2.0]])).sum()\n"
                    "params = {'z': z}\n")
    monkeypatch.setenv("PATH", str(tmp_path))  # no `dot`: the page still comes, its graph a list
    assert main(["graph", "--kind", "steps", "--expr", str(expr), "--out", str(tmp_path / "c")]) == 0
    page = (tmp_path / "c" / "backward_steps.html").read_text(encoding="utf-8")
    assert "graph-list" in page and embedded(page)["frames"][-1]["label"] == "z"
    expr.write_text("import tinygrad_sm as tg\nout = tg.Tensor([1.0], requires_grad=True)\n")
    assert main(["graph", "--kind", "steps", "--expr", str(expr), "--out", str(tmp_path / "d")]) == 2
    assert "--kind steps: backward_steps: the tensor is a leaf" in capsys.readouterr().err
