"""Tests of course.data.reber: the (embedded) Reber grammar, its next-symbol sets, and batches."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.data import reber
from course.data.reber import (
    ALPHABET,
    INDEX,
    embedded_reber_string,
    encode,
    is_valid,
    make_embedded_reber,
    make_reber,
    next_symbols,
    reber_batch,
    reber_string,
)


def _allowed(row: np.ndarray) -> str:
    return "".join(ALPHABET[i] for i in np.flatnonzero(row))


def test_known_strings_are_valid_and_broken_ones_are_not():
    for s in ("BTSSXXTVVE", "BPVVE", "BTXSE", "BPTVPSE", "BPVPXVVE"):
        assert is_valid(s, embedded=False), s
        assert is_valid("BT" + s + "TE") and is_valid("BP" + s + "PE")
    for s in ("BTSSXXTVV", "BTXXE", "TSXSE", "BPVVEE", "BPVVEX", "", "BPVQE"):
        assert not is_valid(s, embedded=False), s
    assert not is_valid("BTBPVVEPE")  # the embedded symbol must be repeated
    assert not is_valid("BPVVE")  # a plain string is not an embedded one
    assert not is_valid("BPBPVVP")  # truncated


def test_next_symbols_of_a_plain_string_by_hand():
    rows = next_symbols("BTSSXXTVVE", embedded=False)
    assert rows.shape == (10, 7)
    assert [_allowed(r) for r in rows] == ["TP", "SX", "SX", "SX", "SX", "TV", "TV", "PV", "E", ""]


def test_next_symbols_of_an_embedded_string_by_hand():
    rows = next_symbols("BPBTXSEPE")
    assert [_allowed(r) for r in rows] == ["TP", "B", "TP", "SX", "SX", "E", "P", "E", ""]
    # the long-range step: after the inner E only the opening symbol is allowed
    assert _allowed(next_symbols("BTBTXSETE")[6]) == "T"


def test_next_symbols_rejects_bad_strings_with_clear_errors():
    with pytest.raises(ValueError, match="not a complete embedded Reber string"):
        next_symbols("BTBTXSEPE")
    with pytest.raises(ValueError, match="outside the alphabet"):
        next_symbols("BTBQXSETE")
    with pytest.raises(TypeError, match="expected a string"):
        next_symbols(["B", "T"])


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_generated_strings_are_valid_and_follow_their_next_symbols(seed):
    rng = np.random.default_rng(seed)
    for s, embedded in ((reber_string(rng), False), (embedded_reber_string(rng), True)):
        assert is_valid(s, embedded)
        rows = next_symbols(s, embedded)
        for t in range(len(s) - 1):  # the symbol that actually follows is always an allowed one
            assert rows[t, INDEX[s[t + 1]]] == 1
        assert rows[-1].sum() == 0 and s[-1] == "E"
    assert s[1] == s[-2] and s[1] in "TP" and s[2] == "B"


def test_make_functions_are_seeded_and_balanced():
    a, b = make_embedded_reber(200, seed=3), make_embedded_reber(200, seed=3)
    assert a == b and a != make_embedded_reber(200, seed=4)
    assert make_reber(5, seed=1) == make_reber(5, seed=1)
    share_t = np.mean([s[1] == "T" for s in a])
    assert 0.4 < share_t < 0.6
    assert min(len(s) for s in a) >= 9
    assert {s[:2] for s in make_reber(50, seed=0)} == {"BT", "BP"}  # both branches of node 1 are taken


def test_max_length_caps_strings_and_is_checked():
    strings = make_embedded_reber(100, seed=0, max_length=12)
    assert max(len(s) for s in strings) <= 12 and len(strings) == 100
    with pytest.raises(ValueError, match="max_length must be an integer >= 9"):
        make_embedded_reber(3, max_length=8)
    with pytest.raises(ValueError, match="n must be an integer >= 0"):
        make_reber(-1)
    with pytest.raises(TypeError, match="numpy Generator"):
        reber_string(0)


def test_reber_batch_shapes_padding_and_shift():
    strings = ["BPBTXSEPE", "BTBTSSXXTVVETE"]
    xs, targets, valid, lengths, mask = reber_batch(strings)
    assert xs.shape == (2, 13, 7) and targets.shape == (2, 13) and valid.shape == (2, 13, 7)
    assert lengths.tolist() == [8, 13] and mask.sum(axis=1).tolist() == [8, 13]
    assert (xs[1].argmax(-1) == encode(strings[1])[:-1]).all()
    assert (targets[1] == encode(strings[1])[1:]).all()
    assert (targets[0, :8] == encode(strings[0])[1:]).all() and (targets[0, 8:] == 0).all()
    assert xs[0, 8:].sum() == 0 and valid[0, 8:].sum() == 0
    assert (valid[0, :8] == next_symbols(strings[0])[:-1]).all()
    # every real target is among the allowed symbols of its step
    rows, steps = np.nonzero(mask)
    assert (valid[rows, steps, targets[rows, steps]] == 1).all()
    with pytest.raises(ValueError, match="got no strings"):
        reber_batch([])


def test_encode_uses_alphabet_positions():
    assert encode("BTPSXVE").tolist() == list(range(7))
    assert reber.GRAPH[6] == (("E", -1),)
