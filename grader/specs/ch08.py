"""How the exercises of chapter 8 (backpropagation through time, by hand) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Question

NOTEBOOK = "08_bptt"


def _sizes(rng):
    return tuple(int(rng.integers(1, n)) for n in (4, 8, 4, 6, 4))  # B, T, D, H, K


def _states(rng, T, B, H):
    """h_0..h_T, time first: values a tanh RNN could produce."""
    return np.tanh(rng.normal(size=(T + 1, B, H)))


def _dh_case(rng):
    B, T, _, H, _ = _sizes(rng)
    return (rng.normal(size=(T, B, H)), _states(rng, T, B, H), rng.normal(size=(H, H)) * 0.7)


def _weights_case(rng):
    B, T, D, H, _ = _sizes(rng)
    return (rng.normal(size=(T, B, D)), _states(rng, T, B, H), rng.normal(size=(T + 1, B, H)))


def _last_step_case(rng):
    B, T, D, H, K = _sizes(rng)
    return (rng.normal(size=(B, T, D)), rng.normal(size=(B, H)) * 0.5, rng.normal(size=(D, H)) * 0.7,
            rng.normal(size=(H, H)) * 0.7, rng.normal(size=H) * 0.3, rng.normal(size=(H, K)) * 0.7,
            rng.normal(size=K) * 0.3, rng.normal(size=(B, K)))


QUESTIONS = [
    Question(
        id="8.1", function="bptt_dh", points=2,
        public=_dh_case, n_public=3, hidden=_dh_case, rtol=1e-10, atol=1e-12,
        hint="Go from t = T down to 1: g_t = direct_t + carry, then carry = (g_t * (1 - h_t^2)) @ W_hh.T; "
             "h_0 receives only the last carry.",
    ),
    Question(
        id="8.2", function="rnn_weight_grads", points=2,
        public=_weights_case, n_public=3, hidden=_weights_case, rtol=1e-10, atol=1e-12,
        hint="delta_t = dh[t] * (1 - hs[t]**2); W_hh's term at step t uses the previous state hs[t - 1].",
    ),
    Question(
        id="8.3", function="bptt_last_step", points=3,
        public=_last_step_case, n_public=3, hidden=_last_step_case, rtol=1e-9, atol=1e-12,
        hint="Only h_T has a direct gradient, e V^T with e = y_T - target; every earlier h_t gets only the "
             "carried one, and V, c get a single term.",
    ),
]
