"""How the exercises of chapter 9 (the cost of BPTT, and truncation) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Mutant, Question

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


def _lag_case(rng):
    lag = int(rng.integers(1, 9))
    T = int(rng.integers(lag + 1, 60))
    return (lag, T, float(rng.choice([0.5, 0.75, 0.9, 1.0])))


QUESTIONS = [
    Question(
        id="9.1", function="truncated_dh", points=2,
        public=_dh_case, n_public=3, hidden=_dh_case, rtol=1e-10, atol=1e-12, returns="dh",
        hint="Chapter 8's recursion, except at the last step of a window; which steps are those, "
             "counting from t = 1?",
        mutants=(
            Mutant("the carry reset at the first step of a window", "if t % k == 0:", "if (t - 1) % k == 0:"),
            Mutant("never truncated", "if t % k == 0:", "if False:"),
            Mutant("W_hh instead of its transpose", "@ W_hh.T", "@ W_hh"),
        ),
    ),
    Question(
        id="9.2", function="tbptt_grads", points=3,
        public=_grads_case, n_public=3, hidden=_grads_case, rtol=1e-9, atol=1e-12,
        returns=("dW_xh", "dW_hh", "db_h", "dV", "dc"),
        hint="One forward pass over the whole sequence; going backwards, cut what is carried at the "
             "window boundaries, but keep every step's own terms.",
        mutants=(
            Mutant("the carry reset at the first step of a window", "if t % k == 0:", "if (t - 1) % k == 0:"),
            Mutant("never truncated", "if t % k == 0:", "if False:"),
            Mutant("W_hh instead of its transpose", "carry = delta @ W_hh.T", "carry = delta @ W_hh"),
        ),
    ),
    Question(
        id="9.3", function="gradient_agreement", points=1,
        public=_agreement_case, n_public=3, hidden=_agreement_case, rtol=1e-10, atol=1e-12,
        returns=("cosine", "relative_error"),
        hint="Both numbers are about the whole gradient, every parameter at once, as one vector.",
        mutants=(
            Mutant("relative to the truncated gradient", "/ np.linalg.norm(g))", "/ np.linalg.norm(g_k))"),
            Mutant("cosine without the norm of g_k", "(np.linalg.norm(g_k) * np.linalg.norm(g))",
                   "(np.linalg.norm(g) ** 2)"),
            Mutant("the first parameter only", "np.concatenate([np.ravel(a) for a in full])", "np.ravel(full[0])",
                   more=(("np.concatenate([np.ravel(a) for a in truncated])", "np.ravel(truncated[0])"),)),
        ),
    ),
    Question(
        id="9.4", function="pick_k", points=2, kind="choice",
        public=[(1, 21, 0.5), (3, 40, 0.75), (2, 10, 1.0)], hidden=_lag_case, n_hidden=20, rtol=0, atol=0,
        returns="k",
        hint="Count, for a given k, the steps t whose partner t - lag lies in the same window; a "
             "window of lag + 1 steps holds the pair at one position only.",
        mutants=(
            Mutant("the rule of thumb k = lag + 1", "    ts = np.arange(lag + 1, T + 1)\n",
                   "    return lag + 1\n"),
            Mutant("windows counted from 0 (t // k)", "(ts - lag - 1) // k == (ts - 1) // k",
                   "(ts - lag) // k == ts // k"),
            Mutant("more than share, not at least", "same.mean() >= share", "same.mean() > share"),
        ),
    ),
]
