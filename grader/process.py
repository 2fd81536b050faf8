"""Running one submission: fresh processes, inside bubblewrap when it can run, watched to their end.

``run_submission`` starts ``grader.runner`` on the cells and the pending questions, reads its channel
through ``grader.events`` (every message checked against the runner's order), keeps the time limits
on its own clock (a phase's clock starts once; the notebook's deadline outlasts them all), and when
the process dies, overruns or breaks the protocol, kills it (the whole sandbox), blames the cell or
question it was in, and starts a fresh one on what is left. It returns the raw result of every
question; ``grader.grade`` judges them.
"""

from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from course import reproducible

from . import events, spec_view
from . import sandbox as sandboxing
from .codec import encode
from .spec import EXERCISES_DIR, GRADER_DIR, ROOT, Question, Spec

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
