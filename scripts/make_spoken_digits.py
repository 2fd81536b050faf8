"""Synthesize the spoken-digit data set once with espeak-ng and store it as 8 kHz mu-law audio.

Run once, by a maintainer (espeak-ng is not needed by the course, only by this script):

    apt-get install espeak-ng          # eSpeak NG 1.51 (GPL-3.0-or-later; its output audio is not covered)
    python scripts/make_spoken_digits.py

For every digit "zero" ... "nine" it asks espeak-ng for ``PER_DIGIT`` recordings, each with a random
accent (one of ``ACCENTS``), voice variant (``VARIANTS``: eSpeak's male and female variants), speed
(words per minute) and pitch, all drawn from a seeded generator. Each clip is low-pass filtered and
resampled from 22050 Hz to 8000 Hz (telephone bandwidth), trimmed of leading and trailing silence,
scaled to a peak of 0.9 and mu-law encoded to one byte per sample (ITU-T G.711's curve, mu = 255).
Noise is NOT added here: ``course.data.speech`` adds it, seeded, when the data set is loaded.

Writes ``course/data/files/spoken_digits.npz`` with arrays ``audio`` (uint8, all clips end to end),
``offsets`` (int64, clip i is ``audio[offsets[i]:offsets[i+1]]``), ``labels`` (digit), ``accent``,
``variant`` (indices into the ``accents`` and ``variants`` string arrays), ``speed``, ``pitch``, and
``sample_rate``, ``espeak_version``.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "course" / "data" / "files" / "spoken_digits.npz"
WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
ACCENTS = ["en-gb", "en-us", "en-gb-scotland", "en-gb-x-gbclan", "en-gb-x-rp", "en-gb-x-gbcwmd",
           "en-029", "en-us-nyc"]
VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "f1", "f2", "f3", "f4", "f5"]
PER_DIGIT = 36
RATE = 8000
MU = 255


def synthesize(word: str, accent: str, variant: str, speed: int, pitch: int) -> tuple[np.ndarray, int]:
    """espeak-ng's WAV output for one word, as floats in [-1, 1], and its sample rate."""
    wav = subprocess.run(["espeak-ng", "--stdout", "-v", f"{accent}+{variant}", "-s", str(speed),
                          "-p", str(pitch), word], check=True, capture_output=True).stdout
    with wave.open(io.BytesIO(wav)) as w:
        rate, frames = w.getframerate(), w.readframes(w.getnframes())
    return np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0, rate


def resample(x: np.ndarray, rate: int, new_rate: int) -> np.ndarray:
    """Low-pass (windowed sinc at 0.45 new_rate) then linear interpolation onto the new grid."""
    cutoff = 0.45 * new_rate / rate
    n = np.arange(-64, 65)
    taps = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(len(n))
    y = np.convolve(x, taps / taps.sum(), mode="same")
    t = np.arange(0, len(x) / rate, 1 / new_rate)
    return np.interp(t, np.arange(len(x)) / rate, y)


def trim(x: np.ndarray, rate: int, threshold: float = 0.02) -> np.ndarray:
    """Drop leading and trailing samples quieter than ``threshold`` of the peak (keeping 20 ms)."""
    loud = np.flatnonzero(np.abs(x) > threshold * np.abs(x).max())
    pad = int(0.02 * rate)
    return x[max(loud[0] - pad, 0): loud[-1] + pad + 1]


def mu_law_encode(x: np.ndarray) -> np.ndarray:
    """x in [-1, 1] -> uint8 codes: sign(x) ln(1 + mu |x|) / ln(1 + mu), quantized to 256 levels."""
    y = np.sign(x) * np.log1p(MU * np.abs(x)) / np.log1p(MU)
    return np.clip(np.round((y + 1) / 2 * MU), 0, MU).astype(np.uint8)


def main() -> int:
    rng = np.random.default_rng(2012)
    version = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True).stdout.split("  Data")[0]
    clips, labels, accents, variants, speeds, pitches = [], [], [], [], [], []
    for digit, word in enumerate(WORDS):
        for _ in range(PER_DIGIT):
            a, v = int(rng.integers(len(ACCENTS))), int(rng.integers(len(VARIANTS)))
            speed, pitch = int(rng.integers(120, 221)), int(rng.integers(20, 81))
            x, rate = synthesize(word, ACCENTS[a], VARIANTS[v], speed, pitch)
            x = trim(resample(x, rate, RATE), RATE)
            clips.append(mu_law_encode(0.9 * x / np.abs(x).max()))
            labels.append(digit)
            accents.append(a)
            variants.append(v)
            speeds.append(speed)
            pitches.append(pitch)
    offsets = np.concatenate([[0], np.cumsum([len(c) for c in clips])]).astype(np.int64)
    np.savez_compressed(OUT, audio=np.concatenate(clips), offsets=offsets, labels=np.array(labels, np.int64),
                        accent=np.array(accents, np.int64), variant=np.array(variants, np.int64),
                        speed=np.array(speeds, np.int64), pitch=np.array(pitches, np.int64),
                        accents=np.array(ACCENTS), variants=np.array(VARIANTS), words=np.array(WORDS),
                        sample_rate=np.int64(RATE), espeak_version=np.array(version))
    digest = hashlib.sha256(OUT.read_bytes()).hexdigest()[:16]
    seconds = offsets[-1] / RATE
    print(f"wrote {OUT}: {len(clips)} clips, {seconds:.1f} s of audio, {OUT.stat().st_size} bytes, "
          f"sha256 {digest}; {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
