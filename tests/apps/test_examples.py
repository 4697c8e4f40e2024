"""The examples run as a user would run them, and reach what their docstrings say."""
import os
import re
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
