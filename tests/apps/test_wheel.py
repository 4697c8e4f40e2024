"""The package as a user gets it: an sdist and a wheel built from it, the wheel installed
into a fresh virtualenv (its dependencies from the package index), and the command run
from a directory outside the source tree.

Marked ``wheel``; deselect with ``-m "not wheel"``. Skipped only when ``build`` is missing.
"""
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import tinygrad_sm

pytestmark = pytest.mark.wheel
ROOT = Path(__file__).resolve().parents[2]
NOT_SOURCE = shutil.ignore_patterns(".git", "*.egg-info", "build", "dist", "__pycache__", ".pytest_cache",
                                    ".hypothesis", ".ruff_cache", ".venv", "runs", "*.pyc")


def run(cmd, cwd, env=None, timeout=900):
    done = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{cmd}: {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def dists(tmp_path_factory):
    """``python -m build`` on a copy of the source tree: the sdist, then the wheel built
    from the sdist (so the wheel proves the sdist is complete). Meanwhile a fresh virtualenv
    (no system site packages) is made for the wheel. Returns (sdist, wheel, log, venv)."""
    try:
        import build  # noqa: F401
    except ImportError:
        pytest.skip("the wheel tests need the 'build' package (pip install build, or bash setup.sh --dev)")
    tmp = tmp_path_factory.mktemp("dists")
    making_venv = subprocess.Popen([sys.executable, "-m", "venv", tmp / "venv"], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
    try:
        src = tmp / "src"
        shutil.copytree(ROOT, src, ignore=NOT_SOURCE)  # the developer's tree gets no build/ or egg-info
        done = run([sys.executable, "-m", "build", "--outdir", tmp / "dist", src], cwd=tmp)
    finally:
        venv_log = making_venv.communicate(timeout=600)[0]
    assert making_venv.returncode == 0, venv_log
    (sdist,) = (tmp / "dist").glob("*.tar.gz")
    (wheel,) = (tmp / "dist").glob("*.whl")
    return sdist, wheel, done.stdout + done.stderr, tmp / "venv"


@pytest.fixture(scope="module")
def venv(dists):
    """The virtualenv with the wheel installed by its own pip, dependencies from the index."""
    bindir = dists[3] / ("Scripts" if os.name == "nt" else "bin")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join([str(bindir), env.get("PATH", "")])
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    run([bindir / "python", "-m", "pip", "install", "-q", "--no-compile", dists[1]], cwd=dists[3], env=env)
    return bindir, env


def test_the_build_is_clean_and_the_metadata_reads_well(dists):
    sdist, wheel, log, _ = dists
    assert "Deprecat" not in log and "deprecated" not in log, log
    assert wheel.name == f"tinygrad_sm-{tinygrad_sm.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = z.read(f"tinygrad_sm-{tinygrad_sm.__version__}.dist-info/METADATA").decode()
    assert {"tinygrad_sm/data/digits.npz", "tinygrad_sm/py.typed", "tinygrad_sm/viz/steps_page.html",
            f"tinygrad_sm-{tinygrad_sm.__version__}.dist-info/licenses/LICENSE"} <= names
    headers = meta.split("\n\n", 1)[0].splitlines()  # the fields; the README follows
    assert "License-Expression: MIT" in headers and "Author: tinygrad_sm maintainers" in headers
    assert not any(h.startswith("Classifier: License ::") for h in headers)
    summary = next(h for h in headers if h.startswith("Summary: "))
    assert "softmax" in summary and len(summary) < 200
    required = {h.split(": ", 1)[1].split(">")[0] for h in headers
                if h.startswith("Requires-Dist") and "extra" not in h}
    assert required == {"numpy", "graphviz", "matplotlib", "tqdm", "threadpoolctl"}
    assert not any("scikit-learn" in h or "sklearn" in h for h in headers)
    try:
        import twine  # noqa: F401
    except ImportError:
        return
    run([sys.executable, "-m", "twine", "check", "--strict", sdist, wheel], cwd=sdist.parent)


def test_the_sdist_carries_what_its_tests_read(dists):
    sdist = dists[0]
    top = sdist.name[: -len(".tar.gz")]
    with tarfile.open(sdist) as t:
        names = {n[len(top) + 1:] for n in t.getnames() if n.startswith(top + "/")}
    assert {"LICENSE", "README.md", "setup.sh", "setup.cfg", "pyproject.toml", "MANIFEST.in",
            "tests/lib/op_cases.py", "tests/conftest.py", "tinygrad_sm/data/digits.npz",
            "tinygrad_sm/py.typed", "tinygrad_sm/viz/steps_page.html"} <= names
    for folder, keep in (("tests", lambda p: p.suffix == ".py"), ("examples", lambda p: True),
                         ("docs", lambda p: True)):
        present = {str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts and ".ipynb_checkpoints" not in p.parts
                   and keep(p)}
        assert present and present <= names, sorted(present - names)
    assert not any(n.endswith(".pyc") or "__pycache__" in n for n in names)


def test_the_installed_command_trains_and_draws_outside_the_source_tree(venv, tmp_path):
    bindir, env = venv
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    where = run([bindir / "python", "-c", "import tinygrad_sm; print(tinygrad_sm.__file__)"], cwd, env).stdout
    assert Path(where.strip()).is_relative_to(bindir.parent), where  # the installed copy, not the source
    exe = bindir / "tinygrad-sm"
    assert run([exe, "--version"], cwd, env).stdout.strip() == f"tinygrad_sm {tinygrad_sm.__version__}"

    has_dot = shutil.which("dot", path=env["PATH"]) is not None  # Graphviz's program; pip cannot install it
    done = run([exe, "train", "--quiet", "--epochs", "2", "--out", cwd / "run"], cwd, env)
    assert done.stdout == ""
    if has_dot:
        assert done.stderr == ""  # everything train uses came with the wheel
        assert (cwd / "run" / "backward_graph.svg").exists()
    else:
        assert done.stderr.startswith("wrote backward_graph.dot instead of backward_graph.svg")
    metrics = json.loads((cwd / "run" / "metrics.json").read_text(),
                         parse_constant=lambda c: pytest.fail(f"metrics.json is not strict JSON: {c}"))
    assert len(metrics["epochs"]) == 2 and metrics["config"]["dataset"] == "spiral"
    assert (cwd / "run" / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (cwd / "run" / "model.npz").read_bytes()[:2] == b"PK"

    if has_dot:
        run([exe, "graph", "--out", cwd / "graph"], cwd, env)
        for kind in ("backward", "forward"):
            assert (cwd / "graph" / f"{kind}_graph.svg").read_text().lstrip().startswith("<?xml")
    run([exe, "graph", "--format", "dot", "--out", cwd / "dot"], cwd, env)
    assert (cwd / "dot" / "backward_graph.dot").read_text().startswith("digraph")

    digits = run([bindir / "python", "-c", "from tinygrad_sm.data import digits; X, y = digits(); "
                  "print(X.shape, y.shape)"], cwd, env).stdout
    assert digits.strip() == "(1797, 64) (1797,)"
    assert {p.name for p in cwd.iterdir()} == {"run", "dot"} | ({"graph"} if has_dot else set())  # no runs/
