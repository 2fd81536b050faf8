"""Tests of course.data.series: the generated series, the windows, the naive forecasts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.data.series import make_series, make_windows, naive_forecast, seasonal_naive_forecast, split_series


def test_series_without_noise_is_trend_plus_season():
    y = make_series(36, period=12, trend=0.1, amplitude=2.0, noise=0.0, level=5.0)
    t = np.arange(36)
    angle = 2 * np.pi * t / 12
    expected = 5.0 + 0.1 * t + 2.0 * (np.sin(angle) + 0.5 * np.sin(2 * angle + 1.0))
    assert np.allclose(y, expected, rtol=0, atol=1e-12)
    # one season later the series has moved by exactly period * trend
    assert np.allclose(y[12:] - y[:-12], 1.2, atol=1e-12)


def test_series_is_seeded_and_noise_is_autocorrelated():
    a, b = make_series(2000, seed=1, trend=0.0, amplitude=0.0, noise=1.0, phi=0.8), make_series(
        2000, seed=1, trend=0.0, amplitude=0.0, noise=1.0, phi=0.8)
    assert np.array_equal(a, b) and not np.array_equal(a, make_series(2000, seed=2, trend=0.0, amplitude=0.0,
                                                                       noise=1.0, phi=0.8))
    lag1 = np.corrcoef(a[1:], a[:-1])[0, 1]
    assert 0.74 < lag1 < 0.86
    assert 1.4 < a.std() < 1.9  # stationary sd 1 / sqrt(1 - 0.64) = 1.67


def test_series_rejects_bad_arguments():
    with pytest.raises(ValueError, match="make_series: n must be an integer >= 1"):
        make_series(0)
    with pytest.raises(ValueError, match="period must be an integer >= 2"):
        make_series(10, period=1)
    with pytest.raises(ValueError, match="phi must lie in"):
        make_series(10, phi=1.0)
    with pytest.raises(ValueError, match="noise must be >= 0"):
        make_series(10, noise=-0.1)


def test_windows_by_hand():
    X, y = make_windows(np.arange(6.0), window=3)
    assert X.tolist() == [[0, 1, 2], [1, 2, 3], [2, 3, 4]] and y.tolist() == [3, 4, 5]
    X, y = make_windows(np.arange(6.0), window=2, horizon=3)
    assert X.tolist() == [[0, 1], [1, 2]] and y.tolist() == [4, 5]
    with pytest.raises(ValueError, match="has no window of 5"):
        make_windows(np.arange(5.0), window=5)
    with pytest.raises(ValueError, match="one-dimensional"):
        make_windows(np.zeros((3, 2)), window=1)


@settings(max_examples=30, deadline=None)
@given(st.integers(3, 40), st.integers(1, 6), st.integers(1, 4))
def test_windows_match_their_definition(n, window, horizon):
    y = np.random.default_rng(n).normal(size=n)
    if n - window - horizon + 1 < 1:
        with pytest.raises(ValueError):
            make_windows(y, window, horizon)
        return
    X, targets = make_windows(y, window, horizon)
    assert X.shape == (n - window - horizon + 1, window)
    for i in range(len(X)):
        assert np.array_equal(X[i], y[i:i + window]) and targets[i] == y[i + window + horizon - 1]


def test_split_and_naive_forecasts():
    y = np.arange(10.0)
    train, test = split_series(y, 3)
    assert train.tolist() == list(range(7)) and test.tolist() == [7, 8, 9]
    assert naive_forecast(y, 3).tolist() == [6, 7, 8]
    assert seasonal_naive_forecast(y, 3, period=4).tolist() == [3, 4, 5]
    with pytest.raises(ValueError, match="needs 4 earlier"):
        seasonal_naive_forecast(y, 7, period=4)
    with pytest.raises(ValueError, match="leaves no training data"):
        split_series(y, 10)


def test_seasonal_naive_is_exact_on_a_noiseless_season_without_trend():
    y = make_series(60, period=12, trend=0.0, noise=0.0)
    assert np.allclose(seasonal_naive_forecast(y, 24, 12), y[-24:], atol=1e-12)
    assert not np.allclose(naive_forecast(y, 24), y[-24:], atol=1e-3)
