"""Small generated sequence tasks, and padding a list of sequences of different lengths into one batch.

``latch_sequences``: a stream of bits, and at every step the target "has a 1 appeared yet?" (0 until the
first 1, then 1 for good). A recurrent unit solves it by remembering one bit; a network that sees only the
current input cannot. Sequences have random lengths, so a batch of them needs padding and a mask.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


def latch_sequences(n: int, min_len: int = 3, max_len: int = 10, p_one: float = 0.12,
                    seed: int = 0) -> list[tuple[np.ndarray, np.ndarray]]:
    """``n`` random bit sequences with their per-step targets "a 1 has appeared at or before this step".

    Args:
        n: how many sequences.
        min_len, max_len: each length is drawn uniformly from [min_len, max_len].
        p_one: the probability that a bit is 1.
        seed: seed of the generator; the same seed gives the same sequences.

    Returns:
        A list of ``(bits, targets)``: float64 bits of shape (length,), int64 targets of shape (length,),
        ``targets[t] = max(bits[:t + 1])``.
    """
    if n < 0:
        raise ValueError(f"latch_sequences: n must be >= 0, got {n}")
    if not 1 <= min_len <= max_len:
        raise ValueError(f"latch_sequences: needs 1 <= min_len <= max_len, got min_len={min_len}, "
                         f"max_len={max_len}")
    if not 0.0 <= p_one <= 1.0:
        raise ValueError(f"latch_sequences: p_one must be a probability, got {p_one}")
    rng = np.random.default_rng(seed)
    data = []
    for _ in range(n):
        length = int(rng.integers(min_len, max_len + 1))
        bits = (rng.random(length) < p_one).astype(np.float64)
        data.append((bits, np.maximum.accumulate(bits).astype(np.int64)))
    return data


def pad_sequences(seqs: Sequence[Any], value: float = 0.0,
                  dtype: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stack sequences of different lengths into one batch-first array, filling the tail with ``value``.

    Args:
        seqs: B arrays of shape (T_i,) or (T_i, D) (the same D for all).
        value: what to put in the padded positions.
        dtype: dtype of the batch; by default that of the first sequence.

    Returns:
        ``(padded, lengths, mask)``: padded of shape (B, T) or (B, T, D) with T = max T_i; lengths, int64
        of shape (B,); mask, float64 of shape (B, T), 1 at real steps and 0 at padding.
    """
    if len(seqs) == 0:
        raise ValueError("pad_sequences: got no sequences")
    arrays = [np.asarray(getattr(s, "data", s)) for s in seqs]
    tail = arrays[0].shape[1:]
    for i, a in enumerate(arrays):
        if a.ndim == 0 or a.shape[1:] != tail:
            raise ValueError(f"pad_sequences: sequence {i} has shape {a.shape}; every sequence must have "
                             f"shape (T_i,{''.join(f' {d},' for d in tail)[:-1] or ''}) like sequence 0, "
                             f"{arrays[0].shape}")
        if a.shape[0] == 0:
            raise ValueError(f"pad_sequences: sequence {i} is empty")
    lengths = np.array([a.shape[0] for a in arrays], dtype=np.int64)
    steps = int(lengths.max())
    padded = np.full((len(arrays), steps) + tail, value, dtype=dtype or arrays[0].dtype)
    mask = np.zeros((len(arrays), steps))
    for i, a in enumerate(arrays):
        padded[i, : len(a)] = a
        mask[i, : len(a)] = 1.0
    return padded, lengths, mask
