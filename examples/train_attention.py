"""Train a one-layer attention classifier on the pointer task, and the bag-of-embeddings
baseline beside it (about 10 s of training on 2 cores).

Each sequence is a pointer token →j, then a's and b's (half each, in random order), then
padding; the label is the token at position j. The baseline mean-pools token and
position embeddings, so it sees which tokens occur but not where: it stays at chance.
Both train with the one training loop, ``training.fit``: Adam, a cosine schedule
stepped per batch, gradients clipped to norm 1.

    python examples/train_attention.py
"""
from tinygrad_sm import data, nn
from tinygrad_sm.apps import pointer, training
from tinygrad_sm.data.sequences import token_names, vocab_size


def train(model, X_train, y_train, X_test, y_test, epochs, batch_size=64, lr=4e-3):
    opt, schedule = pointer.optimizer(model, lr, epochs, steps_per_epoch=-(-len(X_train) // batch_size))
    history = training.fit(model, opt, X_train, y_train, epochs, batch_size, rng=0, X_test=X_test, y_test=y_test,
                           schedule=schedule, schedule_per="batch", clip=1.0,
                           on_epoch=lambda r: print(f"  epoch {r['epoch']}  loss {r['loss']:.4f}  "
                                                    f"test accuracy {r['test_accuracy']:.4f}"))
    return history[-1]["test_accuracy"]


def main(n=8000, epochs=6):
    X, y = data.pointer(n=n, rng=0)  # int64 tokens (n, 16), 0 = padding; labels 0/1
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.2, rng=0)
    print("example:", " ".join(token_names(X_test[0][X_test[0] != data.PAD])), "-> label", y_test[0])
    split = (X_train, y_train, X_test, y_test)
    print("mean-pool baseline (embeddings + positions, masked mean, linear):")
    baseline = train(nn.MeanPoolClassifier(vocab_size(), max_len=16, d_model=32, rng=0), *split,
                     epochs=max(epochs // 2, 1))
    print("attention (+ 2-head self-attention with the padding mask, residual, LayerNorm):")
    attention = train(nn.AttentionClassifier(vocab_size(), max_len=16, d_model=32, num_heads=2, rng=0), *split,
                      epochs=epochs)
    print(f"baseline test accuracy {baseline:.4f}")
    print(f"attention test accuracy {attention:.4f}")


if __name__ == "__main__":
    with pointer.blas_threads(1):  # small matrix products: one BLAS thread is the fast choice
        main()
