"""Benchmark output: terminal tables, JSON/CSV files, and the log-log plot with fitted slopes."""
import csv
import io
import math

import numpy as np

from .. import runs
from .legend import columns, legend


def us(seconds):
    return f"{seconds * 1e6:,.1f}"


def softmax_table(records):
    """One block per (dtype, B, N), columns aligned, then one line per variant named."""
    lines, blocks = [], {}
    for r in records:
        blocks.setdefault((r["dtype"], r["B"], r["N"]), []).append(r)
    for (dtype, B, N), rows in blocks.items():
        lines.append(f"\n{dtype}  B={B}  N={N}")
        lines += columns(["variant", "median µs", "IQR µs", "peak MiB", "× vjp", "× bound"], [
            [r["variant"], us(r["median_s"]), us(r["iqr_s"]),
             "-" if r["peak_bytes"] is None else f"{r['peak_bytes'] / 2**20:,.2f}",
             f"{r['vs_vjp']:,.2f}", f"{r['vs_bound']:,.2f}"] for r in rows])
    if records:
        lines += ["", "variants (× vjp, × bound: time relative to those two rows in the same block):"]
        lines += legend(r["variant"] for r in records)
    return "\n".join(lines)


def skipped_lines(skipped, records):
    """One line per skipped variant and reason (a missing PyTorch or JAX is said once per
    run, not once per size), naming the configurations only where it was not all of them."""
    every = {(r["dtype"], r["B"], r["N"]) for r in records}
    groups = {}
    for s in skipped:
        groups.setdefault((s["variant"], s["reason"]), []).append((s["dtype"], s["B"], s["N"]))
    lines = []
    for (variant, reason), configs in groups.items():
        lines.append(f"skipped {variant}{_where(configs, every)}: {reason}")
    return lines


def _where(configs, every):
    if set(configs) >= every:
        return ""
    by, all_by = {}, {}
    for d, B, N in sorted(every):
        all_by.setdefault((d, B), []).append(N)
    for d, B, N in configs:
        by.setdefault((d, B), []).append(N)
    parts = [f"{d} B={B}" + ("" if sorted(ns) == all_by.get((d, B)) else " N=" + ",".join(map(str, ns)))
             for (d, B), ns in by.items()]
    return " at " + "; ".join(parts)


def train_table(results):
    lines = ["MLP 784-256-10 ReLU, softmax cross-entropy, SGD step, float32"]
    lines += columns(["B", "variant", "median µs", "IQR µs", "× numpy"],
                     [[r["B"], r["variant"], us(r["median_s"]), us(r["iqr_s"]), f"{r['vs_numpy']:,.2f}"]
                      for r in results["mlp"]], left=(1,))
    named = [r["variant"] for r in results["mlp"]]
    if results.get("digits"):
        steps = results["digits"][0]["steps"]
        lines.append(f"\ndigits run: 64-128-10 ReLU, Adam, 30 epochs of batch 64 ({steps} steps), float32")
        base = results["digits"][0]["median_s"]
        lines += columns(["variant", "median s", "× tinygrad_sm"],
                         [[r["variant"], f"{r['median_s']:,.3f}", f"{r['median_s'] / base:,.2f}"]
                          for r in results["digits"]])
        named += [r["variant"] for r in results["digits"]]
    n = results["chain"][0]["n_ops"]
    lines.append(f"\n{n}-op chain of tiny ops (4 elements), float64")
    lines += columns(["variant", "median ms"], [[r["variant"], f"{r['median_s'] * 1e3:,.3f}"] for r in results["chain"]])
    lines.append("\none tiny op (4 elements), float64")
    lines += columns(["variant", "median µs", "× numpy add"],
                     [[r["variant"], us(r["median_s"]), f"{r['vs_numpy_add']:,.2f}"] for r in results["tiny_op"]])
    named += [r["variant"] for r in results["chain"] + results["tiny_op"]]
    return "\n".join(lines + ["", "variants (× numpy: time relative to numpy-by-hand at the same B):"] + legend(named))


def write_json(path, payload):
    """Strict JSON, written atomically (the one writer of ``apps.runs``)."""
    return runs.write_json(path, payload)


