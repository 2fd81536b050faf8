"""Backpropagation through time, step by step backwards (matplotlib and ipywidgets, imported when called).

At step t the gradient of the loss with respect to the hidden state h_t has two sources: the step's own
loss L_t ("direct", dL_t/dh_t) and everything later, arriving from h_{t+1} ("carried"):

    dL/dh_t = dL_t/dh_t + (dL/dh_{t+1} * act'(a_{t+1})) W_hh^T.

``bptt_norms`` splits the per-step gradients into these parts; ``plot_bptt_step`` draws the backward pass
as it stands after reaching step t (steps T..t done, earlier steps still to come); ``plot_bptt_steps``
draws several such moments side by side (the printed book's figure) and ``bptt_stepper`` puts a slider on
``plot_bptt_step`` that starts at t = T and moves backwards (``frames.frame_slider``: all steps drawn up
front, so the slider also works in the static book).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import style
from .frames import frame_slider

__all__ = ["bptt_norms", "bptt_stepper", "plot_bptt_step", "plot_bptt_steps"]

_DIRECT = style.PALE
_CARRIED = style.CARRIED
_TOTAL = style.INK
_HIGHLIGHT = style.OP


def _per_step(grads: Any, name: str, what: str) -> np.ndarray:
    """The gradients as a float array of shape (T, n): one flattened row per time step."""
    if isinstance(grads, (list, tuple)):
        if not grads:
            raise ValueError(f"{name}: {what} is an empty list; give one gradient per time step")
        rows = [np.asarray(getattr(g, "data", g), dtype=float).reshape(-1) for g in grads]
        sizes = sorted({r.size for r in rows})
        if len(sizes) != 1:
            raise ValueError(f"{name}: the gradients in {what} have different sizes {sizes}")
        a = np.stack(rows)
    else:
        a = np.asarray(getattr(grads, "data", grads), dtype=float)
        if a.ndim == 0 or a.shape[0] == 0:
            raise ValueError(f"{name}: {what} must have the time steps first, shape (T, ...), got {a.shape}")
        a = a.reshape(a.shape[0], -1)
    if a.shape[1] == 0:
        raise ValueError(f"{name}: the gradients in {what} are empty")
    if not np.isfinite(a).all():
        raise ValueError(f"{name}: {what} holds non-finite values (inf or nan)")
    return a


def _prepare(direct: Any, total: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    d = _per_step(direct, name, "direct")
    g = _per_step(total, name, "total")
    if d.shape != g.shape:
        raise ValueError(f"{name}: direct has {d.shape[0]} steps of {d.shape[1]} numbers but total has "
                         f"{g.shape[0]} steps of {g.shape[1]}; give both per step, same shapes")
    return d, g


def bptt_norms(direct: Any, total: Any) -> dict[str, np.ndarray]:
    """The norms, per time step, of the three gradients BPTT adds at each hidden state.

    Args:
        direct: dL_t/dh_t for t = 1..T, the gradient from step t's own loss: an array of shape (T, ...)
            (time first, e.g. (T, B, H)) or a list of T arrays or Tensors.
        total: dL/dh_t for t = 1..T, the whole gradient at h_t (e.g. ``h_t.grad`` after ``retain_grad()``),
            same shapes as ``direct``.

    Returns:
        ``{"direct": ..., "carried": ..., "total": ...}``, each of shape (T,): the Euclidean norms of
        dL_t/dh_t, of the part carried back from h_{t+1} (total - direct), and of dL/dh_t.
    """
    d, g = _prepare(direct, total, "bptt_norms")
    return {"direct": np.linalg.norm(d, axis=1), "carried": np.linalg.norm(g - d, axis=1),
            "total": np.linalg.norm(g, axis=1)}


def plot_bptt_step(direct: Any, total: Any, t: int, *, axes: Sequence[Any] | None = None,
                   title: bool = True) -> Sequence[Any]:
    """Draw the backward pass through time when it has just reached step ``t``.

    The upper panel is a heatmap of dL/dh_s (one column per step s, one row per component) with the steps
    not reached yet (s < t) left blank; the lower panel shows, for s = t..T, the norms of dL_s/dh_s
    (direct), of the gradient carried from h_{s+1} and of their sum dL/dh_s, with an arrow for the
    gradient arriving at step t from step t + 1. Colour and norm scales are fixed over all steps, so
    panels for different t compare.

    Args:
        direct: dL_t/dh_t per step, shape (T, ...) or a list of T arrays (see ``bptt_norms``).
        total: dL/dh_t per step, same shapes.
        t: the step the backward pass has reached, 1 <= t <= T.
        axes: two matplotlib Axes (heatmap, norms); by default a new figure.
        title: write the three norms at step t in the upper panel's title.

    Returns:
        The two Axes drawn on.
    """
    import matplotlib.pyplot as plt

    d, g = _prepare(direct, total, "plot_bptt_step")
    steps, n = g.shape
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 1 <= t <= steps:
        raise ValueError(f"plot_bptt_step: t must be an integer between 1 and {steps}, got {t!r}")
    norms = bptt_norms(d, g)
    if axes is None:
        _, axes = plt.subplots(2, 1, figsize=(style.WIDTH, 4.4), sharex=True, height_ratios=[1, 1.3],
                               layout="constrained")
    ax_map, ax_norm = axes
    time = np.arange(1, steps + 1)

    scale = float(np.abs(g).max()) or 1.0
    shown = np.ma.masked_array(g.T, mask=np.broadcast_to(time < t, (n, steps)))
    ax_map.imshow(shown, cmap="RdBu_r", vmin=-scale, vmax=scale, aspect="auto", interpolation="nearest",
                  extent=(0.5, steps + 0.5, n - 0.5, -0.5))
    ax_map.add_patch(plt.Rectangle((t - 0.5, -0.5), 1, n, fill=False, edgecolor="black", lw=2))
    ax_map.set_ylabel("component")
    ax_map.set_yticks([])

    ax_norm.axvspan(t - 0.5, t + 0.5, color=_HIGHLIGHT, zorder=0)
    done = time >= t
    width = 0.27
    ax_norm.bar(time[done] - width, norms["direct"][done], width, color=_DIRECT, label=r"from $L_t$ (direct)")
    ax_norm.bar(time[done], norms["carried"][done], width, color=_CARRIED, label=r"from $h_{t+1}$ (carried)")
    ax_norm.bar(time[done] + width, norms["total"][done], width, color=_TOTAL, label=r"$\partial L/\partial h_t$")
    top = 1.25 * max(float(max(norms["total"].max(), norms["direct"].max(), norms["carried"].max())), 1e-12)
    ax_norm.set_ylim(0, top)
    if t < steps:
        y = 0.85 * top
        ax_norm.annotate("", xy=(t + 0.2, y), xytext=(t + 0.9, y),
                         arrowprops=dict(arrowstyle="-|>", color=_CARRIED, lw=2))
    ax_norm.set_xlim(0.5, steps + 0.5)
    ax_norm.set_xticks(time)
    ax_norm.set_xlabel("time step $t$ (the backward pass runs from $T$ down to 1)")
    ax_norm.set_ylabel("norm")
    ax_norm.legend(loc="upper left", fontsize=style.LEGEND_FONT, framealpha=0.9)
    ax_norm.grid(alpha=0.3, axis="y")
    if title:
        i = t - 1
        ax_map.set_title(f"t = {t}:  norm from $L_t$ {norms['direct'][i]:.3f},  from $h_{{t+1}}$ "
                         f"{norms['carried'][i]:.3f},  total {norms['total'][i]:.3f}", fontsize=style.TITLE_FONT)
    return axes


def plot_bptt_steps(direct: Any, total: Any, steps: Sequence[int], *, columns: int = 3) -> Any:
    """Several ``plot_bptt_step`` panels, ``columns`` to a row, in the order given: the static twin of
    ``bptt_stepper`` for print (give the steps in decreasing order, as the backward pass meets them).

    The figure is ``style.WIDTH`` wide (more steps make more rows), so it is not shrunk in the column.

    Returns:
        The matplotlib Figure.
    """

    fig, pairs = style.panel_pairs("plot_bptt_steps", len(steps), columns, 3.6, (1, 1.3))
    for k, (t, (top, bottom)) in enumerate(zip(steps, pairs)):
        col = k % min(len(steps), columns)
        plot_bptt_step(direct, total, t, axes=(top, bottom), title=False)
        top.set_title(f"backward pass at t = {t}", fontsize=style.TITLE_FONT)
        bottom.set_xlabel("time step $t$")
        if bottom.get_xticks().size > 6:  # narrow panels: label every other step so ticks do not collide
            bottom.set_xticks(bottom.get_xticks()[::2])
        bottom.get_legend().remove()
        if col:
            top.set_ylabel("")
            bottom.set_ylabel("")
    handles, labels = pairs[0][1].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(handles), fontsize=style.LEGEND_FONT)
    style.enforce_min_font(fig)
    return fig


def bptt_stepper(direct: Any, total: Any, *, start: int | None = None) -> Any:
    """A slider over the time steps that shows ``plot_bptt_step``; it starts at t = T (the end of the
    sequence, where the backward pass begins): move it left to follow the gradient back in time.

    Args:
        direct: dL_t/dh_t per step (see ``bptt_norms``).
        total: dL/dh_t per step.
        start: the step shown first (default T).

    Returns:
        An ``ipywidgets.VBox`` holding the slider (``.children[0]``, ``.value`` the step t) and the
        ``Stack`` of the T precomputed pictures (``.children[1]``), linked in the browser.
    """
    d, g = _prepare(direct, total, "bptt_stepper")
    steps = g.shape[0]
    start = steps if start is None else start
    if isinstance(start, bool) or not isinstance(start, (int, np.integer)) or not 1 <= start <= steps:
        raise ValueError(f"bptt_stepper: start must be an integer between 1 and {steps}, got {start!r}")

    def draw(t: int) -> Any:
        axes = plot_bptt_step(d, g, t)
        return style.enforce_min_font(axes[0].figure)

    return frame_slider(draw, range(1, steps + 1), value=int(start), description="step t")
