"""The reference solutions: the solution notebooks' code, run in the calling (trusted) process."""

from __future__ import annotations

import contextlib
import io
import linecache
from pathlib import Path
from typing import Any

from . import cases
from .notebook import BEGIN_SOLUTION, END_SOLUTION, read_cells, strip_magics
from .spec import SOLUTIONS_DIR, Question

_NAMESPACES: dict[Path, dict[str, Any]] = {}


def solution_path(notebook: str) -> Path:
    """``grader/solutions/<notebook>.ipynb``."""
    return SOLUTIONS_DIR / f"{notebook}.ipynb"


def namespace(notebook: str) -> dict[str, Any]:
    """The globals left by running every code cell of the solution notebook (cached; prints hidden)."""
    path = solution_path(notebook).resolve()
    if path not in _NAMESPACES:
        ns: dict[str, Any] = {"__name__": f"grader_reference_{notebook}"}
        with cases.disabled(), contextlib.redirect_stdout(io.StringIO()):
            for i, cell in enumerate(read_cells(path)):
                if cell.kind != "code":
                    continue
                filename = f"<{notebook} solution cell {i}>"
                src = strip_magics(cell.source)
                linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
                exec(compile(src, filename, "exec"), ns)
        _NAMESPACES[path] = ns
    return _NAMESPACES[path]


def function(q: Question) -> Any:
    """The reference implementation of question ``q``."""
    ns = namespace(q.notebook)
    if q.function not in ns:
        raise LookupError(f"the solution notebook {q.notebook} defines no function {q.function!r} ({q.id})")
    return ns[q.function]


def solution_cell(q: Question) -> str:
    """The source of the ``# Exercise N.K`` cell of question ``q`` in its solution notebook."""
    for cell in read_cells(solution_path(q.notebook)):
        if cell.exercise == q.id:
            return cell.source
    raise LookupError(f"the solution notebook {q.notebook} has no cell for Exercise {q.id}")


def mutant_function(q: Question, mutant: Any) -> Any:
    """The function of ``q`` with the slip of ``mutant`` (a ``grader.spec.Mutant``) made in its cell.

    The mutated cell runs in a copy of the solution notebook's namespace, so the reference is untouched.
    """
    cell = solution_cell(q)
    start = cell.index(BEGIN_SOLUTION)
    end = cell.index(END_SOLUTION, start)
    src = strip_magics(cell[:start] + mutant.apply(cell[start:end]) + cell[end:])  # the slip is in the answer
    ns = dict(namespace(q.notebook))
    filename = f"<{q.id} mutant: {mutant.name}>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    with cases.disabled(), contextlib.redirect_stdout(io.StringIO()):
        exec(compile(src, filename, "exec"), ns)
    return ns[q.function]


def grade_in_process(q: Question, fn: Any, seed: int = 0) -> tuple[bool, bool, str]:
    """``(public cases pass, every case passes, the grader's reason)`` for ``fn`` on question ``q``.

    The same path as the grader, in this process: each case runs through ``cases.run_case`` (with the
    question's forbidden functions switched off), and ``grade.judge`` compares with the reference.
    For tests (mutants, right and wrong answers); never for untrusted code.
    """
    from .grade import PASSED, Expected, judge

    expected = _EXPECTED.setdefault(seed, Expected(seed))
    all_cases = expected.cases(q)
    outputs: list[Any] = []
    status, reason = "ok", ""
    with cases.time_limit(max(q.timeout, 10.0) * 3):
        for _, args, _ in all_cases:
            status, out = cases.run_case(q, fn, args)
            if status != "ok":
                reason = out
                break
            outputs.append(out)
    raw = {"status": status, "reason": reason, "outputs": outputs}
    n = len(q.public_cases())
    public = judge(q, {**raw, "outputs": outputs[:n]}, all_cases[:n])
    result = judge(q, raw, all_cases)
    return public.status == PASSED, result.status == PASSED, result.reason


_EXPECTED: dict[int, Any] = {}
