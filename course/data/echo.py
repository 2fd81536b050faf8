"""The delayed echo: a stream of random numbers, and the target at step t is the input ``delay`` steps back.

A network can only answer if it keeps each input in its hidden state for ``delay`` steps, which makes the
task a clean probe of how far back training can teach a recurrent network to remember (chapter 9: a
truncated BPTT window shorter than the delay cannot).
"""

from __future__ import annotations

import numpy as np

__all__ = ["delayed_echo"]


def delayed_echo(batch: int, steps: int, delay: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``batch`` streams of ``steps`` standard normal inputs and their targets, the inputs ``delay`` back.

    Args:
        batch: the number of independent streams B.
        steps: the length T of each stream.
        delay: how far back the target looks, 0 <= delay < steps.
        seed: the seed of the numpy generator that draws the inputs.

    Returns:
        ``(xs, targets)``, both float64 of shape (B, T, 1), with ``targets[:, t] = xs[:, t - delay]``; the
        first ``delay`` targets, whose input lies before the stream, are drawn independently (no input
        predicts them). Predicting 0 everywhere scores a mean squared error of about 1.
    """
    for name, value, low in (("batch", batch, 1), ("steps", steps, 1), ("delay", delay, 0)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"delayed_echo: {name} must be an integer >= {low}, got {value!r}")
    if delay >= steps:
        raise ValueError(f"delayed_echo: delay must be smaller than steps, got delay={delay}, steps={steps}")
    rng = np.random.default_rng(seed)
    stream = rng.standard_normal((batch, steps + delay, 1))
    return stream[:, delay:].copy(), stream[:, :steps].copy()
