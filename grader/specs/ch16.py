"""How the exercises of chapter 16 (deep and bidirectional RNNs) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Mutant, Question

NOTEBOOK = "16_deep_bidirectional"


def _stack_case(rng):
    B, T, n_in, H = int(rng.integers(1, 4)), int(rng.integers(1, 6)), int(rng.integers(1, 4)), int(rng.integers(1, 5))
    s = 0.8
    return (rng.normal(size=(B, T, n_in)), s * rng.normal(size=(n_in, H)), s * rng.normal(size=(H, H)),
            s * rng.normal(size=H), s * rng.normal(size=(H, H)), s * rng.normal(size=(H, H)),
            s * rng.normal(size=H))


def _reverse_case(rng):
    B, T, F = int(rng.integers(1, 5)), int(rng.integers(1, 7)), int(rng.integers(1, 3))
    lengths = rng.integers(1, T + 1, size=B)
    lengths[0] = T if rng.random() < 0.5 else 1  # the edges: a full row, a one-step row
    return (rng.normal(size=(B, T, F)), lengths.astype(np.int64))


def _summary_case(rng):
    L, D, B, H = int(rng.integers(1, 4)), int(rng.integers(1, 3)), int(rng.integers(1, 4)), int(rng.integers(1, 4))
    return (rng.normal(size=(L * D, B, H)), L, bool(D == 2))


_STACK_PUBLIC = [
    (np.arange(12.0).reshape(2, 3, 2) / 10, np.array([[0.5, -0.2, 0.1], [0.3, 0.4, -0.6]]),
     np.eye(3) * 0.5, np.array([0.1, 0.0, -0.1]), np.array([[0.2, 0.1, 0.0], [-0.3, 0.5, 0.2], [0.1, 0.1, 0.1]]),
     np.eye(3) * -0.4, np.array([0.0, 0.2, 0.0])),
]

_LAYER_1 = "h1 = np.tanh(xs[:, t] @ W_xh1 + h1 @ W_hh1 + b1)\n        "
_LAYER_2 = "h2 = np.tanh(h1 @ W_xh2 + h2 @ W_hh2 + b2)\n        "

QUESTIONS = [
    Question(
        id="16.1", function="two_layer_rnn", points=3,
        public=_STACK_PUBLIC, hidden=_stack_case, rtol=1e-9, atol=1e-12, returns=("outputs", "h_n"),
        hint="Layer 2's input at step t is layer 1's state at the same step, and each layer carries its "
             "own state from step to step.",
        mutants=(
            Mutant("layer 2 reads layer 1's state of the previous step", _LAYER_1 + _LAYER_2, _LAYER_2 + _LAYER_1),
            Mutant("layer 2 uses layer 1's recurrent weights", "h2 @ W_hh2", "h2 @ W_hh1"),
            Mutant("outputs of layer 1 returned", "outputs[:, t] = h2", "outputs[:, t] = h1"),
            Mutant("final states in the wrong order", "np.stack([h1, h2])", "np.stack([h2, h1])"),
        ),
    ),
    Question(
        id="16.2", function="reverse_padded", points=3,
        public=[(np.arange(8.0).reshape(2, 4, 1), np.array([3, 4])),
                (np.arange(12.0).reshape(2, 3, 2), np.array([1, 2]))],
        hidden=_reverse_case, rtol=0, atol=0, returns="reversed batch",
        hint="Position t of row b reads step lengths[b] - 1 - t while t < lengths[b], and itself after.",
        mutants=(
            Mutant("the whole row reversed, padding first", "return xs[np.arange(B)[:, None], index]",
                   "return xs[:, ::-1]"),
            Mutant("off by one: lengths - t", "lengths[:, None] - 1 - t, t)",
                   "np.minimum(lengths[:, None] - t, T - 1), t)"),
            Mutant("padding reversed too", "lengths[:, None] - 1 - t, t)", "lengths[:, None] - 1 - t, T - 1 - t)"),
        ),
    ),
    Question(
        id="16.3", function="last_layer_summary", points=2,
        public=[(np.arange(24.0).reshape(4, 2, 3), 2, True), (np.arange(12.0).reshape(2, 2, 3), 2, False)],
        hidden=_summary_case, rtol=0, atol=0, returns="summary",
        hint="h_n holds num_layers blocks of D states each; the last block is the last layer.",
        mutants=(
            Mutant("only the very last state", "return np.concatenate(list(last), axis=-1)",
                   "return h_n[-1] if D == 1 else np.concatenate([h_n[-1], h_n[-1]], axis=-1)"),
            Mutant("the first layer instead of the last", "[-1]\n", "[0]\n"),
            Mutant("backward before forward", "np.concatenate(list(last), axis=-1)",
                   "np.concatenate(list(last)[::-1], axis=-1)"),
        ),
    ),
]
