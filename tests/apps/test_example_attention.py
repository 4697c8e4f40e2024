"""examples/train_attention.py runs against this checkout and reaches what its docstring says."""
import os
import re
import subprocess
import sys

import pytest

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


@pytest.mark.slow  # a full training run, ~10 s
def test_train_attention_example():
    env = dict(os.environ, PYTHONPATH=os.path.abspath(ROOT), OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([sys.executable, os.path.join(ROOT, "examples", "train_attention.py")],
                          capture_output=True, text=True, timeout=300, env=env)
    assert done.returncode == 0, done.stderr
    assert float(re.search(r"attention test accuracy ([0-9.]+)", done.stdout).group(1)) >= 0.97
    assert float(re.search(r"baseline test accuracy ([0-9.]+)", done.stdout).group(1)) <= 0.75
