"""The book's house style: one palette (a concept keeps its colour) and one size for figures.

The book's text column is about 690 CSS px wide at 1280 px. A figure saved at ``DPI`` that is at most
``WIDTH`` inches wide is shown at its natural size, so a font of ``MIN_FONT`` points renders at
``MIN_FONT * DPI / 72`` = 12.5 CSS px, above the book's floor of 9 CSS px. A wider figure is scaled down
and its text with it: split it, or keep it to ``WIDTH``.
"""

from __future__ import annotations

from typing import Any

OP = "#fde9c9"          # an operation, a cell, the highlighted step
OP_EDGE = "#a0692b"
STATE = "#dbe9f6"       # a hidden state, a leaf value
INPUT = "#e3f1dc"       # an input x_t
OUTPUT = "#f3e0ef"      # an output y_t
NODE = "#f4f4f4"        # an intermediate value
INK = "#3b5b7a"         # outlines, the total gradient, the current step
PALE = "#9db4cc"        # the direct gradient, the other steps
CARRIED = "#f4a261"     # the gradient carried back through time
EDGE = "#555555"        # arrows and their labels
RECURRENT = "#b03a2e"   # the recurrent edge h_{t-1} -> h_t
# matplotlib's tab10, so classes keep their colour across figures
CLASSES = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]

WIDTH = 6.8        # inches: the widest figure that is not scaled down in the book's column
DPI = 100          # matplotlib's inline backend default; WIDTH * DPI = 680 px
MIN_FONT = 9.0     # points: no text in a figure smaller than this
LEGEND_FONT = MIN_FONT  # legends and tick labels
TITLE_FONT = 10.0  # panel titles


def width(fraction: float = 1.0) -> float:
    """A figure width in inches: ``fraction`` of the column (``WIDTH``)."""
    return WIDTH * fraction


def enforce_min_font(fig: Any, minimum: float | None = None) -> Any:
    """Raise every text of ``fig`` smaller than ``minimum`` points to ``minimum`` (the house rule)."""
    from matplotlib.text import Text

    minimum = MIN_FONT if minimum is None else minimum

    for ax in fig.get_axes():
        for axis in (ax.xaxis, ax.yaxis):
            for which in ("major", "minor"):
                ticks = axis.get_major_ticks() if which == "major" else axis.get_minor_ticks()
                if ticks and ticks[0].label1.get_fontsize() < minimum:
                    axis.set_tick_params(which=which, labelsize=minimum)
    for t in fig.findobj(Text):
        if t.get_fontsize() < minimum:
            t.set_fontsize(minimum)
    return fig


def panel_pairs(owner: str, count: int, columns: int, pair_height: float,
                height_ratios: tuple[float, float]) -> tuple[Any, list[tuple[Any, Any]]]:
    """A figure ``WIDTH`` wide holding ``count`` panels, each a pair of axes (one above the other, sharing
    x), ``columns`` to a row; the slots left over in the last row are hidden.

    Returns:
        The figure and the ``(top, bottom)`` axes of each panel, in order.
    """
    import matplotlib.pyplot as plt

    if count == 0:
        raise ValueError(f"{owner}: give at least one step to draw")
    if columns < 1:
        raise ValueError(f"{owner}: columns must be at least 1, got {columns}")
    ncols = min(count, columns)
    nrows = -(-count // ncols)
    fig, grid = plt.subplots(2 * nrows, ncols, figsize=(WIDTH, pair_height * nrows + 0.5), squeeze=False,
                             height_ratios=list(height_ratios) * nrows, layout="constrained")
    pairs = []
    for k in range(nrows * ncols):
        row, col = divmod(k, ncols)
        top, bottom = grid[2 * row, col], grid[2 * row + 1, col]
        if k < count:
            top.sharex(bottom)
            top.tick_params(labelbottom=False)
            pairs.append((top, bottom))
        else:
            top.set_visible(False)
            bottom.set_visible(False)
    return fig, pairs
