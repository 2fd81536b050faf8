"""Interactive explorers with a static twin for the printed book (matplotlib and ipywidgets, imported when
called).

``sequence_stepper`` walks a sequence one time step at a time with a slider; ``plot_step`` draws one step
of it, and ``plot_steps`` several steps side by side (what the printed page shows instead of the slider).
The slider is ``frames.frame_slider``: every step is drawn up front, so it also works in the static book.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import style
from .frames import frame_slider
from .heatmap import as_time_by_unit

_HIGHLIGHT = style.OP
_STYLES = ("o-", "s--", "^:", "d-.")  # one per unit, so overlapping units stay visible


def _prepare(xs: Any, hs: Any, h0: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Inputs as (T, D) and states as (T + 1, H) with h_0 first."""
    x = as_time_by_unit(xs, name)
    h = as_time_by_unit(hs, name)
    if x.shape[0] != h.shape[0]:
        raise ValueError(f"{name}: xs has {x.shape[0]} time steps but hs has {h.shape[0]}")
    if h0 is None:
        start = np.zeros((1, h.shape[1]))
    else:
        start = np.asarray(getattr(h0, "data", h0), dtype=float).reshape(1, -1)
        if start.shape[1] != h.shape[1]:
            raise ValueError(f"{name}: h0 has {start.shape[1]} units but hs has {h.shape[1]}")
    return x, np.concatenate([start, h])


def _vector(v: np.ndarray) -> str:
    return "[" + ", ".join(f"{u:.2f}" for u in v) + "]" if v.size > 1 else f"{v[0]:.2f}"


def plot_step(
    xs: Any,
    hs: Any,
    t: int,
    *,
    h0: Any = None,
    axes: Sequence[Any] | None = None,
    unit_labels: Sequence[str] | None = None,
    title: bool = True,
    legend: bool = True,
) -> Sequence[Any]:
    """Draw step ``t`` of a recurrent unit: the inputs above, the hidden state below, step t highlighted.

    The hidden-state panel shows h_0..h_t (the future is not drawn yet) and an arrow from h_{t-1} to h_t;
    the title writes x_t, h_{t-1} and h_t out.

    Args:
        xs: the inputs x_1..x_T, shape (T,) or (T, D).
        hs: the states h_1..h_T, shape (T, H), e.g. from a loop over ``RNNCell`` or ``RNN`` outputs[0].
        t: the step to show, 1 <= t <= T.
        h0: the initial state (zeros by default).
        axes: two matplotlib Axes (inputs, states); by default a new figure.
        unit_labels: names of the hidden units for the legend.
        title: write x_t, h_{t-1}, h_t in the title of the upper panel.
        legend: label the hidden units in a legend (when there are several, or ``unit_labels`` is given).

    Returns:
        The two Axes drawn on.
    """
    import matplotlib.pyplot as plt

    x, h = _prepare(xs, hs, h0, "plot_step")
    steps, units = x.shape[0], h.shape[1]
    if not 1 <= t <= steps:
        raise ValueError(f"plot_step: t must be between 1 and {steps}, got {t}")
    if unit_labels is not None and len(unit_labels) != units:
        raise ValueError(f"plot_step: got {len(unit_labels)} unit_labels for {units} hidden units")
    if axes is None:
        _, axes = plt.subplots(2, 1, figsize=(style.WIDTH, 3.8), sharex=True, height_ratios=[1, 1.6],
                                layout="constrained")
    ax_x, ax_h = axes
    time = np.arange(steps + 1)
    for ax in (ax_x, ax_h):
        ax.axvspan(t - 0.5, t + 0.5, color=_HIGHLIGHT, zorder=0)
        ax.grid(alpha=0.3)
    width = 0.8 / x.shape[1]
    for d in range(x.shape[1]):
        colors = [style.INK if s == t else style.PALE for s in range(1, steps + 1)]
        ax_x.bar(time[1:] + (d - (x.shape[1] - 1) / 2) * width, x[:, d], width=width, color=colors, zorder=2)
    ax_x.set_ylabel("$x_t$")
    ax_x.axhline(0, color="black", lw=0.6)
    low, high = min(-1.0, float(h.min())), max(1.0, float(h.max()))
    pad = 0.08 * (high - low)
    for j in range(units):
        label = unit_labels[j] if unit_labels is not None else (f"unit {j + 1}" if units > 1 else "$h_t$")
        line, = ax_h.plot(time[: t + 1], h[: t + 1, j], _STYLES[j % len(_STYLES)], ms=4, label=label, zorder=3)
        ax_h.annotate("", xy=(t, h[t, j]), xytext=(t - 1, h[t - 1, j]), zorder=4,
                      arrowprops=dict(arrowstyle="-|>", color=line.get_color(), lw=2))
    ax_h.set_ylim(low - pad, high + pad)
    ax_h.set_xlim(-0.6, steps + 0.6)
    ax_h.set_xticks(time)
    ax_h.set_xlabel("time step $t$ ($t = 0$ is the initial state $h_0$)")
    ax_h.set_ylabel("$h_t$")
    if legend and (units > 1 or unit_labels is not None):
        ax_h.legend(loc="lower right", fontsize=style.LEGEND_FONT, framealpha=0.9)
    if title:
        ax_x.set_title(f"t = {t}:  $x_t$ = {_vector(x[t - 1])},  $h_{{t-1}}$ = {_vector(h[t - 1])}  "
                       f"$\\to$  $h_t$ = {_vector(h[t])}", fontsize=style.TITLE_FONT)
    return axes


