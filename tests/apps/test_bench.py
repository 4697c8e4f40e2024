"""Benchmarks run and compute the right things on tiny sizes (speed is measured by running them)."""
import json
import os
import sys

import numpy as np
import pytest

from tinygrad_sm.apps.bench import harness, softmax, train
from tinygrad_sm.apps.cli import main
from tinygrad_sm.ops.softmax import BLOCK_ABOVE, softmax_vjp


@pytest.mark.parametrize("shape, axis", [((3, 5), 1), ((4, 3), 0), ((2, 3, 4), 1), ((300, 4096), 1)])
@pytest.mark.parametrize("into", ["fresh", "buffer", "g-itself"])
def test_vjp_kernel_equals_the_one_liner_on_every_path(shape, axis, into):
    rng = np.random.default_rng(0)
    g, a = rng.standard_normal(shape), rng.random(shape)
    if shape == (300, 4096):
        assert g.nbytes > BLOCK_ABOVE  # the row-blocked path
    want = a * (g - (g * a).sum(axis, keepdims=True))
    out = {"fresh": None, "buffer": np.empty_like(g), "g-itself": g.copy()}[into]
    src = out if into == "g-itself" else g
    # vecdot and (g * a).sum add in different orders; over 4096 terms the dot products
    # differ by ~1e-14, which the subtraction g - <g, a> exposes in absolute terms.
    atol = 1e-14 * shape[axis]
    np.testing.assert_allclose(softmax_vjp(src, a, axis, out=out), want, rtol=1e-12, atol=atol)
    np.testing.assert_allclose(softmax_vjp(g, a, axis - g.ndim), want, rtol=1e-12, atol=atol)


def test_explicit_jacobian_matches_the_vjp():
    rng = np.random.default_rng(1)
    x, g = rng.standard_normal((3, 6)), rng.standard_normal((3, 6))
    a = np.exp(x) / np.exp(x).sum(-1, keepdims=True)
    np.testing.assert_allclose(softmax.explicit_jacobian_vjp(g, a), softmax_vjp(g, a, -1), rtol=1e-12)


def test_every_softmax_variant_is_checked_and_a_wrong_one_is_caught():
    variants, expected, a, skipped = softmax.build(2, 8, "float64", max_bytes=2**20)
    softmax.check(variants, expected, a, "float64")
    assert {"vjp", "explicit-jacobian", "engine-backward", "composed-fwd+bwd", "bound"} <= set(variants)
    variants["vjp"] = (lambda: expected * 1.001, lambda r: r)
    with pytest.raises(AssertionError, match="vjp disagrees"):
        softmax.check(variants, expected, a, "float64")


def test_jacobians_over_the_budget_are_skipped_with_a_reason():
    variants, _, _, skipped = softmax.build(4, 64, "float32", max_bytes=1000)
    assert "explicit-jacobian" not in variants
    assert "MiB > --max-bytes" in skipped["explicit-jacobian"]


def test_softmax_run_records_ratios_and_memory():
    records, _ = softmax.run(sizes=(8,), batches=(2,), dtypes=("float32",), samples=2, min_time=1e-5)
    by = {r["variant"]: r for r in records}
    for r in records:  # each ratio is this variant's median over the reference's, from the same run
        assert r["vs_vjp"] == pytest.approx(r["median_s"] / by["vjp"]["median_s"], rel=1e-12)
        assert r["vs_bound"] == pytest.approx(r["median_s"] / by["bound"]["median_s"], rel=1e-12)
    assert by["explicit-jacobian"]["peak_bytes"] >= 2 * 8 * 8 * 4
    assert all(r["median_s"] > 0 for r in records)


def test_slope_fit():
    from tinygrad_sm.apps.bench.report import slope

    ns = [256, 1024, 4096]
    assert slope(ns, [n**2 * 1e-9 for n in ns]) == pytest.approx(2.0)
    assert slope(ns, [n * 1e-9 for n in ns]) == pytest.approx(1.0)


def test_train_bench_compares_the_same_step():
    variants, first = train.mlp_variants(4)
    assert abs(first["tinygrad_sm"] - first["numpy-by-hand"]) < 1e-5  # same start, same loss
    before = variants["numpy-by-hand"]()
    assert np.isfinite(before)
    chain = train.chain_variants(10)
    assert chain["tinygrad_sm-record"]().shape == (4,)


def test_interleaved_timing_and_machine_facts():
    out = harness.interleaved({"a": lambda: None, "b": lambda: sum(range(100))}, samples=3, min_time=1e-5)
    assert set(out) == {"a", "b"} and all(m > 0 and q1 <= m <= q3 for m, q1, q3 in out.values())
    facts = harness.machine(1)
    assert facts["threads"] == 1 and facts["numpy"] == np.__version__


