"""Every chapter fits the book's column: code and printed lines, figures, and glued numbers.

The rules are the developers' guide's (and issue 15's): code lines and printed lines at most 80
characters, no figure wider than ``style.WIDTH * style.DPI`` pixels (plus the few pixels matplotlib's
tight bounding box adds), and every ``{glue:text}`` role in the prose backed by a ``glue()`` output
stored in the same notebook. Each checker is first shown to catch a wrong notebook.
"""

from __future__ import annotations

import base64
import json
import re
import struct
from pathlib import Path

import pytest

from course.viz import style

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "book").glob("[0-9][0-9]_*.ipynb"))
MAX_CHARS = 80
MAX_PIXELS = int(style.WIDTH * style.DPI) + 20  # the tight bounding box adds a margin
GLUE_ROLE = re.compile(r"\{glue:text\}`([A-Za-z0-9_]+)(?::[^`]*)?`")


def _cells(nb: dict, kind: str) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == kind]


def _text(x: str | list[str]) -> str:
    return x if isinstance(x, str) else "".join(x)


def long_code_lines(nb: dict) -> list[str]:
    """The code lines longer than MAX_CHARS, as 'cell id: length'."""
    return [f"{c.get('id')}: {len(line)}" for c in _cells(nb, "code")
            for line in _text(c["source"]).splitlines() if len(line) > MAX_CHARS]


def long_printed_lines(nb: dict) -> list[str]:
    """Printed lines (streams, plain-text results) longer than MAX_CHARS."""
    bad = []
    for c in _cells(nb, "code"):
        for out in c.get("outputs", []):
            data = out.get("data", {})
            if out["output_type"] == "stream":
                text = _text(out["text"])
            elif "text/plain" in data and set(data) == {"text/plain"}:
                text = _text(data["text/plain"])  # a value shown, not a figure or widget
            else:
                continue
            bad += [f"{c.get('id')}: {len(line)}" for line in text.splitlines() if len(line) > MAX_CHARS]
    return bad


def wide_figures(nb: dict) -> list[str]:
    """Stored PNG figures wider than MAX_PIXELS, as 'cell id: width'."""
    bad = []
    for c in _cells(nb, "code"):
        for out in c.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png:
                width = struct.unpack(">I", base64.b64decode(_text(png))[16:20])[0]
                if width > MAX_PIXELS:
                    bad.append(f"{c.get('id')}: {width} px")
    return bad


def unglued_roles(nb: dict) -> list[str]:
    """Names used by {glue:text} roles in the prose with no stored glue() output of that name."""
    glued = {out.get("metadata", {}).get("scrapbook", {}).get("name")
             for c in _cells(nb, "code") for out in c.get("outputs", [])}
    used = {m.group(1) for c in _cells(nb, "markdown") for m in GLUE_ROLE.finditer(_text(c["source"]))}
    return sorted(used - glued)


def _notebook(code: str = "x = 1", printed: str = "", png_width: int = 100, prose: str = "",
              glued: str | None = None) -> dict:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + struct.pack(">II", png_width, 10)
    outputs = [{"output_type": "stream", "name": "stdout", "text": printed},
               {"output_type": "display_data", "metadata": {},
                "data": {"image/png": base64.b64encode(png).decode(), "text/plain": "<Figure>"}}]
    if glued:
        outputs.append({"output_type": "display_data", "metadata": {"scrapbook": {"name": glued}},
                        "data": {"text/plain": "'0.5'"}})
    return {"cells": [{"cell_type": "markdown", "id": "m", "source": prose},
                      {"cell_type": "code", "id": "c", "source": code, "outputs": outputs}]}


def test_the_checkers_catch_a_wrong_notebook():
    assert long_code_lines(_notebook(code="y = 2\n" + "x" * 81)) == ["c: 81"]
    assert long_code_lines(_notebook(code="x" * 80)) == []
    assert long_printed_lines(_notebook(printed="ok\n" + "-" * 90 + "\n")) == ["c: 90"]
    assert long_printed_lines(_notebook(printed="-" * 80)) == []
    assert wide_figures(_notebook(png_width=2907)) == ["c: 2907 px"]
    assert wide_figures(_notebook(png_width=680)) == []
    assert unglued_roles(_notebook(prose="about {glue:text}`ch99_acc:.3f` of them")) == ["ch99_acc"]
    assert unglued_roles(_notebook(prose="about {glue:text}`ch99_acc`", glued="ch99_acc")) == []


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_fits_the_column(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert long_code_lines(nb) == [], "code lines over 80 characters"
    assert long_printed_lines(nb) == [], "printed lines over 80 characters"
    assert wide_figures(nb) == [], f"figures wider than {MAX_PIXELS} px"
    assert unglued_roles(nb) == [], "glue roles with no glued value"


def test_every_chapter_is_checked():
    numbers = [int(p.name[:2]) for p in CHAPTERS]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 16
