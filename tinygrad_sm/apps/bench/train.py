"""One MLP training step against hand-written NumPy (the floor for a NumPy framework) and
peers; and the per-op cost of recording and backpropagating tiny ops."""
import numpy as np

from ... import nn, optim
from ...autograd.gradients import grad
from ...functional import cross_entropy
from ...tensor import Tensor
from .harness import interleaved, optional


class NumpyMLP:
    """784-256-10 ReLU MLP, softmax cross-entropy, SGD: forward and backward by hand."""

    def __init__(self, params, lr):
        self.W1, self.b1, self.W2, self.b2 = (p.copy() for p in params)
        self.lr = lr

    def step(self, x, y):
        h = x @ self.W1
        h += self.b1
        a = np.maximum(h, 0)
        z = a @ self.W2
        z += self.b2
        z -= z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        rows = np.arange(len(y))
        loss = -np.log(p[rows, y]).mean()
        p[rows, y] -= 1
        p /= len(y)
        gW2, gb2 = a.T @ p, p.sum(0)
        da = p @ self.W2.T
        da *= h > 0
        gW1, gb1 = x.T @ da, da.sum(0)
        self.W1 -= self.lr * gW1
        self.b1 -= self.lr * gb1
        self.W2 -= self.lr * gW2
        self.b2 -= self.lr * gb2
        return loss


def in_out(model):
    """Copies of ``model``'s parameters with each weight as (in, out), the layout of the
    hand-written references here (``Linear.weight`` is (out, in), as in PyTorch)."""
    return [np.array(p.numpy()).T.copy() if p.ndim == 2 else np.array(p.numpy()) for p in model.parameters()]


def torch_mlp(torch, initial):
    """A PyTorch Linear-ReLU-Linear with our initial weights [W1, b1, W2, b2] (W of shape (in, out))."""
    W1, b1, W2, b2 = initial
    tm = torch.nn.Sequential(torch.nn.Linear(*W1.shape), torch.nn.ReLU(), torch.nn.Linear(*W2.shape))
    with torch.no_grad():
        for layer, w, b in ((tm[0], W1, b1), (tm[2], W2, b2)):
            layer.weight.copy_(torch.tensor(w.T))
            layer.bias.copy_(torch.tensor(b))
    return tm


