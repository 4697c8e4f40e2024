"""The softmax VJP against the explicit Jacobian, the engine, composed ops, and peers.

Variants, for each batch B, size N and dtype (x, g of shape (B, N), a = softmax(x)):

  vjp                  (a) the primitive's output-only VJP on raw arrays, fresh result
  vjp-into-buffer      (a) the same kernel writing into a reused buffer
  numpy-one-liner      a * (g - (g * a).sum(-1, keepdims=True)), the plain NumPy VJP
  engine-backward      (b) backward alone through a recorded softmax node (tg.grad)
  engine-fwd+bwd       (b) x.softmax(-1) recorded, then backpropagated
  explicit-jacobian    (c) diag(a) - a aᵀ built batched, then gᵀJ
  jacobian-transform   (d) tg.jacobian(softmax, x, vectorize=True), then gᵀJ (B = 1)
  composed-backward    (e) softmax from sub/exp/sum/div primitives, backward alone
  composed-fwd+bwd     (e) the same, recorded and backpropagated
  torch-*, jax-*       (f) PyTorch's fused kernel / autograd, JAX's jitted VJP (if installed)
  bound                (g) np.add(a, g, out=buf): reads two arrays, writes one
  forward, exp-bound   the softmax forward pass against one np.exp(x, out=buf)

Every variant's result is checked against ``vjp`` before it is timed.
"""
import numpy as np

from ...autograd.gradients import grad
from ...ops.softmax import Softmax, softmax_vjp
from ...tensor import Tensor
from ...transforms import jacobian
from .harness import interleaved, optional, peak_bytes

SIZES = (4, 16, 64, 100, 256, 1000, 1024, 4096, 16384)
BATCHES = (1, 64, 1024)
DTYPES = ("float32", "float64")
CHECKED_AGAINST_FORWARD = ("forward",)
UNCHECKED = ("bound", "exp-bound")


def explicit_jacobian_vjp(g, a):
    """gᵀJ with J = diag(a) − a aᵀ materialised for every row: O(B·N²) time and memory."""
    n = a.shape[-1]
    J = a[:, :, None] * -a[:, None, :]
    idx = np.arange(n)
    J[:, idx, idx] += a
    return np.matmul(g[:, None, :], J)[:, 0, :]


