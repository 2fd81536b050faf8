"""How the exercises of chapter 9 (the cost of BPTT, and truncation) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Question

NOTEBOOK = "09_truncated_bptt"


def _sizes(rng):
    return tuple(int(rng.integers(1, n)) for n in (4, 10, 4, 6, 4))  # B, T, D, H, K


def _window(rng, T):
    return int(rng.integers(1, T + 3))  # includes k = 1, k not dividing T, and k >= T


def _dh_case(rng):
    B, T, _, H, _ = _sizes(rng)
    return (rng.normal(size=(T, B, H)), np.tanh(rng.normal(size=(T + 1, B, H))),
            rng.normal(size=(H, H)) * 0.7, _window(rng, T))


def _grads_case(rng):
    B, T, D, H, K = _sizes(rng)
    return (rng.normal(size=(B, T, D)), rng.normal(size=(B, H)) * 0.5, rng.normal(size=(D, H)) * 0.7,
            rng.normal(size=(H, H)) * 0.7, rng.normal(size=H) * 0.3, rng.normal(size=(H, K)) * 0.7,
            rng.normal(size=K) * 0.3, rng.normal(size=(B, T, K)), _window(rng, T))


def _agreement_case(rng):
    shapes = [tuple(int(n) for n in rng.integers(1, 4, size=int(rng.integers(1, 3))))
              for _ in range(int(rng.integers(1, 4)))]
    full = [rng.normal(size=s) for s in shapes]
    scale = float(rng.uniform(0.2, 1.5))
    truncated = [scale * g + rng.normal(size=g.shape) * float(rng.uniform(0, 1)) for g in full]
    return (full, truncated)


QUESTIONS = [
    Question(
        id="9.1", function="truncated_dh", points=2,
        public=_dh_case, n_public=3, hidden=_dh_case, rtol=1e-10, atol=1e-12,
        hint="Exactly chapter 8's recursion, except that h_t receives nothing from step t + 1 when t is a "
             "multiple of k (the last step of a window).",
    ),
    Question(
        id="9.2", function="tbptt_grads", points=3,
        public=_grads_case, n_public=3, hidden=_grads_case, rtol=1e-9, atol=1e-12,
        hint="Run the forward pass once over the whole sequence; going backwards, reset the carry to zero "
             "at the last step of every window; the weight terms of every step still count.",
    ),
    Question(
        id="9.3", function="gradient_agreement", points=1,
        public=_agreement_case, n_public=3, hidden=_agreement_case, rtol=1e-10, atol=1e-12,
        hint="Flatten and concatenate every array of each list into one vector first.",
    ),
]
