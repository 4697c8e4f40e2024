"""Train a one-hidden-layer MLP on the CS231n spiral (3 arms x 100 points).

    python examples/train_spiral.py
"""
import tinygrad_sm as tg
from tinygrad_sm import data, nn, optim

X, y = data.spiral(n_per_class=100, n_classes=3, noise=0.2, rng=0)
model = nn.MLP([2, 100, 3], activation="relu", rng=0)
opt = optim.Adam(model.parameters(), lr=0.01)

for step in range(500):
    loss = tg.cross_entropy(model(tg.Tensor(X)), y)  # fused softmax + cross-entropy
    opt.zero_grad()
    loss.backward()  # backward reads the softmax the forward pass cached
    opt.step()
    if step % 100 == 0:
        print(f"step {step:3d}  loss {loss.item():.4f}")

with tg.no_grad():
    accuracy = (model(tg.Tensor(X)).argmax(axis=-1).numpy() == y).mean()
print(f"train accuracy {accuracy:.3f}")
