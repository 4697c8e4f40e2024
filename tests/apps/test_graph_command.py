"""The graph command, and the graph a training run writes: tinygrad_sm.viz as the CLI uses it."""
import os
import xml.etree.ElementTree as ET

from tinygrad_sm.apps.cli import main

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "softmax_classifier_graph.py")


def test_graph_command_draws_a_training_step_and_a_file(tmp_path, capsys):
    assert main(["graph", "--dataset", "spiral", "--hidden", "16", "--out", str(tmp_path / "a")]) == 0
    for kind in ("backward", "forward"):
        ET.parse(tmp_path / "a" / f"{kind}_graph.svg")
    src = (tmp_path / "a" / "backward_graph.svg").read_text()
    assert "CrossEntropyBackward" in src and "0.weight" in src and "|grad|" in src
    bad = tmp_path / "bad.py"
    bad.write_text("x = 1\n")
    capsys.readouterr()
    assert main(["graph", "--expr", str(bad), "--out", str(tmp_path / "c")]) == 2
    assert "named `out`" in capsys.readouterr().err


def test_train_writes_the_backward_graph_of_a_step(tmp_path):
    assert main(["train", "--dataset", "blobs", "--epochs", "2", "--quiet", "--out", str(tmp_path)]) == 0
    svg = (tmp_path / "backward_graph.svg").read_text()
    ET.fromstring(svg)
    assert "CrossEntropyBackward" in svg


def test_graph_files_are_named_after_the_expression_file(tmp_path):
    """(test_readme draws the same file as PNG, the README's command.)"""
    assert main(["graph", "--expr", EXAMPLE, "--kind", "backward", "--format", "svg", "--out", str(tmp_path)]) == 0
    assert [n for n in os.listdir(tmp_path) if n != ".tinygrad-sm-run"] == ["softmax_classifier_graph_backward.svg"]


def test_flags_of_the_training_step_are_refused_with_expr(tmp_path, capsys):
    assert main(["graph", "--expr", EXAMPLE, "--hidden", "5", "--seed", "1", "--out", str(tmp_path / "g")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["tinygrad-sm graph: error: --hidden, --seed do not apply to --expr (they describe the "
                   "training step drawn without it)"]
    assert not (tmp_path / "g").exists()