def test_bench_command_quick_runs_write_json_and_plots(tmp_path, capsys):
    out = tmp_path / "b"
    assert main(["bench", "softmax", "--quick", "--dtypes", "float64", "--out", str(out)]) == 0
    data = json.loads((out / "softmax.json").read_text())
    assert data["machine"]["threads"] == 1 and data["records"]
    assert (out / "softmax_B1.png").read_bytes()[:4] == b"\x89PNG"
    assert "× bound" in capsys.readouterr().out
    assert main(["bench", "train", "--quick", "--out", str(out)]) == 0  # a run is there: it goes beside it
    assert f"to {tmp_path / 'b-2'}{os.sep}" in capsys.readouterr().out
    assert json.loads((tmp_path / "b-2" / "train.json").read_text())["mlp"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b", "b-2"]
    assert main(["bench", "softmax", "--dtypes", "float16"]) == 2


def test_digits_run_variants_do_the_same_work():
    variants, steps = train.digits_variants(epochs=1)
    assert steps == 23  # 1,437 training images in batches of 64
    assert np.isfinite(float(variants["tinygrad_sm"]().item()))


def test_a_missing_peer_is_said_once_per_run(capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # as if PyTorch and JAX were not installed
    monkeypatch.setitem(sys.modules, "jax", None)
    assert main(["bench", "softmax", "--quick", "--dtypes", "float64", "--sizes", "4,8,16"]) == 0
    out = capsys.readouterr().out
    assert out.count("PyTorch is not installed") == 1 and out.count("JAX is not installed") == 1
    assert "skipped torch-*: PyTorch is not installed" in out
    assert "skipped jacobian-transform at float64 B=8: measured at B = 1 only" in out
    assert main(["bench", "train", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "PyTorch is not installed: its rows are left out (pip install torch)" in out
    assert "JAX is not installed: its rows are left out (pip install jax)" in out


def test_skipped_lines_name_the_configurations_only_when_not_all():
    from tinygrad_sm.apps.bench.report import skipped_lines

    records = [{"dtype": "float32", "B": B, "N": N} for B in (1, 64) for N in (4, 4096)]
    skipped = ([{"dtype": "float32", "B": B, "N": N, "variant": "jax-*", "reason": "JAX is not installed"}
                for B in (1, 64) for N in (4, 4096)]
               + [{"dtype": "float32", "B": 64, "N": 4096, "variant": "explicit-jacobian",
                   "reason": "too big"}])
    assert skipped_lines(skipped, records) == ["skipped jax-*: JAX is not installed",
                                               "skipped explicit-jacobian at float32 B=64 N=4096: too big"]


def test_plot_legends_have_no_nan_slope_and_ticks_do_not_crowd():
    from tinygrad_sm.apps.bench.report import _label, _n_ticks

    assert _label("vjp", [4, 64], [1e-6, 2e-6]) == "vjp"  # no two points at N >= 256: no slope
    assert _label("vjp", [256, 1024], [1e-6, 4e-6]) == "vjp (time ∝ N^1.00)"  # the slope, said as what it means
    assert _label("vjp", [256, 1024], [1, 16], "memory") == "vjp (memory ∝ N^2.00)"
    ticks = _n_ticks([4, 16, 64, 100, 256, 1000, 1024, 4096, 16384])
    assert ticks == [4, 16, 64, 256, 1000, 4096, 16384]
    assert all(b / a >= 1.8 for a, b in zip(ticks, ticks[1:]))


def test_the_quick_plot_has_no_nan_in_its_legend(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    from tinygrad_sm.apps.bench import report

    figures = []
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: figures.append(self))
    records, _ = softmax.run(sizes=(4, 64), batches=(2,), dtypes=("float32",), samples=1, min_time=1e-5)
    report.softmax_plot(records, str(tmp_path / "p.png"), B=2)
    (fig,) = figures
    labels = [t.get_text() for ax in fig.axes for t in ax.get_legend().get_texts()]
    assert labels and not any("nan" in label for label in labels)
    assert "∝ N^k" not in fig._suptitle.get_text()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks == ["4", "64"]


def test_the_decimal_sizes_are_points_off_the_line_so_the_grids_meet_without_a_hook(tmp_path, monkeypatch):
    from matplotlib.figure import Figure

    from tinygrad_sm.apps.bench import report

    assert report.main_grid([64, 100, 256, 1000, 1024]) == [64, 256, 1024]
    figures = []
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: figures.append(self))
    records = [{"B": 1, "dtype": "float32", "variant": "vjp", "N": n, "median_s": t, "peak_bytes": None}
               for n, t in ((256, 1.0), (1000, 9.0), (1024, 4.0))]
    report.softmax_plot(records, str(tmp_path / "p.png"), B=1)
    line, points = figures[0].axes[0].get_lines()
    assert list(line.get_xdata()) == [256, 1024] and list(points.get_xdata()) == [1000]
    assert points.get_linestyle() == "None" and points.get_color() == line.get_color()


def test_every_variant_in_a_table_is_explained_beneath_it_and_columns_align_at_any_magnitude():
    from tinygrad_sm.apps.bench import legend, report

    records = [{"dtype": "float32", "B": 1, "N": 4, "variant": v, "median_s": t, "iqr_s": t / 10,
                "peak_bytes": 2**20 * t, "vs_vjp": t / 1e-6, "vs_bound": t / 1e-7}
               for v, t in (("vjp", 1e-6), ("explicit-jacobian", 123.456), ("bound", 1e-7))]
    lines = report.softmax_table(records).splitlines()
    table = lines[2:6]
    assert len({len(line) for line in table}) == 1  # 0.1 µs and 123,456,000 µs in one column, aligned
    assert [line.split()[0] for line in lines[-3:]] == ["vjp", "explicit-jacobian", "bound"]
    for line in lines[-3:]:
        assert legend.VARIANTS[line.split()[0]] in line
    for table_of in (report.softmax_table,):
        assert "(no description)" not in table_of(records)
