"""Real weather: four years of daily measurements in Seattle, and the forecasts a model must beat.

``course/data/files/seattle_weather.csv`` is ``seattle-weather.csv`` from the ``vega_datasets`` package
(0.9.0, MIT), copied byte for byte by ``scripts/make_weather.py``: one row per day from 2012-01-01 to
2015-12-31 (1,461 days, none missing) with the precipitation (mm), the day's highest and lowest
temperature (degrees C), the mean wind speed (m/s) and a weather label, recorded by NOAA (public domain).

A forecast is made at an *origin* day ``o`` (the last day whose value is known) for the ``horizon`` days
after it, ``y[o + 1] ... y[o + horizon]``. The two forecasts every forecaster is compared with:

- persistence: every future day equals the last known one, ``y[o]``;
- seasonal naive: day ``o + h`` equals the same day one period (a year, 365 days) earlier,
  ``y[o + h - period]``.

Example::

    >>> w = load_seattle_weather()
    >>> y = w.temp_max                                  # (1461,) degrees C
    >>> origins = np.flatnonzero(w.dates.astype("datetime64[Y]") == np.datetime64("2015", "Y"))[:-7]
    >>> rmse_by_horizon(persistence_forecast(y, origins, 7), y, origins)    # (7,), growing with h
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import NamedTuple

import numpy as np

FILE = Path(__file__).resolve().parent / "files" / "seattle_weather.csv"
#: one year, in days: the season of a daily temperature series
YEAR = 365


class Weather(NamedTuple):
    """The daily measurements, one array entry per day, in date order."""

    dates: np.ndarray          # datetime64[D]
    precipitation: np.ndarray  # mm
    temp_max: np.ndarray       # degrees C
    temp_min: np.ndarray       # degrees C
    wind: np.ndarray           # m/s
    weather: np.ndarray        # str: drizzle, rain, sun, snow, fog


def load_seattle_weather(path: Path | str = FILE) -> Weather:
    """Read the shipped CSV (no download) and check that it holds consecutive days.

    Returns:
        A ``Weather`` of float64 arrays (and ``datetime64[D]`` dates, ``str`` labels) of equal length.
    """
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise ValueError(f"load_seattle_weather: {path} holds no rows")
    dates = np.array([r["date"].replace("/", "-") for r in rows], dtype="datetime64[D]")
    gaps = np.flatnonzero(np.diff(dates) != np.timedelta64(1, "D"))
    if gaps.size:
        raise ValueError(f"load_seattle_weather: dates are not consecutive after {dates[gaps[0]]}")

    def column(name: str) -> np.ndarray:
        return np.array([float(r[name]) for r in rows])

    return Weather(dates, column("precipitation"), column("temp_max"), column("temp_min"), column("wind"),
                   np.array([r["weather"] for r in rows]))


def year_mask(dates: np.ndarray, *years: int) -> np.ndarray:
    """A boolean mask of the days that fall in any of ``years``."""
    year = dates.astype("datetime64[Y]").astype(int) + 1970
    return np.isin(year, years)


def day_of_year_features(dates: np.ndarray) -> np.ndarray:
    """(n, 2): cos and sin of 2 pi (day of year) / 365.25, a smooth clock of the season.

    Known in advance for any future day, so a forecaster may use it at every step it rolls forward.
    """
    day = (dates - dates.astype("datetime64[Y]")).astype(int)
    angle = 2 * np.pi * day / 365.25
    return np.stack([np.cos(angle), np.sin(angle)], axis=1)


def _check(name: str, y: np.ndarray, origins: np.ndarray, horizon: int, lag: int = 0) -> tuple[np.ndarray, ...]:
    y = np.asarray(y, dtype=np.float64)
    origins = np.asarray(origins)
    if y.ndim != 1:
        raise ValueError(f"{name}: the series must be one-dimensional, got shape {y.shape}")
    if origins.ndim != 1 or origins.dtype.kind not in "iu":
        raise ValueError(f"{name}: origins must be a 1-d integer array, got shape {origins.shape}, "
                         f"dtype {origins.dtype}")
    if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
        raise ValueError(f"{name}: horizon must be an integer >= 1, got {horizon!r}")
    if origins.size and (origins.min() < 0 or origins.max() >= len(y)):
        raise ValueError(f"{name}: origins must lie in [0, {len(y)}), got {origins.min()} to {origins.max()}")
    if origins.size and origins.min() + 1 - lag < 0:
        raise ValueError(f"{name}: origin {origins.min()} has fewer than {lag - 1} days before it")
    return y, origins.astype(np.intp)


def persistence_forecast(y: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """(len(origins), horizon): the forecast of ``y[o + h]`` is ``y[o]`` for every h = 1..horizon."""
    y, origins = _check("persistence_forecast", y, origins, horizon)
    return np.repeat(y[origins][:, None], horizon, axis=1)


def seasonal_naive_forecast(y: np.ndarray, origins: np.ndarray, horizon: int, period: int = YEAR) -> np.ndarray:
    """(len(origins), horizon): the forecast of ``y[o + h]`` is ``y[o + h - period]``.

    ``horizon`` must not exceed ``period``, so every value used is known at the origin.
    """
    y, origins = _check("seasonal_naive_forecast", y, origins, horizon, lag=period)
    if horizon > period:
        raise ValueError(f"seasonal_naive_forecast: horizon {horizon} exceeds the period {period}: "
                         f"y[o + h - period] would lie after the origin")
    return y[origins[:, None] + np.arange(1, horizon + 1) - period]


def targets(y: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """(len(origins), horizon): the true values ``y[o + h]`` the forecasts are scored against."""
    y, origins = _check("targets", y, origins, horizon)
    if origins.size and origins.max() + horizon >= len(y):
        raise ValueError(f"targets: origin {origins.max()} + horizon {horizon} runs past the series "
                         f"({len(y)} values)")
    return y[origins[:, None] + np.arange(1, horizon + 1)]


def rmse_by_horizon(forecasts: np.ndarray, y: np.ndarray, origins: np.ndarray) -> np.ndarray:
    """(horizon,): the root mean squared error at each step ahead, over all origins."""
    forecasts = np.asarray(forecasts, dtype=np.float64)
    if forecasts.ndim != 2 or forecasts.shape[0] != len(origins):
        raise ValueError(f"rmse_by_horizon: forecasts must have shape (len(origins), horizon) = "
                         f"({len(origins)}, horizon), got {forecasts.shape}")
    truth = targets(y, origins, forecasts.shape[1])
    return np.sqrt(((forecasts - truth) ** 2).mean(axis=0))


__all__ = ["YEAR", "Weather", "day_of_year_features", "load_seattle_weather", "persistence_forecast",
           "rmse_by_horizon", "seasonal_naive_forecast", "targets", "year_mask"]
