"""Classify the 8x8 handwritten digits (shipped with the package) with a 64-128-10 MLP.

    python examples/train_digits.py
"""
from tinygrad_sm import data, nn, optim
from tinygrad_sm.apps.training import accuracy, fit

X, y = data.digits()
X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.2, rng=0)
model = nn.MLP([64, 128, 10], activation="relu", rng=0)
opt = optim.Adam(model.parameters(), lr=1e-3)

history = fit(model, opt, X_train, y_train, epochs=30, batch_size=64, rng=0, X_test=X_test, y_test=y_test)
for record in history[::5] + history[-1:]:
    print(f"epoch {record['epoch']:2d}  loss {record['loss']:.4f}  test accuracy {record['test_accuracy']:.3f}")
print(f"final test accuracy {accuracy(model, X_test, y_test):.4f}")
