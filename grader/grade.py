"""Grade exercise notebooks: ``python -m grader.grade FILE... [--csv grades.csv] [--json report.json]``.

Each submission runs in its own fresh process (``grader.runner``, started and watched by
``grader.process``), inside bubblewrap when it is available (``grader.sandbox``; ``--sandbox require``
refuses to grade without it), with time limits per cell, per question and per notebook kept by the
grader's clock. The expected values are the reference solutions' results, computed here on the
public cases and on hidden cases drawn with this run's seed; the student's process never sees them.
Everything that comes back is untrusted (``grader.events``), and every step that touches it turns any
error into zero points with a reason: a submission that crashes, hangs, exits, lies or floods loses
what it broke and the grader goes on. The submission file is only ever read. To grade a class:
``python -m grader FOLDER``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import secrets
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import reference
from . import sandbox as sandboxing
from .cases import expected_result
from .codec import decode
from .notebook import NotebookError, read_cells, read_json
from .process import (
    CRASHED,
    ERROR,
    FAILED,
    MISSING,
    NOT_IMPLEMENTED,
    PASSED,
    REJECTED,
    TIMEOUT,
    Limits,
    run_submission,
)
from .report import clean, table, write_csv, write_json
from .spec import ROOT, Question, Spec, all_specs


@dataclass
class QuestionResult:
    """The grade of one question of one submission."""

    id: str
    points: float
    max_points: float
    status: str
    reason: str = ""


@dataclass
class Submission:
    """The grade of one submission; ``notes`` say what else the grader saw (skipped cells, a name mismatch)."""

    path: str
    student: str
    notebook: str | None
    questions: list[QuestionResult] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> float:
        """Points earned."""
        return sum(q.points for q in self.questions)

    @property
    def max_total(self) -> float:
        """Points possible."""
        return sum(q.max_points for q in self.questions)


# ---------------------------------------------------------------------------------------------------
# expected values: the reference, in this process


class Expected:
    """The cases and the reference's results for every question, for one seed (computed once)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._cache: dict[str, list[tuple[str, tuple, Any]]] = {}
        self._lock = threading.Lock()

    def cases(self, q: Question) -> list[tuple[str, tuple, Any]]:
        """``(label, args, expected)`` for the public then the hidden cases of ``q``."""
        with self._lock:
            if q.id not in self._cache:
                ref = reference.function(q)
                public, hidden = q.public_cases(), q.hidden_cases(self.seed)
                out = [(f"public case {k} of {len(public)}", a, expected_result(q, ref, a))
                       for k, a in enumerate(public, 1)]
                out += [(f"hidden case {k} of {len(hidden)}", a, expected_result(q, ref, a))
                        for k, a in enumerate(hidden, 1)]
                self._cache[q.id] = out
            return self._cache[q.id]


# ---------------------------------------------------------------------------------------------------
# which notebook, which student


def _name_in_file_name(path: Path, specs: dict[str, Spec]) -> str | None:
    for name in sorted(specs, key=len, reverse=True):
        if name in path.name:
            return name
    prefix = path.name.split("_")[0]
    matches = [n for n in specs if n.split("_")[0] == prefix]
    return matches[0] if len(matches) == 1 else None


def _name_in_metadata(path: Path) -> str | None:
    try:
        meta = read_json(path).get("metadata", {})
    except NotebookError:
        return None
    name = meta.get("exercises", {}) if isinstance(meta, dict) else None
    name = name.get("notebook") if isinstance(name, dict) else None
    return name if isinstance(name, str) else None


def identify(path: Path, specs: dict[str, Spec], forced: str | None = None) -> tuple[str | None, str]:
    """The exercise notebook a submission answers, and a note when its metadata says otherwise.

    ``--notebook`` decides, else the file name, else the metadata. The file name wins over the
    metadata because it is what the instructor collected under an assignment, while the metadata is
    inside the file, which the student controls: a solved chapter 1 saved as ``02_scalar_engine.ipynb``
    is graded as chapter 2 (and scores what it answers of chapter 2), and the row says so.
    """
    in_meta = _name_in_metadata(path)
    name = forced or _name_in_file_name(path, specs) or (in_meta if in_meta in specs else None)
    note = ""
    if in_meta is not None and name is not None and in_meta != name:
        why = "--notebook" if forced else "its file name"
        note = (f"the notebook's metadata says it is {clean(in_meta, 60)!r}; graded as {name} "
                f"({why} decides)")
    return name, note