def plot_steps(xs: Any, hs: Any, steps: Sequence[int], *, h0: Any = None,
               unit_labels: Sequence[str] | None = None, columns: int = 2) -> Any:
    """Several ``plot_step`` panels, ``columns`` to a row: the static twin of ``sequence_stepper`` for print.

    The figure is ``style.WIDTH`` wide whatever the number of steps (more steps make more rows), so it is
    shown at its natural size in the book's column and no text falls under ``style.MIN_FONT``.

    Returns:
        The matplotlib Figure.
    """

    fig, pairs = style.panel_pairs("plot_steps", len(steps), columns, 3.4, (1, 1.6))
    for k, (t, (top, bottom)) in enumerate(zip(steps, pairs)):
        col = k % min(len(steps), columns)
        plot_step(xs, hs, t, h0=h0, axes=(top, bottom), unit_labels=unit_labels, title=False, legend=False)
        top.set_title(f"step t = {t}", fontsize=style.TITLE_FONT)
        bottom.set_xlabel("time step $t$")
        if col:
            top.set_ylabel("")
            bottom.set_ylabel("")
    handles, labels = pairs[0][1].get_legend_handles_labels()
    if len(handles) > 1 or unit_labels is not None:
        fig.legend(handles, labels, loc="outside lower center", ncols=min(len(handles), 2),
                   fontsize=style.LEGEND_FONT)
    style.enforce_min_font(fig)
    return fig


def sequence_stepper(xs: Any, hs: Any, *, h0: Any = None, unit_labels: Sequence[str] | None = None,
                     start: int = 1) -> Any:
    """A slider over the time steps that shows ``plot_step`` for the chosen step (kernel or not).

    Args:
        xs: the inputs x_1..x_T, shape (T,) or (T, D).
        hs: the states h_1..h_T, shape (T, H).
        h0: the initial state (zeros by default).
        unit_labels: names of the hidden units.
        start: the step shown first.

    Returns:
        An ``ipywidgets.VBox`` holding the slider (``.children[0]``, ``.value`` the step t) and the
        ``Stack`` of the T precomputed pictures (``.children[1]``), linked in the browser.
    """
    x, h = _prepare(xs, hs, h0, "sequence_stepper")
    steps = x.shape[0]
    if not 1 <= start <= steps:
        raise ValueError(f"sequence_stepper: start must be between 1 and {steps}, got {start}")

    def draw(t: int) -> Any:
        axes = plot_step(x, h[1:], t, h0=h[0], unit_labels=unit_labels)
        return style.enforce_min_font(axes[0].figure)

    return frame_slider(draw, range(1, steps + 1), value=start, description="step t")
