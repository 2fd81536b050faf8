"""How the exercises of chapter 13 (attention) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Mutant, Question

NOTEBOOK = "13_attention"


def _mask(rng, B, S):
    mask = (rng.random((B, S)) < 0.7).astype(np.float64)
    mask[np.arange(B), rng.integers(S, size=B)] = 1.0  # at least one real position per row
    return mask


def _softmax_case(rng):
    B, S = int(rng.integers(1, 5)), int(rng.integers(1, 7))
    scale = 1000.0 if rng.random() < 0.3 else 2.0  # large scores test stability
    scores, mask = scale * rng.normal(size=(B, S)), _mask(rng, B, S)
    if rng.random() < 0.4:  # the largest score at a padded position: it must not set the shift
        scores[mask == 0] = 2000.0
    return (scores, mask)


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


def _focus_case(rng):
    B, Q, S = int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 7))
    mask = _mask(rng, B, S)
    scores = rng.normal(size=(B, Q, S)) * float(rng.choice([0.1, 2.0, 50.0]))  # near uniform .. one-hot
    scores = np.where(mask[:, None, :] > 0, scores, -np.inf)
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    weights = e / e.sum(axis=-1, keepdims=True)
    if rng.random() < 0.3:  # exact zeros at real positions too
        weights = np.where(weights < 0.05, 0.0, weights)
        weights /= weights.sum(axis=-1, keepdims=True)
    return (weights, mask)


QUESTIONS = [
    Question(
        id="13.1", function="masked_softmax", points=2,
        public=[(np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, 5.0]]), np.array([[1.0, 1.0, 0.0], [1.0, 0.0, 1.0]]))],
        hidden=_softmax_case, n_hidden=20, rtol=1e-9, atol=1e-12, returns="weights",
        hint="The shift that keeps exp finite must come from real positions: a padded score may be "
             "the largest.",
        mutants=(
            Mutant("max over padded positions too", "np.where(real, scores, -np.inf).max(axis=1, keepdims=True)",
                   "scores.max(axis=1, keepdims=True)", public=False),
            Mutant("padded positions not zeroed", "np.where(real, np.exp(np.where(real, scores - top, 0.0)), 0.0)",
                   "np.exp(np.where(real, scores - top, 0.0))"),
            Mutant("normalised over the batch", "e / e.sum(axis=1, keepdims=True)", "e / e.sum(axis=0, keepdims=True)"),
        ),
    ),
    Question(
        id="13.2", function="additive_scores", points=2, public=_additive_case, n_public=3,
        hidden=_additive_case, rtol=1e-9, atol=1e-12, returns="scores",
        hint="One decoder state per sequence meets S encoder states: give it a position axis to "
             "broadcast along.",
        mutants=(
            Mutant("tanh forgotten", "np.tanh((state @ W_q)[:, None, :] + encoded @ W_k + b_k) @ v",
                   "((state @ W_q)[:, None, :] + encoded @ W_k + b_k) @ v"),
            Mutant("b_k left out", " + b_k)", ")"),
            Mutant("the state's term left out", "(state @ W_q)[:, None, :] + ", ""),
        ),
    ),
    Question(
        id="13.3", function="dot_product_attention", points=3, public=_dot_case, n_public=3,
        hidden=_dot_case, call=_pair, rtol=1e-9, atol=1e-12, returns=("context", "weights"),
        inputs=("q", "k", "v", "mask"),
        hint="Scores pair every query with every key: (B, Q, S). The scale is the square root of the "
             "size of a key, and the mask applies to the keys.",
        mutants=(
            Mutant("not scaled", " / np.sqrt(q.shape[-1])", ""),
            Mutant("scaled by d, not sqrt(d)", "np.sqrt(q.shape[-1])", "q.shape[-1]"),
            Mutant("mask ignored", "real = (np.asarray(mask) > 0)[:, None, :]",
                   "real = np.ones(scores.shape, dtype=bool)", public=False),
        ),
    ),
    Question(
        id="13.4", function="attention_focus", points=2, kind="choice",
        public=[(np.array([[[0.5, 0.5, 0.0], [1.0, 0.0, 0.0]]]), np.array([[1.0, 1.0, 0.0]])),
                (np.array([[[0.25, 0.25, 0.25, 0.25]], [[1.0, 0.0, 0.0, 0.0]]]),
                 np.array([[1.0, 1.0, 1.0, 1.0], [1.0, 0.0, 0.0, 0.0]]))],
        hidden=_focus_case, n_hidden=20, rtol=1e-9, atol=1e-12, returns="focus",
        hint="The most spread-out a row can be is uniform over its real positions only; a zero weight "
             "contributes nothing to the entropy.",
        mutants=(
            Mutant("divided by log S, padding included", "np.log(np.maximum(n, 2))",
                   "np.log(max(weights.shape[-1], 2))"),
            Mutant("not normalised", "entropy / np.log(np.maximum(n, 2))", "entropy"),
            Mutant("log2 entropy over a natural-log maximum", "np.log(safe)", "np.log2(safe)"),
            Mutant("one real position gives nan", "np.where(n > 1, entropy / np.log(np.maximum(n, 2)), 0.0)",
                   "entropy / np.log(n)"),
        ),
    ),
]
