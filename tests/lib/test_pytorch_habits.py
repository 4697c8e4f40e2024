"""Scripts written from PyTorch habits, with only the import lines changed.

Each test body is what a PyTorch user types from memory: ``torch`` is tinygrad_sm,
``nn`` and ``F`` its nn and nn.functional, ``DataLoader``/``TensorDataset`` from
``utils.data``. (The digits come from ``tinygrad_sm.data``, where a PyTorch user would
reach for torchvision or scikit-learn.)
"""
import math

import tinygrad_sm as torch
import tinygrad_sm.nn as nn
import tinygrad_sm.nn.functional as F
from tinygrad_sm.data import digits
from tinygrad_sm.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(64, 64)
        self.dropout = nn.Dropout(0.1)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = F.relu(self.fc1(x))
        x = self.dropout(x)
        return self.fc2(x)


def digit_tensors():
    X, y = digits()
    X, y = torch.tensor(X), torch.tensor(y)
    perm = torch.randperm(len(X))
    train, test = perm[:1400], perm[1400:]
    return X[train], y[train], X[test], y[test]


def train_classifier(epochs=8):
    torch.manual_seed(0)
    X_train, y_train, X_test, y_test = digit_tensors()
    model = Net()
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    for epoch in range(epochs):
        model.train()
        running = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
            running += loss.item() * len(xb)
    return model, optimizer, running / len(X_train), (X_test, y_test)


def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        logits = model(X)
        pred = torch.argmax(logits, dim=1)
        return (pred == y).sum().item() / len(y)


def test_an_nn_module_classifier_on_the_digits():
    model, _, train_loss, (X_test, y_test) = train_classifier()
    assert train_loss < 0.3
    acc = accuracy(model, X_test, y_test)
    assert acc >= 0.9, acc
    assert not model.training and not model.dropout.training


def test_save_and_load_the_model_and_a_checkpoint(tmp_path):
    model, optimizer, _, (X_test, y_test) = train_classifier(epochs=2)
    torch.save(model.state_dict(), tmp_path / "model.pt")
    model2 = Net()
    model2.load_state_dict(torch.load(tmp_path / "model.pt"))
    model2.eval()
    model.eval()
    with torch.no_grad():
        assert (torch.argmax(model2(X_test), dim=1) == torch.argmax(model(X_test), dim=1)).all().item()
    torch.save({"epoch": 2, "model": model.state_dict(), "optimizer": optimizer.state_dict()}, tmp_path / "ckpt.pt")
    checkpoint = torch.load(tmp_path / "ckpt.pt")
    model3 = Net()
    optimizer3 = torch.optim.Adam(model3.parameters(), lr=1e-2)
    model3.load_state_dict(checkpoint["model"])
    optimizer3.load_state_dict(checkpoint["optimizer"])
    assert checkpoint["epoch"] == 2 and optimizer3.state_dict()["state"][0]["t"] == optimizer.state_dict()["state"][0]["t"]


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


def test_a_custom_autograd_function():
    dtype = torch.float
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    a = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    b = torch.full((), -1.0, dtype=dtype, requires_grad=True)
    c = torch.full((), 0.0, dtype=dtype, requires_grad=True)
    d = torch.full((), 0.3, dtype=dtype, requires_grad=True)
    optimizer = torch.optim.SGD([a, b, c, d], lr=5e-6)
    for t in range(2000):
        P3 = LegendrePolynomial3.apply
        y_pred = a + b * P3(c + d * x)
        loss = ((y_pred - y) ** 2).sum()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 20  # the PyTorch tutorial's fit ends near 9
    assert torch.autograd.gradcheck(LegendrePolynomial3.apply, [torch.tensor([0.3, -0.7], dtype=torch.float64)])


def test_a_raw_tensor_polynomial_fit():
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    a = torch.randn((), requires_grad=True)
    b = torch.randn((), requires_grad=True)
    c = torch.randn((), requires_grad=True)
    d = torch.randn((), requires_grad=True)
    learning_rate = 1e-6
    for t in range(2000):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad.zero_()
            b.grad.zero_()
            c.grad.zero_()
            d.grad.zero_()
    assert loss.item() < 50


def test_tensor_method_habits():
    X_train, y_train, X_test, y_test = digit_tensors()
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))
    images = X_test.view(-1, 8, 8)
    logits = model(images)
    assert logits.size(0) == len(y_test) and logits.dim() == 2
    acc = (logits.argmax(dim=1) == y_test).float().mean().item()
    assert 0 <= acc <= 1
    values, indices = logits.max(dim=1)
    assert values.shape == indices.shape == (len(y_test),)
