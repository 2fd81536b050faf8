"""How the exercises of chapter 12 (gated cells) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Question

NOTEBOOK = "12_gated_cells"


def _lstm_case(rng):
    B, n_in, H = int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 5))
    scale = 3.0 if rng.random() < 0.3 else 0.5  # sometimes saturated gates
    return (rng.normal(size=(B, n_in)), rng.normal(size=(B, H)), rng.normal(size=(B, H)),
            scale * rng.normal(size=(n_in, 4 * H)), scale * rng.normal(size=(H, 4 * H)), rng.normal(size=4 * H))


def _gru_case(rng):
    B, n_in, H = int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 5))
    return (rng.normal(size=(B, n_in)), rng.normal(size=(B, H)), rng.normal(size=(n_in, 3 * H)),
            rng.normal(size=(H, 3 * H)), rng.normal(size=3 * H), rng.normal(size=3 * H))


def _path_case(rng):
    T, H = int(rng.integers(1, 12)), int(rng.integers(1, 5))
    return (rng.normal(size=H), rng.uniform(0, 1, size=(T, H)))


def _count_case(rng):
    return (str(rng.choice(["rnn", "lstm", "gru"])), int(rng.integers(1, 100)), int(rng.integers(1, 100)))


def _as_tuple(fn, *args):
    h, c = fn(*args)
    return (np.asarray(h, dtype=float), np.asarray(c, dtype=float))


QUESTIONS = [
    Question(
        id="12.1", function="lstm_step", points=3, public=_lstm_case, n_public=3, hidden=_lstm_case,
        call=_as_tuple, rtol=1e-9, atol=1e-12,
        hint="Slice a into four blocks of H columns in the order i, f, g, o; only g uses tanh.",
    ),
    Question(
        id="12.2", function="gru_step", points=3, public=_gru_case, n_public=3, hidden=_gru_case,
        rtol=1e-9, atol=1e-12,
        hint="The reset gate multiplies the recurrent part of n, bias included: n = tanh(gx_n + r * gh_n).",
    ),
    Question(
        id="12.3", function="cell_path_gradients", points=2,
        public=[(np.array([1.0, -2.0]), np.array([[0.5, 1.0], [0.5, 0.25]]))], hidden=_path_case,
        rtol=1e-12, atol=1e-15,
        hint="Go backwards from row T: row t - 1 is row t times f_t, which is f[t - 1].",
    ),
    Question(
        id="12.4", function="count_parameters", points=1,
        public=[("rnn", 2, 3), ("lstm", 2, 3), ("gru", 2, 3)], hidden=_count_case, rtol=0, atol=0,
        hint="Each gate block has n_in * H + H * H weights; the GRU has two bias vectors of 3H.",
    ),
]
