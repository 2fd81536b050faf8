"""How the exercises of chapter 11 (training an RNN end to end) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Question

NOTEBOOK = "11_training"


def _windows_case(rng):
    N, length = int(rng.integers(2, 30)), int(rng.integers(1, 6))
    length = min(length, N - 1)
    starts = rng.integers(0, N - length, size=int(rng.integers(1, 6)))
    starts[0] = N - length - 1  # the last possible window
    return (rng.integers(0, 27, size=N), starts, length)


def _logits_case(rng):
    N, V = int(rng.integers(1, 8)), int(rng.integers(2, 9))
    shift = rng.uniform(500, 2000, size=(N, 1)) if rng.random() < 0.4 else 0.0  # a naive exp overflows
    return (rng.normal(size=(N, V)) * 3.0 + shift, rng.integers(V, size=N))


def _temperature_case(rng):
    V = int(rng.integers(1, 9))
    return (rng.normal(size=V) * rng.choice([1.0, 100.0]), float(10 ** rng.uniform(-1.5, 1)))


def _draw_case(rng):
    V = int(rng.integers(1, 8))
    p = rng.random(V) ** 2
    return (p / p.sum(), float(rng.random()))


QUESTIONS = [
    Question(
        id="11.1", function="next_char_windows", points=2,
        public=[(np.arange(10), np.array([0, 6]), 3)],
        hidden=_windows_case, rtol=0, atol=0,
        hint="The targets are the inputs moved one step later: ids[s + 1 : s + length + 1].",
    ),
    Question(
        id="11.2", function="perplexity", points=3,
        public=[(np.zeros((4, 5)), np.array([0, 1, 2, 3])),
                (np.array([[2.0, 0.0], [0.0, 1.0]]), np.array([0, 0]))],
        hidden=_logits_case, rtol=1e-9, atol=1e-12,
        hint="Uniform logits over V classes give perplexity V; take exp of the mean negative log-probability.",
    ),
    Question(
        id="11.3", function="temperature_softmax", points=2,
        public=[(np.array([1.0, 2.0, 3.0]), 1.0), (np.array([1.0, 2.0, 3.0]), 0.5)],
        hidden=_temperature_case, rtol=1e-9, atol=1e-12,
        hint="Divide the logits by the temperature before the softmax; subtract the maximum first.",
    ),
    Question(
        id="11.4", function="draw", points=2,
        public=[(np.array([0.2, 0.5, 0.3]), 0.1), (np.array([0.2, 0.5, 0.3]), 0.2),
                (np.array([0.2, 0.5, 0.3]), 0.95)],
        hidden=_draw_case, rtol=0, atol=0,
        hint="Compare u with the running sum np.cumsum(p); u equal to a running sum moves to the next index.",
    ),
]
