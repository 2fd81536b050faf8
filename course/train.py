"""A training step and a progress bar: the loop every chapter writes, in one place."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

import numpy as np

from engine import Tensor

T = TypeVar("T")

# No elapsed time or rate in the bar: its text is the same on every run, so nbval can compare it.
BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt}"


def progress(iterable: Iterable[T], desc: str = "training", total: int | None = None,
             enabled: bool = True) -> Iterator[T]:
    """Wrap ``iterable`` in a progress bar (a widget in Jupyter, text in a terminal; tqdm)."""
    if not enabled:
        return iter(iterable)
    from tqdm.auto import tqdm

    return iter(tqdm(iterable, desc=desc, total=total, bar_format=BAR_FORMAT))


def train_step(loss: Tensor, params: Sequence[Tensor], optimizer: Any, clip: float | None = None) -> float:
    """Backpropagate ``loss``, optionally clip the gradient norm, update the parameters.

    Args:
        loss: the scalar loss of this step, computed by the model on a batch.
        params: the model's parameters (their gradients are reset before ``backward``).
        optimizer: anything with ``step()``, e.g. ``engine.optim.Adam``.
        clip: if given, the largest allowed total gradient norm (``engine.optim.clip_grad_norm``).

    Returns:
        The loss as a float.
    """
    from engine.optim import clip_grad_norm

    for p in params:
        p.grad = None
    loss.backward()
    if clip is not None:
        clip_grad_norm(params, clip)
    optimizer.step()
    return loss.item()


def train(step: Callable[[int], float], steps: int, desc: str = "training", progress_bar: bool = True) -> np.ndarray:
    """Run ``step(i)`` for ``i`` in ``range(steps)`` behind a progress bar; return the losses it returned."""
    return np.array([step(i) for i in progress(range(steps), desc=desc, total=steps, enabled=progress_bar)])
