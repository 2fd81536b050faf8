"""A slider over precomputed pictures: one helper behind every stepper and explorer of the book.

A slider whose callback redraws a figure needs a running kernel: in the published (static) book such a
slider moves but its figure never changes. ``frame_slider`` instead draws every frame once, up front, and
puts the pictures in an ``ipywidgets.Stack`` whose ``selected_index`` is linked to the slider *in the
browser* (``jslink``). The link is part of the saved widget state, so the same widget works in JupyterLab
and in the static HTML page, with or without a kernel.

Each frame is a PNG saved at ``style.DPI`` with a fixed size (no tight bounding box), so the picture does
not jump as the slider moves; whatever the drawing function prints is shown under its frame.
"""

from __future__ import annotations

import contextlib
import html
import io
from collections.abc import Callable, Sequence
from typing import Any

from . import style

__all__ = ["figure_png", "frame_slider", "min_font_size", "render_frame"]


def min_font_size(fig: Any) -> float:
    """The smallest font size, in points, of any visible, non-empty text in ``fig`` (inf if none).

    Tick labels count even before the figure is drawn (their size comes from the tick parameters).
    """
    from matplotlib.text import Text

    fig.canvas.draw()  # creates the tick labels at their final size
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    return min(sizes, default=float("inf"))


def figure_png(fig: Any) -> bytes:
    """``fig`` as PNG bytes at ``style.DPI``, its smallest font size recorded in the PNG's metadata.

    The size is the figure's own (``bbox_inches`` not tight), so frames of one figure size line up.
    The tEXt key ``MinFontPt`` lets the browser test check the text as rendered in the page.
    """
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    smallest = min_font_size(fig)
    buf = io.BytesIO()
    meta = {"Software": None, "MinFontPt": f"{smallest:g}"}
    fig.savefig(buf, format="png", dpi=style.DPI, metadata=meta)
    return buf.getvalue()


def render_frame(draw: Callable[[Any], Any], value: Any) -> tuple[bytes, str]:
    """Call ``draw(value)`` and return (the PNG of the figure it drew, the text it printed).

    ``draw`` draws with pyplot on a new figure and may return the figure or its Axes; a ``plt.show()``
    inside it does nothing here, and every figure it opened is closed afterwards (none reaches the page
    but as a frame).
    """
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    out = io.StringIO()
    before = set(plt.get_fignums())
    show = plt.show
    plt.show = lambda *args, **kwargs: None  # the frame is saved below, not shown by the inline backend
    try:
        with contextlib.redirect_stdout(out):
            result = draw(value)
        new = [n for n in plt.get_fignums() if n not in before]
        if isinstance(result, Figure):
            fig = result
        elif hasattr(result, "figure"):  # an Axes
            fig = result.figure
        elif isinstance(result, (list, tuple)) and result and hasattr(result[0], "figure"):
            fig = result[0].figure
        elif new:
            fig = plt.figure(new[-1])
        else:
            raise ValueError(f"frame_slider: draw({value!r}) drew no figure")
        png = figure_png(fig)
    finally:
        plt.show = show
        for n in set(plt.get_fignums()) - before:
            plt.close(n)
    return png, out.getvalue()


def frame_slider(
    draw: Callable[[Any], Any],
    values: Sequence[Any],
    *,
    value: Any = None,
    description: str = "",
    labels: Sequence[str] | None = None,
) -> Any:
    """A slider over ``values`` that shows ``draw(v)``'s figure (and printed text) for the chosen ``v``.

    Every frame is drawn now; the slider switches between them in the browser, so the widget works in
    the static book with no kernel as well as in JupyterLab.

    Args:
        draw: draws one frame for a value (see ``render_frame``).
        values: the slider's positions, in order (e.g. ``range(1, T + 1)`` or temperatures).
        value: the position shown first (default the first value).
        description: the slider's label (shown in full, never cut).
        labels: the readout for each value (default ``str(v)``, or ``f"{v:.2f}"`` for floats).

    Returns:
        An ``ipywidgets.VBox``: ``.children[0]`` is the ``SelectionSlider`` (``.value`` the chosen value,
        ``.index`` its position), ``.children[1]`` the ``Stack`` of frames.
    """
    import ipywidgets as widgets

    values = list(values)
    if not values:
        raise ValueError("frame_slider: give at least one value")
    if labels is None:
        labels = [f"{v:.2f}" if isinstance(v, float) else str(v) for v in values]
    if len(labels) != len(values):
        raise ValueError(f"frame_slider: got {len(labels)} labels for {len(values)} values")
    if len(set(labels)) != len(labels):
        raise ValueError(f"frame_slider: the labels must differ, got {list(labels)}")
    start = 0 if value is None else _index(values, value)
    frames = []
    for v in values:
        png, text = render_frame(draw, v)
        image = widgets.Image(value=png, format="png", layout=widgets.Layout(max_width="100%", height="auto"))
        if text.strip():
            note = widgets.HTML(f'<pre style="white-space: pre-wrap; margin: 0">{html.escape(text.rstrip())}'
                                "</pre>")
            frames.append(widgets.VBox([image, note]))
        else:
            frames.append(image)
    stack = widgets.Stack(frames, selected_index=start)
    slider = widgets.SelectionSlider(options=list(zip(labels, values)), index=start, description=description,
                                     continuous_update=True, style={"description_width": "initial"},
                                     layout=widgets.Layout(width="100%", max_width="680px"))
    widgets.jslink((slider, "index"), (stack, "selected_index"))
    return widgets.VBox([slider, stack])


def _index(values: list, value: Any) -> int:
    for i, v in enumerate(values):
        if v == value or (isinstance(v, float) and abs(v - value) < 1e-9):
            return i
    raise ValueError(f"frame_slider: the first value {value!r} is not one of the slider's values {values}")
