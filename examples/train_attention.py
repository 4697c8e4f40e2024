"""Train a one-layer attention classifier on the pointer task, and the bag-of-embeddings
baseline beside it (about 10 s on 2 cores).

Each sequence is a pointer token →j, then a's and b's (half each, in random order), then
padding; the label is the token at position j. The baseline mean-pools token and
position embeddings, so it sees which tokens occur but not where: it stays at chance.

    python examples/train_attention.py
"""
import numpy as np

import tinygrad_sm as tg
from tinygrad_sm import data, nn, optim
from tinygrad_sm.apps.training import accuracy
from tinygrad_sm.data.sequences import token_names, vocab_size

X, y = data.pointer(n=8000, rng=0)  # int64 tokens (8000, 16), 0 = padding; labels 0/1
X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.2, rng=0)
print("example:", " ".join(token_names(X_test[0][X_test[0] != data.PAD])), "-> label", y_test[0])


def train(model, epochs=6, batch_size=64, lr=4e-3):
    opt = optim.Adam(model.parameters(), lr=lr)
    steps = epochs * -(-len(X_train) // batch_size)
    schedule = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)  # stepped once per batch
    gen = np.random.default_rng(0)
    for epoch in range(epochs):
        for xb, yb in data.minibatches(X_train, y_train, batch_size, rng=gen):
            loss = tg.cross_entropy(model(xb), yb)  # padding queries attend to nothing: no NaN
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            opt.step()
            schedule.step()
        print(f"  epoch {epoch + 1}  loss {loss.item():.4f}  test accuracy {accuracy(model, X_test, y_test):.4f}")
    return accuracy(model, X_test, y_test)


print("mean-pool baseline (embeddings + positions, masked mean, linear):")
baseline = train(nn.MeanPoolClassifier(vocab_size(), max_len=16, d_model=32, rng=0), epochs=3)
print("attention (+ 2-head self-attention with the padding mask, residual, LayerNorm):")
attention = train(nn.AttentionClassifier(vocab_size(), max_len=16, d_model=32, num_heads=2, rng=0))
print(f"baseline test accuracy {baseline:.4f}")
print(f"attention test accuracy {attention:.4f}")
