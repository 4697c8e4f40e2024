"""examples/softmax_derivative.ipynb runs top to bottom in a fresh kernel against this
checkout, draws its graph as SVG and its plots as PNG, and prints the numbers its text
promises (checked here against NumPy, not copied from the notebook)."""
import html
import os
import pathlib
import re
import shutil
import time

import numpy as np
import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "examples" / "softmax_derivative.ipynb"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The notebook executed in a kernel whose cwd is an empty directory and whose
    ``tinygrad_sm`` is this checkout's; returns (notebook, seconds, cwd)."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    cwd = tmp_path_factory.mktemp("notebook")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT)] + [p for p in [os.environ.get("PYTHONPATH")] if p]))
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(cwd)}})
    start = time.perf_counter()
    client.execute(env=env)  # raises CellExecutionError, with the traceback, at the first failing cell
    return nb, time.perf_counter() - start, cwd


def cell(nb, cell_id):
    (found,) = [c for c in nb.cells if c.get("id") == cell_id]
    return found


def text(nb, cell_id):
    return "".join(o.get("text", "") for o in cell(nb, cell_id).outputs if o.output_type == "stream")


def test_the_committed_notebook_is_valid_and_has_no_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)
    assert nb.metadata.kernelspec.name == "python3"


def test_every_cell_runs_against_this_checkout_in_well_under_a_minute(run):
    nb, seconds, cwd = run
    errors = [(c.get("id"), o.get("ename"), o.get("evalue")) for c in nb.cells if c.cell_type == "code"
              for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert f"from {ROOT / 'tinygrad_sm' / '__init__.py'}" in text(nb, "setup")
    assert seconds < 60, seconds
    assert list(cwd.iterdir()) == []  # it writes no files


def test_graph_cells_show_svg_with_the_softmax_footer_and_plots_show_png(run):
    nb, _, _ = run
    plotted = [c for c in nb.cells if "plot" in c.metadata.get("tags", [])]
    assert [c.id for c in plotted] == ["scaling", "curves", "boundary"]
    for c in plotted:
        assert any("image/png" in o.get("data", {}) for o in c.outputs), c.id
    if shutil.which("dot") is None:
        pytest.skip("Graphviz's dot is not installed: the graph cell prints DOT source instead of SVG")
    graphs = [c for c in nb.cells if "graph" in c.metadata.get("tags", [])]
    assert [c.id for c in graphs] == ["graph"]
    (svg,) = [o.data["image/svg+xml"] for o in graphs[0].outputs if "image/svg+xml" in o.get("data", {})]
    svg = html.unescape(svg)  # dot writes "-" as "&#45;"
    assert "MySoftmaxBackward" in svg
    assert re.search(r"MySoftmaxBackward \(4, 10\): saves 320 B; its explicit Jacobian diag\(a\) - a a\^T "
                     r"would need 3\.1 KiB \(4\*10\^2\*8 B\)", svg)


def test_the_numbers_the_notebook_prints(run):
    nb, _, _ = run
    z = np.array([1.0, 2.0, 3.0])
    a = np.exp(z) / np.exp(z).sum()
    J = np.diag(a) - np.outer(a, a)
    g = a - np.array([0.0, 0.0, 1.0])

    assert re.search(r"Jacobian agrees with tg\.jacobian: True \(largest difference \S+\)", text(nb, "jacobian"))
    printed = np.array([float(v) for v in re.findall(r"-?\d+\.\d+", text(nb, "jacobian").split("tg.jacobian")[0])])
    np.testing.assert_allclose(printed.reshape(3, 3), J, atol=1e-4)  # diag(a) − a aᵀ as printed

    lines = re.findall(r"^ +=(.*)$", text(nb, "sum-terms"), re.M)
    assert len(lines) == 3
    for m, line in enumerate(lines):
        *terms, total = [float(v) for v in re.findall(r"-?\d+\.\d+", line)]
        np.testing.assert_allclose(terms, g * J[:, m], atol=1e-4)  # g_i ∂a_i/∂z_m, term by term
        np.testing.assert_allclose(total, g @ J[:, m], atol=1e-4)
    assert "sum of terms matches backward: True" in text(nb, "sum-check")
    assert "VJP agrees with gᵀJ: True" in text(nb, "vjp")
    assert re.search(r"gradcheck\(MySoftmax\): +True\n", text(nb, "checks"))
    assert re.search(r"gradgradcheck\(MySoftmax\): +True\n", text(nb, "checks"))
    assert "the footer compares MySoftmax with its Jacobian: True" in text(nb, "graph-bytes")

    scaling = text(nb, "scaling")
    assert "both routes give the same gradient: True" in scaling
    slopes = {what: [float(v) for v in re.findall(r" (-?\d+\.\d+)", re.search(rf"^{what} slope: (.*)$", scaling,
                                                                             re.M).group(1))]
              for what in ("time", "memory")}
    vjp_memory, jacobian_memory = slopes["memory"]
    assert 0.9 <= vjp_memory <= 1.1 and 1.8 <= jacobian_memory <= 2.1, slopes  # tracemalloc: not noisy
    vjp_time, jacobian_time = slopes["time"]
    assert jacobian_time > vjp_time + 0.5, slopes  # timings are noisy on a shared machine: only the order

    accuracy = float(re.search(r"test accuracy (\d\.\d+)", text(nb, "train")).group(1))
    assert accuracy >= 0.9


def test_the_steps_cell_shows_the_page_inline_and_the_softmax_frame(run):
    nb, _, _ = run
    printed = text(nb, "steps")
    assert "SumBackward keepdims=False → MulBackward → SoftmaxBackward axis=1 → z" in printed
    a = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    vjp = a * (np.array([0.5, -1.0, 2.0]) - np.dot([0.5, -1.0, 2.0], a))
    for label in ("a ∘ (g − ⟨g, a⟩), the VJP:", "Jᵀg, explicit Jacobian:"):
        shown = re.search(re.escape(label) + r"\s*\[(.*?)\]", printed).group(1)
        np.testing.assert_allclose([float(v) for v in shown.split()], vjp, atol=1e-4)
    assert "the VJP read 24 B; the Jacobian takes 72 B" in printed
    (page,) = [o.data["text/html"] for o in cell(nb, "steps").outputs if "text/html" in o.get("data", {})]
    assert page.startswith("<iframe srcdoc=") and 'id=&quot;backward-steps&quot;' in page
