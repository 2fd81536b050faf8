"""How the exercises of chapter 5 (unfolding in time) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Question

NOTEBOOK = "05_unfolding"


def _sizes(rng):
    return tuple(int(rng.integers(1, n)) for n in (4, 7, 4, 5))  # B, T, D, H


def _forward(xs, h0, W_xh, W_hh, b_h):
    h, hs = h0, []
    for t in range(xs.shape[1]):
        h = np.tanh(xs[:, t] @ W_xh + h @ W_hh + b_h)
        hs.append(h)
    return np.stack(hs, axis=1)


def _contrib_case(rng):
    B, T, D, H = _sizes(rng)
    xs, h0 = rng.normal(size=(B, T, D)), rng.normal(size=(B, H)) * 0.5
    hs = _forward(xs, h0, rng.normal(size=(D, H)) * 0.7, rng.normal(size=(H, H)) * 0.7, rng.normal(size=H) * 0.3)
    return (hs, h0, rng.normal(size=(B, T, H)))


def _grad_case(rng):
    B, T, D, H = _sizes(rng)
    return (rng.normal(size=(B, T, D)), rng.normal(size=(B, H)) * 0.5, rng.normal(size=(D, H)) * 0.7,
            rng.normal(size=(H, H)) * 0.7, rng.normal(size=H) * 0.3, rng.normal(size=(B, T, H)))


def _linear_case(rng):
    B, T, D, H = _sizes(rng)
    return (rng.normal(size=(B, T, D)), rng.normal(size=(D, H)) * 0.7, rng.normal(size=(H, H)) * 0.6)


QUESTIONS = [
    Question(
        id="5.1", function="whh_contributions", points=2,
        public=_contrib_case, n_public=3, hidden=_contrib_case, rtol=1e-10, atol=1e-12,
        hint="The state before step 1 is h0; the state before step t + 1 is hs[:, t - 1]. Sum over the batch "
             "only, not over time.",
    ),
    Question(
        id="5.2", function="shared_weight_grads", points=4,
        public=_grad_case, n_public=3, hidden=_grad_case, rtol=1e-9, atol=1e-12,
        hint="Run the forward pass first and keep every h_t; going backwards, add G[:, t] to the gradient "
             "arriving from step t + 2 before multiplying by 1 - h^2.",
    ),
    Question(
        id="5.3", function="linear_rnn_final_state", points=2,
        public=_linear_case, n_public=3, hidden=_linear_case, rtol=1e-9, atol=1e-12,
        hint="The last input (t = T) is multiplied by W_hh^0 = I, the first by W_hh^(T-1).",
    ),
]
