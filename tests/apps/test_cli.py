"""The tinygrad-sm command: train writes its outputs; bad arguments exit 2 with one line, a run that
cannot finish exits 1 with one line; missing optional packages are skipped with one line."""
import json
import os
import re
import subprocess
import sys

import pytest

from tinygrad_sm.apps.cli import main


def test_train_writes_metrics_plots_and_model(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--dataset", "moons", "--epochs", "5", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "train accuracy" in printed and "test accuracy" in printed
    names = {p.name for p in out.iterdir() if p.name != ".tinygrad-sm-run"}
    assert {"metrics.json", "loss.png", "decision_boundary.png", "model.npz"} <= names
    metrics = json.loads((out / "metrics.json").read_text())
    assert len(metrics["epochs"]) == 5 and metrics["config"]["dataset"] == "moons"
    assert 0 <= metrics["final"]["test_accuracy"] <= 1 and metrics["timing"]["train_seconds"] > 0
    for png in ("loss.png", "decision_boundary.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


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
        (["--lr", "inf"], "--lr must be positive and finite, got inf"),
        (["--lr", "nan"], "--lr must be positive and finite, got nan"),
        (["--seed", "-1"], "--seed must be 0 or more, got -1"),
        (["--test-size", "0.001"], "--test-size 0.001 leaves no test rows out of the 300 rows of spiral"),
        (["--test-size", "0.999"], "--test-size 0.999 leaves no training rows out of the 300 rows of spiral"),
        (["--dataset", "digits", "--test-size", "0.0002"], "no test rows out of the 1797 rows of digits"),
        (["--test-size", "nan"], "--test-size must be a fraction between 0 and 1"),
        (["--hidden", "100000", "--layers", "3"], "--hidden 100000 --layers 3 needs about"),
        (["--hidden", "1", "--layers", "100000000"], "use a smaller --hidden or --layers"),
        (["--epochs", "0"], "--epochs must be at least 1"),
        (["--batch-size", "0"], "--batch-size must be at least 1"),
        (["--out", "FILE/sub"], "cannot write to --out"),
        (["--out", "FILE"], "is a file, not a directory"),
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
    assert not (tmp_path / "o").exists()  # refused before anything was created
    assert blocker.read_text() == "not a directory"


def test_the_memory_estimate_counts_what_training_allocates():
    from tinygrad_sm.apps.cli.train import BYTES_PER_LAYER, training_bytes

    # 2-100-3 with Adam: 603 parameters × 4 bytes × (value, gradient, two moments), the float64
    # draw of the largest layer (300), 256 rows × 103 units × 4 bytes × 4, and two layers of objects.
    rest = 300 * 8 + 256 * 103 * 16 + 2 * BYTES_PER_LAYER
    assert training_bytes(2, 100, 1, 3, 256, "adam") == 603 * 16 + rest
    assert training_bytes(2, 100, 1, 3, 256, "sgd") == 603 * 12 + rest
    assert training_bytes(64, 999, 0, 10, 1, "sgd") == 650 * 12 + 640 * 8 + 10 * 16 + BYTES_PER_LAYER
    # 10^8 layers are estimated without building a list of 10^8 sizes
    assert training_bytes(2, 1, 10**8, 3, 1, "sgd") > 10**8 * BYTES_PER_LAYER


@pytest.mark.parametrize(
    "command, words",
    [
        (["graph", "--seed", "-1"], "--seed must be 0 or more"),
        (["graph", "--hidden", "0"], "--hidden must be at least 1"),
        (["graph", "--max-nodes", "0"], "--max-nodes must be at least 1"),
        (["graph", "--hidden", "100000", "--layers", "3"], "use a smaller --hidden or --layers"),
        (["bench", "softmax", "--sizes", "0"], "--sizes takes integers of at least 1, got '0'"),
        (["bench", "softmax", "--sizes", "4,,8"], "--sizes takes comma-separated integers"),
        (["bench", "softmax", "--batches", "0"], "--batches takes integers of at least 1"),
        (["bench", "train", "--batches", "0"], "--batches takes integers of at least 1"),
        (["bench", "softmax", "--max-bytes", "nan"], "positive number of bytes, got nan"),
        (["bench", "softmax", "--max-bytes", "0"], "--max-bytes must be a positive number of bytes"),
        (["bench", "softmax", "--max-bytes", "-1"], "--max-bytes must be a positive number of bytes"),
        (["bench", "softmax", "--max-bytes", "1e15"], "--max-bytes 1000000000000000 is more than"),
        (["bench", "softmax", "--samples", "0"], "--samples must be at least 1, got 0"),
        (["bench", "softmax", "--threads", "0"], "--threads must be at least 1, got 0"),
        (["bench", "softmax", "--sizes", "100000000", "--batches", "1024"], "--sizes 100000000 with"),
        (["bench", "train", "--sizes", "4"], "--sizes applies to bench softmax only"),
        (["bench", "attention", "--batches", "4,8"], "bench attention measures one batch size; --batches got 2"),
        (["bench", "softmax", "--threads", "100000"], "--threads 100000 is more than"),
    ],
)
def test_graph_and_bench_refuse_bad_values_in_one_line(tmp_path, capsys, command, words):
    assert main([*command, "--out", str(tmp_path / "o")]) == 2
    captured = capsys.readouterr()
    assert words in captured.err and len(captured.err.strip().splitlines()) == 1, captured.err
    assert captured.out == "" and not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "params, words",
    [
        ("5", "`params` must be an nn.Module, a dict of name -> Tensor or a list of (name, Tensor) pairs, "
              "got int"),
        ("'weights'", "got str"),
        ("{'x': 3}", "'x' is not a Tensor but int"),
        ("[x]", "entry 0 is Tensor("),
    ],
)
def test_graph_expr_refuses_params_that_are_not_a_module(tmp_path, capsys, params, words):
    script = tmp_path / "g.py"
    script.write_text("import tinygrad_sm as tg\nx = tg.Tensor([1.0, 2.0], requires_grad=True)\n"
                      f"out = x.softmax()\nparams = {params}\n")
    assert main(["graph", "--expr", str(script), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert f"--expr {script}" in err and words in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("params", ["{'the_logits': x}", "[('the_logits', x)]", "None"])
def test_graph_expr_takes_a_dict_or_pairs_of_tensors(tmp_path, params):
    script = tmp_path / "g.py"
    script.write_text("import tinygrad_sm as tg\nx = tg.Tensor([1.0, 2.0], requires_grad=True)\n"
                      f"out = x.softmax()\nparams = {params}\n")
    assert main(["graph", "--expr", str(script), "--format", "dot", "--out", str(tmp_path / "o")]) == 0
    assert ("the_logits" in (tmp_path / "o" / "g_backward.dot").read_text()) == (params != "None")


@pytest.mark.parametrize(
    "source, words",
    [("y = undefined_name\n", "raised NameError at line 1: name 'undefined_name' is not defined"),
     ("x = (\n", "raised SyntaxError at line 1"),
     ("import sys\nsys.exit(3)\n", "raised SystemExit at line 2")],
)
def test_graph_expr_reports_a_failing_file_in_one_line(tmp_path, capsys, source, words):
    script = tmp_path / "bad.py"
    script.write_text(source)
    assert main(["graph", "--expr", str(script), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_diverging_run_ends_with_one_line_naming_the_epoch(tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--optimizer", "sgd", "--lr", "1e8", "--quiet", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and "Warning" not in err, err
    assert re.search(r"the loss \(or its gradient\) became NaN/inf at epoch \d+ of 500 \(sgd, lr=1e\+08\)", err)
    assert not out.exists()  # nothing written: the run folder appears complete or not at all


def test_version_help_and_bare_command(capsys):
    from tinygrad_sm import __version__

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"tinygrad_sm {__version__}"
    assert main([]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("usage: tinygrad-sm")
    assert all(name in captured.err for name in ("train", "graph", "bench", "--version"))


def test_train_help_lists_every_preset(capsys):
    from tinygrad_sm.apps.cli.train import PRESETS

    assert main(["train", "--help"]) == 0
    text = capsys.readouterr().out
    for name, p in PRESETS.items():
        row = re.search(rf"^  {name} +(.*)$", text, re.M)
        assert row, name
        assert row.group(1).split() == [str(p["hidden"]), str(p.get("layers", "-")), f"{p['lr']:g}", str(p["epochs"]),
                                        str(p["batch_size"])]


def test_graph_help_shows_defaults(capsys):
    assert main(["graph", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for words in ("(default: spiral)", "(default: 16)", "(default: both)", "(default: svg)", "(default: 500)",
                  f"(default: {os.path.join('runs', 'graph')})"):
        assert words in text, words


def test_metrics_json_is_strict(tmp_path):
    from tinygrad_sm.apps.runs import finite_or_none, write_json

    path = tmp_path / "m.json"
    nan, inf = float("nan"), float("inf")
    payload = {"a": nan, "b": [1.0, inf, -inf], "c": {"d": (2, nan)}, "e": "x"}
    write_json(str(path), payload)

    def refuse(constant):
        raise ValueError(f"not strict JSON: {constant}")

    assert json.loads(path.read_text(), parse_constant=refuse) == {"a": None, "b": [1.0, None, None],
                                                                   "c": {"d": [2, None]}, "e": "x"}
    assert finite_or_none(0.5) == 0.5
    main(["train", "--dataset", "blobs", "--epochs", "1", "--quiet", "--out", str(tmp_path / "r")])
    json.loads((tmp_path / "r" / "metrics.json").read_text(), parse_constant=refuse)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary left


def test_without_matplotlib_the_plots_are_skipped_in_one_line(tmp_path, capsys, monkeypatch):
    for name in ("matplotlib", "matplotlib.figure", "matplotlib.pyplot"):
        monkeypatch.setitem(sys.modules, name, None)  # import matplotlib now raises ImportError
    out = tmp_path / "run"
    assert main(["train", "--dataset", "moons", "--epochs", "2", "--quiet", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert err == ("skipped loss.png, decision_boundary.png: matplotlib is not installed "
                   "(pip install matplotlib)\n")
    assert {p.name for p in out.iterdir() if p.name != ".tinygrad-sm-run"} == {"metrics.json", "model.npz", "backward_graph.svg"}


def test_without_tqdm_there_is_no_bar_and_one_line_says_why(tmp_path, capsys, monkeypatch):
    from tinygrad_sm.apps import training

    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setattr(training, "progress_wanted", lambda: True)
    assert main(["train", "--dataset", "xor", "--epochs", "2", "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.err == "no progress bar: tqdm is not installed (pip install tqdm)\n"
    assert "test accuracy" in captured.out


def test_python_dash_m_runs_the_same_command(tmp_path):
    done = subprocess.run([sys.executable, "-m", "tinygrad_sm", "train", "--epochs", "2", "--quiet",
                           "--out", str(tmp_path / "m")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "m" / "metrics.json").exists()
    bad = subprocess.run([sys.executable, "-m", "tinygrad_sm", "train", "--lr", "0"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_train_pointer_writes_the_attention_picture_instead_of_a_decision_boundary(tmp_path, monkeypatch):
    from tinygrad_sm.apps import pointer

    monkeypatch.setitem(pointer.PRESET, "n", 400)  # the same path on a twentieth of the data
    out = tmp_path / "ptr"
    assert main(["train", "--dataset", "pointer", "--epochs", "1", "--quiet", "--out", str(out)]) == 0
    assert {p.name for p in out.iterdir() if p.name != ".tinygrad-sm-run"} == {"metrics.json", "model.npz", "loss.png", "attention.png",
                                              "backward_graph.svg"}
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["d_model"] == 32 and len(metrics["epochs"]) == 1
    assert "SoftmaxBackward" in (out / "backward_graph.svg").read_text()


def test_train_pointer_refuses_a_width_the_heads_do_not_divide(tmp_path, capsys):
    assert main(["train", "--dataset", "pointer", "--hidden", "7", "--out", str(tmp_path / "p")]) == 2
    err = capsys.readouterr().err
    assert "--hidden" in err and "multiple of 2" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "p").exists()


def test_a_diverging_pointer_run_names_the_epoch_too(tmp_path, capsys, monkeypatch):
    from tinygrad_sm.apps import pointer

    monkeypatch.setitem(pointer.PRESET, "n", 400)
    out = tmp_path / "p"
    assert main(["train", "--dataset", "pointer", "--lr", "1e9", "--epochs", "2", "--quiet", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "became NaN/inf at epoch 1 of 2 (adam, lr=1e+09)" in err and len(err.strip().splitlines()) == 1
    assert not out.exists()