def student_id(path: Path, notebook: str | None) -> str:
    """The submission's folder name when the file keeps the exercise's name, else the file's stem."""
    if notebook and path.stem == notebook and path.parent.name not in ("", ".", "exercises"):
        return path.parent.name
    return path.stem


# ---------------------------------------------------------------------------------------------------
# running a submission


def grade_file(path: Path, specs: dict[str, Spec], expected: Expected, limits: Limits,
               forced: str | None = None, box: sandboxing.Sandbox | None = None,
               protected: tuple[str, ...] = ()) -> Submission:
    """Grade one submission (never raises for a bad submission; the file is only read)."""
    t0 = time.monotonic()
    path = Path(path)
    sub = Submission(str(path), path.stem, None)
    try:
        _grade_into(sub, path, specs, expected, limits, forced, box, protected)
    except Exception as e:  # a grader bug must cost this row, never the class report
        sub.error = clean(f"the grader failed on this submission: {type(e).__name__}: {e}")
        if sub.notebook in specs:
            done = {q.id for q in sub.questions}
            sub.questions += [QuestionResult(q.id, 0, q.points, ERROR, sub.error)
                              for q in specs[sub.notebook].questions if q.id not in done]
    sub.student, sub.path = clean(sub.student, 120), clean(sub.path, 400)
    sub.error, sub.notes = clean(sub.error), [clean(n) for n in sub.notes]
    sub.seconds = round(time.monotonic() - t0, 2)
    return sub


def _grade_into(sub: Submission, path: Path, specs: dict[str, Spec], expected: Expected, limits: Limits,
                forced: str | None, box: sandboxing.Sandbox | None, protected: tuple[str, ...]) -> None:
    name, note = identify(path, specs, forced)
    sub.notebook, sub.student = name, student_id(path, name)
    if note:
        sub.notes.append(note)
    if name is None or name not in specs:
        sub.error = "cannot tell which exercise notebook this is (use --notebook NAME)"
        return
    spec = specs[name]
    try:
        all_cells = read_cells(path)
        cells = [(i, c.source) for i, c in enumerate(all_cells) if c.kind == "code"]
    except NotebookError as e:
        sub.error = clean(e)
        sub.questions = [QuestionResult(q.id, 0, q.points, ERROR, sub.error) for q in spec.questions]
        return
    questions = [(q, [args for _, args, _ in expected.cases(q)]) for q in spec.questions]
    raw = run_submission(cells, spec, questions, limits, box, sub.notes, protected)
    for q in spec.questions:
        sub.questions.append(judge(q, raw.get(q.id), expected.cases(q)))


def judge(q: Question, raw: dict | None, cases: list[tuple[str, tuple, Any]]) -> QuestionResult:
    """Compare the student's reported outputs with the expected ones: full points or none.

    Every step that touches the reported values is guarded: whatever they make the comparison raise
    (an ``OverflowError`` from ``10**400``, a ``RecursionError``...) is zero points with a reason.
    """
    def fail(status: str, reason: str) -> QuestionResult:
        return QuestionResult(q.id, 0, q.points, status, clean(reason))

    if not isinstance(raw, dict):
        return fail(CRASHED, "no result came back from the notebook's process")
    outputs = raw.get("outputs") if isinstance(raw.get("outputs"), list) else []
    status = raw.get("status") if isinstance(raw.get("status"), str) else "error"
    reason = raw.get("reason") if isinstance(raw.get("reason"), str) else ""
    for k, (label, args, want) in enumerate(cases):
        if k >= len(outputs):
            if status == "not implemented":
                return fail(NOT_IMPLEMENTED, "not implemented yet")
            if status in (MISSING, TIMEOUT, CRASHED, REJECTED):
                return fail(status, reason)
            if status == "wrong type":
                return fail(FAILED, f"{label}: {reason}")
            return fail(ERROR, f"{label}: {reason}" if reason else f"{label}: no result")
        try:
            got = decode(outputs[k])
        except Exception as e:
            return fail(FAILED, f"{label}: returned data the grader cannot read ({type(e).__name__}: {e})")
        try:
            why = q.verdict(want, got, args)
        except Exception as e:
            return fail(FAILED, f"{label}: the answer cannot be compared with the expected one "
                        f"({type(e).__name__}: {e})")
        if why:
            return fail(FAILED, f"{label}: {why}")
    return QuestionResult(q.id, q.points, q.points, PASSED, "")


# ---------------------------------------------------------------------------------------------------
# many submissions


