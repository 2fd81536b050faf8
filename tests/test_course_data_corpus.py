"""Tests of course.data.corpus: the project's character corpus and its windows."""

from __future__ import annotations

import numpy as np
import pytest

from course.data import corpus


def test_text_uses_its_alphabet_and_is_a_few_thousand_characters():
    text = corpus.corpus_text()
    assert 4000 <= len(text) <= 8000
    assert set(text) <= set(corpus.ALPHABET) and set(text) >= set(" .\nabcdefghiklmnoprstuvwy")
    assert text == text.lower() and "  " not in text


def test_a_stray_character_is_caught(monkeypatch):
    monkeypatch.setattr(corpus, "TEXT", corpus.TEXT + "Z!")
    with pytest.raises(ValueError, match=r"\['!', 'Z'\]"):
        corpus.corpus_text()


@pytest.mark.parametrize("fraction", [0.05, 0.1, 0.3])
def test_split_at_a_line_and_lose_nothing(fraction):
    text = corpus.corpus_text()
    train, test = corpus.train_test_split(text, fraction)
    assert train + test == text and train.endswith("\n")
    assert abs(len(test) / len(text) - fraction) < 0.05
    with pytest.raises(ValueError, match="test_fraction"):
        corpus.train_test_split(text, 1.0)
    with pytest.raises(ValueError, match="no line break"):
        corpus.train_test_split("abc def", 0.5)


def test_vocab_round_trips_every_character():
    text = corpus.corpus_text()
    vocab = corpus.char_vocab(text)
    assert len(vocab) == len(set(text)) and vocab.itos == sorted(set(text))
    assert "".join(vocab.decode(vocab.encode(text), strip=False)) == text
    with pytest.raises(ValueError, match="empty"):
        corpus.char_vocab("")


def test_windows_are_shifted_by_one_and_cover_the_ends():
    ids = np.arange(20)
    inputs, targets = corpus.random_windows(ids, 500, 6, np.random.default_rng(0))
    assert inputs.shape == targets.shape == (500, 6) and inputs.dtype == np.int64
    np.testing.assert_array_equal(targets[:, :-1], inputs[:, 1:])
    np.testing.assert_array_equal(targets, inputs + 1)  # ids are positions here: the next character
    assert inputs[:, 0].min() == 0 and targets[:, -1].max() == 19
    again, _ = corpus.random_windows(ids, 500, 6, np.random.default_rng(0))
    np.testing.assert_array_equal(inputs, again)


@pytest.mark.parametrize("ids, batch, length, word", [
    (np.arange(5), 2, 5, "at least 6"), (np.ones((2, 3), dtype=int), 1, 1, "1-D integer"),
    (np.linspace(0, 1, 5), 1, 1, "1-D integer"), (np.arange(5), 0, 2, "positive")])
def test_windows_name_bad_input(ids, batch, length, word):
    with pytest.raises(ValueError, match=word):
        corpus.random_windows(ids, batch, length, np.random.default_rng(0))


def test_three_way_split_keeps_order_and_loses_nothing():
    text = corpus.corpus_text()
    train, val, test = corpus.train_val_test_split(text, 0.1, 0.1)
    assert train + val + test == text
    assert test == corpus.train_test_split(text, 0.1)[1]          # the same test part as before
    assert train.endswith("\n") and val.endswith("\n")
    assert 0.05 < len(val) / len(train + val) < 0.15 and not set(val.splitlines()) & set(test.splitlines())


def test_consecutive_windows_continue_each_other():
    ids = np.arange(103)
    x, y = corpus.consecutive_windows(ids, 4, 5, offset=2)       # streams of (103 - 2 - 1) // 4 = 25 ids
    assert x.shape == y.shape == (5, 4, 5) and x.dtype == np.int64
    np.testing.assert_array_equal(y, x + 1)                        # the next character
    for b in range(4):                                             # window w + 1 follows window w
        stream = np.concatenate([x[w, b] for w in range(5)])
        np.testing.assert_array_equal(stream, np.arange(2 + 25 * b, 2 + 25 * (b + 1)))
    assert len({int(x[0, b, 0]) for b in range(4)}) == 4           # the streams start apart
    text_ids = corpus.char_vocab(corpus.corpus_text()).encode(corpus.corpus_text())
    xt, yt = corpus.consecutive_windows(text_ids, 8, 16)
    np.testing.assert_array_equal(xt[:, :, 1:], yt[:, :, :-1])


@pytest.mark.parametrize("ids, batch, length, offset, word", [
    (np.arange(10.0), 2, 2, 0, "1-D integer"),
    (np.arange(10), 0, 2, 0, "positive"),
    (np.arange(10), 2, 2, -1, "offset >= 0"),
    (np.arange(10), 4, 3, 0, "do not fill one window"),
])
def test_consecutive_windows_name_bad_input(ids, batch, length, offset, word):
    with pytest.raises(ValueError, match=f"consecutive_windows.*{word}"):
        corpus.consecutive_windows(ids, batch, length, offset)
