"""Benchmark output: terminal tables, JSON/CSV files, and the log-log plot with fitted slopes."""
import csv
import json
import math

import numpy as np


def us(seconds):
    return f"{seconds * 1e6:,.1f}"


def softmax_table(records):
    lines = []
    key = None
    for r in records:
        k = (r["dtype"], r["B"], r["N"])
        if k != key:
            key = k
            lines.append(f"\n{r['dtype']}  B={r['B']}  N={r['N']}")
            lines.append(f"  {'variant':<22}{'median µs':>13}{'IQR µs':>11}{'peak MiB':>10}{'× vjp':>9}{'× bound':>9}")
        mem = "-" if r["peak_bytes"] is None else f"{r['peak_bytes'] / 2**20:.2f}"
        lines.append(f"  {r['variant']:<22}{us(r['median_s']):>13}{us(r['iqr_s']):>11}{mem:>10}"
                     f"{r['vs_vjp']:>9.2f}{r['vs_bound']:>9.2f}")
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
    lines.append(f"  {'B':>4}  {'variant':<16}{'median µs':>12}{'IQR µs':>10}{'× numpy':>9}")
    for r in results["mlp"]:
        lines.append(f"  {r['B']:>4}  {r['variant']:<16}{us(r['median_s']):>12}{us(r['iqr_s']):>10}{r['vs_numpy']:>9.2f}")
    if results.get("digits"):
        steps = results["digits"][0]["steps"]
        lines.append(f"\ndigits run: 64-128-10 ReLU, Adam, 30 epochs of batch 64 ({steps} steps), float32")
        base = results["digits"][0]["median_s"]
        for r in results["digits"]:
            lines.append(f"  {r['variant']:<16}{r['median_s']:>9.3f} s {r['median_s'] / base:>6.2f}×")
    n = results["chain"][0]["n_ops"]
    lines.append(f"\n{n}-op chain of tiny ops (4 elements), float64")
    for r in results["chain"]:
        lines.append(f"  {r['variant']:<30}{r['median_s'] * 1e3:>9.3f} ms")
    lines.append("\none tiny op (4 elements), float64")
    for r in results["tiny_op"]:
        lines.append(f"  {r['variant']:<30}{us(r['median_s']):>9} µs {r['vs_numpy_add']:>6.2f}× numpy add")
    return "\n".join(lines)


def write_json(path, payload):
    with open(path, "w") as f:
        json.dump(payload, f, indent=1)


def write_csv(path, records):
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(records[0]))
        w.writeheader()
        w.writerows(records)


def slope(ns, ys, min_n=256):
    """Least-squares slope of log y against log N over N ≥ ``min_n`` (fixed costs excluded)."""
    pts = [(n, y) for n, y in zip(ns, ys) if n >= min_n and y]
    if len(pts) < 2:
        return float("nan")
    x, y = np.log([p[0] for p in pts]), np.log([p[1] for p in pts])
    return float(np.polyfit(x, y, 1)[0])


PLOTTED = ("vjp", "vjp-into-buffer", "numpy-one-liner", "engine-backward", "explicit-jacobian",
           "composed-backward", "torch-kernel", "torch-backward", "jax-kernel", "bound")


def _label(name, ns, ys):
    """The legend entry: the variant and its fitted slope, if there are enough points to fit one."""
    k = slope(ns, ys)
    return name if math.isnan(k) else f"{name} (slope {k:.2f})"


def _n_ticks(ns, min_ratio=1.8):
    """The measured N values as tick positions, leaving out any too close to the previous one
    on a log axis (1000 next to 1024) so no two labels overlap."""
    ticks = []
    for n in sorted(set(ns)):
        if not ticks or n / ticks[-1] >= min_ratio:
            ticks.append(n)
    return ticks


def softmax_plot(records, path, B=64, dtype="float32", facts=None):
    """Time and peak memory against N (log-log), one line per variant, slopes in the legend
    (over N ≥ 256, and only where at least two such points were measured)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter, NullLocator

    rows = [r for r in records if r["B"] == B and r["dtype"] == dtype]
    fig = Figure(figsize=(12, 5), layout="constrained")
    ax_t, ax_m = fig.subplots(1, 2)
    fitted = False
    for name in PLOTTED:
        pts = sorted((r["N"], r["median_s"], r["peak_bytes"]) for r in rows if r["variant"] == name)
        if not pts:
            continue
        ns = [p[0] for p in pts]
        style = dict(marker="o", ms=3, lw=2.2 if name in ("vjp", "explicit-jacobian") else 1.2)
        label = _label(name, ns, [p[1] for p in pts])
        fitted = fitted or label != name
        ax_t.plot(ns, [p[1] * 1e6 for p in pts], label=label, **style)
        mem = [(n, m) for n, _, m in pts if m]
        if mem:
            ms = [m for _, m in mem]
            mem_ns = [n for n, _ in mem]
            ax_m.plot(mem_ns, [m / 2**20 for m in ms], label=_label(name, mem_ns, ms), **style)
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
        title += " (slopes fitted over N ≥ 256)"
    if facts:
        title += f"\n{facts.get('cpu', '')}, {facts.get('threads')} thread(s), NumPy {facts.get('numpy')}"
    fig.suptitle(title, fontsize=10)
    fig.savefig(path, dpi=110)
