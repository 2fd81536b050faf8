"""Real music: the soprano lines of Bach's chorales, as tokens on a time grid, and back to sound.

``course/data/files/chorales.txt`` holds the soprano (melody) line of 404 four-part chorales by J. S.
Bach, extracted once by ``scripts/make_chorales.py`` from the corpus bundled with the ``music21``
package (the chorales are the classic data set of Boulanger-Lewandowski et al., 2012). Each line gives
the chorale's name, key and metre and its notes as ``pitch:duration`` (MIDI pitch or ``r`` for a rest,
duration in sixteenth notes).

A melody becomes a sequence of tokens, one per grid step of ``step`` sixteenths (2: an eighth note):

- ``HOLD`` (id 0): the note or rest sounding at the previous step goes on;
- ``REST`` (id 1): a rest begins;
- ``LOW + i`` (id 2 + i): the MIDI pitch ``LOW + i`` begins.

The grid samples the melody at the start of each step: a note shorter than a step that starts between
two grid points is dropped (a passing sixteenth), which loses little in a chorale melody. With
``transpose=True`` every chorale is moved to C major or A minor (by the smallest shift), so the model
learns one key instead of twelve.

Example::

    >>> chorales = load_chorales()
    >>> tokens = to_grid(chorales[0].notes)             # (steps,) int64
    >>> notes_from_grid(tokens)                         # [(pitch, start, length), ...] in steps
    >>> wave = synthesize(notes_from_grid(tokens), step_seconds=0.25)   # float64 in [-1, 1]
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import numpy as np

FILE = Path(__file__).resolve().parent / "files" / "chorales.txt"
HOLD, REST = 0, 1
#: the lowest and highest MIDI pitch a token can carry (the transposed sopranos span 55..84)
LOW, HIGH = 52, 88
VOCAB_SIZE = 2 + HIGH - LOW + 1


class Chorale(NamedTuple):
    """One chorale's melody: ``notes`` is (n, 2) int64 of [MIDI pitch or -1 for a rest, sixteenths]."""

    name: str
    tonic: int      # pitch class of the key's tonic, 0 = C
    mode: str       # "major" or "minor"
    beats: int      # quarter-note beats per bar
    notes: np.ndarray


def _parse(line: str) -> Chorale:
    name, tonic, mode, beats, *pairs = line.split()
    notes = [(-1 if p == "r" else int(p), int(d)) for p, d in (pair.split(":") for pair in pairs)]
    return Chorale(name, int(tonic), mode, int(beats), np.array(notes, dtype=np.int64).reshape(-1, 2))


def load_chorales(transpose: bool = True, path: Path | str = FILE) -> list[Chorale]:
    """The chorales of the shipped file (no download), in file order.

    Args:
        transpose: move each chorale to C major / A minor by the smallest shift (-6..+5 semitones).
        path: the file to read (the shipped one by default).
    """
    chorales = [_parse(line) for line in Path(path).read_text().splitlines() if line and not line.startswith("#")]
    if not transpose:
        return chorales
    out = []
    for c in chorales:
        target = 0 if c.mode == "major" else 9
        shift = (target - c.tonic + 6) % 12 - 6
        notes = c.notes.copy()
        notes[notes[:, 0] >= 0, 0] += shift
        out.append(c._replace(tonic=target, notes=notes))
    return out


def to_grid(notes: np.ndarray, step: int = 2) -> np.ndarray:
    """Tokens (HOLD, REST or LOW + pitch offset) at every ``step`` sixteenths of a melody.

    Args:
        notes: (n, 2) rows of [MIDI pitch or -1 for a rest, duration in sixteenths].
        step: the grid step, in sixteenths.

    Returns:
        An int64 array of ``ceil(total duration / step)`` tokens.
    """
    notes = np.asarray(notes)
    if notes.ndim != 2 or notes.shape[1] != 2 or len(notes) == 0:
        raise ValueError(f"to_grid: notes must have shape (n, 2) with n >= 1, got {notes.shape}")
    if (notes[:, 1] <= 0).any():
        raise ValueError("to_grid: every duration must be positive")
    pitched = notes[notes[:, 0] >= 0, 0]
    if pitched.size and (pitched.min() < LOW or pitched.max() > HIGH):
        raise ValueError(f"to_grid: pitches must lie in [{LOW}, {HIGH}], got {pitched.min()} to {pitched.max()}")
    starts = np.concatenate([[0], np.cumsum(notes[:, 1])[:-1]])
    total = int(notes[:, 1].sum())
    times = np.arange(0, total, step)
    sounding = np.searchsorted(starts, times, side="right") - 1         # the note sounding at each time
    onset = np.ones(len(times), dtype=bool)
    onset[1:] = sounding[1:] != sounding[:-1]
    pitch = notes[sounding, 0]
    tokens = np.where(pitch < 0, REST, pitch - LOW + 2)
    return np.where(onset, tokens, HOLD).astype(np.int64)