def _numpy_softmax(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def build(B, N, dtype, max_bytes, torch=None, jax=None):
    """``(variants, expected, skipped)``: name -> (callable, result getter), the reference
    result, and the variants left out with the reason."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, N)).astype(dtype)
    g = rng.standard_normal((B, N)).astype(dtype)
    a = _numpy_softmax(x.astype(np.float64)).astype(dtype)
    expected = softmax_vjp(g, a, -1)
    buf, buf2 = np.empty_like(g), np.empty_like(g)
    itemsize = np.dtype(dtype).itemsize
    jac_bytes = B * N * N * itemsize
    v, skipped = {}, {}
    v["vjp"] = (lambda: softmax_vjp(g, a, -1), lambda r: r)
    v["vjp-into-buffer"] = (lambda: softmax_vjp(g, a, -1, out=buf), lambda r: r)
    v["numpy-one-liner"] = (lambda: a * (g - (g * a).sum(-1, keepdims=True)), lambda r: r)
    xt = Tensor(x, requires_grad=True)
    yt = xt.softmax(-1)
    v["engine-backward"] = (lambda: grad(yt, [xt], g, retain_graph=True), lambda r: r[0]._data)
    v["engine-fwd+bwd"] = (lambda: grad(xt.softmax(-1), [xt], g), lambda r: r[0]._data)
    if jac_bytes <= max_bytes:
        v["explicit-jacobian"] = (lambda: explicit_jacobian_vjp(g, a), lambda r: r)
        if B == 1:
            x0 = Tensor(x[0])
            v["jacobian-transform"] = (
                lambda: g[0] @ jacobian(lambda z: z.softmax(-1), x0, vectorize=True)._data,
                lambda r: r[None],
            )
        else:
            skipped["jacobian-transform"] = "measured at B = 1 only (it differentiates one row)"
    else:
        reason = f"its Jacobian needs {jac_bytes / 2**20:.0f} MiB > --max-bytes {max_bytes / 2**20:.0f} MiB"
        skipped["explicit-jacobian"] = skipped["jacobian-transform"] = reason
    shift = x.max(-1, keepdims=True)

    def composed(z):
        e = (z - shift).exp()
        return e / e.sum(-1, keepdims=True)

    yc = composed(xt)
    v["composed-backward"] = (lambda: grad(yc, [xt], g, retain_graph=True), lambda r: r[0]._data)
    v["composed-fwd+bwd"] = (lambda: grad(composed(xt), [xt], g), lambda r: r[0]._data)
    if torch is not None:
        tx = torch.tensor(x, requires_grad=True)
        ta = torch.softmax(tx, -1)
        tg_ = torch.tensor(g)
        ta_d = ta.detach()
        v["torch-kernel"] = (lambda: torch._softmax_backward_data(tg_, ta_d, -1, ta_d.dtype), lambda r: r.numpy())
        v["torch-backward"] = (lambda: torch.autograd.grad(ta, tx, tg_, retain_graph=True)[0], lambda r: r.numpy())
        v["torch-fwd+bwd"] = (lambda: torch.autograd.grad(torch.softmax(tx, -1), tx, tg_)[0], lambda r: r.numpy())
    else:
        skipped["torch-*"] = "PyTorch is not installed"
    if jax is not None:
        jnp = jax.numpy
        if dtype == "float64" and not jax.config.jax_enable_x64:
            jax.config.update("jax_enable_x64", True)
        ja, jg, jx = jnp.asarray(a), jnp.asarray(g), jnp.asarray(x)
        kernel = jax.jit(lambda a, g: a * (g - (g * a).sum(-1, keepdims=True)))
        both = jax.jit(lambda x, g: jax.vjp(lambda z: jax.nn.softmax(z, axis=-1), x)[1](g)[0])
        v["jax-kernel"] = (lambda: kernel(ja, jg).block_until_ready(), np.asarray)
        v["jax-fwd+bwd"] = (lambda: both(jx, jg).block_until_ready(), np.asarray)
    else:
        skipped["jax-*"] = "JAX is not installed"
    v["bound"] = (lambda: np.add(a, g, out=buf2), None)
    v["forward"] = (lambda: Softmax.apply(x, axis=-1), lambda r: r)
    v["exp-bound"] = (lambda: np.exp(x, out=buf2), None)
    return v, expected, a, skipped


def check(variants, expected, a, dtype):
    """Run every variant once and compare it with the reference; raise on a mismatch."""
    rtol, atol = (2e-4, 1e-6) if dtype == "float32" else (1e-9, 1e-12)
    for name, (fn, result) in variants.items():
        if result is None:
            continue
        want = a if name in CHECKED_AGAINST_FORWARD else expected
        got = np.asarray(result(fn()), dtype=np.float64)
        if got.shape != want.shape or not np.allclose(got, want, rtol=rtol, atol=atol * max(1, np.abs(want).max())):
            err = np.abs(got - want).max() if got.shape == want.shape else f"shape {got.shape}"
            raise AssertionError(f"bench softmax: {name} disagrees with the primitive's VJP (max error {err})")


NO_MEMORY = ("torch-", "jax-")


def run(sizes=SIZES, batches=BATCHES, dtypes=DTYPES, max_bytes=2**28, samples=15, min_time=2e-3,
        progress=None):
    """Measure every configuration; returns ``(records, skipped)``."""
    torch, jax = optional("torch"), optional("jax")
    records, skipped = [], []
    for dtype in dtypes:
        for B in batches:
            for N in sizes:
                variants, expected, a, skip = build(B, N, dtype, max_bytes, torch, jax)
                check(variants, expected, a, dtype)
                timing = interleaved({k: fn for k, (fn, _) in variants.items()}, samples, min_time)
                base, bound = timing["vjp"][0], timing["bound"][0]
                for name, (med, q1, q3) in timing.items():
                    mem = None if name.startswith(NO_MEMORY) else peak_bytes(variants[name][0])
                    records.append({
                        "dtype": dtype, "B": B, "N": N, "variant": name, "median_s": med,
                        "iqr_s": q3 - q1, "peak_bytes": mem, "vs_vjp": med / base, "vs_bound": med / bound,
                    })
                for name, why in skip.items():
                    skipped.append({"dtype": dtype, "B": B, "N": N, "variant": name, "reason": why})
                if progress:
                    progress(dtype, B, N)
    return records, skipped
