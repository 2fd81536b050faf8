"""Tests of course.data.text: the vocabulary, the reviews, number words, invented-language words."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course.data import text
from course.data.text import BOS, EOS, PAD, UNK, Vocab, make_number_pairs, make_reviews, make_words, number_to_words

# ---- Vocab --------------------------------------------------------------------------------------------


def test_vocab_puts_specials_first_and_sorts_tokens():
    v = Vocab.build([["b", "a"], ["c", "a"]])
    assert v.itos == [PAD, BOS, EOS, UNK, "a", "b", "c"]
    assert (v.pad_id, v.bos_id, v.eos_id, v.unk_id) == (0, 1, 2, 3)
    assert len(v) == 7 and "a" in v and "z" not in v


@given(st.lists(st.sampled_from(["x", "y", "z", "w"]), max_size=8), st.booleans(), st.booleans())
def test_encode_decode_round_trip(tokens, bos, eos):
    v = Vocab(["w", "x", "y", "z"])
    ids = v.encode(tokens, bos=bos, eos=eos)
    assert ids.dtype == np.int64 and len(ids) == len(tokens) + bos + eos
    assert v.decode(ids) == tokens
    assert v.decode(ids, strip=False) == [BOS] * bos + tokens + [EOS] * eos


def test_decode_stops_at_eos_and_drops_padding():
    v = Vocab(["a", "b"])
    assert v.decode([1, 4, 0, 5, 2, 4, 4]) == ["a", "b"]
    assert v.decode([4, 5, 2, 4], strip=False) == ["a", "b", EOS, "a"]


def test_unknown_tokens_map_to_unk_or_raise():
    assert Vocab(["a"]).encode(["a", "q"]).tolist() == [4, 3]
    with pytest.raises(KeyError, match="unknown token 'q'"):
        Vocab(["a"], specials=(PAD,)).encode(["q"])
    with pytest.raises(KeyError, match="no special token '<bos>'"):
        Vocab(["a"], specials=(PAD,)).encode(["a"], bos=True)


def test_vocab_rejects_duplicates_and_bad_ids():
    with pytest.raises(ValueError, match="'a' appears twice"):
        Vocab(["a", "b", "a"])
    with pytest.raises(IndexError, match="id 9 is out of range for 6 tokens"):
        Vocab(["a", "b"]).decode([4, 9])


def test_encode_batch_pads_with_pad_id_and_reports_lengths():
    v = Vocab(["a", "b", "c"])
    ids, lengths, mask = v.encode_batch([["a", "b", "c"], ["b"]], bos=True, eos=True)
    assert ids.tolist() == [[1, 4, 5, 6, 2], [1, 5, 2, 0, 0]]
    assert lengths.tolist() == [5, 3]
    assert mask.tolist() == [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]
    assert ids.dtype == np.int64


# ---- reviews ------------------------------------------------------------------------------------------


def _clause_polarity(words: list[str], negation: bool = True) -> int:
    adjective = words[-1]
    sign = 1 if adjective in text.POSITIVE else -1 if adjective in text.NEGATIVE else 0
    assert sign != 0, f"clause {words} does not end with an adjective"
    return -sign if negation and "not" in words else sign


def _label_by_rule(words: list[str], negation: bool = True) -> int:
    """An independent reading of a review: the clause after "but" (or the last one) decides."""
    clauses, current = [], []
    for w in words:
        if w in ("and", "but"):
            clauses.append(current)
            current = []
        else:
            current.append(w)
    clauses.append(current)
    return int(_clause_polarity(clauses[-1], negation) > 0)


def test_review_labels_follow_negation_and_but():
    reviews = make_reviews(400, seed=3)
    assert all(r.label == _label_by_rule(r.words) for r in reviews)
    # the rule check is not vacuous: reading without negation gets many labels wrong
    wrong = sum(r.label != _label_by_rule(r.words, negation=False) for r in reviews)
    assert wrong > 50


def test_review_tags_mark_adjectives_with_their_clause_polarity():
    for r in make_reviews(300, seed=4):
        assert len(r.tags) == len(r.words)
        for i, (w, tag) in enumerate(zip(r.words, r.tags)):
            is_adjective = w in text.POSITIVE or w in text.NEGATIVE
            assert (tag != "o") == is_adjective
            if is_adjective:
                start = max([j + 1 for j in range(i) if r.words[j] in ("and", "but")], default=0)
                assert tag == ("pos" if _clause_polarity(r.words[start:i + 1]) > 0 else "neg")


def test_reviews_are_seeded_balanced_and_short():
    a, b = make_reviews(500, seed=0), make_reviews(500, seed=0)
    assert a == b and a != make_reviews(500, seed=1)
    labels = np.array([r.label for r in a])
    assert 0.4 < labels.mean() < 0.6
    lengths = [len(r.words) for r in a]
    assert min(lengths) == 4 and max(lengths) <= 13
    assert {"and", "but", "not"} <= {w for r in a for w in r.words}
    with pytest.raises(ValueError, match="n must be >= 0"):
        make_reviews(-1)


# ---- number words --------------------------------------------------------------------------------------


def _words_to_number(words: list[str]) -> int:
    """An independent parser of the number words."""
    units = {w: i for i, w in enumerate(text.ONES)}
    tens = {w: 10 * i for i, w in enumerate(text.TENS) if w}
    total = 0
    for w in words:
        if w == "hundred":
            total *= 100
        elif w in units:
            total += units[w]
        else:
            total += tens[w]
    return total


def test_number_words_known_values():
    assert number_to_words(0) == ["zero"]
    assert number_to_words(13) == ["thirteen"]
    assert number_to_words(40) == ["forty"]
    assert number_to_words(101) == ["one", "hundred", "one"]
    assert number_to_words(110) == ["one", "hundred", "ten"]
    assert number_to_words(312) == ["three", "hundred", "twelve"]
    assert number_to_words(999) == ["nine", "hundred", "ninety", "nine"]


def test_number_words_parse_back_for_every_number():
    spelled = [tuple(number_to_words(n)) for n in range(1000)]
    assert len(set(spelled)) == 1000
    assert all(_words_to_number(list(w)) == n for n, w in enumerate(spelled))
    assert _words_to_number(["three", "hundred", "twelve"]) != 302  # the parser tells numbers apart


def test_number_words_rejects_out_of_range():
    for bad in (-1, 1000, 2.5):
        with pytest.raises(ValueError, match="number_to_words: n must be an integer in 0..999"):
            number_to_words(bad)


def test_number_pairs_split_all_numbers_once():
    train, test = make_number_pairs(seed=0, test_fraction=0.2)
    assert len(train) == 800 and len(test) == 200
    numbers = [int("".join(d)) for _, d in train + test]
    assert sorted(numbers) == list(range(1000))
    assert all(_words_to_number(w) == int("".join(d)) for w, d in train + test)
    assert make_number_pairs(seed=0) == (train, test) and make_number_pairs(seed=1)[1] != test
    small_train, small_test = make_number_pairs(seed=0, test_fraction=0.5, max_value=19)
    assert len(small_train) == len(small_test) == 10
    with pytest.raises(ValueError, match="max_value must be in 0..999"):
        make_number_pairs(max_value=1000)


# ---- invented languages ----------------------------------------------------------------------------------


def test_words_are_distinct_balanced_and_follow_their_recipe():
    words = make_words(200, seed=0)
    assert len(words) == 600 and len({w for w, _ in words}) == 600
    by_lang = {lang: [w for w, g in words if g == lang] for lang in text.LANGUAGES}
    assert all(len(ws) == 200 for ws in by_lang.values())
    kalani_letters = set("".join(text.LANGUAGES["kalani"]["onsets"] + text.LANGUAGES["kalani"]["vowels"]))
    assert all(set(w) <= kalani_letters for w in by_lang["kalani"])
    assert not all(set(w) <= kalani_letters for w in by_lang["strovak"])  # the check can fail
    assert all(w[-1] in "aeiou" for w in by_lang["ellandese"])
    assert make_words(50, seed=2) == make_words(50, seed=2) != make_words(50, seed=3)


def test_words_reject_unknown_language():
    with pytest.raises(ValueError, match="unknown languages \\['klingon'\\]"):
        make_words(5, languages=["kalani", "klingon"])
