"""Tests of course.data.melspec: the mel scale, the filterbank, framing and the log-mel spectrogram."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course.data import melspec


def test_mel_scale_round_trips_and_has_its_anchor():
    assert np.isclose(melspec.hz_to_mel(1000.0), 1000.0, atol=0.1)   # 1 kHz is about 1000 mel
    f = np.array([0.0, 100.0, 4000.0])
    assert np.allclose(melspec.mel_to_hz(melspec.hz_to_mel(f)), f)


def test_filterbank_matches_a_direct_loop():
    n_mels, n_fft, sr = 6, 64, 8000
    bank = melspec.mel_filterbank(n_mels, n_fft, sr, f_min=100, f_max=3500)
    m = np.linspace(melspec.hz_to_mel(100), melspec.hz_to_mel(3500), n_mels + 2)
    edges = 700 * (10 ** (m / 2595) - 1)
    for i in range(n_mels):
        for k in range(n_fft // 2 + 1):
            f = k * sr / n_fft
            lo, c, hi = edges[i], edges[i + 1], edges[i + 2]
            want = (f - lo) / (c - lo) if lo <= f <= c else (hi - f) / (hi - c) if c < f <= hi else 0.0
            assert np.isclose(bank[i, k], want, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 30), st.sampled_from([64, 128, 256, 512]))
def test_filters_are_triangles_in_range(n_mels, n_fft):
    bank = melspec.mel_filterbank(n_mels, n_fft, 16000.0)
    assert bank.shape == (n_mels, n_fft // 2 + 1)
    assert (bank >= 0).all() and (bank <= 1 + 1e-12).all()


def test_filterbank_rejects_bad_ranges():
    with pytest.raises(ValueError, match="f_max <= sample_rate / 2"):
        melspec.mel_filterbank(10, 256, 8000, f_max=5000)
    with pytest.raises(ValueError, match="n_mels >= 1"):
        melspec.mel_filterbank(0, 256, 8000)


def test_frames_cover_the_signal():
    fr = melspec.frame(np.arange(10.0), 4, 3)
    assert fr.tolist() == [[0, 1, 2, 3], [3, 4, 5, 6], [6, 7, 8, 9]]
    assert melspec.frame(np.arange(11.0), 4, 3)[-1].tolist() == [9, 10, 0, 0]
    assert melspec.frame(np.arange(2.0), 4, 3).tolist() == [[0, 1, 0, 0]]
    with pytest.raises(ValueError, match="non-empty 1-d waveform"):
        melspec.frame(np.zeros((2, 2)), 4, 3)


def test_log_mel_of_a_tone_peaks_in_the_band_of_its_frequency():
    sr = 8000
    x = np.sin(2 * np.pi * 1000 * np.arange(sr // 2) / sr)
    S = melspec.log_mel_spectrogram(x, sr)
    assert S.shape == (1 + -(-(len(x) - 200) // 80), 20)
    bank = melspec.mel_filterbank(20, 256, sr)
    assert np.all(S[2:-2].argmax(axis=1) == bank[:, 32].argmax())   # bin 32 = 1000 Hz
    with pytest.raises(ValueError, match="n_fft"):
        melspec.log_mel_spectrogram(x, sr, n_fft=128)


def test_log_mel_matches_one_frame_done_by_hand():
    rng = np.random.default_rng(0)
    x = rng.normal(size=900)
    S = melspec.log_mel_spectrogram(x, 8000, n_mels=8, frame_length=200, hop=80, n_fft=256)
    frame = x[160:360] * (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(200) / 199))   # Hann, frame 2
    power = np.abs(np.fft.rfft(frame, n=256)) ** 2
    assert np.allclose(S[2], np.log(melspec.mel_filterbank(8, 256, 8000) @ power + 1e-6))