def write_csv(path, records):
    """The records as CSV, written atomically."""
    text = io.StringIO()
    w = csv.DictWriter(text, fieldnames=list(records[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(records)
    return runs.write_text(path, text.getvalue())


def slope(ns, ys, min_n=256):
    """Least-squares slope of log y against log N over N ≥ ``min_n`` (fixed costs excluded)."""
    pts = [(n, y) for n, y in zip(ns, ys) if n >= min_n and y]
    if len(pts) < 2:
        return float("nan")
    x, y = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
    return float(np.polyfit(x, y, 1)[0])


PLOTTED = ("vjp", "vjp-into-buffer", "numpy-one-liner", "engine-backward", "explicit-jacobian",
           "composed-backward", "torch-kernel", "torch-backward", "jax-kernel", "bound")


def _label(name, ns, ys, what="time"):
    """The legend entry: the variant and, where there are enough points to fit it, the
    fitted growth exponent k, written as what it means: ``time ∝ N^k``."""
    k = slope(ns, ys)
    return name if math.isnan(k) else f"{name} ({what} ∝ N^{k:.2f})"


def main_grid(ns):
    """The N values on the main grid (powers of two). The decimal sizes (100, 1000) sit
    between them: joined into one line they make a hook where the grids meet (1000 then
    1024 at a different cost), so they are drawn as unjoined points."""
    return [n for n in ns if n & (n - 1) == 0]


def _n_ticks(ns, min_ratio=1.8):
    """The measured N values as tick positions, leaving out any too close to the previous one
    on a log axis (1000 next to 1024) so no two labels overlap."""
    ticks = []
    for n in sorted(set(ns)):
        if not ticks or n / ticks[-1] >= min_ratio:
            ticks.append(n)
    return ticks


def _grid_line(ax, ns, ys, label, style):
    """A line through the main-grid points, the others as unjoined markers of the same colour."""
    on = set(main_grid(ns))
    ax.plot([n for n in ns if n in on], [y for n, y in zip(ns, ys) if n in on], marker="o", label=label, **style)
    off = [(n, y) for n, y in zip(ns, ys) if n not in on]
    if off:
        ax.plot([n for n, _ in off], [y for _, y in off], marker="o", ls="", **style)


def softmax_plot(records, path, B=64, dtype="float32", facts=None):
    """Time and peak memory against N (log-log), one line per variant, slopes in the legend
    (over N ≥ 256, and only where at least two such points were measured)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, NullLocator

    rows = [r for r in records if r["B"] == B and r["dtype"] == dtype]
    fig = Figure(figsize=(12, 5), layout="constrained")
    ax_t, ax_m = fig.subplots(1, 2)
    fitted = False
    for colour, name in enumerate(PLOTTED):
        pts = sorted((r["N"], r["median_s"], r["peak_bytes"]) for r in rows if r["variant"] == name)
        if not pts:
            continue
        style = dict(color=f"C{colour % 10}", ms=3, lw=2.2 if name in ("vjp", "explicit-jacobian") else 1.2)
        ns, times = [p[0] for p in pts], [p[1] for p in pts]
        label = _label(name, ns, times)
        fitted = fitted or label != name
        _grid_line(ax_t, ns, [t * 1e6 for t in times], label, style)
        mem = [(n, m) for n, _, m in pts if m]
        if mem:
            mem_ns, ms = [n for n, _ in mem], [m for _, m in mem]
            _grid_line(ax_m, mem_ns, [m / 2**20 for m in ms], _label(name, mem_ns, ms, "memory"), style)
    ticks = _n_ticks(r["N"] for r in rows)
    for ax, what in ((ax_t, "median time per call (µs)"), (ax_m, "peak NumPy memory per call (MiB)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.xaxis.set_major_locator(FixedLocator(ticks))  # the measured sizes, as plain numbers
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("N (softmax axis size)")
        ax.set_ylabel(what)
        ax.grid(True, which="both", alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, loc="upper left")
    title = f"softmax VJP vs explicit Jacobian, B={B}, {dtype}"
    if fitted:
        title += " (legend: time or memory ∝ N^k, k fitted over N ≥ 256; 1 = linear, 2 = quadratic)"
    if facts:
        title += f"\n{facts.get('cpu', '')}, {facts.get('threads')} thread(s), NumPy {facts.get('numpy')}"
    fig.suptitle(title, fontsize=10)
    fig.savefig(path, dpi=110)
