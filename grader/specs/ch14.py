"""How the exercises of chapter 14 (applications) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Question

NOTEBOOK = "14_applications"


def _mase_case(rng):
    period, n, k = int(rng.integers(1, 13)), int(rng.integers(30, 60)), int(rng.integers(1, 10))
    train = np.cumsum(rng.normal(size=n)) + np.sin(2 * np.pi * np.arange(n) / max(period, 2))
    return (rng.normal(size=k), rng.normal(size=k), train, period)


def _sample_case(rng):
    V = int(rng.integers(1, 8))
    u = float(rng.uniform(0.02, 0.98))
    logits = rng.normal(size=V) * (300.0 if rng.random() < 0.3 else 2.0)
    return (logits, float(rng.choice([0.5, 1.0, 2.0])), u)


def _sample_compare(expected, got, args):
    # An index is right if it is the expected one, or if u sits within rounding of a CDF boundary.
    if isinstance(got, (int, np.integer)) and int(got) == int(expected):
        return None
    logits, temperature, u = args
    z = np.asarray(logits, dtype=float) / temperature
    p = np.exp(z - z.max())
    cdf = np.cumsum(p / p.sum())
    if isinstance(got, (int, np.integer)) and abs(int(got) - int(expected)) == 1 and \
            np.min(np.abs(cdf - u)) < 1e-9:
        return None
    return f"expected index {int(expected)}, got {got!r}"


def _confusion_case(rng):
    C, n = int(rng.integers(1, 5)), int(rng.integers(1, 30))
    return (rng.integers(C, size=n), rng.integers(C, size=n), C)


QUESTIONS = [
    Question(
        id="14.1", function="mase", points=2,
        public=[(np.array([3.0, 5.0]), np.array([2.0, 5.0]), np.array([1.0, 2.0, 4.0, 4.0]), 2)],
        hidden=_mase_case, rtol=1e-9, atol=1e-12,
        hint="The scale uses the training series only: differences between values one period apart.",
    ),
    Question(
        id="14.2", function="sample_index", points=2,
        public=[(np.array([0.0, 0.0, 0.0, 0.0]), 1.0, 0.6), (np.array([1.0, 2.0, 3.0]), 0.5, 0.1),
                (np.array([1000.0, 0.0]), 1.0, 0.5)],
        hidden=_sample_case, compare=_sample_compare,
        hint="Divide the logits by the temperature before the softmax, then count how many CDF values are <= u.",
    ),
    Question(
        id="14.3", function="confusion_matrix", points=1,
        public=[(np.array([0, 1, 1, 2]), np.array([0, 2, 1, 2]), 3)], hidden=_confusion_case, rtol=0, atol=0,
        hint="Rows are the true classes and columns the predictions; np.add.at counts repeated pairs.",
    ),
]
