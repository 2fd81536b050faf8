"""Tests of course.data.words: tokens, vocabulary, the counting models and top-k."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.data import corpus, words


def test_tokenize_keeps_words_and_marks():
    assert words.tokenize("The sea, grey.\nThe sky") == ["the", "sea", ",", "grey", ".", "the", "sky"]
    tokens = words.tokenize(corpus.corpus_text())
    assert 1000 < len(tokens) < 1400 and "." in tokens and "\n" not in tokens


def test_vocab_has_unk_first_and_maps_unseen_words_to_it():
    vocab = words.word_vocab(["b", "a", "b"])
    assert vocab.itos == ["<unk>", "a", "b"]
    assert list(vocab.encode(["a", "zebra"])) == [1, 0]
    assert words.word_vocab(["b", "a", "b"], min_count=2).itos == ["<unk>", "b"]
    with pytest.raises(ValueError, match="got no tokens"):
        words.word_vocab([])


def test_unigram_and_bigram_are_add_alpha_counts():
    ids = np.array([1, 2, 1, 2, 0])
    assert np.allclose(words.unigram_probs(ids, 3, alpha=1.0), np.array([2, 3, 3]) / 8)
    P = words.bigram_probs(ids, 3, alpha=0.5)
    assert np.allclose(P.sum(axis=1), 1)
    assert np.allclose(P[1], np.array([0.5, 0.5, 2.5]) / 3.5)      # 1 -> 2 twice
    assert np.allclose(P[2], np.array([1.5, 1.5, 0.5]) / 3.5)      # 2 -> 1, 2 -> 0
    ce = words.bigram_cross_entropy(P, ids)
    assert np.isclose(ce, -np.mean(np.log([P[1, 2], P[2, 1], P[1, 2], P[2, 0]])))


def test_counting_models_reject_bad_input():
    with pytest.raises(ValueError, match="alpha must be > 0"):
        words.bigram_probs(np.array([0, 1]), 2, alpha=0)
    with pytest.raises(ValueError, match=r"ids must lie in \[0, 2\)"):
        words.unigram_probs(np.array([0, 2]), 2)
    with pytest.raises(ValueError, match="square"):
        words.bigram_cross_entropy(np.ones((2, 3)), np.array([0, 1]))


def test_top_k_orders_by_probability_then_index():
    assert list(words.top_k(np.array([0.1, 0.4, 0.1, 0.4]), 3)) == [1, 3, 0]
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 4\]"):
        words.top_k(np.ones(4), 5)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 5), min_size=2, max_size=40), st.floats(0.01, 3.0))
def test_bigram_rows_are_distributions(ids, alpha):
    P = words.bigram_probs(np.array(ids), 6, alpha)
    assert np.allclose(P.sum(axis=1), 1) and (P > 0).all()
