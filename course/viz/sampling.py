"""Sampling with a temperature: the distribution it reshapes and an explorer with a slider (matplotlib and
ipywidgets, imported when called).

- ``temperature_probs``: softmax(z / tau), the distribution a language model samples its next token from.
- ``plot_temperatures``: that distribution at several temperatures side by side (the static twin).
- ``temperature_explorer``: a slider over tau that shows the distribution and a sample at that tau (every
  tau drawn up front by ``frames.frame_slider``, so the slider also works in the static book).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import style
from .frames import frame_slider

__all__ = ["plot_temperatures", "temperature_explorer", "temperature_probs"]


def temperature_probs(logits: Any, temperature: float) -> np.ndarray:
    """p = softmax(z / tau) along the last axis (tau > 0; small tau sharpens, large tau flattens)."""
    if not (isinstance(temperature, (int, float, np.floating)) and np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature_probs: temperature must be a positive number, got {temperature!r}")
    z = np.asarray(getattr(logits, "data", logits), dtype=float) / temperature
    if z.ndim == 0 or z.shape[-1] == 0:
        raise ValueError(f"temperature_probs: logits must have a non-empty last axis, got shape {z.shape}")
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _labels(labels: Sequence[str], n: int, name: str) -> list[str]:
    if len(labels) != n:
        raise ValueError(f"{name}: got {len(labels)} labels for {n} logits")
    return [repr(s)[1:-1] if s in ("\n", " ") else s for s in labels]  # make space and newline visible


def plot_temperatures(logits: Any, labels: Sequence[str], temperatures: Sequence[float], *,
                      top: int | None = None, title: str | None = None, columns: int = 3) -> Any:
    """Bar charts of ``temperature_probs(logits, tau)`` for each tau, one panel each, ``columns`` to a row
    (the figure is ``style.WIDTH`` wide).

    Args:
        logits: the scores of the next token, shape (V,).
        labels: the V tokens' names (a space or a newline is drawn as ``' '``/``\\n``).
        temperatures: the temperatures to draw.
        top: if given, only the ``top`` most likely tokens (at temperature 1), in that order.
        title: a title over the panels.

    Returns:
        The matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    z = np.asarray(getattr(logits, "data", logits), dtype=float)
    if z.ndim != 1:
        raise ValueError(f"plot_temperatures: logits must have shape (V,), got {z.shape}")
    names = _labels(labels, z.size, "plot_temperatures")
    if len(temperatures) == 0:
        raise ValueError("plot_temperatures: give at least one temperature")
    order = np.argsort(-z, kind="stable")[: top or z.size]
    ncols = min(len(temperatures), max(1, columns))
    nrows = -(-len(temperatures) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(style.WIDTH, 2.6 * nrows + 0.3), sharey=True,
                             squeeze=False, layout="constrained")
    for ax, tau in zip(axes.flat, temperatures):
        _bars(ax, temperature_probs(z, tau)[order], [names[i] for i in order], f"temperature {tau:g}")
    for ax in list(axes.flat)[len(temperatures):]:
        ax.set_visible(False)
    for row in axes:
        row[0].set_ylabel("probability")
    if title:
        fig.suptitle(title, fontsize=style.TITLE_FONT)
    style.enforce_min_font(fig)
    return fig


def _bars(ax: Any, probs: np.ndarray, names: list[str], title: str) -> None:
    ax.bar(np.arange(len(names)), probs, color=style.CLASSES[0])
    ax.set_xticks(np.arange(len(names)), names, fontsize=style.MIN_FONT)
    ax.set_ylim(0, 1)
    ax.set_title(title, fontsize=style.TITLE_FONT)
    ax.grid(alpha=0.3, axis="y")


def temperature_explorer(logits: Any, labels: Sequence[str], sample_fn: Callable[[float], str], *,
                         value: float = 1.0, low: float = 0.1, high: float = 2.0, step: float = 0.1,
                         top: int | None = None) -> Any:
    """A slider over the temperature: the next-token distribution at that temperature and a sample.

    Args:
        logits: the scores of the next token after some prompt, shape (V,).
        labels: the V tokens' names.
        sample_fn: ``sample_fn(tau)`` returns a text sampled at temperature ``tau`` (shown under the bars).
        value, low, high, step: the slider's start, range and step.
        top: if given, draw only the ``top`` most likely tokens.

    Returns:
        An ``ipywidgets.VBox`` holding the slider (``.children[0]``, ``.value`` the temperature) and the
        ``Stack`` of the precomputed pictures and samples (``.children[1]``), linked in the browser.
    """
    z = np.asarray(getattr(logits, "data", logits), dtype=float)
    if z.ndim != 1:
        raise ValueError(f"temperature_explorer: logits must have shape (V,), got {z.shape}")
    names = _labels(labels, z.size, "temperature_explorer")
    if not 0 < low <= value <= high:
        raise ValueError(f"temperature_explorer: needs 0 < low <= value <= high, got {low}, {value}, {high}")
    if not step > 0:
        raise ValueError(f"temperature_explorer: step must be positive, got {step}")
    order = np.argsort(-z, kind="stable")[: top or z.size]
    count = int(round((high - low) / step)) + 1
    taus = [round(low + k * step, 10) for k in range(count)]
    start = min(range(count), key=lambda k: abs(taus[k] - value))

    def draw(tau: float) -> Any:
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(style.WIDTH, 2.6), layout="constrained")
        _bars(ax, temperature_probs(z, tau)[order], [names[i] for i in order], f"temperature {tau:.2f}")
        ax.set_ylabel("probability")
        print(sample_fn(tau))
        return style.enforce_min_font(fig)

    return frame_slider(draw, taus, value=taus[start], description="temperature")
