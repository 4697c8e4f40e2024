"""Training pictures: loss/accuracy curves and 2-D decision boundaries (matplotlib).

Each function returns its ``matplotlib.figure.Figure`` (shown inline when it is the
last value of a Jupyter cell), draws into the Axes given as ``ax=`` if any, and writes
a file only when given a ``path``. No pyplot: no global figure state.

Inside IPython/Jupyter, importing this module lets a returned Figure display as a PNG,
as pyplot's inline backend would (unless a Figure formatter is already set).
"""
import sys

import numpy as np

from .training import predict

CLASS_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def _figure(**kw):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plots need matplotlib: pip install matplotlib") from None
    return Figure(**kw)


def _axes(ax, n, figsize, what):
    """A new Figure with ``n`` Axes side by side, or the given Axes and their Figure."""
    if ax is None:
        fig = _figure(figsize=figsize, layout="constrained")
        axes = fig.subplots(1, n, squeeze=False)[0]
        return fig, list(axes)
    axes = list(ax) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
    if len(axes) != n:
        raise ValueError(f"{what}: ax must be {'a pair of' if n == 2 else 'one'} matplotlib Axes, got {len(axes)}")
    return axes[0].figure, axes


def _finish(fig, path):
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


def training_curves(history, path=None, title="", ax=None):
    """Loss (left) and train/test accuracy (right) against the epoch.

    Parameters
    ----------
    history : list of dict
        What :func:`tinygrad_sm.apps.training.fit` returns.
    path : str or path-like, optional
        Also write the figure there (the format from the suffix: .png, .svg, .pdf).
    title : str
        Above both panels.
    ax : pair of matplotlib Axes, optional
        Draw the loss into ``ax[0]`` and the accuracy into ``ax[1]``; by default a new Figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
    fig, (ax_loss, ax_acc) = _axes(ax, 2, (10, 4), "training_curves")
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
    return _finish(fig, path)


def decision_boundary(model, X, y, path=None, title="", X_test=None, y_test=None, resolution=300, ax=None):
    """The predicted class over the plane, with the training (and test) points on top.

    Parameters
    ----------
    model : nn.Module
        A classifier of 2-D points (its predictions come from :func:`training.predict`).
    X, y : ndarray
        Points of shape (n, 2) and their integer labels, drawn as dots.
    path : str or path-like, optional
        Also write the figure there.
    title : str
    X_test, y_test : ndarray, optional
        Held-out points, drawn as triangles.
    resolution : int
        Grid points along each axis of the background.
    ax : matplotlib Axes, optional
        Draw into it; by default a new Figure.

    Returns
    -------
    matplotlib.figure.Figure
    """
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
    fig, (ax,) = _axes(ax, 1, (6, 5.6), "decision_boundary")
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
    return _finish(fig, path)


def _png(fig):
    from IPython.core.pylabtools import print_figure

    return print_figure(fig, "png")


def register():
    """Show a Figure returned to IPython/Jupyter as a PNG, as ``%matplotlib inline``
    would; does nothing outside IPython or where a Figure formatter is already set."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    if shell is None:
        return False
    formatters = shell.display_formatter.formatters
    for mime in ("image/png", "image/svg+xml", "image/jpeg", "application/pdf"):
        try:
            formatters[mime].lookup_by_type("matplotlib.figure.Figure")
            return False
        except KeyError:
            pass
    formatters["image/png"].for_type_by_name("matplotlib.figure", "Figure", _png)
    return True


register()  # Jupyter: a returned Figure is shown inline