def sha256(path: Path) -> str | None:
    """The file's SHA-256 (None if it cannot be read)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def grade_all(paths: list[Path], *, seed: int, limits: Limits, jobs: int = 1, notebook: str | None = None,
              progress: bool = True, sandbox: str = "auto") -> list[Submission]:
    """Grade submissions, ``jobs`` at a time; results in the order of ``paths``.

    ``sandbox``: ``auto`` isolates each submission when bubblewrap works here, ``require`` raises
    ``grader.sandbox.SandboxUnavailable`` when it does not, ``off`` never isolates.
    """
    box = sandboxing.resolve(sandbox)
    specs = all_specs()
    if notebook is not None and notebook not in specs:
        raise SystemExit(f"grade: unknown notebook {notebook!r}; known: {', '.join(sorted(specs))}")
    expected = Expected(seed)
    # without the sandbox, the hook at least keeps every submission's folder from the others
    # (not a folder holding the course itself: a notebook saved in the repository's root still runs)
    folders = {Path(p).resolve().parent for p in paths}
    protected = () if box else tuple(sorted(str(f) for f in folders if f not in (ROOT, *ROOT.parents)))
    bar = None
    if progress and len(paths) > 1:
        from tqdm import tqdm

        bar = tqdm(total=len(paths), desc="grading", unit="notebook", file=sys.stderr)

    def one(p: Path) -> Submission:
        sub = grade_file(Path(p), specs, expected, limits, notebook, box, protected)
        if bar is not None:
            bar.update(1)
        return sub

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        subs = list(pool.map(one, paths))
    if bar is not None:
        bar.close()
    return subs


def add_arguments(ap: argparse.ArgumentParser, sandbox_default: str) -> None:
    """The options ``grader.grade`` and ``python -m grader`` share."""
    ap.add_argument("--csv", type=Path, help="write the gradebook CSV (student, points per question, total)")
    ap.add_argument("--json", type=Path, help="write the full report (statuses, reasons, notes) as JSON")
    ap.add_argument("--seed", type=int, help="seed of the hidden cases (default: a fresh random one)")
    ap.add_argument("--notebook", help="grade every file as this exercise notebook (e.g. 02_scalar_engine)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1,
                    help="submissions graded at once (default: the number of cores)")
    ap.add_argument("--sandbox", choices=sandboxing.MODES, default=sandbox_default,
                    help=f"isolate each submission with bubblewrap: auto (if it works here), require "
                    f"(refuse to grade without it), off (default: {sandbox_default})")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per notebook")
    ap.add_argument("--cell-timeout", type=float, default=30.0, help="seconds per cell")
    ap.add_argument("--question-timeout", type=float, help="seconds per question (default: each question's own)")


def sandbox_usable(mode: str, prog: str) -> bool:
    """Whether grading may go on under sandbox ``mode``; says on stderr why not, or that it is not isolated."""
    try:
        sandboxing.resolve(mode)
    except sandboxing.SandboxUnavailable as e:
        print(f"{prog}: {e}", file=sys.stderr)
        return False
    line = sandboxing.warning(mode)
    if line:
        print(line, file=sys.stderr)
    return True


def limits_of(args: argparse.Namespace) -> Limits:
    """The limits the command line asks for."""
    return Limits(notebook=args.timeout, cell=args.cell_timeout, question=args.question_timeout)


def main(argv: list[str] | None = None) -> int:
    """The command line; returns the exit status (0 unless the command itself was misused or refused)."""
    ap = argparse.ArgumentParser(prog="python -m grader.grade", description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path, help="exercise notebooks (.ipynb) to grade")
    add_arguments(ap, "auto")
    ap.add_argument("-q", "--quiet", action="store_true", help="print no tables")
    args = ap.parse_args(argv)
    missing = [str(p) for p in args.files if not p.is_file()]
    if missing:
        ap.error(f"no such file: {', '.join(missing)}")
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    limits = limits_of(args)
    if not sandbox_usable(args.sandbox, "grade"):
        return 3
    subs = grade_all(args.files, seed=seed, limits=limits, jobs=args.jobs, notebook=args.notebook,
                     sandbox=args.sandbox)
    if not args.quiet:
        for s in subs:
            print(table(s))
            print()
        print(f"hidden cases drawn with --seed {seed}")
    if args.csv:
        write_csv(subs, args.csv)
    if args.json:
        write_json(subs, args.json, seed, limits, sandbox=args.sandbox if args.sandbox == "off" else
                   ("bubblewrap" if sandboxing.status()[0] else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
