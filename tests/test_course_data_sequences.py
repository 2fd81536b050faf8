"""Tests of course.data.sequences: the latch task and padding."""

from __future__ import annotations

import numpy as np
import pytest

from course.data.sequences import latch_sequences, pad_sequences


def test_latch_targets_say_whether_a_one_has_appeared():
    data = latch_sequences(200, min_len=1, max_len=15, p_one=0.2, seed=3)
    assert len(data) == 200
    for bits, target in data:
        assert bits.dtype == np.float64 and target.dtype == np.int64
        assert set(np.unique(bits)) <= {0.0, 1.0}
        for t in range(len(bits)):  # an independent reading of the definition
            assert target[t] == int(1.0 in bits[: t + 1])
    lengths = [len(b) for b, _ in data]
    assert min(lengths) == 1 and max(lengths) == 15
    finished = np.mean([t[-1] for _, t in data])
    assert 0.2 < finished < 0.95  # both classes occur


def test_latch_is_reproducible_and_seeded():
    a, b, c = (latch_sequences(20, seed=s) for s in (5, 5, 6))
    assert all(np.array_equal(x[0], y[0]) for x, y in zip(a, b))
    assert any(len(x[0]) != len(y[0]) or not np.array_equal(x[0], y[0]) for x, y in zip(a, c))


@pytest.mark.parametrize("kwargs, word", [({"n": -1}, "n must"), ({"n": 2, "min_len": 0}, "min_len"),
                                          ({"n": 2, "min_len": 5, "max_len": 4}, "max_len"),
                                          ({"n": 2, "p_one": 1.5}, "p_one")])
def test_latch_rejects_bad_arguments(kwargs, word):
    with pytest.raises(ValueError, match=word):
        latch_sequences(**kwargs)


def test_pad_fills_the_tail_and_marks_it():
    padded, lengths, mask = pad_sequences([np.array([1, 2, 3]), np.array([4]), np.array([5, 6])], value=-1)
    np.testing.assert_array_equal(padded, [[1, 2, 3], [4, -1, -1], [5, 6, -1]])
    np.testing.assert_array_equal(lengths, [3, 1, 2])
    np.testing.assert_array_equal(mask, [[1, 1, 1], [1, 0, 0], [1, 1, 0]])
    assert padded.dtype == np.array([1]).dtype and mask.dtype == np.float64


def test_pad_keeps_feature_axes_and_takes_tensors():
    from engine import Tensor

    seqs = [Tensor(np.ones((2, 3))), np.full((4, 3), 2.0)]
    padded, lengths, mask = pad_sequences(seqs)
    assert padded.shape == (2, 4, 3) and padded.dtype == np.float64
    np.testing.assert_array_equal(padded[0, 2:], 0.0)
    np.testing.assert_array_equal(padded[1], 2.0)
    np.testing.assert_array_equal(mask.sum(axis=1), lengths)


@pytest.mark.parametrize("seqs, word", [([], "no sequences"), ([np.ones(2), np.ones((2, 3))], "sequence 1"),
                                        ([np.ones(2), np.ones(0)], "empty"), ([np.float64(1.0)], "sequence 0")])
def test_pad_names_bad_input(seqs, word):
    with pytest.raises(ValueError, match=word):
        pad_sequences(seqs)
