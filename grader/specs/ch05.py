"""How the exercises of chapter 5 (unfolding in time) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Mutant, Question

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


#: the engine's own backward passes, off limits where the learner writes one
BACKWARD = ("engine.Tensor.backward", "engine.Value.backward", "engine.autograd.backward_walk",
            "engine.ops.rnn.FusedRNN.backward")

_ENGINE_5_2 = """    from engine import Tensor
    P = [Tensor(W_xh, requires_grad=True), Tensor(W_hh, requires_grad=True), Tensor(b_h, requires_grad=True)]
    h, L = Tensor(h0), 0.0
    for t in range(xs.shape[1]):
        h = (Tensor(xs[:, t]) @ P[0] + h @ P[1] + P[2]).tanh()
        L = L + (h * Tensor(G[:, t])).sum()
    L.backward()
    return P[0].grad, P[1].grad, P[2].grad
"""

QUESTIONS = [
    Question(
        id="5.1", function="whh_contributions", points=2,
        public=_contrib_case, n_public=3, hidden=_contrib_case, rtol=1e-10, atol=1e-12,
        returns="contributions",
        hint="Step t multiplies W_hh by the state it was given, not the one it made; sum over the "
             "batch only, not over time.",
        mutants=(
            Mutant("h_t in place of h_{t-1}", "prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)",
                   "prev = hs"),
            Mutant("tanh' at the previous state", "(1 - hs ** 2)", "(1 - prev ** 2)"),
            Mutant("transposed: delta^T h_{t-1}", '"bti,btj->tij", prev, delta', '"bti,btj->tij", delta, prev'),
        ),
    ),
    Question(
        id="5.2", function="shared_weight_grads", points=4,
        public=_grad_case, n_public=3, hidden=_grad_case, rtol=1e-9, atol=1e-12,
        returns=("dW_xh", "dW_hh", "db_h"), forbidden=BACKWARD,
        hint="Keep every state of the forward pass; going backwards, what reaches h_t is its own G_t "
             "plus what step t + 1 sends back, and only then does tanh' apply.",
        mutants=(
            Mutant("the carried gradient forgotten", "        g = delta @ W_hh.T", "        g = 0 * h0"),
            Mutant("W_hh instead of its transpose", "g = delta @ W_hh.T", "g = delta @ W_hh"),
            Mutant("previous state off by one", "prev = hs[t - 1] if t else h0", "prev = hs[t]"),
            Mutant("the engine's backward() does it", "    T = xs.shape[1]\n    hs, h = [], h0\n",
                   _ENGINE_5_2 + "    T = xs.shape[1]\n    hs, h = [], h0\n"),
        ),
    ),
    Question(
        id="5.3", function="linear_rnn_final_state", points=2,
        public=_linear_case, n_public=3, hidden=_linear_case, rtol=1e-9, atol=1e-12, returns="h_T",
        hint="Count how many later steps each input passes through before the end.",
        mutants=(
            Mutant("powers in the wrong order", "T - 1 - t)", "t)"),
            Mutant("one power too many", "T - 1 - t)", "T - t)"),
            Mutant("only the last input", "for t in range(T))", "for t in range(T - 1, T))"),
        ),
    ),
]
