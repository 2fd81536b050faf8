"""How the exercises of chapter 6 (outputs, per-step losses, padding and masks) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Question

NOTEBOOK = "06_architecture"


def _padded(rng, B, T):
    lengths = rng.integers(1, T + 1, size=B)
    lengths[rng.integers(B)] = T  # the longest sets T
    mask = (np.arange(T)[None] < lengths[:, None]).astype(float)
    return lengths, mask


def _loss_case(rng, scale=None):
    B, T, K = int(rng.integers(1, 5)), int(rng.integers(1, 7)), int(rng.integers(2, 6))
    _, mask = _padded(rng, B, T)
    scale = scale if scale is not None else float(rng.choice([1.0, 3.0, 300.0]))  # 300: needs stability
    logits = rng.normal(size=(B, T, K)) * scale
    targets = rng.integers(0, K, size=(B, T))
    targets[mask == 0] = K + 7  # junk in the padding
    return (logits, targets, mask)


def _lengths_case(rng):
    B, T, D, H = int(rng.integers(1, 5)), int(rng.integers(1, 7)), int(rng.integers(1, 4)), int(rng.integers(1, 5))
    lengths, _ = _padded(rng, B, T)
    return (rng.normal(size=(B, T, D)), lengths, rng.normal(size=(D, H)) * 0.7,
            rng.normal(size=(H, H)) * 0.7, rng.normal(size=H) * 0.3)


QUESTIONS = [
    Question(
        id="6.1", function="masked_cross_entropy", points=2,
        public=[(np.array([[[1.0, 2.0], [0.5, -1.0], [3.0, 3.0]]]), np.array([[1, 0, 9]]),
                 np.array([[1.0, 1.0, 0.0]]))] + [_loss_case(np.random.default_rng(s), 2.0) for s in (1, 2)],
        hidden=_loss_case, rtol=1e-9, atol=1e-12,
        hint="Divide by the number of real entries (mask.sum()), and pick the target's log-probability only "
             "where mask is 1 (a padded target may be out of range).",
    ),
    Question(
        id="6.2", function="masked_cross_entropy_grad", points=3,
        public=[_loss_case(np.random.default_rng(s), 2.0) for s in (3, 4)], hidden=_loss_case,
        rtol=1e-9, atol=1e-12,
        hint="softmax minus one-hot, times mask, divided by mask.sum(); the one-hot must ignore padded targets.",
    ),
    Question(
        id="6.3", function="rnn_forward_lengths", points=3,
        public=_lengths_case, n_public=3, hidden=_lengths_case, rtol=1e-10, atol=1e-12,
        hint="Compute the new state for every sequence, then keep it only where t < lengths[b] "
             "(np.where with a (B, 1) condition); elsewhere keep the old state and output 0.",
    ),
]
