"""Words of the course corpus, and the counting models a word-level language model is compared with.

The corpus of ``course.data.corpus`` cut into *words*: ``tokenize`` keeps runs of letters and the
punctuation marks "," and "." as tokens and drops spaces and line breaks. A model that predicts the next
word is compared with two counting models, each smoothed by adding ``alpha`` to every count:

    unigram:  p(w)            = (count(w) + alpha) / (N + alpha V)
    bigram:   p(w | previous) = (count(previous, w) + alpha) / (count(previous) + alpha V)

with V the vocabulary size and N the number of training tokens. A word never seen in training is
``<unk>``.

Example::

    >>> train, test = corpus.train_test_split(corpus.corpus_text(), 0.1)
    >>> vocab = word_vocab(tokenize(train))
    >>> ids = vocab.encode(tokenize(train))
    >>> P = bigram_probs(ids, len(vocab), alpha=0.1)         # (V, V), each row sums to 1
    >>> top_k(P[vocab.stoi["the"]], 3)                       # the 3 likeliest words after "the"
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from .text import UNK, Vocab

TOKEN = re.compile(r"[a-z]+|[.,]")


def tokenize(text: str) -> list[str]:
    """Lowercase words and the marks "," and "." of ``text``, in order; everything else is a separator."""
    return TOKEN.findall(text.lower())


def word_vocab(tokens: list[str], min_count: int = 1) -> Vocab:
    """The words seen at least ``min_count`` times, sorted, after one special token ``<unk>`` (id 0)."""
    if not tokens:
        raise ValueError("word_vocab: got no tokens")
    counts = Counter(tokens)
    return Vocab(sorted(w for w, c in counts.items() if c >= min_count and w != UNK), specials=(UNK,))


def _ids(name: str, ids: np.ndarray, vocab_size: int) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(f"{name}: ids must be a 1-d integer array, got shape {ids.shape}, dtype {ids.dtype}")
    if ids.size and (ids.min() < 0 or ids.max() >= vocab_size):
        raise ValueError(f"{name}: ids must lie in [0, {vocab_size}), got {ids.min()} to {ids.max()}")
    return ids.astype(np.intp)


def _alpha(name: str, alpha: float) -> float:
    if not alpha > 0:
        raise ValueError(f"{name}: alpha must be > 0 (every word needs some probability), got {alpha!r}")
    return float(alpha)


def unigram_probs(ids: np.ndarray, vocab_size: int, alpha: float = 1.0) -> np.ndarray:
    """(V,): (count(w) + alpha) / (N + alpha V), the add-alpha word frequencies of ``ids``."""
    ids, alpha = _ids("unigram_probs", ids, vocab_size), _alpha("unigram_probs", alpha)
    counts = np.bincount(ids, minlength=vocab_size) + alpha
    return counts / counts.sum()


def bigram_probs(ids: np.ndarray, vocab_size: int, alpha: float = 1.0) -> np.ndarray:
    """(V, V): row ``a`` is p(next | a) = (count(a, next) + alpha) / (count(a) + alpha V)."""
    ids, alpha = _ids("bigram_probs", ids, vocab_size), _alpha("bigram_probs", alpha)
    counts = np.full((vocab_size, vocab_size), alpha)
    np.add.at(counts, (ids[:-1], ids[1:]), 1.0)
    return counts / counts.sum(axis=1, keepdims=True)


def bigram_cross_entropy(P: np.ndarray, ids: np.ndarray) -> float:
    """The mean of -log P[ids[t-1], ids[t]] over t = 1..len(ids)-1, in nats (its exp is the perplexity)."""
    P = np.asarray(P, dtype=np.float64)
    if P.ndim != 2 or P.shape[0] != P.shape[1]:
        raise ValueError(f"bigram_cross_entropy: P must be a square (V, V) matrix, got shape {P.shape}")
    ids = _ids("bigram_cross_entropy", ids, P.shape[0])
    if ids.size < 2:
        raise ValueError(f"bigram_cross_entropy: need at least 2 ids, got {ids.size}")
    return float(-np.log(P[ids[:-1], ids[1:]]).mean())


def top_k(probs: np.ndarray, k: int) -> np.ndarray:
    """The indices of the ``k`` largest entries of a 1-d ``probs``, largest first (ties: lower index first)."""
    probs = np.asarray(probs)
    if probs.ndim != 1:
        raise ValueError(f"top_k: probs must be one-dimensional, got shape {probs.shape}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= probs.size:
        raise ValueError(f"top_k: k must be an integer in [1, {probs.size}], got {k!r}")
    return np.argsort(-probs, kind="stable")[:k]


__all__ = ["bigram_cross_entropy", "bigram_probs", "tokenize", "top_k", "unigram_probs", "word_vocab"]
