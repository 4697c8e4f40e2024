"""A linear softmax classifier on the spiral, written out by hand.

The seed case of the library: logits = X W + b, softmax, cross-entropy. On three
interleaved spiral arms a linear boundary gets about half the points right
(the known ~50%); the MLP in train_spiral.py gets them all.

    python examples/softmax_regression.py
"""
import numpy as np

import tinygrad_sm as tg
from tinygrad_sm import data

X, y = data.spiral(rng=0, dtype=np.float64)
W = tg.Tensor(0.01 * np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
b = tg.zeros(3, dtype=np.float64, requires_grad=True)
onehot = np.eye(3)[y]

for step in range(200):
    probs = (tg.Tensor(X) @ W + b).softmax(axis=-1)  # a primitive: saves only its output
    loss = -(probs.log() * onehot).sum(axis=-1).mean() + 1e-3 * (W * W).sum()
    W.grad = b.grad = None
    loss.backward()  # the softmax VJP: a * (g - (g * a).sum(axis))
    with tg.no_grad():  # an in-place update of the leaves, outside the graph
        W -= 1.0 * W.grad
        b -= 1.0 * b.grad
    if step % 50 == 0:
        print(f"step {step:3d}  loss {loss.item():.4f}")

with tg.no_grad():
    accuracy = ((tg.Tensor(X) @ W + b).argmax(axis=-1).numpy() == y).mean()
print(f"train accuracy {accuracy:.3f}")
