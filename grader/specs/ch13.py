"""How the exercises of chapter 13 (attention) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Question

NOTEBOOK = "13_attention"


def _mask(rng, B, S):
    mask = (rng.random((B, S)) < 0.7).astype(np.float64)
    mask[np.arange(B), rng.integers(S, size=B)] = 1.0  # at least one real position per row
    return mask


def _softmax_case(rng):
    B, S = int(rng.integers(1, 5)), int(rng.integers(1, 7))
    scale = 1000.0 if rng.random() < 0.3 else 2.0  # large scores test stability
    return (scale * rng.normal(size=(B, S)), _mask(rng, B, S))


def _additive_case(rng):
    B, S, H, A = (int(rng.integers(1, 5)) for _ in range(4))
    return (rng.normal(size=(B, H)), rng.normal(size=(B, S, H)), rng.normal(size=(H, A)),
            rng.normal(size=(H, A)), rng.normal(size=A), rng.normal(size=A))


def _dot_case(rng):
    B, Q, S, d, dv = (int(rng.integers(1, 5)) for _ in range(5))
    return (rng.normal(size=(B, Q, d)), rng.normal(size=(B, S, d)), rng.normal(size=(B, S, dv)), _mask(rng, B, S))


def _pair(fn, *args):
    context, weights = fn(*args)
    return (np.asarray(context, dtype=float), np.asarray(weights, dtype=float))


QUESTIONS = [
    Question(
        id="13.1", function="masked_softmax", points=2,
        public=[(np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, 5.0]]), np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0]]))],
        hidden=_softmax_case, rtol=1e-9, atol=1e-12,
        hint="Take the maximum over real positions only, and set padded weights to 0 before normalising.",
    ),
    Question(
        id="13.2", function="additive_scores", points=2, public=_additive_case, n_public=3,
        hidden=_additive_case, rtol=1e-9, atol=1e-12,
        hint="Broadcast state @ W_q, shape (B, 1, A), against encoded @ W_k, shape (B, S, A).",
    ),
    Question(
        id="13.3", function="dot_product_attention", points=3, public=_dot_case, n_public=3,
        hidden=_dot_case, call=_pair, rtol=1e-9, atol=1e-12,
        hint="Divide the scores by sqrt(d), d the size of a query, and mask the last axis (the keys).",
    ),
]
