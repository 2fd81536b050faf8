"""How the exercises of chapter 4 (the recurrent neuron) are tested."""

from __future__ import annotations

import numpy as np

from grader.cases import WrongAnswer
from grader.spec import Mutant, Question

NOTEBOOK = "04_recurrent_neuron"


def _rnn_case(rng):
    B, T, D, H = (int(rng.integers(1, n)) for n in (4, 7, 4, 5))
    return (rng.normal(size=(B, T, D)), rng.normal(size=(B, H)), rng.normal(size=(D, H)) * 0.7,
            rng.normal(size=(H, H)) * 0.7, rng.normal(size=H) * 0.3)


def _run_delay_line(fn, k, xs):
    """Run the student's weights in the engine's relu cell over xs; return the states (T, k)."""
    from engine import Tensor, nn

    weights = fn(k)
    if not isinstance(weights, (tuple, list)) or len(weights) != 3:
        raise WrongAnswer("expected the tuple (W_xh, W_hh, b_h)")
    W_xh, W_hh, b_h = (np.asarray(w, dtype=float) for w in weights)
    for name, w, shape in (("W_xh", W_xh, (1, k)), ("W_hh", W_hh, (k, k)), ("b_h", b_h, (k,))):
        if w.shape != shape:
            raise WrongAnswer(f"wrong shape of {name}: {w.shape}, expected {shape}")
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
        public=_rnn_case, n_public=3, hidden=_rnn_case, rtol=1e-10, atol=1e-12, returns="hs",
        hint="The state of step t is the input of step t + 1; hs[:, t] is the state after step t + 1.",
        mutants=(
            Mutant("h0 used at every step (the state is not carried)", "h @ W_hh", "h0 @ W_hh"),
            Mutant("states stacked time first", "np.stack(hs, axis=1)", "np.stack(hs, axis=0)"),
            Mutant("W_hh transposed", "h @ W_hh", "h @ W_hh.T"),
            Mutant("off by one: h_0 .. h_{T-1} returned",
                   "h = np.tanh(xs[:, t] @ W_xh + h @ W_hh + b_h)\n        hs.append(h)",
                   "hs.append(h)\n        h = np.tanh(xs[:, t] @ W_xh + h @ W_hh + b_h)"),
        ),
    ),
    Question(
        id="4.2", function="delay_line_weights", points=3,
        public=[(3, np.array([1.0, 2.0, 3.0, 4.0, 5.0])), (1, np.array([4.0, 0.0, 7.0]))],
        hidden=_delay_case, call=_run_delay_line, rtol=0, atol=1e-12, inputs=("k", "xs"),
        returns="the states h_1..h_T",
        hint="Only the first unit should see the input; W_hh decides where each unit's value goes "
             "at the next step.",
        mutants=(
            Mutant("shifted the wrong way", "np.eye(k, k, 1)", "np.eye(k, k, -1)"),
            Mutant("the input reaches every unit", "W_xh[0, 0] = 1.0", "W_xh[0, :] = 1.0"),
            Mutant("b_h of shape (1, k)", "np.zeros(k)", "np.zeros((1, k))"),
            Mutant("W_hh the identity (each unit keeps its own value)", "np.eye(k, k, 1)", "np.eye(k)"),
        ),
    ),
    Question(
        id="4.3", function="rnn_step_backward", points=3,
        public=_step_case, n_public=3, hidden=_step_case, rtol=1e-9, atol=1e-12,
        returns=("dx", "dh_prev", "dW_xh", "dW_hh", "db_h"),
        hint="Go through the pre-activation first (tanh' is a function of the output h); then match "
             "shapes: a gradient has the shape of what it is the gradient of.",
        mutants=(
            Mutant("W_hh instead of its transpose", "delta @ W_hh.T", "delta @ W_hh"),
            Mutant("tanh' forgotten", "delta = grad_h * (1 - h ** 2)", "delta = grad_h"),
            Mutant("db_h averaged over the batch", "delta.sum(axis=0)", "delta.mean(axis=0)"),
            Mutant("tanh' taken at h_prev", "(1 - h ** 2)", "(1 - h_prev ** 2)"),
        ),
    ),
]
