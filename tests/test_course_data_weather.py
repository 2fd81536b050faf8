"""Tests of course.data.weather: the shipped Seattle file and the naive forecasts."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from course.data import weather


def test_shipped_file_is_the_vega_datasets_copy_and_loads_as_consecutive_days():
    digest = hashlib.sha256(weather.FILE.read_bytes()).hexdigest()
    assert digest == "62f0609f787158128aa2bd102967173a4953122dd4f872bf1d502cae1037df0b"
    w = weather.load_seattle_weather()
    assert len(w.dates) == 1461 and str(w.dates[0]) == "2012-01-01" and str(w.dates[-1]) == "2015-12-31"
    assert all(len(a) == 1461 for a in w)
    assert (w.temp_max >= w.temp_min).all() and -10 < w.temp_min.min() and w.temp_max.max() < 40
    # real measurements: day-to-day changes are of a few degrees, not a smooth curve
    assert 2.0 < np.diff(w.temp_max).std() < 4.0


def test_loader_rejects_a_gap_in_the_dates(tmp_path):
    lines = weather.FILE.read_text().splitlines()
    path = tmp_path / "gap.csv"
    path.write_text("\n".join(lines[:3] + lines[4:6]) + "\n")
    with pytest.raises(ValueError, match="not consecutive after 2012-01-02"):
        weather.load_seattle_weather(path)


def test_year_mask_and_calendar_features():
    w = weather.load_seattle_weather()
    assert weather.year_mask(w.dates, 2012).sum() == 366 and weather.year_mask(w.dates, 2013, 2014).sum() == 730
    cal = weather.day_of_year_features(w.dates)
    assert cal.shape == (1461, 2) and np.allclose((cal ** 2).sum(1), 1)
    assert np.allclose(cal[0], [1, 0]) and cal[366 + 182, 0] < -0.99   # 1 January, then about 2 July


def test_persistence_and_seasonal_naive_forecasts():
    y = np.arange(20.0)
    origins = np.array([12, 15])
    assert np.array_equal(weather.persistence_forecast(y, origins, 3), [[12, 12, 12], [15, 15, 15]])
    assert np.array_equal(weather.seasonal_naive_forecast(y, origins, 3, period=5),
                          [[8, 9, 10], [11, 12, 13]])
    assert np.array_equal(weather.targets(y, origins, 3), [[13, 14, 15], [16, 17, 18]])
    # persistence on a line is off by h at horizon h
    assert np.allclose(weather.rmse_by_horizon(weather.persistence_forecast(y, origins, 3), y, origins), [1, 2, 3])


def test_forecasts_reject_what_they_cannot_do():
    y = np.arange(20.0)
    with pytest.raises(ValueError, match="horizon 6 exceeds the period 5"):
        weather.seasonal_naive_forecast(y, np.array([10]), 6, period=5)
    with pytest.raises(ValueError, match="origin 2 has fewer than 4 days before it"):
        weather.seasonal_naive_forecast(y, np.array([2]), 1, period=5)
    with pytest.raises(ValueError, match="runs past the series"):
        weather.targets(y, np.array([18]), 3)
    with pytest.raises(ValueError, match="horizon must be an integer >= 1"):
        weather.persistence_forecast(y, np.array([3]), 0)
    with pytest.raises(ValueError, match="origins must be a 1-d integer array"):
        weather.persistence_forecast(y, np.array([3.0]), 1)
    with pytest.raises(ValueError, match=r"forecasts must have shape \(len\(origins\), horizon\)"):
        weather.rmse_by_horizon(np.zeros((3, 2)), y, np.array([1, 2]))
