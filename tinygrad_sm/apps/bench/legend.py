"""What each benchmark variant is, one line each: printed beneath every table that names it."""

VARIANTS = {
    # bench softmax
    "vjp": "the primitive's output-only VJP a∘(g − ⟨g, a⟩) on raw arrays, fresh result",
    "vjp-into-buffer": "the same kernel writing into a reused buffer",
    "numpy-one-liner": "a * (g - (g * a).sum(-1, keepdims=True)), the plain NumPy VJP",
    "engine-backward": "backward alone through a recorded softmax node (tg.grad)",
    "engine-fwd+bwd": "x.softmax(-1) recorded, then backpropagated",
    "explicit-jacobian": "diag(a) − a aᵀ built for each row, then gᵀJ",
    "jacobian-transform": "tg.jacobian(softmax, x, vectorize=True), then gᵀJ (one row)",
    "composed-backward": "softmax from sub/exp/sum/div primitives, backward alone",
    "composed-fwd+bwd": "the same composed softmax, recorded and backpropagated",
    "torch-kernel": "PyTorch's fused softmax-backward kernel",
    "torch-backward": "PyTorch autograd, backward alone",
    "torch-fwd+bwd": "PyTorch autograd, forward and backward",
    "jax-kernel": "the VJP formula, jitted by JAX",
    "jax-fwd+bwd": "jax.vjp of jax.nn.softmax, jitted",
    "bound": "np.add(a, g, out=buf): reads two arrays, writes one (the memory-bandwidth floor)",
    "forward": "the softmax forward pass (Softmax.apply)",
    "exp-bound": "one np.exp(x, out=buf): the floor for the forward pass",
    # bench train and overhead
    "tinygrad_sm": "this library: the step (or op) recorded and backpropagated",
    "numpy-by-hand": "the same step written by hand in NumPy: the floor for a NumPy framework",
    "numpy": "the bare NumPy operation, nothing recorded",
    "torch": "PyTorch eager, recorded with autograd",
    "torch-eager": "PyTorch eager, the same step with autograd",
    "jax-jit": "JAX, the same step jitted",
    "tinygrad_sm-record": "this library: the chain recorded, no backward",
    "tinygrad_sm-record+backward": "this library: the chain recorded, then backpropagated",
    "torch-record": "PyTorch: the chain recorded, no backward",
    "torch-record+backward": "PyTorch: the chain recorded, then backpropagated",
    "numpy-add": "np.add on two 4-element arrays",
    "tinygrad_sm-add-recorded": "A + B recorded by this library (Add saves nothing)",
    "tinygrad_sm-mul-recorded": "A * B recorded by this library (Mul saves both factors)",
    "torch-add-recorded": "A + B recorded by PyTorch autograd",
    # bench attention
    "primitive": "attention whose softmax is the one primitive op (saves only its output)",
    "composed": "the same attention with softmax composed of sub/exp/sum/div ops",
}


def legend(names):
    """One line per distinct variant in ``names`` (in order of first appearance)."""
    seen = list(dict.fromkeys(names))
    width = max(map(len, seen), default=0)
    return [f"  {name:<{width}}  {VARIANTS.get(name, '(no description)')}" for name in seen]


def columns(header, rows, left=(0,)):
    """``header`` and ``rows`` as lines whose columns are as wide as their widest cell, so
    numbers of any magnitude stay aligned; the columns numbered in ``left`` (names) are
    left-aligned, the rest (numbers) right-aligned."""
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    return ["  " + "  ".join(c.ljust(w) if i in left else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
            for r in cells]
