"""The tinygrad-sm command: train writes its outputs; bad arguments exit 2 with one line."""
import json
import subprocess
import sys

import pytest

from tinygrad_sm.cli import main


def test_train_writes_metrics_plots_and_model(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--dataset", "moons", "--epochs", "5", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "train accuracy" in printed and "test accuracy" in printed
    names = {p.name for p in out.iterdir()}
    assert {"metrics.json", "loss.png", "decision_boundary.png", "model.npz"} <= names
    metrics = json.loads((out / "metrics.json").read_text())
    assert len(metrics["epochs"]) == 5 and metrics["config"]["dataset"] == "moons"
    assert 0 <= metrics["final"]["test_accuracy"] <= 1 and metrics["timing"]["train_seconds"] > 0
    for png in ("loss.png", "decision_boundary.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_same_numbers(tmp_path):
    runs = []
    for name in ("a", "b"):
        main(["train", "--dataset", "xor", "--epochs", "4", "--seed", "3", "--quiet", "--out", str(tmp_path / name)])
        runs.append(json.loads((tmp_path / name / "metrics.json").read_text())["epochs"])
    assert runs[0] == runs[1]


def test_digits_has_no_decision_boundary(tmp_path):
    out = tmp_path / "d"
    assert main(["train", "--dataset", "digits", "--epochs", "1", "--quiet", "--out", str(out)]) == 0
    assert not (out / "decision_boundary.png").exists() and (out / "loss.png").exists()


@pytest.mark.parametrize(
    "args, words",
    [
        (["--dataset", "mnist"], "invalid choice: 'mnist'"),
        (["--lr", "0"], "--lr must be positive"),
        (["--lr", "-1"], "--lr must be positive"),
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--batch-size", "0"], "--batch-size must be at least 1"),
        (["--out", "FILE/sub"], "cannot write to --out"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(tmp_path, capsys, args, words):
    blocker = tmp_path / "FILE"
    blocker.write_text("not a directory")
    args = [a.replace("FILE", str(blocker)) for a in args]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "o")]
    assert main(["train", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_python_dash_m_runs_the_same_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "tinygrad_sm", "train", "--epochs", "2", "--quiet",
                           "--out", str(tmp_path / "m")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "m" / "metrics.json").exists()
    bad = subprocess.run([sys.executable, "-m", "tinygrad_sm", "train", "--lr", "0"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
