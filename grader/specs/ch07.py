"""How the exercises of chapter 7 (the four shapes) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Question

NOTEBOOK = "07_four_shapes"


def _outputs_case(rng):
    B, T, H = int(rng.integers(1, 5)), int(rng.integers(1, 7)), int(rng.integers(1, 4))
    lengths = rng.integers(1, T + 1, size=B)
    lengths[0] = T if rng.random() < 0.5 else 1  # the edges: a full sequence, a one-step sequence
    return (rng.normal(size=(B, T, H)), lengths.astype(np.int64))


def _sequences_case(rng):
    B = int(rng.integers(1, 5))
    seqs = [[int(k) for k in rng.integers(3, 20, size=int(rng.integers(0, 6)))] for _ in range(B)]
    return (seqs, 1, 2, 0) if rng.random() < 0.5 else (seqs, 0, 1, 9)


def _decoder_case(rng):
    K, H = int(rng.integers(3, 8)), int(rng.integers(2, 6))
    eos = int(rng.integers(K))
    return (rng.normal(size=H), rng.normal(size=(K, H)), rng.normal(size=(H, H)), rng.normal(size=H),
            rng.normal(size=(H, K)) * 2, rng.normal(size=K), int((eos + 1) % K), eos, int(rng.integers(1, 9)))


def _masked_case(rng):
    B, T, C = int(rng.integers(1, 4)), int(rng.integers(1, 6)), int(rng.integers(2, 5))
    mask = (rng.random((B, T)) < 0.7).astype(np.float64)
    mask[0, 0] = 1.0
    return (rng.normal(size=(B, T, C)), rng.integers(C, size=(B, T)).astype(np.int64), mask)


QUESTIONS = [
    Question(
        id="7.1", function="last_hidden", points=2,
        public=[(np.arange(24, dtype=np.float64).reshape(2, 4, 3), np.array([4, 2]))],
        hidden=_outputs_case, rtol=0, atol=0,
        hint="Index rows with np.arange(B) and steps with lengths - 1 in one go: outputs[rows, steps].",
    ),
    Question(
        id="7.2", function="teacher_forcing_batch", points=2,
        public=[([[5, 6, 7], [8]], 1, 2, 0), ([[], [4, 4]], 1, 2, 0)],
        hidden=_sequences_case, rtol=0, atol=0,
        hint="Rows have one step more than the longest sequence: inputs start with bos, targets end with eos.",
    ),
    Question(
        id="7.3", function="greedy_decode", points=3,
        public=_decoder_case, n_public=3,
        hidden=_decoder_case, rtol=0, atol=0,
        hint="Feed back the argmax token; stop before appending eos_id, or after max_steps choices.",
    ),
    Question(
        id="7.4", function="masked_accuracy", points=1,
        public=[(np.array([[[2.0, 1.0], [0.0, 3.0], [5.0, 0.0]]]), np.array([[0, 0, 1]]),
                 np.array([[1.0, 1.0, 0.0]]))],
        hidden=_masked_case, rtol=1e-12, atol=1e-12,
        hint="Select the steps where mask is 1 before taking the mean; padded steps do not count.",
    ),
]
