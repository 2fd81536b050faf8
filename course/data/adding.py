"""The adding problem: a test of long-range memory for recurrent networks.

The task is Hochreiter and Schmidhuber's (1997, experiment 4), in the form Le, Jaitly and Hinton (2015)
used for the IRNN.

Each sequence has ``T`` steps of two channels. Channel 0 holds numbers drawn uniformly from [0, 1];
channel 1 is 0 everywhere except at exactly two steps, marked 1: one in the first half of the sequence
(steps ``0 .. T//2 - 1``) and one in the second half (steps ``T//2 .. T - 1``). The target is the sum of
the two marked numbers, a value in [0, 2], read after the last step (many-to-one, mean squared error).

The target is read after the last step, ``T - 1``. The first marked number sits at a step drawn
uniformly from ``[0, T/2)``, so it lies between ``T - T//2`` and ``T - 1`` steps before the last one
(25 to 49 steps for T = 50): a network must carry it across at least ``T - T//2`` steps.
A model that ignores its input and always answers 1 (the mean of the target) has expected squared error
Var(u + v) = 1/12 + 1/12 = 1/6, about 0.167 (``BASELINE_MSE``): beating it clearly
means the network has learned to remember.

Example::

    >>> xs, y = make_adding(4, T=10, seed=0)       # xs (4, 10, 2), y (4, 1)
    >>> batches = adding_batches(T=10, batch_size=32, seed=0)
    >>> xs, y = next(batches)                      # a fresh batch every time
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

#: the expected squared error of always predicting 1: the variance of the sum of two U(0, 1) numbers
BASELINE_MSE: float = 1.0 / 6.0
#: a model has learned the task when its held-out MSE is below half the baseline
SOLVED_MSE: float = BASELINE_MSE / 2
#: the benchmark chapters 10 and 12 share: T = 50 steps, 1,200 Adam steps on batches of 32
BENCHMARK_T: int = 50
BENCHMARK_STEPS: int = 1200
BENCHMARK_BATCH: int = 32


def _check(name: str, n: int, T: int) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{name}: the number of sequences must be a positive integer, got {n!r}")
    if isinstance(T, bool) or not isinstance(T, (int, np.integer)) or T < 2:
        raise ValueError(f"{name}: T must be an integer >= 2 (one marker in each half), got {T!r}")


def adding_batch(n: int, T: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` adding-problem sequences of length ``T`` drawn from ``rng``.

    Args:
        n: the number of sequences (the batch size).
        T: the number of time steps, at least 2.
        rng: the numpy Generator to draw from (advanced in place).

    Returns:
        ``(xs, y)``: float64 inputs of shape (n, T, 2), channel 0 the numbers and channel 1 the two
        markers; float64 targets of shape (n, 1), the sum of the two marked numbers.
    """
    _check("adding_batch", n, T)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"adding_batch: rng must be a numpy Generator, got {type(rng).__name__}")
    half = T // 2
    values = rng.random((n, T))
    first = rng.integers(0, half, size=n)  # a step of the first half
    second = rng.integers(half, T, size=n)  # a step of the second half
    markers = np.zeros((n, T))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    xs = np.stack([values, markers], axis=-1)
    y = (values[rows, first] + values[rows, second])[:, None]
    return xs, y


def make_adding(n: int, T: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A fixed set of ``n`` adding-problem sequences of length ``T`` (e.g. a test set).

    Args:
        n: the number of sequences.
        T: the number of time steps, at least 2.
        seed: the seed of the generator; the same seed gives the same data.

    Returns:
        ``(xs, y)`` of shapes (n, T, 2) and (n, 1), as ``adding_batch``.
    """
    _check("make_adding", n, T)
    return adding_batch(n, T, np.random.default_rng(seed))


def adding_test_set(T: int, n: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """The held-out sequences every model is scored on at length ``T``: ``make_adding(n, T, 1000 + T)``.

    Training streams use seeds below 1000 (``adding_batches(T, 32, seed=s + 1)`` for model seed ``s``),
    so the test set never repeats a training batch's generator.
    """
    _check("adding_test_set", n, T)
    return make_adding(n, T, seed=1000 + T)


def first_marker_distance(xs: np.ndarray) -> np.ndarray:
    """How many steps before the last step each sequence's first marker lies, shape (n,).

    Args:
        xs: adding-problem inputs of shape (n, T, 2), as ``make_adding`` returns.
    """
    xs = np.asarray(xs)
    if xs.ndim != 3 or xs.shape[-1] != 2:
        raise ValueError(f"first_marker_distance: xs must have shape (n, T, 2), got {xs.shape}")
    T = xs.shape[1]
    return T - 1 - np.argmax(xs[..., 1] == 1, axis=1)


def adding_batches(T: int, batch_size: int, seed: int = 0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """An endless, seeded stream of fresh training batches ``(xs, y)`` of the adding problem.

    Args:
        T: the number of time steps, at least 2.
        batch_size: the number of sequences per batch.
        seed: the seed of the stream's generator; the same seed gives the same batches in order.

    Returns:
        An iterator; ``next`` gives ``(xs, y)`` of shapes (batch_size, T, 2) and (batch_size, 1).
    """
    _check("adding_batches", batch_size, T)

    def stream() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        rng = np.random.default_rng(seed)
        while True:
            yield adding_batch(batch_size, T, rng)

    return stream()


__all__ = ["BASELINE_MSE", "BENCHMARK_BATCH", "BENCHMARK_STEPS", "BENCHMARK_T", "SOLVED_MSE", "adding_batch",
           "adding_batches", "adding_test_set", "first_marker_distance", "make_adding"]
