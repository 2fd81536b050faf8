"""How the exercises of chapter 8 (backpropagation through time, by hand) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Mutant, Question
from grader.specs.ch05 import BACKWARD

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


def _output_case(rng):
    B, T, _, H, K = _sizes(rng)
    K = max(K, 2)
    return (np.tanh(rng.normal(size=(B, T, H))), rng.normal(size=(H, K)), rng.normal(size=K),
            rng.integers(K, size=(B, T)))


_ENGINE_8_3 = """    from engine import Tensor
    P = [Tensor(a, requires_grad=True) for a in (W_xh, W_hh, b_h, V, c)]
    h = Tensor(h0)
    for t in range(xs.shape[1]):
        h = (Tensor(xs[:, t]) @ P[0] + h @ P[1] + P[2]).tanh()
    err = h @ P[3] + P[4] - Tensor(target)
    ((err * err).sum() * 0.5).backward()
    return tuple(p.grad for p in P)
"""

QUESTIONS = [
    Question(
        id="8.1", function="bptt_dh", points=2,
        public=_dh_case, n_public=3, hidden=_dh_case, rtol=1e-10, atol=1e-12, returns="dh",
        hint="Walk from t = T down to 1: h_t receives its own direct gradient plus what step t + 1 "
             "sends back through its tanh and W_hh; h_0 has no direct gradient.",
        mutants=(
            Mutant("the carried gradient forgotten", "dh[t] = direct[t - 1] + carry", "dh[t] = direct[t - 1]"),
            Mutant("W_hh instead of its transpose", "@ W_hh.T", "@ W_hh"),
            Mutant("tanh' at the previous state", "(1 - hs[t] ** 2)", "(1 - hs[t - 1] ** 2)"),
            Mutant("h_0 gets nothing", "dh[0] = carry", "dh[0] = 0"),
        ),
    ),
    Question(
        id="8.2", function="rnn_weight_grads", points=2,
        public=_weights_case, n_public=3, hidden=_weights_case, rtol=1e-10, atol=1e-12,
        returns=("dW_xh", "dW_hh", "db_h"),
        hint="Each weight's term at step t pairs delta_t with what that weight multiplied at step t; "
             "mind which state W_hh saw.",
        mutants=(
            Mutant("W_hh paired with h_t, not h_{t-1}", "hs[:-1], delta", "hs[1:], delta"),
            Mutant("tanh' forgotten", "delta = dh[1:] * (1 - hs[1:] ** 2)", "delta = dh[1:]"),
            Mutant("dh off by one step", "delta = dh[1:] *", "delta = dh[:-1] *"),
        ),
    ),
    Question(
        id="8.3", function="bptt_last_step", points=3,
        public=_last_step_case, n_public=3, hidden=_last_step_case, rtol=1e-9, atol=1e-12,
        returns=("dW_xh", "dW_hh", "db_h", "dV", "dc"), forbidden=BACKWARD,
        hint="Only h_T meets the loss directly; every earlier state is reached only through the "
             "states after it, and V, c are used once.",
        mutants=(
            Mutant("the engine's backward() does it", "    T = xs.shape[1]\n    hs = [h0]\n",
                   _ENGINE_8_3 + "    T = xs.shape[1]\n    hs = [h0]\n"),
            Mutant("the carried gradient forgotten", "        g = delta @ W_hh.T", "        g = 0 * g"),
            Mutant("W_hh instead of its transpose", "g = delta @ W_hh.T", "g = delta @ W_hh"),
            Mutant("dc averaged over the batch", "e.sum(axis=0)", "e.mean(axis=0)"),
        ),
    ),
    Question(
        id="8.4", function="output_layer_grads", points=2,
        public=_output_case, n_public=3, hidden=_output_case, rtol=1e-9, atol=1e-12,
        returns=("dV", "dc", "direct"),
        hint="Start from dL/dy_t (softmax minus one-hot, with the batch mean's divisor); V and c are "
             "shared by every step, so their gradients add up over time.",
        mutants=(
            Mutant("not divided by B", "    e /= B\n", ""),
            Mutant("averaged over time as well", "    e /= B\n", "    e /= B * hs.shape[1]\n"),
            Mutant("dc summed over the batch only", "e.sum(axis=(0, 1))", "e.sum(axis=0)"),
            Mutant("the one-hot not subtracted", "picked - 1", "picked"),
        ),
    ),
]
