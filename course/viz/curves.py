"""Training curves and decision boundaries (matplotlib, imported when a function is called).

- ``plot_loss``: the loss against the training step, one curve or several to compare.
- ``plot_grad_norms``: a gradient norm against the time step t (how far back a gradient survives).
- ``plot_decision_boundary``: the classes a 2-D classifier predicts over the plane, with the data on top.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from . import style

__all__ = ["plot_decision_boundary", "plot_grad_norms", "plot_loss"]

_COLORS = style.CLASSES


def _number(x: Any, name: str) -> float:
    """A float from a number, a 0-d/one-element array, a one-element Tensor or a Value."""
    x = getattr(x, "data", x)  # Tensor -> ndarray, Value -> float
    a = np.asarray(x, dtype=float)
    if a.size != 1:
        raise ValueError(f"{name}: each entry must be one number, got an array of shape {a.shape}")
    return float(a.reshape(()))


def _curves(values: Any, name: str, label: str | None) -> dict[str | None, np.ndarray]:
    """``values`` as {label: 1-D float array}: a mapping gives several curves, a sequence one."""
    if isinstance(values, Mapping):
        if not values:
            raise ValueError(f"{name}: got an empty mapping of curves")
        if label is not None:
            raise ValueError(f"{name}: pass label only with a single curve; a mapping's keys are the labels")
        items = list(values.items())
    else:
        items = [(label, values)]
    curves: dict[str | None, np.ndarray] = {}
    for key, seq in items:
        if isinstance(seq, np.ndarray) and seq.ndim != 1:
            raise ValueError(f"{name}: a curve must be one-dimensional, got an array of shape {seq.shape}")
        try:
            curve = np.array([_number(v, name) for v in seq], dtype=float)
        except TypeError:
            raise TypeError(f"{name}: a curve must be a sequence of numbers, got {type(seq).__name__}") from None
        if curve.size == 0:
            what = f"the curve {key!r}" if key is not None else "the curve"
            raise ValueError(f"{name}: {what} is empty")
        curves[key] = curve
    return curves


def _new_axes(ax: Any, size: tuple[float, float]) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=size)
    return ax


def _finish(ax: Any, logy: bool, xlabel: str, ylabel: str, title: str | None, legend: bool) -> Any:
    """The axes' scale, texts, legend and grid, the same for every curve plot."""
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if legend:
        ax.legend()
    ax.grid(alpha=0.3)
    return ax


def moving_average(values: Sequence[float], window: int) -> np.ndarray:
    """The mean of each ``window`` consecutive values (shorter at the start): same length as ``values``."""
    if isinstance(window, bool) or not isinstance(window, (int, np.integer)) or window < 1:
        raise ValueError(f"moving_average: window must be a positive integer, got {window!r}")
    v = np.asarray(values, dtype=float)
    sums = np.cumsum(np.concatenate([[0.0], v]))
    idx = np.arange(1, v.size + 1)
    start = np.maximum(idx - window, 0)
    return (sums[idx] - sums[start]) / (idx - start)


def plot_loss(
    losses: Sequence[float] | Mapping[str, Sequence[float]],
    ax: Any = None,
    *,
    label: str | None = None,
    smooth: int | None = None,
    logy: bool = False,
    xlabel: str = "training step",
    ylabel: str = "loss",
    title: str | None = None,
) -> Any:
    """Plot a loss against the training step (steps numbered from 1).

    Args:
        losses: one curve (a sequence of numbers, floats or one-element Tensors) or a mapping
            ``{label: curve}`` of several, drawn in the same Axes with a legend.
        ax: matplotlib Axes to draw on; by default a new figure.
        label: the legend entry of a single curve.
        smooth: if given, draw each curve faintly and its moving average over ``smooth`` steps on top
            (for noisy mini-batch losses).
        logy: a logarithmic loss axis (every loss must then be positive).
        xlabel, ylabel, title: the Axes' texts.

    Returns:
        The matplotlib Axes drawn on.
    """
    curves = _curves(losses, "plot_loss", label)
    if logy:
        for key, c in curves.items():
            if (c <= 0).any():
                raise ValueError(f"plot_loss: logy needs positive losses, but curve {key!r} has min {c.min():.4g}")
    ax = _new_axes(ax, (6.0, 3.5))
    for i, (key, c) in enumerate(curves.items()):
        color = _COLORS[i % len(_COLORS)]
        steps = np.arange(1, c.size + 1)
        if smooth:
            ax.plot(steps, c, color=color, alpha=0.3, linewidth=1)
            ax.plot(steps, moving_average(c, smooth), color=color, label=key, linewidth=2)
        else:
            ax.plot(steps, c, color=color, label=key, linewidth=1.5)
    return _finish(ax, logy, xlabel, ylabel, title, legend=any(key is not None for key in curves))


