"""Optional packages stay optional: with graphviz, matplotlib, tqdm, torch and jax hidden
(a finder at the front of sys.meta_path makes importing them fail, as in an environment
without them) and no Graphviz ``dot`` on PATH, ``import tinygrad_sm`` and every command
work, and each missing piece is one line saying what was skipped and how to get it."""
import os
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
HIDDEN = ("graphviz", "matplotlib", "tqdm", "torch", "jax")
BLOCKER = f"""
import importlib.abc, sys
class Hidden(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {HIDDEN!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Hidden())
import tinygrad_sm
from tinygrad_sm.apps.cli import main
code = main(sys.argv[1:])
assert not [m for m in sys.modules if m.split(".")[0] in {HIDDEN!r}]
sys.exit(code)
"""


def command(tmp_path, *args):
    env = {**os.environ, "PATH": str(tmp_path), "PYTHONPATH": os.path.abspath(ROOT), "CI": "1"}
    done = subprocess.run([sys.executable, "-c", BLOCKER, *args], capture_output=True, text=True, env=env,
                          cwd=tmp_path)
    return done.returncode, done.stdout, done.stderr.strip().splitlines()


def test_train_skips_each_missing_piece_in_one_line(tmp_path):
    code, out, err = command(tmp_path, "train", "--epochs", "2", "--out", "r")
    assert code == 0, err
    assert err == ["skipped loss.png, decision_boundary.png: matplotlib is not installed (pip install matplotlib)",
                   "skipped backward_graph.svg: the graphviz package is not installed (pip install graphviz)"]
    assert sorted(n for n in os.listdir(tmp_path / "r") if n != ".tinygrad-sm-run") == ["metrics.json", "model.npz"]
    assert "test accuracy" in out


def test_graph_says_in_one_line_what_it_needs(tmp_path):
    code, _, err = command(tmp_path, "graph", "--out", "g")
    assert code == 2 and err == ["tinygrad-sm graph: error: drawing needs the graphviz package, which is not "
                                 "installed (pip install graphviz)"]


def test_bench_runs_and_skips_its_plots_and_peers(tmp_path):
    code, out, err = command(tmp_path, "bench", "softmax", "--quick", "--out", "b")
    assert code == 0, err
    assert "skipped the softmax_B*.png plots: matplotlib is not installed (pip install matplotlib)" in err
    assert sorted(n for n in os.listdir(tmp_path / "b") if n != ".tinygrad-sm-run") == ["softmax.csv", "softmax.json"]
    assert "engine-backward" in out and "torch-kernel" not in out  # measured, without the hidden peer
    assert "skipped torch-*: PyTorch is not installed" in out
