"""The custom comparison of exercise 14.2 accepts the right index and rejects wrong ones."""

from __future__ import annotations

import numpy as np

from grader.specs.ch14 import _sample_compare


def test_sample_compare_accepts_the_expected_index():
    assert _sample_compare(2, 2, (np.array([1.0, 2.0, 3.0]), 1.0, 0.5)) is None


def test_sample_compare_rejects_a_wrong_index_and_a_wrong_type():
    args = (np.array([0.0, 0.0, 0.0, 0.0]), 1.0, 0.6)  # cdf 0.25, 0.5, 0.75, 1: u = 0.6 gives index 2
    assert _sample_compare(2, 1, args) is not None
    assert _sample_compare(2, 3, args) is not None
    assert _sample_compare(2, 2.0, args) is not None


def test_sample_compare_forgives_only_a_boundary_tie():
    args = (np.array([0.0, 0.0, 0.0, 0.0]), 1.0, 0.5)  # u on the boundary between index 1 and 2
    assert _sample_compare(2, 1, args) is None
    assert _sample_compare(2, 0, args) is not None