def mlp_variants(B, torch=None, jax=None, lr=0.01):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((B, 784)).astype(np.float32)
    y = rng.integers(0, 10, B)
    model = nn.MLP([784, 256, 10], rng=0)
    opt = optim.SGD(model.parameters(), lr=lr)
    xt = Tensor(x)
    ref = NumpyMLP(in_out(model), lr)

    def ours():
        loss = cross_entropy(model(xt), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    v = {"tinygrad_sm": ours, "numpy-by-hand": lambda: ref.step(x, y)}
    initial = in_out(model)
    if torch is not None:
        tm = torch_mlp(torch, initial)  # the same starting point, so the first losses must agree
        topt = torch.optim.SGD(tm.parameters(), lr=lr)
        tx, ty = torch.tensor(x), torch.tensor(y)
        lossf = torch.nn.CrossEntropyLoss()

        def torch_step():
            loss = lossf(tm(tx), ty)
            topt.zero_grad()
            loss.backward()
            topt.step()
            return loss

        v["torch-eager"] = torch_step
    if jax is not None:
        jnp = jax.numpy
        params = [jnp.asarray(p) for p in initial]

        def loss_fn(ps, x, y):
            W1, b1, W2, b2 = ps
            z = jnp.maximum(x @ W1 + b1, 0) @ W2 + b2
            return -jnp.mean(jax.nn.log_softmax(z)[jnp.arange(x.shape[0]), y])

        @jax.jit
        def jstep(ps, x, y):
            loss, gs = jax.value_and_grad(loss_fn)(ps, x, y)
            return [p - lr * g for p, g in zip(ps, gs)], loss

        state = {"p": params}
        jx, jy = jnp.asarray(x), jnp.asarray(y)

        def jax_step():
            state["p"], loss = jstep(state["p"], jx, jy)
            loss.block_until_ready()
            return loss

        v["jax-jit"] = jax_step
    first = {}
    for name, fn in v.items():
        out = fn()
        first[name] = float(out.item() if hasattr(out, "item") else out)
    if max(first.values()) - min(first.values()) > 1e-4 * abs(first["numpy-by-hand"]):
        raise AssertionError(f"bench train: the first losses disagree: {first}")
    return v, first


def chain_variants(n_ops=1000, torch=None):
    """Record ``n_ops`` tiny ops (alternating * and +) and backpropagate them."""
    x = Tensor(np.ones(4), requires_grad=True)
    seed = np.ones(4)

    def record():
        z = x
        for _ in range(n_ops // 2):
            z = z * 1.0001 + 0.5
        return z

    v = {"tinygrad_sm-record": record, "tinygrad_sm-record+backward": lambda: grad(record(), [x], seed)}
    if torch is not None:
        tx = torch.ones(4, dtype=torch.float64, requires_grad=True)
        tseed = torch.ones(4, dtype=torch.float64)

        def trecord():
            z = tx
            for _ in range(n_ops // 2):
                z = z * 1.0001 + 0.5
            return z

        v["torch-record"] = trecord
        v["torch-record+backward"] = lambda: torch.autograd.grad(trecord(), tx, tseed)
    return v


def tiny_op_variants(torch=None):
    a, b = np.ones(4), np.full(4, 2.0)
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    v = {"numpy-add": lambda: a + b, "tinygrad_sm-add-recorded": lambda: x + y,
         "tinygrad_sm-mul-recorded": lambda: x * y}
    if torch is not None:
        tx = torch.ones(4, dtype=torch.float64, requires_grad=True)
        ty = torch.full((4,), 2.0, dtype=torch.float64, requires_grad=True)
        v["torch-add-recorded"] = lambda: tx + ty
    return v


def digits_variants(torch=None, epochs=30, batch=64, lr=1e-3):
    """The whole digits run of ``tinygrad-sm train --dataset digits`` (64-128-10 ReLU, Adam,
    30 epochs of batch 64), without evaluation, in tinygrad_sm and in PyTorch: the same
    minibatches in the same order, from the same initial weights."""
    from ...data import digits, train_test_split
    from ...optim import Adam

    X, y = digits()
    X, _, y, _ = train_test_split(X, y, test_size=0.2, rng=0)
    gen = np.random.default_rng(0)
    order = [gen.permutation(len(X)) for _ in range(epochs)]
    batches = [(X[idx[i:i + batch]], y[idx[i:i + batch]]) for idx in order for i in range(0, len(X), batch)]
    initial = in_out(nn.MLP([64, 128, 10], rng=0))

    def ours():
        model = nn.MLP([64, 128, 10], rng=0)
        opt = Adam(model.parameters(), lr=lr)
        for xb, yb in batches:
            loss = cross_entropy(model(Tensor(xb)), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        return loss

    v = {"tinygrad_sm": ours}
    if torch is not None:
        tbatches = [(torch.tensor(xb), torch.tensor(yb)) for xb, yb in batches]

        def torch_loop():
            tm = torch_mlp(torch, initial)
            topt = torch.optim.Adam(tm.parameters(), lr=lr)
            lossf = torch.nn.CrossEntropyLoss()
            for xb, yb in tbatches:
                loss = lossf(tm(xb), yb)
                topt.zero_grad()
                loss.backward()
                topt.step()
            return loss

        v["torch-eager"] = torch_loop
    return v, len(batches)


def run(batches=(32, 128), n_ops=1000, samples=15, min_time=5e-3, digits_samples=5):
    torch, jax = optional("torch"), optional("jax")
    results = {"mlp": [], "chain": [], "tiny_op": []}
    for B in batches:
        variants, first = mlp_variants(B, torch, jax)
        timing = interleaved(variants, samples, min_time)
        ref = timing["numpy-by-hand"][0]
        for name, (med, q1, q3) in timing.items():
            results["mlp"].append({"B": B, "variant": name, "median_s": med, "iqr_s": q3 - q1,
                                   "vs_numpy": med / ref})
        results.setdefault("first_losses", {})[B] = first
    timing = interleaved(chain_variants(n_ops, torch), samples, min_time)
    for name, (med, q1, q3) in timing.items():
        results["chain"].append({"variant": name, "n_ops": n_ops, "median_s": med, "iqr_s": q3 - q1})
    if digits_samples:
        variants, steps = digits_variants(torch)
        last = {name: float(fn().item()) for name, fn in variants.items()}
        if max(last.values()) - min(last.values()) > 1e-3 * max(abs(v) for v in last.values()):
            raise AssertionError(f"bench train: the digits runs end at different losses: {last}")
        timing = interleaved(variants, digits_samples, min_time)
        for name, (med, q1, q3) in timing.items():
            results.setdefault("digits", []).append({"variant": name, "steps": steps, "median_s": med,
                                                     "iqr_s": q3 - q1, "final_loss": last[name]})
    timing = interleaved(tiny_op_variants(torch), samples, min_time)
    base = timing["numpy-add"][0]
    for name, (med, q1, q3) in timing.items():
        results["tiny_op"].append({"variant": name, "median_s": med, "iqr_s": q3 - q1, "vs_numpy_add": med / base})
    return results
