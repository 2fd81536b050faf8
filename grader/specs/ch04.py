"""How the exercises of chapter 4 (the recurrent neuron) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Question

NOTEBOOK = "04_recurrent_neuron"


def _rnn_case(rng):
    B, T, D, H = (int(rng.integers(1, n)) for n in (4, 7, 4, 5))
    return (rng.normal(size=(B, T, D)), rng.normal(size=(B, H)), rng.normal(size=(D, H)) * 0.7,
            rng.normal(size=(H, H)) * 0.7, rng.normal(size=H) * 0.3)


def _run_delay_line(fn, k, xs):
    """Run the student's weights in the engine's relu cell over xs; return the states (T, k)."""
    from engine import Tensor, nn

    W_xh, W_hh, b_h = (np.asarray(w, dtype=float) for w in fn(k))
    if W_xh.shape != (1, k) or W_hh.shape != (k, k) or b_h.shape != (k,):
        return f"wrong shapes: W_xh {W_xh.shape}, W_hh {W_hh.shape}, b_h {b_h.shape}"
    cell = nn.RNNCell(1, k, nonlinearity="relu")
    cell.W_xh.data[...], cell.W_hh.data[...], cell.b_h.data[...] = W_xh, W_hh, b_h
    h, states = None, []
    for x in xs:
        h = cell(Tensor([[x]]), h)
        states.append(h.data[0])
    return np.array(states)


def _delay_case(rng):
    k = int(rng.integers(1, 6))
    return (k, rng.integers(0, 10, size=int(rng.integers(1, 12))).astype(float))


def _step_case(rng):
    B, D, H = (int(rng.integers(1, n)) for n in (4, 4, 5))
    return (rng.normal(size=(B, D)), rng.normal(size=(B, H)), rng.normal(size=(D, H)) * 0.7,
            rng.normal(size=(H, H)) * 0.7, rng.normal(size=H) * 0.3, rng.normal(size=(B, H)))


QUESTIONS = [
    Question(
        id="4.1", function="rnn_forward", points=2,
        public=_rnn_case, n_public=3, hidden=_rnn_case, rtol=1e-10, atol=1e-12,
        hint="Loop over t = 0..T-1 with xs[:, t], carry h along, and stack the states on axis 1.",
    ),
    Question(
        id="4.2", function="delay_line_weights", points=3,
        public=[(3, np.array([1.0, 2.0, 3.0, 4.0, 5.0])), (1, np.array([4.0, 0.0, 7.0]))],
        hidden=_delay_case, call=_run_delay_line, rtol=0, atol=1e-12,
        hint="Unit 1 copies the input (W_xh), and W_hh moves unit j's value to unit j + 1: a shifted identity.",
    ),
    Question(
        id="4.3", function="rnn_step_backward", points=3,
        public=_step_case, n_public=3, hidden=_step_case, rtol=1e-9, atol=1e-12,
        hint="delta = grad_h * (1 - h**2); then each input's gradient is delta times the transpose of what "
             "multiplied it (dW_hh = h_prev.T @ delta), and db_h sums delta over the batch.",
    ),
]
