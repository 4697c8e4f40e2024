"""The README's runnable code blocks run, and its worked numbers are what the code gives."""
import contextlib
import io
import os
import re

import numpy as np

import tinygrad_sm as tg

README = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")


def read_readme():
    with open(README, encoding="utf-8") as f:
        return f.read()


def python_blocks():
    text = read_readme()
    return [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if b.startswith("import")]


def test_the_self_contained_blocks_run():
    blocks = python_blocks()
    assert len(blocks) >= 2
    for block in blocks:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(block, "README.md", "exec"), {})


def _numbers(text):
    return [float(v.replace("−", "-")) for v in re.findall(r"[−-]?\d+\.\d+", text)]


def _readme_line(pattern):
    text = read_readme()
    found = re.search(pattern, text)
    assert found, f"README no longer says {pattern!r}"
    return found.group(1)


def test_the_worked_example_numbers_are_what_the_code_gives():
    """Every number of the worked example is read from the README and recomputed."""
    z = tg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    a = z.softmax()
    np.testing.assert_allclose(_numbers(_readme_line(r"a = (\[[^\]]*\])\)\.")), a.data, atol=5e-5)
    a.backward(np.array([1.0, 0.0, 0.0]))
    np.testing.assert_allclose(_numbers(_readme_line(r"z̄ = a ∘ \(g − 0\.09\) = (\[[^\]]*\])")), z.grad.data, atol=5e-5)
    np.testing.assert_allclose(_numbers(_readme_line(r"print\(z\.grad\)\s+# (\[[^\]]*\])")), z.grad.data, atol=5e-5)
    J = np.diag(a.data) - np.outer(a.data, a.data)
    rows = _numbers(_readme_line(r"\n( +\[[^\n]*\]\nJ  =  \[[^\n]*\]\n +\[[^\n]*\])"))
    assert len(rows) == 9
    np.testing.assert_allclose(np.reshape(rows, (3, 3)), J, atol=5e-5)
    stated = _numbers(_readme_line(r"nudging z_1 changes a_1 by\n`a_1\(1 − a_1\) = (0\.\d+)`"))
    np.testing.assert_allclose(stated, J[0, 0], atol=5e-5)
    x = tg.Tensor([0.5, -1.0, 2.0], requires_grad=True)
    (g,) = tg.grad(x.logsumexp(), [x], create_graph=True)
    (hv,) = tg.grad(g, [x], grad_outputs=np.array([1.0, 0.0, 0.0]))
    np.testing.assert_allclose(_numbers(_readme_line(r"print\(hv\)\s+# (\[[^\]]*\])")), hv.data, atol=5e-5)


def test_the_graph_command_writes_the_picture_the_readme_shows(tmp_path):
    from tinygrad_sm.apps.cli import main

    command = _readme_line(r"\n(tinygrad-sm graph --expr [^\n]*--out runs/graph)\n")
    picture = _readme_line(r"!\[backward graph of a softmax classifier\]\(docs/([^)]+)\)")
    args = command.split()[1:]
    args[args.index("--out") + 1] = str(tmp_path)
    cwd = os.getcwd()
    try:
        os.chdir(os.path.join(os.path.dirname(README)))
        assert main(args) == 0
    finally:
        os.chdir(cwd)
    assert [n for n in os.listdir(tmp_path) if n != ".tinygrad-sm-run"] == [picture]
    assert os.path.exists(os.path.join(os.path.dirname(README), "docs", picture))


def test_no_readme_command_writes_into_the_committed_tree():
    """Commands write under runs/ (ignored by git), never over docs/ or benchmarks/results/."""
    commands = re.findall(r"^(tinygrad-sm [^\n#]*)", read_readme(), re.M)
    outs = [re.search(r"--out (\S+)", c).group(1) for c in commands if "--out" in c]
    assert len(outs) >= 5
    assert all(out.startswith("runs/") for out in outs), outs
    with open(os.path.join(os.path.dirname(README), ".gitignore"), encoding="utf-8") as f:
        assert "runs/" in f.read().split()
