"""Spoken digits: 360 short recordings of "zero" ... "nine", synthesized, with noise added when loaded.

``course/data/files/spoken_digits.npz`` was made once by ``scripts/make_spoken_digits.py`` with the
eSpeak NG speech synthesizer: 36 recordings of each digit, each with a random English accent (8), voice
variant (12: 7 male, 5 female), speed (120-220 words per minute) and pitch, at 8 kHz (telephone
bandwidth), stored as mu-law bytes (ITU-T G.711's curve, mu = 255: one byte per sample, the finer steps
near zero). ``load_spoken_digits`` decodes the bytes and adds white noise at a chosen signal-to-noise
ratio, seeded, so the notebook needs no synthesizer and every run sees the same noisy clips.

This is *synthetic* speech: a formant synthesizer says a word the same way every time for a given voice,
which makes the task far easier than real recordings of people. The split ``voice_split`` keeps whole
voice variants out of training, so the test set at least measures generalisation to unheard voices.

Example::

    >>> data = load_spoken_digits(snr_db=20, seed=0)
    >>> len(data.clips), data.sample_rate             # 360 float64 arrays, 8000 Hz
    >>> train, val, test = voice_split(data)          # index arrays
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

FILE = Path(__file__).resolve().parent / "files" / "spoken_digits.npz"
MU = 255
#: the voice variants held out for validation and for the test set (never in training)
VAL_VARIANTS = ("m6", "f4")
TEST_VARIANTS = ("m3", "f2")


class SpokenDigits(NamedTuple):
    """The clips and what is known about each: ``clips[i]`` says ``words[labels[i]]``."""

    clips: list[np.ndarray]    # float64 waveforms in about [-1, 1]
    labels: np.ndarray         # (n,) int64 digit
    variant: np.ndarray        # (n,) str voice variant, e.g. "m3"
    accent: np.ndarray         # (n,) str accent, e.g. "en-gb-scotland"
    speed: np.ndarray          # (n,) int64 words per minute
    words: tuple[str, ...]
    sample_rate: int


def mu_law_decode(codes: np.ndarray) -> np.ndarray:
    """uint8 codes -> floats in [-1, 1]: y = 2 code / mu - 1, x = sign(y) ((1 + mu)^|y| - 1) / mu."""
    y = 2 * np.asarray(codes, dtype=np.float64) / MU - 1
    return np.sign(y) * np.expm1(np.abs(y) * np.log1p(MU)) / MU


def add_noise(x: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """``x`` plus white Gaussian noise whose power is the signal's power / 10^(snr_db / 10)."""
    power = np.mean(np.asarray(x, dtype=np.float64) ** 2)
    return x + rng.standard_normal(len(x)) * np.sqrt(power / 10 ** (snr_db / 10))


def load_spoken_digits(snr_db: float | None = 20.0, seed: int = 0, path: Path | str = FILE) -> SpokenDigits:
    """The shipped clips (no synthesizer, no download), decoded, with noise at ``snr_db`` (None: none).

    Args:
        snr_db: the signal-to-noise ratio of the added white noise in decibels, or None for clean clips.
        seed: the seed of the noise.
        path: the file to read (the shipped one by default).
    """
    with np.load(path) as f:
        audio, offsets = f["audio"], f["offsets"]
        labels, sample_rate = f["labels"], int(f["sample_rate"])
        variant, accent = f["variants"][f["variant"]], f["accents"][f["accent"]]
        speed, words = f["speed"], tuple(str(w) for w in f["words"])
    rng = np.random.default_rng(seed)
    clips = []
    for a, b in zip(offsets[:-1], offsets[1:]):
        x = mu_law_decode(audio[a:b])
        clips.append(x if snr_db is None else add_noise(x, snr_db, rng))
    return SpokenDigits(clips, labels.astype(np.int64), variant.astype(str), accent.astype(str),
                        speed.astype(np.int64), words, sample_rate)


def voice_split(data: SpokenDigits) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indices of (train, validation, test) clips: validation and test voices never appear in training."""
    val = np.isin(data.variant, VAL_VARIANTS)
    test = np.isin(data.variant, TEST_VARIANTS)
    return np.flatnonzero(~val & ~test), np.flatnonzero(val), np.flatnonzero(test)


__all__ = ["SpokenDigits", "add_noise", "load_spoken_digits", "mu_law_decode", "voice_split"]
