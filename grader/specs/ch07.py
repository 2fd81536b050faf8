"""How the exercises of chapter 7 (the four shapes) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Mutant, Question

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


#: the tasks of exercise 7.5 (their answers live in the solution notebook only)
TASKS = ("sentiment", "pos_tagging", "translation", "captioning", "char_lm", "forecast_7_from_30", "reber",
         "music_from_genre", "speech_to_text", "adding", "denoising")


def _task_case(rng):
    return ("every task",)


def _shape_of(fn, task):
    """One task's shape; the hidden case asks for every task of the table at once (task -> shape)."""
    return {t: fn(t) for t in TASKS} if task == "every task" else fn(task)


QUESTIONS = [
    Question(
        id="7.1", function="last_hidden", points=2,
        public=[(np.arange(24, dtype=np.float64).reshape(2, 4, 3), np.array([4, 2]))],
        hidden=_outputs_case, rtol=0, atol=0, returns="last states",
        hint="lengths counts steps from 1, the time axis from 0; numpy can pick one (row, step) pair "
             "per sequence when you index with two arrays.",
        mutants=(
            Mutant("off by one: outputs[b, lengths[b]]", "lengths - 1]", "np.minimum(lengths, "
                   "outputs.shape[1] - 1)]"),
            Mutant("the last step of the padded batch for everyone",
                   "outputs[np.arange(len(lengths)), lengths - 1]", "outputs[:, -1]"),
            Mutant("rows not paired with steps", "outputs[np.arange(len(lengths)), lengths - 1]",
                   "outputs[:, lengths - 1].mean(axis=1)"),
        ),
    ),
    Question(
        id="7.2", function="teacher_forcing_batch", points=2,
        public=[([[5, 6, 7], [8]], 1, 2, 0), ([[], [4, 4]], 1, 2, 0)],
        hidden=_sequences_case, rtol=0, atol=0, returns=("inputs", "targets", "mask"),
        hint="Each row is one step longer than its sequence: something is added in front of the inputs "
             "and at the end of the targets, and the mask covers that step too.",
        mutants=(
            Mutant("no <eos> at the end of the targets", "[*seq, eos_id]", "[*seq, pad_id]"),
            Mutant("the mask misses the <eos> step", "mask[b, :n + 1]", "mask[b, :n]"),
            Mutant("inputs not shifted (no <bos>)", "[bos_id, *seq]", "[*seq, pad_id]"),
        ),
    ),
    Question(
        id="7.3", function="greedy_decode", points=3,
        public=_decoder_case, n_public=3,
        hidden=_decoder_case, rtol=0, atol=0, returns="tokens",
        hint="The token chosen at one step is the input of the next; eos ends the loop but is not "
             "part of the answer, and it counts towards max_steps.",
        mutants=(
            Mutant("eos appended before stopping",
                   "        if token == eos_id:\n            break\n        out.append(token)",
                   "        out.append(token)\n        if token == eos_id:\n            break"),
            Mutant("bos fed at every step", "W_emb[token]", "W_emb[bos_id]"),
            Mutant("the state not carried", "h @ W_hh", "h0 @ W_hh"),
            Mutant("one step too few", "range(max_steps)", "range(max_steps - 1)"),
        ),
    ),
    Question(
        id="7.4", function="masked_accuracy", points=1,
        public=[(np.array([[[2.0, 1.0], [0.0, 3.0], [5.0, 0.0]]]), np.array([[0, 0, 1]]),
                 np.array([[1.0, 1.0, 0.0]]))],
        hidden=_masked_case, rtol=1e-12, atol=1e-12, returns="accuracy",
        hint="Padded steps are neither right nor wrong: they are not counted at all.",
        mutants=(
            Mutant("the mask ignored", ")[real].mean()", ").mean()"),
            Mutant("padded steps counted as wrong", "float((logits.argmax(-1) == targets)[real].mean())",
                   "float(((logits.argmax(-1) == targets) & real).mean())"),
            Mutant("the targets compared with the mask", "== targets)[real]", "== mask)[real]", public=False),
        ),
    ),
    Question(
        id="7.5", function="shape_for", points=2, kind="choice",
        public=[("sentiment",), ("pos_tagging",), ("captioning",)],
        hidden=_task_case, n_hidden=1, call=_shape_of, rtol=0, atol=0, returns="shapes",
        inputs=("task",),
        hint="Is the input one vector or a sequence? Is the output one answer or a sequence, and does "
             "each output step belong to one input step?",
        mutants=(
            Mutant("translation as aligned", '"translation": "many-to-many (encoder-decoder)"',
                   '"translation": "many-to-many (aligned)"', public=False),
            Mutant("the language model as many-to-one", '"char_lm": "many-to-many (aligned)"',
                   '"char_lm": "many-to-one"', public=False),
            Mutant("a forecast of another length as aligned",
                   '"forecast_7_from_30": "many-to-many (encoder-decoder)"',
                   '"forecast_7_from_30": "many-to-many (aligned)"', public=False),
            Mutant("captioning as many-to-one", '"captioning": "one-to-many"', '"captioning": "many-to-one"'),
        ),
    ),
]