def notes_from_grid(tokens: np.ndarray) -> list[tuple[int, int, int]]:
    """The notes of a token sequence: (MIDI pitch, start step, length in steps), rests left out.

    A pitch token starts a note, ``HOLD`` lengthens whatever sounds (note or rest), ``REST`` ends the
    note. A ``HOLD`` before any note (e.g. a sample that starts with it) is silence.
    """
    tokens = np.asarray(tokens)
    if tokens.ndim != 1 or tokens.dtype.kind not in "iu":
        raise ValueError(f"notes_from_grid: tokens must be a 1-d integer array, got shape {tokens.shape}")
    if tokens.size and (tokens.min() < 0 or tokens.max() >= VOCAB_SIZE):
        raise ValueError(f"notes_from_grid: tokens must lie in [0, {VOCAB_SIZE}), got {tokens.min()} to {tokens.max()}")
    notes: list[tuple[int, int, int]] = []
    current: list[int] | None = None
    for t, tok in enumerate(tokens.tolist()):
        if tok == HOLD:
            if current is not None:
                current[2] += 1
            continue
        if current is not None:
            notes.append((current[0], current[1], current[2]))
        current = None if tok == REST else [LOW + tok - 2, t, 1]
    if current is not None:
        notes.append((current[0], current[1], current[2]))
    return notes


def midi_to_hz(pitch: np.ndarray | float) -> np.ndarray:
    """Equal temperament, A4 (MIDI 69) = 440 Hz: f = 440 * 2 ** ((pitch - 69) / 12)."""
    return 440.0 * 2.0 ** ((np.asarray(pitch, dtype=np.float64) - 69) / 12)


def synthesize(notes: list[tuple[int, int, int]], step_seconds: float = 0.25, sample_rate: int = 8000,
               harmonics: tuple[float, ...] = (1.0, 0.5, 0.25, 0.12)) -> np.ndarray:
    """A simple organ-like rendering of (pitch, start, length) notes, in float64 samples in [-1, 1].

    Each note is a sum of harmonics k f (amplitudes ``harmonics``) under a 10 ms linear attack and an
    exponential decay, placed at ``start * step_seconds``. Nothing but numpy.
    """
    if step_seconds <= 0 or sample_rate <= 0:
        raise ValueError(f"synthesize: step_seconds and sample_rate must be positive, got {step_seconds}, "
                         f"{sample_rate}")
    end = max((s + n for _, s, n in notes), default=0)
    out = np.zeros(int(round(end * step_seconds * sample_rate)) + 1)
    for pitch, start, length in notes:
        n = int(round(length * step_seconds * sample_rate))
        t = np.arange(n) / sample_rate
        f = float(midi_to_hz(pitch))
        tone = sum(a * np.sin(2 * np.pi * k * f * t) for k, a in enumerate(harmonics, start=1)
                   if k * f < sample_rate / 2)
        envelope = np.minimum(t / 0.01, 1.0) * np.exp(-2.0 * t) * np.minimum((n - np.arange(n)) / 80, 1.0)
        i = int(round(start * step_seconds * sample_rate))
        out[i:i + n] += tone * envelope
    peak = np.abs(out).max()
    return out / peak if peak > 0 else out


__all__ = ["HIGH", "HOLD", "LOW", "REST", "VOCAB_SIZE", "Chorale", "load_chorales", "midi_to_hz",
           "notes_from_grid", "synthesize", "to_grid"]
