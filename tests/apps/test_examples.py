"""The examples run as a user would run them, and reach what their docstrings say."""
import os
import re
import runpy
import subprocess
import sys

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "..", "examples")


def run(name):
    # The checkout under test first on the path, not whatever tinygrad_sm is installed.
    env = dict(os.environ, PYTHONPATH=os.path.abspath(os.path.join(EXAMPLES, "..")))
    done = subprocess.run([sys.executable, os.path.join(EXAMPLES, name)], capture_output=True, text=True, timeout=300,
                          env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def accuracy(output):
    return float(re.findall(r"accuracy ([0-9.]+)", output)[-1])


def test_train_spiral():
    assert accuracy(run("train_spiral.py")) >= 0.99


def test_softmax_regression_lands_near_half():
    assert 0.45 <= accuracy(run("softmax_regression.py")) <= 0.6


def test_train_digits():
    assert accuracy(run("train_digits.py")) >= 0.97


def test_train_attention_runs_through_the_one_training_loop(capsys):
    """In-process and small (the full-size accuracies are checked once, by test_pointer's slow test):
    both models train through training.fit and report their test accuracy."""
    example = runpy.run_path(os.path.join(EXAMPLES, "train_attention.py"))  # not __main__: nothing runs yet
    example["main"](n=400, epochs=2)
    out = capsys.readouterr().out
    assert out.count("  epoch 1  loss") == 2 and out.count("  epoch 2  loss") == 1
    for model in ("baseline", "attention"):
        assert 0 <= float(re.search(rf"{model} test accuracy ([0-9.]+)", out).group(1)) <= 1
