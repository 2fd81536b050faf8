"""Grade exercise notebooks: ``python -m grader.grade FILE... [--csv grades.csv] [--json report.json]``.

Each submission runs in its own fresh process (``grader.runner``) with time limits per cell, per
question and per notebook; the expected values are the reference solutions' results, computed here on
the public cases and on hidden cases drawn with this run's seed. A submission that crashes, hangs or
exits loses the question it broke and the grader goes on; the submission file is only ever read.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from course import reproducible

from . import reference
from .cases import expected_result
from .codec import CodecError, decode, encode
from .notebook import NotebookError, read_cells, read_json
from .spec import EXERCISES_DIR, GRADER_DIR, ROOT, Question, Spec, all_specs

#: question statuses, in the table and the JSON report
PASSED, FAILED, ERROR, NOT_IMPLEMENTED, MISSING, TIMEOUT, CRASHED = (
    "passed", "failed", "error", "not implemented", "missing", "timeout", "crashed")
_GRACE = 2.0
_MAX_EVENTS_BYTES = 200 * 2**20


@dataclass
class Limits:
    """Time limits in seconds; ``question`` overrides every question's own limit when set."""

    notebook: float = 300.0
    cell: float = 30.0
    question: float | None = None


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
    """The grade of one submission."""

    path: str
    student: str
    notebook: str | None
    questions: list[QuestionResult] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0

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


def identify(path: Path, specs: dict[str, Spec], forced: str | None = None) -> str | None:
    """The exercise notebook a submission answers: ``--notebook``, its metadata, or its file name."""
    if forced:
        return forced
    try:
        meta = read_json(path).get("metadata", {})
        name = meta.get("exercises", {}).get("notebook") if isinstance(meta, dict) else None
        if isinstance(name, str) and name in specs:
            return name
    except (NotebookError, AttributeError):
        pass
    for name in sorted(specs, key=len, reverse=True):
        if name in path.name:
            return name
    prefix = path.name.split("_")[0]
    matches = [n for n in specs if n.split("_")[0] == prefix]
    return matches[0] if len(matches) == 1 else None


def student_id(path: Path, notebook: str | None) -> str:
    """The submission's folder name when the file keeps the exercise's name, else the file's stem."""
    if notebook and path.stem == notebook and path.parent.name not in ("", ".", "exercises"):
        return path.parent.name
    return path.stem


# ---------------------------------------------------------------------------------------------------
# running a submission


def _protected() -> list[str]:
    return [str(GRADER_DIR), str(EXERCISES_DIR), str(ROOT / ".git")]


def _read_events(path: Path, offset: int) -> tuple[list[dict], int]:
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            data = f.read(_MAX_EVENTS_BYTES)
    except OSError:
        return [], offset
    end = data.rfind(b"\n") + 1
    events = []
    for line in data[:end].splitlines():
        try:
            ev = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
            continue
        if isinstance(ev, dict) and isinstance(ev.get("ev"), str):
            events.append(ev)
    return events, offset + end


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def run_submission(
    cells: list[tuple[int, str]], spec: Spec, questions: list[tuple[Question, list[tuple]]], limits: Limits,
) -> dict[str, dict]:
    """Run the cells and questions in fresh processes; the raw result event of every question.

    A process that dies or overruns a limit is killed; the cell it was in is skipped on the next try,
    or the question it was in gets ``timeout``/``crashed``, and a new process takes the rest.
    """
    deadline = time.monotonic() + limits.notebook
    results: dict[str, dict] = {}
    skip: set[int] = set()
    with tempfile.TemporaryDirectory(prefix="grader-") as tmp:
        attempt = 0
        while True:
            pending = [(q, cases) for q, cases in questions if q.id not in results]
            if not pending:
                return results
            attempt += 1
            if attempt > len(cells) + len(questions) + 2 or time.monotonic() >= deadline:
                for q, _ in pending:
                    results[q.id] = {"status": TIMEOUT, "reason": f"the notebook's time limit of "
                                     f"{limits.notebook:g} s was exceeded", "outputs": []}
                return results
            work = Path(tmp) / f"attempt{attempt}"
            scratch = work / "scratch"
            scratch.mkdir(parents=True)
            job = {
                "cells": [[i, s] for i, s in cells], "skip": sorted(skip), "spec": str(spec.path),
                "questions": [{"id": q.id, "cases": [encode(a) for a in cases]} for q, cases in pending],
                "protected": _protected(), "scratch": str(scratch), "cell_timeout": limits.cell,
                "question_timeout": limits.question,
            }
            (work / "job.json").write_text(json.dumps(job), encoding="utf-8")
            events_path = work / "events.jsonl"
            events_path.touch()
            env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "JUPYTER", "PYTEST"))}
            env.update(reproducible.ENV, PYTHONHASHSEED="0")
            with open(work / "stderr.txt", "wb") as err:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "grader.runner", str(work / "job.json"), str(events_path)],
                    cwd=scratch, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                    env=env, start_new_session=True,
                )
                blame = _watch(proc, events_path, results, limits, deadline, pending)
            if blame is None:
                continue
            kind, key, why = blame
            if kind == "cell":
                skip.add(int(key))
            elif kind == "question":
                status = TIMEOUT if why == "timeout" else CRASHED
                reason = ("time limit exceeded; the process did not stop and was killed" if why == "timeout"
                          else "the notebook's process ended during this question (os._exit? a crash?)")
                results[key] = {"status": status, "reason": reason, "outputs": []}
            else:
                for q, _ in pending:
                    results.setdefault(q.id, {"status": CRASHED, "outputs": [], "reason": (
                        _stderr_tail(work / "stderr.txt") or "the notebook's process could not start")})


def _stderr_tail(path: Path) -> str:
    try:
        lines = path.read_bytes()[-2000:].decode("utf-8", "replace").strip().splitlines()
    except OSError:
        return ""
    return f"the grader's runner failed: {lines[-1]}" if lines else ""


def _watch(proc: subprocess.Popen, events_path: Path, results: dict[str, dict], limits: Limits,
           deadline: float, pending: list[tuple[Question, list]]) -> tuple[str, Any, str] | None:
    """Follow one process's reports; None when it finished, else what to blame (kind, key, why)."""
    offset = 0
    phase: tuple[str, Any] | None = None
    started = time.monotonic()
    timeouts = {q.id: (limits.question or q.timeout) for q, _ in pending}
    while True:
        exited = proc.poll() is not None
        events, offset = _read_events(events_path, offset)
        for ev in events:
            kind = ev.get("ev")
            if kind == "cell":
                phase, started = ("cell", ev.get("i")), time.monotonic()
            elif kind == "q" and ev.get("id") in timeouts:
                phase, started = ("question", ev.get("id")), time.monotonic()
            elif kind == "result" and ev.get("id") in timeouts:
                results[ev["id"]] = ev
                phase = None
            elif kind == "cell_done":
                phase = None
            elif kind == "done":
                _kill(proc)
                return None
        now = time.monotonic()
        if exited:
            proc.wait()
            return (*phase, "crash") if phase else ("process", None, "crash")
        if now >= deadline:
            _kill(proc)
            return (*phase, "timeout") if phase else ("process", None, "timeout")
        if phase is not None:
            limit = limits.cell if phase[0] == "cell" else timeouts[phase[1]]
            if now - started > limit * 1.5 + _GRACE:
                _kill(proc)
                return (*phase, "timeout")
        time.sleep(0.02)


def grade_file(path: Path, specs: dict[str, Spec], expected: Expected, limits: Limits,
               forced: str | None = None) -> Submission:
    """Grade one submission (never raises for a bad submission; the file is only read)."""
    t0 = time.monotonic()
    name = identify(path, specs, forced)
    sub = Submission(str(path), student_id(path, name), name)
    if name is None or name not in specs:
        sub.error = "cannot tell which exercise notebook this is (use --notebook NAME)"
        return sub
    spec = specs[name]
    try:
        all_cells = read_cells(path)
        cells = [(i, c.source) for i, c in enumerate(all_cells) if c.kind == "code"]
    except NotebookError as e:
        sub.error = str(e)
        sub.questions = [QuestionResult(q.id, 0, q.points, ERROR, str(e)) for q in spec.questions]
        return sub
    questions = [(q, [args for _, args, _ in expected.cases(q)]) for q in spec.questions]
    raw = run_submission(cells, spec, questions, limits)
    for q in spec.questions:
        sub.questions.append(judge(q, raw.get(q.id), expected.cases(q)))
    sub.seconds = round(time.monotonic() - t0, 2)
    return sub


def judge(q: Question, raw: dict | None, cases: list[tuple[str, tuple, Any]]) -> QuestionResult:
    """Compare the student's reported outputs with the expected ones: full points or none."""
    def fail(status: str, reason: str) -> QuestionResult:
        return QuestionResult(q.id, 0, q.points, status, reason[:400])

    if raw is None:
        return fail(CRASHED, "no result came back from the notebook's process")
    outputs = raw.get("outputs") if isinstance(raw.get("outputs"), list) else []
    status = raw.get("status") if isinstance(raw.get("status"), str) else "error"
    reason = raw.get("reason") if isinstance(raw.get("reason"), str) else ""
    for k, (label, args, want) in enumerate(cases):
        if k >= len(outputs):
            if status == "not implemented":
                return fail(NOT_IMPLEMENTED, "not implemented yet")
            if status in (MISSING, TIMEOUT, CRASHED):
                return fail(status, reason)
            if status == "wrong type":
                return fail(FAILED, f"{label}: {reason}")
            return fail(ERROR, f"{label}: {reason}" if reason else f"{label}: no result")
        try:
            got = decode(outputs[k])
        except (CodecError, ValueError, TypeError) as e:
            return fail(FAILED, f"{label}: returned data the grader cannot read ({e})")
        why = q.verdict(want, got, args)
        if why:
            return fail(FAILED, f"{label}: {why}")
    return QuestionResult(q.id, q.points, q.points, PASSED, "")


# ---------------------------------------------------------------------------------------------------
# reports


def table(sub: Submission) -> str:
    """The learner's table: question, points, status, reason."""
    head = f"{sub.path}  (student: {sub.student}, notebook: {sub.notebook or '?'})"
    lines = [head]
    if sub.error and not sub.questions:
        return head + f"\n  not graded: {sub.error}"
    rows = [("question", "points", "status", "reason")]
    for q in sub.questions:
        rows.append((q.id, f"{_num(q.points)}/{_num(q.max_points)}", q.status, q.reason))
    rows.append(("total", f"{_num(sub.total)}/{_num(sub.max_total)}", "", ""))
    w = [max(len(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        lines.append(f"  {r[0]:<{w[0]}}  {r[1]:>{w[1]}}  {r[2]:<{w[2]}}  {r[3]}".rstrip())
    return "\n".join(lines)


def _num(x: float) -> str:
    return f"{x:g}"


def write_csv(subs: list[Submission], path: Path) -> None:
    """One row per submission, one column per question (points earned), then the total."""
    ids: list[str] = []
    for s in subs:
        ids += [q.id for q in s.questions if q.id not in ids]
    ids.sort(key=lambda i: tuple(int(p) for p in i.split(".")))
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "notebook", "file", *ids, "total", "max"])
        for s in subs:
            got = {q.id: _num(q.points) for q in s.questions}
            w.writerow([s.student, s.notebook or "", s.path, *(got.get(i, "") for i in ids),
                        _num(s.total), _num(s.max_total)])


def write_json(subs: list[Submission], path: Path, seed: int, limits: Limits) -> None:
    """Everything: seed, limits, and per submission its questions, statuses and reasons."""
    report = {
        "seed": seed, "limits": asdict(limits),
        "submissions": [{**asdict(s), "total": s.total, "max_total": s.max_total} for s in subs],
    }
    Path(path).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


def sha256(path: Path) -> str | None:
    """The file's SHA-256 (None if it cannot be read)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def grade_all(paths: list[Path], *, seed: int, limits: Limits, jobs: int = 1, notebook: str | None = None,
              progress: bool = True) -> list[Submission]:
    """Grade submissions, ``jobs`` at a time; results in the order of ``paths``."""
    specs = all_specs()
    if notebook is not None and notebook not in specs:
        raise SystemExit(f"grade: unknown notebook {notebook!r}; known: {', '.join(sorted(specs))}")
    expected = Expected(seed)
    bar = None
    if progress and len(paths) > 1:
        from tqdm import tqdm

        bar = tqdm(total=len(paths), desc="grading", unit="notebook", file=sys.stderr)

    def one(p: Path) -> Submission:
        sub = grade_file(p, specs, expected, limits, notebook)
        if bar is not None:
            bar.update(1)
        return sub

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        subs = list(pool.map(one, paths))
    if bar is not None:
        bar.close()
    return subs


def main(argv: list[str] | None = None) -> int:
    """The command line; returns the exit status (0 unless the command itself was misused)."""
    ap = argparse.ArgumentParser(prog="python -m grader.grade", description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path, help="exercise notebooks (.ipynb) to grade")
    ap.add_argument("--csv", type=Path, help="write one row per submission to this CSV file")
    ap.add_argument("--json", type=Path, help="write the full report to this JSON file")
    ap.add_argument("--seed", type=int, help="seed of the hidden cases (default: a fresh random one)")
    ap.add_argument("--notebook", help="grade every file as this exercise notebook (e.g. 02_scalar_engine)")
    ap.add_argument("-j", "--jobs", type=int, default=max(1, (os.cpu_count() or 2) // 2),
                    help="submissions graded at once")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per notebook")
    ap.add_argument("--cell-timeout", type=float, default=30.0, help="seconds per cell")
    ap.add_argument("--question-timeout", type=float, help="seconds per question (default: each question's own)")
    ap.add_argument("-q", "--quiet", action="store_true", help="print no tables")
    args = ap.parse_args(argv)
    missing = [str(p) for p in args.files if not p.is_file()]
    if missing:
        ap.error(f"no such file: {', '.join(missing)}")
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    limits = Limits(notebook=args.timeout, cell=args.cell_timeout, question=args.question_timeout)
    subs = grade_all(args.files, seed=seed, limits=limits, jobs=args.jobs, notebook=args.notebook)
    if not args.quiet:
        for s in subs:
            print(table(s))
            print()
        print(f"hidden cases drawn with --seed {seed}")
    if args.csv:
        write_csv(subs, args.csv)
    if args.json:
        write_json(subs, args.json, seed, limits)
    return 0


if __name__ == "__main__":
    sys.exit(main())
