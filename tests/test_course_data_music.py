"""Tests of course.data.music: the shipped chorales, the token grid and the synthesis."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.data import music


def test_chorales_load_and_transpose_to_c_or_a():
    raw, moved = music.load_chorales(transpose=False), music.load_chorales()
    assert len(raw) == len(moved) == 404
    assert raw[0].name == "bwv1.6" and raw[0].tonic == 5 and raw[0].mode == "major"
    assert {c.tonic for c in moved} == {0, 9}
    for a, b in zip(raw, moved):
        shift = b.notes[:, 0] - a.notes[:, 0]
        pitched = a.notes[:, 0] >= 0
        assert len(set(shift[pitched])) == 1 and -6 <= shift[pitched][0] <= 5
        assert (b.notes[~pitched, 0] == -1).all() and np.array_equal(a.notes[:, 1], b.notes[:, 1])
    pitches = np.concatenate([c.notes[c.notes[:, 0] >= 0, 0] for c in moved])
    assert music.LOW <= pitches.min() and pitches.max() <= music.HIGH


def test_grid_tokens_of_a_small_melody():
    # C4 quarter, rest eighth, D4 eighth, E4 half, a passing sixteenth pair (F4, G4), then A4 eighth
    notes = np.array([[60, 4], [-1, 2], [62, 2], [64, 8], [65, 1], [67, 1], [69, 2]])
    tok = music.to_grid(notes)
    c, d, e, g, a = (p - music.LOW + 2 for p in (60, 62, 64, 67, 69))
    # on an eighth grid the sixteenth F4 starting on the beat is kept, the G4 off the grid dropped
    f = 65 - music.LOW + 2
    assert list(tok) == [c, 0, music.REST, d, e, 0, 0, 0, f, a]
    assert music.notes_from_grid(tok) == [(60, 0, 2), (62, 3, 1), (64, 4, 4), (65, 8, 1), (69, 9, 1)]
    assert list(music.to_grid(notes, step=1))[:6] == [c, 0, 0, 0, music.REST, 0]


def test_grid_rejects_bad_notes():
    with pytest.raises(ValueError, match=r"pitches must lie in \[52, 88\]"):
        music.to_grid(np.array([[40, 4]]))
    with pytest.raises(ValueError, match="every duration must be positive"):
        music.to_grid(np.array([[60, 0]]))
    with pytest.raises(ValueError, match="tokens must lie in"):
        music.notes_from_grid(np.array([0, 99]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.just(-1), st.integers(music.LOW, music.HIGH)), st.integers(1, 4)),
                min_size=1, max_size=12))
def test_grid_round_trip_on_a_sixteenth_grid(pairs):
    notes = np.array(pairs)
    tokens = music.to_grid(notes, step=1)
    assert len(tokens) == notes[:, 1].sum()
    # merging consecutive equal events is the only loss: rebuild the notes and compare
    starts = np.concatenate([[0], np.cumsum(notes[:, 1])[:-1]])
    expected = [(int(p), int(s), int(n)) for (p, n), s in zip(notes, starts) if p >= 0]
    assert music.notes_from_grid(tokens) == expected


def test_notes_from_grid_starts_silent_and_ends_notes_at_rests():
    p = 67 - music.LOW + 2
    assert music.notes_from_grid(np.array([0, 0, p, 0, music.REST, 0, p])) == [(67, 2, 2), (67, 6, 1)]
    assert music.notes_from_grid(np.array([], dtype=int)) == []


def test_synthesize_places_notes_in_time():
    wave = music.synthesize([(69, 0, 2), (81, 4, 2)], step_seconds=0.25, sample_rate=8000)
    assert len(wave) == 6 * 2000 + 1 and np.isclose(np.abs(wave).max(), 1.0)
    assert np.abs(wave[4100:8000]).max() == 0          # the gap between the notes is silent
    spectrum = np.abs(np.fft.rfft(wave[:4000]))
    assert np.argmax(spectrum) * 8000 / 4000 == 440    # A4
    assert np.isclose(music.midi_to_hz(60), 261.6256, atol=1e-4)
    with pytest.raises(ValueError, match="must be positive"):
        music.synthesize([(60, 0, 1)], step_seconds=0)
