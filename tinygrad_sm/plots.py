"""Training pictures: loss/accuracy curves and 2-D decision boundaries (matplotlib)."""
import numpy as np

from .training import predict

CLASS_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def _figure(**kw):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plots need matplotlib, an optional extra: pip install -e '.[train]'") from None
    return Figure(**kw)


def training_curves(history, path, title=""):
    """Loss (left) and train/test accuracy (right) against the epoch."""
    fig = _figure(figsize=(10, 4), layout="constrained")
    ax_loss, ax_acc = fig.subplots(1, 2)
    epochs = [r["epoch"] for r in history]
    ax_loss.plot(epochs, [r["loss"] for r in history], color="#1f77b4", label="training loss")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("cross-entropy (mean over minibatches)")
    ax_loss.set_yscale("log")
    ax_loss.grid(True, alpha=0.3)
    ax_loss.legend()
    ax_acc.plot(epochs, [r["train_accuracy"] for r in history], color="#1f77b4", label="train")
    if "test_accuracy" in history[0]:
        ax_acc.plot(epochs, [r["test_accuracy"] for r in history], color="#d62728", label="test")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_ylim(0, 1.02)
    ax_acc.grid(True, alpha=0.3)
    ax_acc.legend(loc="lower right")
    if title:
        fig.suptitle(title)
    fig.savefig(path, dpi=110)


def decision_boundary(model, X, y, path, title="", X_test=None, y_test=None, resolution=300):
    """The predicted class over the plane, with the training (and test) points on top."""
    from matplotlib.colors import ListedColormap
    from matplotlib.lines import Line2D

    n_classes = int(max(y.max(), y_test.max() if y_test is not None and len(y_test) else 0)) + 1
    colours = CLASS_COLOURS[:n_classes]
    every = np.vstack([X] + ([X_test] if X_test is not None else []))
    pad = 0.1 * (every.max(0) - every.min(0))
    lo, hi = every.min(0) - pad, every.max(0) + pad
    xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.c_[gx.ravel(), gy.ravel()].astype(X.dtype)
    zone = predict(model, grid).reshape(gx.shape)
    fig = _figure(figsize=(6, 5.6), layout="constrained")
    ax = fig.subplots()
    cmap = ListedColormap(colours)
    ax.contourf(gx, gy, zone, levels=np.arange(n_classes + 1) - 0.5, cmap=cmap, alpha=0.25)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=cmap, vmin=-0.5, vmax=n_classes - 0.5, s=14, edgecolors="k", linewidths=0.3)
    handles = [Line2D([], [], marker="o", ls="", color=c, markeredgecolor="k", label=f"class {i}") for i, c in enumerate(colours)]
    if X_test is not None and len(X_test):
        ax.scatter(X_test[:, 0], X_test[:, 1], c=y_test, cmap=cmap, vmin=-0.5, vmax=n_classes - 0.5, s=28,
                   marker="^", edgecolors="k", linewidths=0.5)
        handles.append(Line2D([], [], marker="^", ls="", color="w", markeredgecolor="k", label="test points"))
    ax.legend(handles=handles, loc="upper right", fontsize=8, framealpha=0.9)
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    if title:
        ax.set_title(title)
    fig.savefig(path, dpi=110)
