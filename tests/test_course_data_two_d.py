"""Tests of course.data.two_d: shapes, seeding, geometry, balance, and clear errors."""

import numpy as np
import pytest

from course.data.two_d import spirals, train_test_split, two_moons


@pytest.mark.parametrize("make", [two_moons, spirals])
def test_shapes_and_dtypes(make):
    X, y = make(n=101, seed=3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    assert np.isfinite(X).all()


@pytest.mark.parametrize("make", [two_moons, spirals])
def test_same_seed_same_data_other_seed_other_data(make):
    X1, y1 = make(seed=7)
    X2, y2 = make(seed=7)
    X3, _ = make(seed=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


def test_two_moons_balanced_and_shuffled():
    _, y = two_moons(n=201, seed=0)
    assert np.bincount(y).tolist() == [101, 100]
    # shuffled: the labels are not one block of zeros followed by ones
    assert (np.diff(y) != 0).sum() > 10


def test_two_moons_without_noise_lies_on_its_arcs():
    X, y = two_moons(n=400, noise=0.0, seed=1)
    P = X + np.array([0.5, 0.25])  # undo the centring
    upper, lower = P[y == 0], P[y == 1]
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-12)
    assert (upper[:, 1] >= -1e-12).all()
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-12)
    assert (lower[:, 1] <= 0.5 + 1e-12).all()


def test_two_moons_is_centred_and_noise_scales_spread():
    X, _ = two_moons(n=4000, noise=0.0, seed=2)
    # the mean of each arc's x is 0 and 1 and of y is +-2/pi; centring puts the data's mean near 0
    np.testing.assert_allclose(X.mean(axis=0), [0.0, 0.0], atol=0.05)
    Xn, _ = two_moons(n=4000, noise=0.3, seed=2)
    assert np.abs(Xn - X).std() > 0.15  # the same angles (same seed) moved by the noise


def test_spirals_classes_radius_and_arm_angle():
    X, y = spirals(n=300, classes=3, turns=1.0, noise=0.0, seed=0)
    assert np.bincount(y).tolist() == [100, 100, 100]
    r = np.hypot(X[:, 0], X[:, 1])
    assert (r <= 1.0).all() and r.max() > 0.9
    # without noise, the angle of a point of class k is 2 pi (k/3 + r), modulo 2 pi
    expected = 2 * np.pi * (y / 3 + r)
    diff = np.angle(np.exp(1j * (np.arctan2(X[:, 1], X[:, 0]) - expected)))
    np.testing.assert_allclose(diff, 0.0, atol=1e-9)


def test_spirals_uneven_classes():
    _, y = spirals(n=10, classes=4, seed=0)
    assert np.bincount(y).tolist() == [3, 3, 2, 2]


def test_train_test_split_partitions_the_data():
    X, y = two_moons(n=100, seed=0)
    Xtr, ytr, Xte, yte = train_test_split(X, y, test_fraction=0.2, seed=1)
    assert len(Xte) == 20 and len(Xtr) == 80 and len(ytr) == 80 and len(yte) == 20
    # every row lands in exactly one part, with its own label
    both = np.concatenate([np.c_[Xtr, ytr], np.c_[Xte, yte]])
    np.testing.assert_array_equal(both[np.lexsort(both.T)], np.c_[X, y][np.lexsort(np.c_[X, y].T)])
    again = train_test_split(X, y, test_fraction=0.2, seed=1)
    np.testing.assert_array_equal(again[2], Xte)


@pytest.mark.parametrize("call, message", [
    (lambda: two_moons(n=1), "two_moons: n must be an integer >= 2"),
    (lambda: two_moons(n=10.0), "two_moons: n must be an integer"),
    (lambda: two_moons(noise=-0.1), "two_moons: noise must be a finite number >= 0"),
    (lambda: spirals(classes=1), "spirals: classes must be an integer >= 2"),
    (lambda: spirals(n=2, classes=3), "spirals: n must be an integer >= 3"),
    (lambda: spirals(turns=0), "spirals: turns must be a finite number > 0"),
    (lambda: spirals(noise=float("nan")), "spirals: noise must be a finite number"),
    (lambda: train_test_split(np.zeros((4, 2)), np.zeros(3)), r"shapes \(4, 2\) and \(3,\)"),
    (lambda: train_test_split(np.zeros((4, 2)), np.zeros(4), test_fraction=1.0), "strictly between"),
    (lambda: train_test_split(np.zeros((1, 2)), np.zeros(1)), "at least 2 examples"),
])
def test_bad_input_gets_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