def plot_grad_norms(
    norms: Sequence[float] | Mapping[str, Sequence[float]],
    ax: Any = None,
    *,
    steps: Sequence[int] | None = None,
    label: str | None = None,
    logy: bool = True,
    xlabel: str = "time step $t$",
    ylabel: str = r"$\|\partial L / \partial h_t\|$",
    title: str | None = None,
) -> Any:
    """Plot gradient norms against the time step, e.g. the norm of dL/dh_t for t = 1..T.

    Args:
        norms: one curve (one norm per time step) or a mapping ``{label: curve}`` of several (e.g. one
            per architecture or per weight scale), drawn in the same Axes with a legend.
        ax: matplotlib Axes to draw on; by default a new figure.
        steps: the time step of each norm; by default 1, 2, ..., T (every curve must then have its own
            length; with ``steps`` every curve must have ``len(steps)`` entries).
        label: the legend entry of a single curve.
        logy: a logarithmic norm axis (the default: vanishing and exploding gradients are exponential in
            t, hence straight lines); zero norms are then left out of the plot.
        xlabel, ylabel, title: the Axes' texts.

    Returns:
        The matplotlib Axes drawn on.
    """
    curves = _curves(norms, "plot_grad_norms", label)
    for key, c in curves.items():
        if (c < 0).any() or not np.isfinite(c).all():
            raise ValueError(f"plot_grad_norms: norms must be finite and >= 0, but curve {key!r} is not")
        if steps is not None and len(steps) != c.size:
            raise ValueError(f"plot_grad_norms: got {len(steps)} steps for a curve of {c.size} norms")
    ax = _new_axes(ax, (6.0, 3.5))
    for i, (key, c) in enumerate(curves.items()):
        t = np.arange(1, c.size + 1) if steps is None else np.asarray(steps)
        shown = c > 0 if logy else np.ones(c.size, dtype=bool)
        ax.plot(t[shown], c[shown], marker="o", markersize=3, color=_COLORS[i % len(_COLORS)],
                label=key, linewidth=1.5)
    return _finish(ax, logy, xlabel, ylabel, title, legend=any(key is not None for key in curves))


def plot_decision_boundary(
    predict_fn: Callable[[np.ndarray], Any],
    X: Any,
    y: Any,
    ax: Any = None,
    *,
    resolution: int = 200,
    margin: float = 0.25,
    title: str | None = None,
    class_names: Sequence[str] | None = None,
) -> Any:
    """Colour the plane by the class ``predict_fn`` gives each point, and draw the data on top.

    Args:
        predict_fn: maps points, a float64 array of shape (m, 2), to their classes: either integer
            classes of shape (m,) or class scores of shape (m, C) (logits or probabilities; the argmax is
            taken); a numpy array or a Tensor.
        X: the data's points, shape (n, 2).
        y: the data's integer classes, shape (n,).
        ax: matplotlib Axes to draw on; by default a new figure.
        resolution: the number of grid points along each axis.
        margin: how far the grid extends beyond the data, as a fraction of the data's range.
        title: the Axes title.
        class_names: a legend entry per class (by default "class 0", "class 1", ...).

    Returns:
        The matplotlib Axes drawn on; its first image holds the predicted classes on the grid (row i is
        the i-th y-coordinate from the bottom, column j the j-th x-coordinate from the left).
    """
    X = np.asarray(getattr(X, "data", X), dtype=float)
    y = np.asarray(getattr(y, "data", y))
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"plot_decision_boundary: X must have shape (n, 2), got {X.shape}")
    if y.shape != (X.shape[0],):
        raise ValueError(f"plot_decision_boundary: y must have shape ({X.shape[0]},) to match X, got {y.shape}")
    if y.size and (not np.issubdtype(y.dtype, np.integer) or y.min() < 0):
        raise ValueError("plot_decision_boundary: y must hold integer classes 0, 1, ...")
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) or resolution < 2:
        raise ValueError(f"plot_decision_boundary: resolution must be an integer >= 2, got {resolution!r}")

    lo, hi = X.min(axis=0), X.max(axis=0)
    pad = margin * np.maximum(hi - lo, 1e-9)
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], resolution)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], resolution)
    gx, gy = np.meshgrid(xs, ys)  # gx[i, j] = xs[j], gy[i, j] = ys[i]
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    out = predict_fn(grid)
    out = np.asarray(getattr(out, "data", out))
    m = grid.shape[0]
    if out.shape == (m,):
        if not (np.issubdtype(out.dtype, np.integer) or np.issubdtype(out.dtype, np.bool_)):
            raise ValueError("plot_decision_boundary: predict_fn returned a float vector; return integer "
                             "classes of shape (m,) or class scores of shape (m, C)")
        classes = out.astype(np.int64)
    elif out.ndim == 2 and out.shape[0] == m:
        classes = out.argmax(axis=1)
    else:
        raise ValueError(f"plot_decision_boundary: predict_fn must return classes of shape ({m},) or scores "
                         f"of shape ({m}, C) for {m} points, got shape {out.shape}")
    if classes.min() < 0:
        raise ValueError("plot_decision_boundary: predict_fn returned a negative class")
    n_classes = int(max(classes.max(), y.max() if y.size else 0)) + 1
    if n_classes > len(_COLORS):
        raise ValueError(f"plot_decision_boundary: at most {len(_COLORS)} classes can be coloured, got {n_classes}")
    if class_names is not None and len(class_names) < n_classes:
        raise ValueError(f"plot_decision_boundary: got {len(class_names)} class_names for {n_classes} classes")

    from matplotlib.colors import ListedColormap

    ax = _new_axes(ax, (5.0, 4.5))
    cmap = ListedColormap(_COLORS[:n_classes])
    ax.imshow(classes.reshape(resolution, resolution), origin="lower", cmap=cmap, alpha=0.3,
              vmin=-0.5, vmax=n_classes - 0.5, extent=(xs[0], xs[-1], ys[0], ys[-1]),
              interpolation="nearest", aspect="auto")
    for k in range(n_classes):
        pts = X[y == k]
        if len(pts):
            name = class_names[k] if class_names is not None else f"class {k}"
            ax.scatter(pts[:, 0], pts[:, 1], s=14, color=_COLORS[k], edgecolors="black", linewidths=0.4,
                       label=name)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    ax.legend(loc="best", fontsize=style.LEGEND_FONT)
    return ax
