"""The grader's reports: the learner's table, the gradebook CSV, the JSON with every reason.

Everything a submission can influence (a reason quoting its exception, its file name, its metadata)
passes through ``clean`` first: ANSI escape sequences and control characters removed, newlines and
other line or paragraph breaks turned into spaces, the length capped. So no message can forge a line
of the table ("total 8/8"), move the cursor, or break a CSV row. Files are written whole or not at all
(a temporary file renamed over the old one).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

#: how long a reason may be in a report
REASON_CHARS = 300
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|.)?"
                   r"|\x9b[0-?]*[ -/]*[@-~]", re.S)


def clean(text: Any, limit: int = REASON_CHARS) -> str:
    """``text`` as one printable line of at most ``limit`` characters (``...`` ends a cut one)."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    text = _ANSI.sub("", text[: 20 * limit + 1000])
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _num(x: float) -> str:
    return f"{x:g}"


def table(sub: Any) -> str:
    """The learner's table: question, points, status, reason (and the notes under it)."""
    head = f"{clean(sub.path, 200)}  (student: {clean(sub.student, 80)}, notebook: {clean(sub.notebook) or '?'})"
    lines = [head]
    notes = [clean(n) for n in getattr(sub, "notes", [])]
    if sub.error and not sub.questions:
        return "\n".join([head, f"  not graded: {clean(sub.error)}", *(f"  note: {n}" for n in notes)])
    rows = [("question", "points", "status", "reason")]
    for q in sub.questions:
        rows.append((clean(q.id, 20), f"{_num(q.points)}/{_num(q.max_points)}", clean(q.status, 40), clean(q.reason)))
    rows.append(("total", f"{_num(sub.total)}/{_num(sub.max_total)}", "", ""))
    w = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        lines.append(f"  {r[0]:<{w[0]}}  {r[1]:>{w[1]}}  {r[2]:<{w[2]}}  {r[3]}".rstrip())
    lines += [f"  note: {n}" for n in notes]
    return "\n".join(lines)


def question_ids(subs: list[Any]) -> list[str]:
    """Every question id of these submissions, in the book's order (1.2 before 1.10 before 2.1)."""
    ids: list[str] = []
    for s in subs:
        ids += [q.id for q in s.questions if q.id not in ids]
    return sorted(ids, key=lambda i: tuple(int(p) for p in i.split(".")))


def _cell(text: str) -> str:
    # a spreadsheet runs a cell that starts with one of these as a formula
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` whole: a temporary file beside it, then renamed over it."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_csv(subs: list[Any], path: Path) -> None:
    """The gradebook CSV: one row per submission: student id, points per question, total."""
    ids = question_ids(subs)
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["student", *ids, "total"])
    for s in subs:
        got = {q.id: _num(q.points) for q in s.questions}
        w.writerow([_cell(clean(s.student, 120)), *(got.get(i, "") for i in ids), _num(s.total)])
    write_atomic(path, out.getvalue())


def as_dict(sub: Any) -> dict[str, Any]:
    """One submission for the JSON report, every text cleaned."""
    d = asdict(sub)
    for key in ("path", "student", "notebook", "error"):
        if d.get(key) is not None:
            d[key] = clean(d[key], 400)
    d["notes"] = [clean(n) for n in d.get("notes", [])]
    for q in d["questions"]:
        q["reason"], q["status"] = clean(q["reason"]), clean(q["status"], 40)
    return {**d, "total": sub.total, "max_total": sub.max_total}


def write_json(subs: list[Any], path: Path, seed: int, limits: Any, **extra: Any) -> None:
    """Everything: seed, limits, and per submission its questions, statuses, reasons and notes."""
    report = {"seed": seed, "limits": asdict(limits), **extra, "submissions": [as_dict(s) for s in subs]}
    write_atomic(path, json.dumps(report, indent=1, ensure_ascii=False) + "\n")
