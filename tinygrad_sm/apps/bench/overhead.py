"""The fixed cost of recording and backpropagating an op, side by side with NumPy and PyTorch.

Five workloads, each a group of variants timed interleaved in one process (so load
drifts hit all alike), medians of calibrated inner loops:

  add            record ``A + B`` (two 4-element float64 leaves) vs bare ``np.add``
  mul            record ``A * B``, same, vs bare ``np.multiply`` (Mul saves both leaves)
  chain          1,000-op chain ``y = y * 1.0001`` on a 4-element leaf, record + backward
  tiny-mlp       8×2 float64 batch, MLP 2-16-3 tanh, cross-entropy, record + backward
  mlp-step       MLP 784-256-10 (fused Linear), float32, one SGD step vs NumPy by hand

Every result is the variant's own output: what is timed includes dropping it (freeing
the graph and releasing what it protected), as a real loop does.
"""
import numpy as np

from ... import nn
from ...functional import cross_entropy
from ...tensor import Tensor
from .harness import interleaved, optional
from .legend import columns, legend
from .train import mlp_variants


def _tiny_pair(torch):
    a, b = np.ones(4), np.full(4, 2.0)
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    add = {"numpy": lambda: np.add(a, b), "tinygrad_sm": lambda: x + y}
    mul = {"numpy": lambda: np.multiply(a, b), "tinygrad_sm": lambda: x * y}
    if torch is not None:
        tx = torch.ones(4, dtype=torch.float64, requires_grad=True)
        ty = torch.full((4,), 2.0, dtype=torch.float64, requires_grad=True)
        add["torch"] = lambda: tx + ty
        mul["torch"] = lambda: tx * ty
    return add, mul


def _chain(torch, n_ops):
    x = Tensor(np.ones(4), requires_grad=True)

    def ours():
        y = x
        for _ in range(n_ops):
            y = y * 1.0001
        x.grad = None
        y.sum().backward()
        return x.grad

    v = {"tinygrad_sm": ours}
    if torch is not None:
        tx = torch.ones(4, dtype=torch.float64, requires_grad=True)

        def theirs():
            y = tx
            for _ in range(n_ops):
                y = y * 1.0001
            tx.grad = None
            y.sum().backward()
            return tx.grad

        v["torch"] = theirs
    return v


def _tiny_mlp(torch):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((8, 2))
    y = rng.integers(0, 3, 8)
    model = nn.MLP([2, 16, 3], activation="tanh", rng=0, dtype=np.float64)
    xt = Tensor(X)

    def ours():
        model.zero_grad()
        loss = cross_entropy(model(xt), y)
        loss.backward()
        return loss

    v = {"tinygrad_sm": ours}
    if torch is not None:
        W1, b1, W2, b2 = (p._data for p in model.parameters())
        tm = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3)).double()
        with torch.no_grad():
            for layer, w, b in ((tm[0], W1, b1), (tm[2], W2, b2)):
                layer.weight.copy_(torch.tensor(w))  # both (out, in)
                layer.bias.copy_(torch.tensor(b))
        tx, ty = torch.tensor(X), torch.tensor(y)
        lossf = torch.nn.CrossEntropyLoss()

        def theirs():
            tm.zero_grad()
            loss = lossf(tm(tx), ty)
            loss.backward()
            return loss

        v["torch"] = theirs
        first = (float(ours().item()), float(theirs().item()))
        if abs(first[0] - first[1]) > 1e-12:
            raise AssertionError(f"bench overhead: the tiny MLP losses disagree: {first}")
    return v


def run(samples=15, min_time=5e-3, n_ops=1000, batches=(32, 128)):
    """``[{workload, variant, median_s, iqr_s, ratio, reference}]``: each ratio is the
    variant's median over its workload's reference median, from the same interleaved run."""
    torch = optional("torch")
    add, mul = _tiny_pair(torch)
    groups = [("add: record A + B", add, "numpy"), ("mul: record A * B", mul, "numpy"),
              (f"chain: {n_ops} x (y * 1.0001) + backward", _chain(torch, n_ops), "torch"),
              ("tiny-mlp: 8x2, 2-16-3 tanh, CE, record + backward", _tiny_mlp(torch), "torch")]
    for B in batches:
        variants, _ = mlp_variants(B, torch)
        groups.append((f"mlp-step: 784-256-10 float32 B={B}", variants, "numpy-by-hand"))
    records = []
    for workload, variants, reference in groups:
        if reference not in variants:
            reference = None
        timing = interleaved(variants, samples, min_time)
        base = timing[reference][0] if reference else None
        for name, (med, q1, q3) in timing.items():
            records.append({"workload": workload, "variant": name, "median_s": med, "iqr_s": q3 - q1,
                            "reference": reference, "ratio": med / base if base else None})
    return records, torch is not None


def table(records):
    lines = columns(["workload", "variant", "median µs", "IQR µs", "× ref"],
                    [[r["workload"], r["variant"], f"{r['median_s'] * 1e6:,.2f}", f"{r['iqr_s'] * 1e6:,.2f}",
                      "-" if r["ratio"] is None else f"{r['ratio']:,.2f}"] for r in records], left=(0, 1))
    lines += ["", "variants (× ref: time relative to the workload's reference row, at 1.00):"]
    return "\n".join(lines + legend(r["variant"] for r in records))
