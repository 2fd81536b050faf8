"""Extract the soprano line of every Bach chorale in music21's bundled corpus into a compact text file.

Run once, by a maintainer, in a throwaway environment (music21 is not a course dependency):

    python3 -m venv /tmp/m21venv && /tmp/m21venv/bin/pip install music21==10.5.1
    /tmp/m21venv/bin/python scripts/make_chorales.py

It writes ``course/data/files/chorales.txt``: a header of ``#`` lines (provenance, licence, format)
and one line per chorale, ``<name> <tonic pitch class> <major|minor> <beats per bar> <notes>``, where
``<notes>`` is the soprano melody as space-separated ``pitch:duration`` pairs: ``pitch`` the MIDI
number (60 = middle C) or ``r`` for a rest, ``duration`` in sixteenth notes. Chorales whose soprano
cannot be written on a sixteenth-note grid (tuplets) or that have no part named Soprano are skipped.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import music21
from music21 import corpus

OUT = Path(__file__).resolve().parents[1] / "course" / "data" / "files" / "chorales.txt"


def soprano_line(score) -> list[tuple[str, int]] | None:
    """The soprano as (pitch or 'r', sixteenths) pairs, or None when it is not on a sixteenth grid."""
    parts = [p for p in score.parts if (p.partName or "").lower().startswith("soprano")]
    if not parts:
        return None
    events = []
    for el in parts[0].flatten().notesAndRests:
        q = float(el.quarterLength) * 4
        if q <= 0:
            continue  # grace notes
        if abs(q - round(q)) > 1e-9:
            return None
        if el.isRest:
            name = "r"
        elif el.isChord:
            name = str(max(p.midi for p in el.pitches))
        else:
            name = str(el.pitch.midi)
        if events and el.isNote and el.tie is not None and el.tie.type in ("continue", "stop") \
                and events[-1][0] == name:
            events[-1] = (name, events[-1][1] + int(round(q)))  # a tied note is one note
        else:
            events.append((name, int(round(q))))
    while events and events[0][0] == "r":
        events.pop(0)
    while events and events[-1][0] == "r":
        events.pop()
    return events or None


def main() -> int:
    paths = sorted(corpus.getComposer("bach"), key=lambda p: str(p))
    lines, skipped = [], []
    for path in paths:
        name = Path(path).name.rsplit(".", 1)[0]
        if not name.startswith("bwv"):
            continue
        score = corpus.parse(path)
        events = soprano_line(score)
        if events is None:
            skipped.append(name)
            continue
        key = score.analyze("key")
        ts = score.recurse().getElementsByClass("TimeSignature").first()
        beats = ts.numerator * 4 // ts.denominator if ts is not None else 4
        notes = " ".join(f"{p}:{d}" for p, d in events)
        lines.append(f"{name} {key.tonic.pitchClass} {key.mode} {beats} {notes}")
    header = [
        "# Soprano lines of the J. S. Bach chorales bundled with music21's corpus",
        f"# extracted by scripts/make_chorales.py with music21 {music21.__version__}"
        f" from the {len(lines) + len(skipped)} files named bwv* among the {len(paths)} of its bach corpus;"
        f" {len(lines)} kept, {len(skipped)} skipped"
        " (no Soprano part or not on a sixteenth-note grid)",
        "# compositions: J. S. Bach (1685-1750), public domain; encodings: distributed with music21"
        " (BSD-3-Clause software; corpus encodings used by permission, see music21/corpus/license.txt)",
        "# format: name tonic_pitch_class mode beats_per_bar pitch:duration ... (MIDI pitch or r,"
        " duration in sixteenths); key from music21's Krumhansl-Schmuckler analysis",
    ]
    text = "\n".join(header + lines) + "\n"
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(lines)} chorales, {len(text)} bytes, "
          f"sha256 {hashlib.sha256(text.encode()).hexdigest()[:16]}); skipped {len(skipped)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
