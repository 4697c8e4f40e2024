"""A linear softmax classifier's loss, for drawing: softmax as its own node.

    tinygrad-sm graph --expr examples/softmax_classifier_graph.py --out docs

The graph command draws the tensor this file assigns to `out`, naming the
parameters of the module assigned to `params`.
"""
import numpy as np

import tinygrad_sm as tg
from tinygrad_sm import data, nn

X, y = data.spiral(n_per_class=100, n_classes=3, rng=0)
batch, targets = tg.Tensor(X[:64]), y[:64]

params = nn.Linear(2, 3, rng=0)
probs = params(batch).softmax(axis=-1)  # the primitive: saves only its output (64, 3)
onehot = np.eye(3, dtype=np.float32)[targets]
out = -(probs.log() * onehot).sum(axis=-1).mean()  # cross-entropy, unfused, to show each step
out.backward(retain_graph=True)  # gradient norms on the leaves; saved arrays kept for the picture
