"""Reading exercise notebooks: cells, the ``# Exercise 2.3`` markers, the nbgrader-style regions.

Notebooks are read as plain JSON (a corrupt file is an error with a reason, never a crash), and only
the parts the tools need are used: code cells' sources and tags.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MARKER = re.compile(r"^#\s*Exercise\s+([1-9][0-9]*\.[1-9][0-9]*)\s*$")
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
_KNOWN = (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN)
MAX_NOTEBOOK_BYTES = 50 * 2**20


class NotebookError(ValueError):
    """A notebook that cannot be read or whose markers are malformed."""


@dataclass
class Cell:
    """A notebook cell: its type, source text and tags."""

    kind: str
    source: str
    tags: list[str] = field(default_factory=list)

    @property
    def exercise(self) -> str | None:
        """The question id of the ``# Exercise 2.3`` marker on the cell's first non-blank line."""
        if self.kind != "code":
            return None
        for line in self.source.splitlines():
            if line.strip():
                m = MARKER.match(line.strip())
                return m.group(1) if m else None
        return None


def source_text(cell: dict) -> str:
    """A cell's source as one string (nbformat allows a string or a list of lines)."""
    src = cell.get("source", "")
    if isinstance(src, list):
        src = "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def read_json(path: Path) -> dict:
    """The notebook file as a dict; ``NotebookError`` says what is wrong with it."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise NotebookError(f"cannot read {path}: {e.strerror or e}") from None
    if size == 0:
        raise NotebookError("the notebook file is empty")
    if size > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"the notebook file is too big ({size} bytes)")
    try:
        nb = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise NotebookError(f"the notebook file is not valid JSON ({e})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError("the file is not a Jupyter notebook (no list of cells)")
    return nb


def read_cells(path: Path) -> list[Cell]:
    """The notebook's cells (malformed cells are skipped)."""
    cells = []
    for c in read_json(path)["cells"]:
        if not isinstance(c, dict) or c.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        meta = c.get("metadata") if isinstance(c.get("metadata"), dict) else {}
        tags = meta.get("tags") if isinstance(meta.get("tags"), list) else []
        cells.append(Cell(c["cell_type"], source_text(c), [t for t in tags if isinstance(t, str)]))
    return cells


def strip_magics(source: str) -> str:
    """Python source of a code cell: IPython magics and shell escapes become ``pass``."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return ""
    out = []
    for line in lines:
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            out.append(line[: len(line) - len(stripped)] + "pass")
        else:
            out.append(line)
    return "\n".join(out)


def _regions(lines: list[str], begin: str, end: str, where: str) -> list[tuple[int, int]]:
    """(begin line, end line) pairs of the ``begin``/``end`` regions, checked for balance."""
    out, start = [], None
    for i, line in enumerate(lines):
        s = line.strip()
        if s == begin:
            if start is not None:
                raise NotebookError(f"{where}: '{begin}' twice without '{end}' (line {i + 1})")
            start = i
        elif s == end:
            if start is None:
                raise NotebookError(f"{where}: '{end}' without '{begin}' (line {i + 1})")
            out.append((start, i))
            start = None
        elif s.startswith(("### BEGIN", "### END")) and s not in _KNOWN:
            raise NotebookError(f"{where}: unknown marker {s!r} (line {i + 1})")
    if start is not None:
        raise NotebookError(f"{where}: '{begin}' without '{end}' (line {start + 1})")
    return out


def has_solution(source: str) -> bool:
    """Whether the source holds a ``### BEGIN SOLUTION`` region."""
    return any(line.strip() == BEGIN_SOLUTION for line in source.splitlines())


def student_source(source: str, kind: str, qid: str | None, where: str) -> tuple[str, bool]:
    """The student's version of a cell's source, and whether it raises when run (a top-level stub).

    Solution regions become ``# YOUR CODE HERE`` and ``raise NotImplementedError("Exercise 2.3")`` at
    the indentation of ``### BEGIN SOLUTION`` (``YOUR ANSWER HERE`` in markdown); hidden test regions
    vanish.
    """
    lines = source.splitlines()
    solutions = _regions(lines, BEGIN_SOLUTION, END_SOLUTION, where)
    hidden = _regions(lines, BEGIN_HIDDEN, END_HIDDEN, where)
    if solutions and kind == "code" and qid is None:
        raise NotebookError(f"{where}: a solution region in a cell without an '# Exercise N.K' first line")
    out: list[str] = []
    raises = False
    i = 0
    starts = {b: e for b, e in solutions}
    hidden_starts = {b: e for b, e in hidden}
    while i < len(lines):
        if i in starts:
            indent = lines[i][: len(lines[i]) - len(lines[i].lstrip())]
            if kind == "code":
                out += [f"{indent}# YOUR CODE HERE", f'{indent}raise NotImplementedError("Exercise {qid}")']
                raises = raises or indent == ""
            else:
                out.append(f"{indent}YOUR ANSWER HERE")
            i = starts[i] + 1
        elif i in hidden_starts:
            i = hidden_starts[i] + 1
        else:
            out.append(lines[i])
            i += 1
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out), raises


def notebook_json(cells: list[dict[str, Any]], name: str) -> dict:
    """A minimal nbformat-4 notebook for the ``python3`` kernel, tagged with its exercise name."""
    return {
        "cells": cells,
        "metadata": {
            "exercises": {"notebook": name},
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
