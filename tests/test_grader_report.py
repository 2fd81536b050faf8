"""The reports: nothing a submission writes can forge a line, a column or a formula."""

from __future__ import annotations

import csv
import json

from grader import grade
from grader.report import REASON_CHARS, clean, question_ids, table, write_csv, write_json


def test_clean_removes_escapes_controls_and_line_breaks():
    forged = "ok\r\x1b[2K\x1b[1A  total        8/8\n  1.2  3/3  passed\x1b]0;title\x07\u202e\x9b2J\u2028end\x00\t."
    text = clean(forged)
    assert text == "ok total 8/8 1.2 3/3 passed end ."
    assert text.isprintable()
    assert clean(None) == "" and clean(ValueError("x\ny")) == "x y"
    long = clean("a" * 10_000)
    assert len(long) == REASON_CHARS and long.endswith("...")


def _sub(student: str, reason: str) -> grade.Submission:
    return grade.Submission(f"{student}.ipynb", student, "01_derivatives", [
        grade.QuestionResult("1.1", 2, 2, "passed"), grade.QuestionResult("1.10", 0, 1, "error", reason),
        grade.QuestionResult("1.2", 0, 3, "error", reason)], notes=["line\none"])


def test_table_has_one_line_per_row_whatever_the_reasons():
    lines = table(_sub("alice", "\r\x1b[2K  total        8/8\n")).splitlines()
    assert len(lines) == 1 + 1 + 3 + 1 + 1  # head, column names, three questions, total, one note
    assert lines[-2].split() == ["total", "2/6"] and all(line.isprintable() for line in lines)


def test_csv_is_a_gradebook_and_json_keeps_clean_reasons(tmp_path):
    subs = [_sub("=HYPERLINK(evil)", "bad\x1b[31m\nreason"), _sub("bob", "")]
    assert question_ids(subs) == ["1.1", "1.2", "1.10"]
    write_csv(subs, tmp_path / "g.csv")
    rows = list(csv.reader(open(tmp_path / "g.csv", encoding="utf-8", newline="")))
    assert rows == [["student", "1.1", "1.2", "1.10", "total"], ["'=HYPERLINK(evil)", "2", "0", "0", "2"],
                    ["bob", "2", "0", "0", "2"]]
    write_json(subs, tmp_path / "r.json", 1, grade.Limits(), sandbox="bubblewrap")
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["sandbox"] == "bubblewrap" and report["submissions"][0]["questions"][1]["reason"] == "bad reason"
    assert report["submissions"][0]["notes"] == ["line one"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.csv", "r.json"]  # no temporary file left
