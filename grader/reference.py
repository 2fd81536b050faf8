"""The reference solutions: the solution notebooks' code, run in the calling (trusted) process."""

from __future__ import annotations

import contextlib
import io
import linecache
from pathlib import Path
from typing import Any

from . import cases
from .notebook import read_cells, strip_magics
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
    src = strip_magics(mutant.apply(solution_cell(q)))
    ns = dict(namespace(q.notebook))
    filename = f"<{q.id} mutant: {mutant.name}>"
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)
    with cases.disabled(), contextlib.redirect_stdout(io.StringIO()):
        exec(compile(src, filename, "exec"), ns)
    return ns[q.function]
