"""Heatmaps of a recurrent network's hidden state over time (matplotlib, imported when called)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import style


def as_time_by_unit(hs: Any, name: str = "plot_hidden_states") -> np.ndarray:
    """The hidden states as a float array of shape (T, H).

    Accepts a ``Tensor`` or array of shape (T, H) or (1, T, H) (one sequence of a batch-first output),
    or a list of T tensors/arrays of shape (H,) or (1, H) (the states collected in a loop).
    """
    if isinstance(hs, (list, tuple)):
        if not hs:
            raise ValueError(f"{name}: got an empty list of hidden states")
        rows = [np.asarray(getattr(h, "data", h), dtype=float).reshape(-1) for h in hs]
        sizes = {r.size for r in rows}
        if len(sizes) != 1:
            raise ValueError(f"{name}: the hidden states have different sizes {sorted(sizes)}")
        return np.stack(rows)
    a = np.asarray(getattr(hs, "data", hs), dtype=float)
    if a.ndim == 3 and a.shape[0] == 1:
        a = a[0]
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"{name}: hidden states must have shape (T, H) or (1, T, H), got {a.shape}")
    return a


def plot_hidden_states(
    hs: Any,
    ax: Any = None,
    *,
    xs: Any = None,
    time_labels: Sequence[str] | None = None,
    unit_labels: Sequence[str] | None = None,
    title: str | None = None,
    vmax: float | None = None,
    annotate: bool | None = None,
    colorbar: bool = True,
) -> Any:
    """Draw hidden states as a heatmap: one column per time step, one row per hidden unit.

    Args:
        hs: the states h_1..h_T, shape (T, H) (see ``as_time_by_unit`` for the accepted forms).
        ax: matplotlib Axes to draw on; by default a new figure sized to the data, at most ``style.WIDTH``
            wide.
        xs: optional inputs x_1..x_T (numbers or strings, one per step), written under the columns.
        time_labels: labels of the columns instead of ``t = 1..T`` (ignored when ``xs`` is given).
        unit_labels: labels of the rows instead of ``unit 1..H``.
        title: the Axes title.
        vmax: colour range is [-vmax, vmax] (diverging around 0); default max(1, max |h|).
        annotate: write each value in its cell; default when the map has at most 200 cells and the
            cells are wide enough for the numbers at ``style.MIN_FONT``.
        colorbar: draw a colour bar beside the map.

    Returns:
        The matplotlib Axes drawn on.
    """
    import matplotlib.pyplot as plt

    a = as_time_by_unit(hs)
    steps, units = a.shape
    if xs is not None and len(xs) != steps:
        raise ValueError(f"plot_hidden_states: got {len(xs)} inputs xs for {steps} time steps")
    if unit_labels is not None and len(unit_labels) != units:
        raise ValueError(f"plot_hidden_states: got {len(unit_labels)} unit_labels for {units} hidden units")
    if time_labels is not None and len(time_labels) != steps:
        raise ValueError(f"plot_hidden_states: got {len(time_labels)} time_labels for {steps} time steps")
    if ax is None:
        width = min(style.WIDTH, 1.6 + 0.5 * steps)
        _, ax = plt.subplots(figsize=(width, min(8.0, 0.9 + 0.4 * units)), layout="constrained")
    if vmax is None:
        vmax = max(1.0, float(np.abs(a).max()) if a.size else 1.0)
    image = ax.imshow(a.T, cmap="RdBu_r", vmin=-vmax, vmax=vmax, aspect="auto", interpolation="nearest")
    if annotate is None:
        fig_width = ax.figure.get_figwidth() * ax.get_position().width
        annotate = a.size <= 200 and fig_width / steps >= 0.42  # inches a "-0.96" at 9 pt needs
    if annotate:
        for t in range(steps):
            for j in range(units):
                value = a[t, j]
                ax.text(t, j, f"{value:.2f}", ha="center", va="center", fontsize=style.MIN_FONT,
                        color="white" if abs(value) > 0.6 * vmax else "black")
    if xs is not None:
        labels = [_short(x) for x in xs]
        ax.set_xlabel("input $x_t$ at each step")
    else:
        labels = list(time_labels) if time_labels is not None else [str(t + 1) for t in range(steps)]
        ax.set_xlabel("time step $t$")
    ax.set_xticks(range(steps), labels)
    if steps > 30:  # label every k-th step so the labels do not run into each other
        k = -(-steps // 30)
        ax.set_xticks(range(0, steps, k), labels[::k])
    ax.set_yticks(range(units), list(unit_labels) if unit_labels is not None
                  else [f"unit {j + 1}" for j in range(units)])
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.04, pad=0.02, label="$h_t$")
    return ax


def _short(x: Any) -> str:
    if isinstance(x, str):
        return x
    v = np.asarray(getattr(x, "data", x), dtype=float).reshape(-1)
    return ", ".join(f"{u:g}" for u in np.round(v, 2))
