"""How the exercises of chapter 6 (outputs, per-step losses, padding and masks) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Mutant, Question

NOTEBOOK = "06_architecture"


def _padded(rng, B, T):
    lengths = rng.integers(1, T + 1, size=B)
    lengths[rng.integers(B)] = T  # the longest sets T
    mask = (np.arange(T)[None] < lengths[:, None]).astype(float)
    return lengths, mask


def _loss_case(rng, scale=None):
    B, T, K = int(rng.integers(1, 5)), int(rng.integers(1, 7)), int(rng.integers(2, 6))
    _, mask = _padded(rng, B, T)
    scale = scale if scale is not None else float(rng.choice([1.0, 3.0, 1000.0]))  # 1000: needs stability
    logits = rng.normal(size=(B, T, K)) * scale
    targets = rng.integers(0, K, size=(B, T))
    targets[mask == 0] = K + 7  # junk in the padding
    return (logits, targets, mask)


def _lengths_case(rng):
    B, T, D, H = int(rng.integers(1, 5)), int(rng.integers(1, 7)), int(rng.integers(1, 4)), int(rng.integers(1, 5))
    lengths, _ = _padded(rng, B, T)
    return (rng.normal(size=(B, T, D)), lengths, rng.normal(size=(D, H)) * 0.7,
            rng.normal(size=(H, H)) * 0.7, rng.normal(size=H) * 0.3)


def _output_case(rng):
    B, T, H, K = (int(rng.integers(1, n)) for n in (4, 6, 5, 6))
    output = str(rng.choice(["identity", "softmax", "sigmoid"]))
    scale = 1000.0 if output == "softmax" and rng.random() < 0.6 else 1.0  # a naive softmax overflows
    return (rng.normal(size=(B, T, H)), rng.normal(size=(H, K)) * scale, rng.normal(size=K), output)


def _count_case(rng):
    return tuple(int(rng.integers(1, n)) for n in (50, 100, 50, 1000))


QUESTIONS = [
    Question(
        id="6.1", function="masked_cross_entropy", points=2,
        public=[(np.array([[[1.0, 2.0], [0.5, -1.0], [3.0, 3.0]]]), np.array([[1, 0, 9]]),
                 np.array([[1.0, 1.0, 0.0]]))] + [_loss_case(np.random.default_rng(s), 2.0) for s in (1, 2)],
        hidden=_loss_case, n_hidden=20, rtol=1e-9, atol=1e-12, returns="loss",
        hint="What do you divide by when padded entries do not count? And a padded target may be "
             "out of range, so do not index with it unguarded.",
        mutants=(
            Mutant("mean over every entry, padding included", "/ mask.sum())", "/ mask.size)"),
            Mutant("no shift before exp", "z = logits - logits.max(axis=-1, keepdims=True)", "z = logits",
                   public=False),
            Mutant("padded entries counted in the sum", "(picked * mask).sum()", "picked.sum()"),
        ),
    ),
    Question(
        id="6.2", function="masked_cross_entropy_grad", points=3,
        public=[_loss_case(np.random.default_rng(s), 2.0) for s in (3, 4)], hidden=_loss_case,
        rtol=1e-9, atol=1e-12, returns="dlogits",
        hint="The gradient of a mean carries the mean's divisor, and a padded entry never touched the "
             "loss.",
        mutants=(
            Mutant("not divided by the number of real entries", "(mask / mask.sum())", "mask"),
            Mutant("padded entries not zeroed", "p * (mask / mask.sum())[..., None]", "p / mask.sum()"),
            Mutant("the one-hot not subtracted", "    np.put_along_axis(", "    0 and np.put_along_axis("),
        ),
    ),
    Question(
        id="6.3", function="rnn_forward_lengths", points=3,
        public=_lengths_case, n_public=3, hidden=_lengths_case, rtol=1e-10, atol=1e-12,
        returns=("outputs", "final"),
        hint="At a padded step a sequence's state must not move and its output is zero; lengths are "
             "counted from 1, steps from 0.",
        mutants=(
            Mutant("the state keeps running through the padding", "h = np.where(real, new, h)", "h = new"),
            Mutant("padded outputs hold the state", "np.where(real, new, 0.0)", "np.where(real, new, h)"),
            Mutant("off by one: t <= lengths", "(t < lengths)", "(t <= lengths)"),
        ),
    ),
    Question(
        id="6.4", function="output_layer", points=2,
        public=[(np.ones((1, 2, 2)), np.array([[1.0, -1.0, 0.5], [0.0, 2.0, 1.0]]), np.array([0.0, 0.5, -1.0]),
                 "softmax"),
                (np.arange(6.0).reshape(1, 3, 2) / 6, np.eye(2), np.zeros(2), "identity"),
                (np.arange(6.0).reshape(3, 1, 2) / 6, np.array([[2.0], [-1.0]]), np.array([0.3]), "sigmoid")],
        hidden=_output_case, n_hidden=20, rtol=1e-9, atol=1e-12, returns="y",
        hint="The same V and c at every step; a softmax normalises over the K outputs of one step, "
             "never over time or the batch.",
        mutants=(
            Mutant("softmax over time", "y.max(axis=-1, keepdims=True))\n        return e / e.sum(axis=-1",
                   "y.max(axis=1, keepdims=True))\n        return e / e.sum(axis=1"),
            Mutant("output bias left out", "y = hs @ V + c", "y = hs @ V"),
            Mutant("no shift before exp", "np.exp(y - y.max(axis=-1, keepdims=True))", "np.exp(y)",
                   public=False),
            Mutant("sigmoid with the wrong sign", "1 / (1 + np.exp(-y))", "1 / (1 + np.exp(y))"),
        ),
    ),
    Question(
        id="6.5", function="count_parameters", points=1, kind="choice",
        public=[(3, 4, 2, 10), (1, 1, 1, 1)], hidden=_count_case, rtol=0, atol=0,
        returns="number of parameters",
        hint="List the five parameters with their shapes; which of them would change if the "
             "sequences were longer?",
        mutants=(
            Mutant("one copy of the cell per step (the unrolled graph)", "return D * H + H * H + H + H * K + K",
                   "return T * (D * H + H * H + H) + H * K + K"),
            Mutant("the biases forgotten", "return D * H + H * H + H + H * K + K", "return D * H + H * H + H * K"),
            Mutant("W_hh counted as (D, H)", "D * H + H * H + H", "D * H + D * H + H"),
        ),
    ),
]
