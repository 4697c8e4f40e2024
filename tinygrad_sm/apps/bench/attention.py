"""One attention layer, forward + backward, with the softmax primitive against the same
layer with softmax composed from exp, sum and divide (the way composite frameworks build it).

The layer: x (B, L, D) → fused q/k/v projection → H heads of D/H → softmax(q kᵀ/√d, mask) v
→ output projection → ⟨out, g⟩, differentiated with respect to x and both weights.
The mask is a key-padding mask (every sequence keeps at least one key, so the composed
softmax never divides 0 by 0). Variants:

  primitive   x.softmax(-1, mask=m): saves only its output a (B·H·L·L)
  composed    where(m, s, −inf) − max (detached), exp, sum, divide: Exp saves e and Div
              saves the quotient, two B·H·L·L arrays, and backward runs four ops over them

Both are checked to give the same output and gradients before anything is timed; time
is the median of interleaved samples, memory the peak NumPy allocation (tracemalloc)
of one forward + backward.
"""
import math

import numpy as np

from ... import grad
from ...functional import where
from ...tensor import Tensor
from .harness import interleaved, peak_bytes
from .legend import columns, legend

LENGTHS = (64, 128, 256, 512)
VARIANTS = ("primitive", "composed")


def primitive_softmax(s, mask):
    return s.softmax(axis=-1, mask=mask)


def composed_softmax(s, mask):
    z = where(mask, s, -np.inf)
    e = (z - z.max(axis=-1, keepdims=True).detach()).exp()
    return e / e.sum(axis=-1, keepdims=True)


SOFTMAX = {"primitive": primitive_softmax, "composed": composed_softmax}


def build(B, L, heads=4, d_model=64, dtype="float32", seed=0):
    """``({variant: fn}, check)``: each fn runs one forward + backward and returns the
    output and the three gradients as arrays."""
    rng = np.random.default_rng(seed)
    dh = d_model // heads
    x = Tensor(rng.standard_normal((B, L, d_model)).astype(dtype), requires_grad=True)
    w_qkv = Tensor((rng.standard_normal((d_model, 3 * d_model)) / math.sqrt(d_model)).astype(dtype), requires_grad=True)
    w_out = Tensor((rng.standard_normal((d_model, d_model)) / math.sqrt(d_model)).astype(dtype), requires_grad=True)
    g = rng.standard_normal((B, L, d_model)).astype(dtype)
    lengths = rng.integers(max(1, L // 2), L + 1, B)
    mask = (np.arange(L) < lengths[:, None])[:, None, None, :]  # (B, 1, 1, L): padded keys excluded
    scale = 1.0 / math.sqrt(dh)

    def layer(softmax):
        qkv = (x @ w_qkv).reshape(B, L, 3, heads, dh).transpose(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        a = softmax((q * scale) @ k.swapaxes(-1, -2), mask)
        out = (a @ v).swapaxes(1, 2).reshape(B, L, d_model) @ w_out
        gx, gq, go = grad(out, [x, w_qkv, w_out], g)
        return out._data, gx._data, gq._data, go._data

    return {name: (lambda f=f: layer(f)) for name, f in SOFTMAX.items()}


def check(variants, dtype):
    """Run each variant once; raise if its output or a gradient differs from the primitive's."""
    rtol, atol = (2e-4, 2e-5) if dtype == "float32" else (1e-10, 1e-12)
    want = variants["primitive"]()
    for name, fn in variants.items():
        got = fn()
        for label, a, b in zip(("output", "dx", "dW_qkv", "dW_out"), got, want):
            scale = max(1.0, float(np.abs(b).max()))
            if a.shape != b.shape or not np.allclose(a, b, rtol=rtol, atol=atol * scale):
                raise AssertionError(f"bench attention: {name} disagrees with the primitive on {label} "
                                     f"(max error {np.abs(a - b).max()})")


def run(lengths=LENGTHS, batch=8, heads=4, d_model=64, dtype="float32", samples=15, min_time=2e-3, progress=None):
    """Measure every length; returns one record per (length, variant)."""
    records = []
    for L in lengths:
        variants = build(batch, L, heads, d_model, dtype)
        check(variants, dtype)
        timing = interleaved(variants, samples, min_time)
        memory = {name: peak_bytes(fn) for name, fn in variants.items()}
        base_t, base_m = timing["primitive"][0], memory["primitive"]
        for name, (med, q1, q3) in timing.items():
            records.append({
                "L": L, "B": batch, "H": heads, "d_model": d_model, "dtype": dtype, "variant": name,
                "median_s": med, "iqr_s": q3 - q1, "peak_bytes": memory[name],
                "attention_map_bytes": batch * heads * L * L * np.dtype(dtype).itemsize,
                "time_vs_primitive": med / base_t, "memory_vs_primitive": memory[name] / base_m,
            })
        if progress:
            progress(L)
    return records


def table(records):
    """The records side by side, one block per sequence length."""
    if not records:
        return ""
    r0 = records[0]
    lines = [f"one attention layer, forward + backward: B={r0['B']}, H={r0['H']}, d_model={r0['d_model']}, "
             f"{r0['dtype']}, key-padding mask"]
    lines += columns(["L", "variant", "median ms", "IQR ms", "peak MiB", "× time", "× memory", "map MiB"],
                     [[r["L"], r["variant"], f"{r['median_s'] * 1e3:,.3f}", f"{r['iqr_s'] * 1e3:,.3f}",
                       f"{r['peak_bytes'] / 2**20:,.2f}", f"{r['time_vs_primitive']:,.2f}",
                       f"{r['memory_vs_primitive']:,.2f}", f"{r['attention_map_bytes'] / 2**20:,.2f}"]
                      for r in records], left=(1,))
    lines.append("  (× time, × memory: relative to the primitive at the same L; map: one B·H·L·L array)")
    return "\n".join(lines + ["", "variants:"] + legend(r["variant"] for r in records))
