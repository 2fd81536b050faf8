"""The log-mel spectrogram: what a speech recognizer reads instead of raw samples, in numpy.

A waveform is cut into overlapping frames (``frame_length`` samples every ``hop``), each frame is
multiplied by a Hann window and Fourier transformed (``n_fft`` points), and its power spectrum
|X_k|^2 (k = 0 .. n_fft / 2) is pooled by ``n_mels`` triangular filters spaced evenly on the mel scale

    mel(f) = 2595 log10(1 + f / 700),

which, like the ear, resolves low frequencies finely and high ones coarsely. The log of each filter's
energy (plus a small floor) is one feature: a (frames, n_mels) array, one feature vector per 10 ms.

Filter m (m = 0 .. n_mels - 1) rises linearly from 0 at ``f[m]`` to 1 at ``f[m + 1]`` and falls back to
0 at ``f[m + 2]``, where ``f`` are ``n_mels + 2`` frequencies evenly spaced in mel from ``f_min`` to
``f_max``; it is evaluated at the bin frequencies k * sample_rate / n_fft (HTK's formula, no area
normalisation, as ``librosa.filters.mel(htk=True, norm=None)``).

Example::

    >>> S = log_mel_spectrogram(x, sample_rate=8000)           # (frames, 20)
"""

from __future__ import annotations

import numpy as np


def hz_to_mel(f: np.ndarray | float) -> np.ndarray:
    """mel(f) = 2595 log10(1 + f / 700)."""
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def mel_to_hz(m: np.ndarray | float) -> np.ndarray:
    """The inverse of ``hz_to_mel``: f = 700 (10^(m / 2595) - 1)."""
    return 700.0 * (10.0 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def mel_filterbank(n_mels: int, n_fft: int, sample_rate: float, f_min: float = 0.0,
                   f_max: float | None = None) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) triangular filters on the mel scale (see the module docstring)."""
    f_max = sample_rate / 2 if f_max is None else f_max
    if n_mels < 1 or n_fft < 2:
        raise ValueError(f"mel_filterbank: need n_mels >= 1 and n_fft >= 2, got {n_mels}, {n_fft}")
    if not 0 <= f_min < f_max <= sample_rate / 2:
        raise ValueError(f"mel_filterbank: need 0 <= f_min < f_max <= sample_rate / 2 = {sample_rate / 2}, "
                         f"got f_min={f_min}, f_max={f_max}")
    edges = mel_to_hz(np.linspace(hz_to_mel(f_min), hz_to_mel(f_max), n_mels + 2))
    bins = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins - lower) / (centre - lower)
    falling = (upper - bins) / (upper - centre)
    return np.maximum(0.0, np.minimum(rising, falling))


def frame(x: np.ndarray, frame_length: int, hop: int) -> np.ndarray:
    """(frames, frame_length): windows of ``x`` every ``hop`` samples; ``x`` is zero-padded to fill the last."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"frame: x must be a non-empty 1-d waveform, got shape {x.shape}")
    if frame_length < 1 or hop < 1:
        raise ValueError(f"frame: frame_length and hop must be positive, got {frame_length}, {hop}")
    count = 1 + max(0, -(-(x.size - frame_length) // hop))
    padded = np.zeros((count - 1) * hop + frame_length)
    padded[:x.size] = x
    return np.lib.stride_tricks.sliding_window_view(padded, frame_length)[::hop]


def log_mel_spectrogram(x: np.ndarray, sample_rate: float, n_mels: int = 20, frame_length: int = 200,
                        hop: int = 80, n_fft: int = 256, floor: float = 1e-6) -> np.ndarray:
    """(frames, n_mels): log(filterbank @ |FFT(Hann * frame)|^2 + floor) of every frame of ``x``.

    The defaults, at 8 kHz: 25 ms frames every 10 ms, a 256-point FFT, 20 mel bands from 0 to 4 kHz.
    """
    if n_fft < frame_length:
        raise ValueError(f"log_mel_spectrogram: n_fft ({n_fft}) must be >= frame_length ({frame_length})")
    frames = frame(x, frame_length, hop) * np.hanning(frame_length)
    power = np.abs(np.fft.rfft(frames, n=n_fft, axis=1)) ** 2
    return np.log(power @ mel_filterbank(n_mels, n_fft, sample_rate).T + floor)


__all__ = ["frame", "hz_to_mel", "log_mel_spectrogram", "mel_filterbank", "mel_to_hz"]
