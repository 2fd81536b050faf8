"""A generated time series with trend, seasonality and noise, and the helpers that cut it into windows.

``make_series`` draws, for t = 0, 1, ..., n - 1,

    y_t = level + trend * t + amplitude * sin(2 pi t / period) + 0.5 * amplitude * sin(4 pi t / period + 1)
          + e_t,      e_t = phi * e_{t-1} + noise * z_t,  z_t ~ N(0, 1)

a straight trend, a season of ``period`` steps with two harmonics (so it is not a pure sine), and
autocorrelated (AR(1)) noise. Think of monthly sales: period 12.

A forecaster sees the last ``window`` values and predicts the next one (``make_windows``). The naive
forecasts it must beat are ``naive_forecast`` (tomorrow = today) and ``seasonal_naive_forecast``
(this month = the same month last year).

Example::

    >>> y = make_series(240, seed=0)
    >>> train, test = split_series(y, test_size=48)
    >>> X, targets = make_windows(train, window=24)     # X (192, 24), targets (192,)
"""

from __future__ import annotations

import numpy as np


def _positive_int(name: str, what: str, value: int, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name}: {what} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def make_series(n: int, period: int = 12, trend: float = 0.02, amplitude: float = 1.0, noise: float = 0.2,
                phi: float = 0.5, level: float = 0.0, seed: int = 0) -> np.ndarray:
    """``n`` steps of a series with a linear trend, a seasonal pattern and AR(1) noise.

    Args:
        n: the number of steps.
        period: the length of a season, in steps (at least 2).
        trend: the increase per step.
        amplitude: the size of the seasonal pattern.
        noise: the standard deviation of the noise's innovations z_t (>= 0).
        phi: the noise's autocorrelation, in (-1, 1).
        level: the value of the trend at t = 0.
        seed: the seed of the noise; the same seed gives the same series.

    Returns:
        A float64 array of shape (n,).
    """
    n = _positive_int("make_series", "n", n)
    period = _positive_int("make_series", "period", period, minimum=2)
    if not noise >= 0:
        raise ValueError(f"make_series: noise must be >= 0, got {noise!r}")
    if not -1 < phi < 1:
        raise ValueError(f"make_series: phi must lie in (-1, 1) (a stationary noise), got {phi!r}")
    t = np.arange(n, dtype=np.float64)
    angle = 2 * np.pi * t / period
    clean = level + trend * t + amplitude * (np.sin(angle) + 0.5 * np.sin(2 * angle + 1.0))
    z = np.random.default_rng(seed).standard_normal(n) * noise
    e = np.empty(n)
    e[0] = z[0] / np.sqrt(1 - phi * phi)  # start the noise in its stationary distribution
    for k in range(1, n):
        e[k] = phi * e[k - 1] + z[k]
    return clean + e


def split_series(y: np.ndarray, test_size: int) -> tuple[np.ndarray, np.ndarray]:
    """The series cut in time: ``(y[:-test_size], y[-test_size:])`` (no shuffling: the future is the test)."""
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1:
        raise ValueError(f"split_series: y must be one-dimensional, got shape {y.shape}")
    test_size = _positive_int("split_series", "test_size", test_size)
    if test_size >= len(y):
        raise ValueError(f"split_series: test_size {test_size} leaves no training data in a series of {len(y)}")
    return y[:-test_size], y[-test_size:]


def make_windows(y: np.ndarray, window: int, horizon: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Every run of ``window`` consecutive values with the value ``horizon`` steps after it.

    Row i of the inputs is ``y[i : i + window]`` and its target ``y[i + window + horizon - 1]``.

    Args:
        y: a series, shape (n,).
        window: how many past values each input holds.
        horizon: how far ahead the target lies (1: the next value).

    Returns:
        ``(X, targets)`` of shapes (n - window - horizon + 1, window) and (n - window - horizon + 1,).
    """
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1:
        raise ValueError(f"make_windows: y must be one-dimensional, got shape {y.shape}")
    window = _positive_int("make_windows", "window", window)
    horizon = _positive_int("make_windows", "horizon", horizon)
    count = len(y) - window - horizon + 1
    if count < 1:
        raise ValueError(f"make_windows: a series of {len(y)} values has no window of {window} followed by a "
                         f"target {horizon} step(s) ahead")
    X = np.lib.stride_tricks.sliding_window_view(y, window)[:count].copy()
    return X, y[window + horizon - 1:].copy()


def naive_forecast(history: np.ndarray, test_size: int) -> np.ndarray:
    """One-step-ahead naive forecasts of the ``test_size`` values after ``history`` given the whole series:
    each value predicted by the one before it.

    Args:
        history: the whole series, shape (n,), whose last ``test_size`` values are forecast.
        test_size: how many final values to forecast.

    Returns:
        ``history[-test_size - 1 : -1]``, shape (test_size,).
    """
    return _lagged("naive_forecast", history, test_size, 1)


def seasonal_naive_forecast(history: np.ndarray, test_size: int, period: int) -> np.ndarray:
    """One-step-ahead seasonal naive forecasts: each of the last ``test_size`` values predicted by the value
    one ``period`` before it, ``history[t - period]``.

    Args:
        history: the whole series, shape (n,).
        test_size: how many final values to forecast.
        period: the season length.

    Returns:
        An array of shape (test_size,).
    """
    period = _positive_int("seasonal_naive_forecast", "period", period)
    return _lagged("seasonal_naive_forecast", history, test_size, period)


def _lagged(name: str, history: np.ndarray, test_size: int, lag: int) -> np.ndarray:
    y = np.asarray(history, dtype=np.float64)
    if y.ndim != 1:
        raise ValueError(f"{name}: the series must be one-dimensional, got shape {y.shape}")
    test_size = _positive_int(name, "test_size", test_size)
    if test_size + lag > len(y):
        raise ValueError(f"{name}: forecasting the last {test_size} of {len(y)} values needs {lag} earlier "
                         f"value(s) for the first of them")
    n = len(y)
    return y[n - test_size - lag:n - lag].copy()


__all__ = ["make_series", "make_windows", "naive_forecast", "seasonal_naive_forecast", "split_series"]
