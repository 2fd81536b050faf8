"""Tests of course.data.adding: the adding problem of Le, Jaitly and Hinton (2015)."""

from __future__ import annotations

import numpy as np
import pytest

from course.data.adding import (
    BASELINE_MSE,
    BENCHMARK_BATCH,
    BENCHMARK_STEPS,
    BENCHMARK_T,
    SOLVED_MSE,
    adding_batch,
    adding_batches,
    adding_test_set,
    first_marker_distance,
    make_adding,
)


@pytest.mark.parametrize("T", [2, 3, 10, 41])
def test_two_markers_one_per_half_and_target_is_their_sum(T):
    xs, y = make_adding(300, T, seed=T)
    assert xs.shape == (300, T, 2) and y.shape == (300, 1) and xs.dtype == y.dtype == np.float64
    values, markers = xs[..., 0], xs[..., 1]
    assert ((values >= 0) & (values < 1)).all()
    assert set(np.unique(markers)) <= {0.0, 1.0}
    half = T // 2
    np.testing.assert_array_equal(markers[:, :half].sum(axis=1), 1)
    np.testing.assert_array_equal(markers[:, half:].sum(axis=1), 1)
    for b in range(300):  # an independent reading of the definition
        assert y[b, 0] == pytest.approx(sum(values[b, t] for t in range(T) if markers[b, t] == 1), abs=1e-15)


def test_markers_reach_both_ends_of_each_half():
    xs, _ = make_adding(2000, 8, seed=0)
    positions = np.nonzero(xs[..., 1])[1]
    np.testing.assert_array_equal(np.unique(positions), np.arange(8))


def test_predicting_one_scores_the_baseline_and_a_wrong_baseline_is_caught():
    _, y = make_adding(100_000, 6, seed=1)
    mse = np.mean((y - 1) ** 2)
    assert abs(mse - BASELINE_MSE) < 0.003
    assert abs(mse - 1 / 12) > 0.05  # the variance of one value, not of the sum: rejected
    assert BASELINE_MSE == pytest.approx(1 / 6, rel=1e-15)


def test_seeded_and_streamed():
    a, b, c = make_adding(5, 7, seed=3), make_adding(5, 7, seed=3), make_adding(5, 7, seed=4)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])
    s1, s2 = adding_batches(7, 5, seed=3), adding_batches(7, 5, seed=3)
    first, second = next(s1), next(s1)
    np.testing.assert_array_equal(first[0], next(s2)[0])
    np.testing.assert_array_equal(first[0], a[0])  # the stream's first batch is make_adding's data
    assert not np.array_equal(first[0], second[0])  # and each batch is fresh


@pytest.mark.parametrize("call, word", [
    (lambda: make_adding(0, 5), "number of sequences"), (lambda: make_adding(3, 1), "T must"),
    (lambda: adding_batches(5, -2), "number of sequences"), (lambda: adding_batch(3, 5, 7), "Generator"),
    (lambda: make_adding(3, 2.5), "T must")])
def test_bad_arguments_are_named(call, word):
    with pytest.raises((ValueError, TypeError), match=word):
        call()


@pytest.mark.parametrize("T", [2, 7, 50])
def test_first_marker_lies_between_half_and_all_of_T_back(T):
    xs, _ = make_adding(3000, T, seed=T)
    distance = first_marker_distance(xs)
    assert distance.min() == T - T // 2 and distance.max() == T - 1   # both ends reached
    for b in range(20):  # an independent reading: the earliest marked step, counted back from T - 1
        assert distance[b] == T - 1 - min(t for t in range(T) if xs[b, t, 1] == 1)
    wrong = xs.shape[1] - np.argmax(xs[..., 1] == 1, axis=1)   # off by one: caught
    assert not np.array_equal(wrong, distance)


def test_first_marker_distance_names_a_bad_shape():
    with pytest.raises(ValueError, match=r"first_marker_distance.*\(n, T, 2\).*\(4, 3\)"):
        first_marker_distance(np.zeros((4, 3)))


def test_test_set_is_fixed_and_apart_from_the_training_streams():
    a, b = adding_test_set(50), adding_test_set(50)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[0].shape == (1000, 50, 2) and SOLVED_MSE == BASELINE_MSE / 2
    for seed in range(3):
        assert not np.array_equal(next(adding_batches(50, 32, seed=seed + 1))[0], a[0][:32])
    assert (BENCHMARK_T, BENCHMARK_STEPS, BENCHMARK_BATCH) == (50, 1200, 32)
