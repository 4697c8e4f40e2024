"""The attention weights of one example as a heatmap: which key each query attended to."""
import numpy as np

from .plots import _figure


def attention_plot(weights, names=None, head=None, ax=None, title="", path=None):
    """Draw one example's attention weights; return the matplotlib Figure (written to
    ``path`` too, when given).

    Parameters
    ----------
    weights : array_like (Lq, Lk) or (H, Lq, Lk)
        One example's weights (a padding query's row is all zeros).
    names : sequence of str, optional
        Token names along both axes (queries down, keys across).
    head : int, optional
        With (H, Lq, Lk) weights, draw only this head; otherwise one panel per head.
    ax : matplotlib Axes, or a sequence of H Axes, optional
        Where to draw; by default a new Figure.
    title : str
    path : str or path-like, optional
        Also write the figure there (the format from the suffix).
    """
    w = np.asarray(weights.numpy() if hasattr(weights, "numpy") else weights, dtype=np.float64)
    if w.ndim == 3 and head is not None:
        w = w[head]
    if w.ndim == 2:
        w = w[None]
        labels = [f"head {head}" if head is not None else ""]
    elif w.ndim == 3:
        labels = [f"head {h}" for h in range(w.shape[0])]
    else:
        raise ValueError(f"attention_plot: weights must have shape (Lq, Lk) or (H, Lq, Lk), got {w.shape}")
    if ax is None:
        fig = _figure(figsize=(0.5 + 4.2 * len(w), 4.4), layout="constrained")
        axes = fig.subplots(1, len(w), squeeze=False)[0]
    else:
        axes = list(ax) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
        if len(axes) != len(w):
            raise ValueError(f"attention_plot: {len(w)} panels to draw but {len(axes)} axes given")
        fig = axes[0].figure
    image = None
    for a, wh, label in zip(axes, w, labels):
        image = a.imshow(wh, vmin=0, vmax=1, cmap="viridis", interpolation="nearest")
        a.set_xlabel("key")
        a.set_ylabel("query")
        if names is not None:
            a.set_xticks(range(len(names)), names, fontsize=7)
            a.set_yticks(range(len(names)), names, fontsize=7)
        if label:
            a.set_title(label, fontsize=9)
    fig.colorbar(image, ax=list(axes), shrink=0.8, label="attention weight")
    if title:
        fig.suptitle(title, fontsize=10)
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig
