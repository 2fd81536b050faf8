"""Grade exercise notebooks: ``python -m grader.grade FILE... [--csv grades.csv] [--json report.json]``.

Each submission runs in its own fresh process (``grader.runner``), inside bubblewrap when it is
available (``grader.sandbox``; ``--sandbox require`` refuses to grade without it), with time limits
per cell, per question and per notebook kept by the grader's clock. The expected values are the
reference solutions' results, computed here on the public cases and on hidden cases drawn with this
run's seed; the student's process never sees them. Everything that comes back is untrusted
(``grader.events``), and every step that touches it turns any error into zero points with a reason:
a submission that crashes, hangs, exits, lies or floods loses what it broke and the grader goes on.
The submission file is only ever read. To grade a class: ``python -m grader FOLDER``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course import reproducible

from . import events, reference, spec_view
from . import sandbox as sandboxing
from .cases import expected_result
from .codec import decode, encode
from .notebook import NotebookError, read_cells, read_json
from .report import clean, table, write_csv, write_json
from .spec import EXERCISES_DIR, GRADER_DIR, ROOT, Question, Spec, all_specs

#: question statuses, in the table and the JSON report
PASSED, FAILED, ERROR, NOT_IMPLEMENTED, MISSING, TIMEOUT, CRASHED, REJECTED = (
    "passed", "failed", "error", "not implemented", "missing", "timeout", "crashed", "rejected")
_GRACE = 2.0
#: seconds the process may take to start (Python, numpy, the engine) before its first cell
STARTUP_SECONDS = 60.0
_STDERR_TAIL = 4096
#: the runner's audit hook, the second line behind the sandbox (the tests switch it off to show that the
#: sandbox alone holds; a submission cannot: this is the grader's setting, written into the job)
AUDIT_HOOK = True


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


def _protected(extra: tuple[str, ...] = ()) -> list[str]:
    return [str(GRADER_DIR), str(EXERCISES_DIR), str(ROOT / ".git"), *extra]


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


@dataclass
class _Blame:
    """What ended a process early: the phase (``cell``/``question``/``process``) and why."""

    kind: str
    key: Any
    why: str  # "crash", "timeout" or "rejected"
    detail: str = ""


def run_submission(
    cells: list[tuple[int, str]], spec: Spec, questions: list[tuple[Question, list[tuple]]], limits: Limits,
    box: sandboxing.Sandbox | None = None, notes: list[str] | None = None, protected: tuple[str, ...] = (),
) -> dict[str, dict]:
    """Run the cells and questions in fresh processes; the raw result of every question.

    A process that dies, overruns a limit or breaks the channel's protocol is killed; the cell it was
    in is skipped on the next try (and ``notes`` say so), or the question it was in gets ``timeout``,
    ``crashed`` or ``rejected``, and a new process takes the rest.
    """
    notes = notes if notes is not None else []
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
            work.mkdir()
            protocol = events.Protocol([i for i, _ in cells if i not in skip], [q.id for q, _ in pending])
            blame, stderr = _run_once(work, cells, skip, spec, pending, limits, box, protocol, deadline,
                                      protected)
            results.update(protocol.results)
            if blame is None:
                continue
            if blame.kind == "cell":
                skip.add(int(blame.key))
                what = {"timeout": "ran past its time limit and was stopped",
                        "rejected": f"wrote a message the grader rejects on its channel ({blame.detail})",
                        }.get(blame.why, "ended the notebook's process")
                notes.append(f"cell {int(blame.key) + 1} of the notebook {what}; graded without it")
            elif blame.kind == "question":
                results[blame.key] = {"outputs": [], **{
                    "timeout": {"status": TIMEOUT, "reason": "time limit exceeded; the process did not stop "
                                "and was killed"},
                    "rejected": {"status": REJECTED, "reason": "the grader rejected a message on its channel "
                                 f"during this question: {blame.detail}"},
                }.get(blame.why, {"status": CRASHED, "reason": "the notebook's process ended during this "
                                  "question (os._exit? a crash?)"})}
            else:
                why = {"timeout": f"the notebook's process did not start within {STARTUP_SECONDS:g} s",
                       "rejected": f"the grader rejected a message on its channel: {blame.detail}"}.get(
                    blame.why, _stderr_reason(stderr) or "the notebook's process could not start")
                for q, _ in pending:
                    results.setdefault(q.id, {"status": CRASHED, "outputs": [], "reason": why})


_VIEWS: dict[str, tuple[dict[str, str], dict[str, str | None]]] = {}
_VIEWS_LOCK = threading.Lock()


def _spec_views(spec: Spec) -> tuple[dict[str, str], dict[str, str | None]]:
    """``({spec file: source the runner sees}, {question id: name of its call})``, computed once per spec."""
    with _VIEWS_LOCK:
        if str(spec.path) not in _VIEWS:
            try:
                calls = {q.id: spec_view.call_name(q, spec) for q in spec.questions}
                sources = spec_view.views(spec, {c for c in calls.values() if c})
            except (LookupError, SyntaxError, OSError):  # a call without a name: the whole files
                calls = {q.id: getattr(q.call, "__name__", None) for q in spec.questions}
                sources = {str(p): p.read_text(encoding="utf-8") for p in sandboxing.spec_files(spec.path)}
            _VIEWS[str(spec.path)] = sources, calls
        return _VIEWS[str(spec.path)]


def _stderr_reason(tail: bytes) -> str:
    lines = tail.decode("utf-8", "replace").strip().splitlines()
    return f"the grader's runner failed: {lines[-1]}" if lines else ""


def _run_once(work: Path, cells: list[tuple[int, str]], skip: set[int], spec: Spec,
              pending: list[tuple[Question, list[tuple]]], limits: Limits, box: sandboxing.Sandbox | None,
              protocol: events.Protocol, deadline: float, protected: tuple[str, ...]) -> tuple[_Blame | None, bytes]:
    """Start one process on the pending questions and watch it to its end."""
    scratch = sandboxing.SCRATCH if box else str(work / "scratch")
    if box is None:
        Path(scratch).mkdir()
    sources, calls = _spec_views(spec)
    views = {}
    for k, (dest, source) in enumerate(sorted(sources.items())):
        views[dest] = str(work / f"spec{k}.py")
        Path(views[dest]).write_text(source, encoding="utf-8")
    job = {
        "cells": [[i, s] for i, s in cells], "skip": sorted(skip), "spec": str(spec.path),
        "questions": [{"fields": spec_view.question_fields(q), "call": calls.get(q.id),
                       "cases": [encode(a) for a in cases]} for q, cases in pending],
        "protected": _protected(protected), "scratch": scratch, "cell_timeout": limits.cell,
        "question_timeout": limits.question, "sandboxed": box is not None,
        "limits": {"cpu_seconds": int(limits.notebook + 30)}, "audit_hook": AUDIT_HOOK,
    }
    job_path = work / "job.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    env_extra = {**reproducible.ENV, "PYTHONHASHSEED": "0"}
    r_ev, w_ev = os.pipe()
    r_err, w_err = os.pipe()
    job_fd = os.open(job_path, os.O_RDONLY)
    try:
        if box is not None:
            argv = [sys.executable, "-m", "grader.runner", sandboxing.JOB, str(w_ev)]
            cmd = box.command(argv, views=views, job_fd=job_fd, env=env_extra)
            env, cwd = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}, "/"
        else:
            cmd = [sys.executable, "-m", "grader.runner", str(job_path), str(w_ev)]
            env = {k: v for k, v in os.environ.items() if not k.startswith(("JPY_", "JUPYTER", "PYTEST"))}
            env.update(env_extra)
            cwd = scratch
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=w_err, pass_fds=(w_ev, job_fd), start_new_session=True)
    except OSError as e:
        for fd in (r_ev, w_ev, r_err, w_err, job_fd):
            os.close(fd)
        return _Blame("process", None, "crash"), f"cannot start the notebook's process: {e}".encode()
    for fd in (w_ev, w_err, job_fd):
        os.close(fd)
    try:
        return _watch(proc, r_ev, r_err, protocol, limits, deadline,
                      {q.id: (limits.question or q.timeout) for q, _ in pending})
    finally:
        _kill(proc)
        os.close(r_ev)
        os.close(r_err)


def _watch(proc: subprocess.Popen, r_ev: int, r_err: int, protocol: events.Protocol, limits: Limits,
           deadline: float, timeouts: dict[str, float]) -> tuple[_Blame | None, bytes]:
    """Read a process's messages and stderr until it reports ``done``, dies, breaks a rule or runs late.

    Returns None (finished) or what to blame, and the tail of its stderr. Time is the grader's own:
    a phase's clock starts with its first message, and only the notebook's deadline outlasts it.
    """
    reader = events.Reader()
    tail = bytearray()
    poller = select.poll()
    for fd in (r_ev, r_err):
        os.set_blocking(fd, False)
        poller.register(fd, select.POLLIN)
    open_fds = {r_ev, r_err}
    started = time.monotonic()

    def phase_limit() -> float:
        kind, key = protocol.phase
        if kind == "start":
            return STARTUP_SECONDS
        if kind == "cell":
            return limits.cell * 1.5 + _GRACE
        if kind == "question":
            return timeouts[key] * 1.5 + _GRACE
        return _GRACE

    def blame(why: str, detail: str = "") -> _Blame:
        kind, key = protocol.phase
        if kind in ("cell", "question"):
            return _Blame(kind, key, why, detail)
        return _Blame("process", None, why, detail)

    def pump(wait_ms: int) -> bool:
        """Read what is there; False when nothing was."""
        got = False
        for fd, _ in poller.poll(wait_ms):
            try:
                data = os.read(fd, 1 << 20)
            except BlockingIOError:
                continue
            if not data:
                poller.unregister(fd)
                open_fds.discard(fd)
                continue
            got = True
            if fd == r_err:
                tail.extend(data)
                del tail[:-_STDERR_TAIL]
                continue
            for ev in reader.feed(data):
                protocol.accept(ev, time.monotonic())
        return got

    try:
        while True:
            exited = proc.poll() is not None
            if open_fds:
                pump(0 if exited else 20)
            else:
                time.sleep(0.02)
            if protocol.finished:
                return None, bytes(tail)
            if exited:
                drain_until = time.monotonic() + 1.0
                while open_fds and time.monotonic() < drain_until and pump(0):
                    if protocol.finished:
                        return None, bytes(tail)
                return blame("crash"), bytes(tail)
            now = time.monotonic()
            if now >= deadline:
                return blame("timeout"), bytes(tail)
            if now - (protocol.since or started) > phase_limit():
                return blame("timeout"), bytes(tail)
    except events.ChannelError as e:
        return blame("rejected", str(e)), bytes(tail)


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
    try:
        sandboxing.resolve(args.sandbox)
    except sandboxing.SandboxUnavailable as e:
        print(f"grade: {e}", file=sys.stderr)
        return 3
    line = sandboxing.warning(args.sandbox)
    if line:
        print(line, file=sys.stderr)
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
