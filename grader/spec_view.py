"""What of a spec the student's process may see: the code that runs a case, nothing else.

A spec module holds more than the runner needs: the hidden cases' generators, the comparisons and the
mutant banks, whose ``old`` strings quote the solution. The runner needs only each question's ``call``
(the function that runs a case on the student's function) and its plain settings. So the grader gives
it a *view* of each spec module: the module's imports, the top-level definitions that the ``call``
functions use (followed from name to name, into other spec modules too), and ``NOTEBOOK``. Inside the
sandbox the view stands in for the spec file at the same path; the settings travel in the job
(``question_fields``). A ``call`` that is not a top-level function of its spec cannot be cut out, and
the whole file is shown instead (``tests/test_grader_sandbox.py`` keeps every spec clear of that).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

from .spec import SPECS_DIR, Question, Spec

#: Question fields that never go to the student's process (functions, or answers in disguise)
PRIVATE_FIELDS = frozenset({"public", "hidden", "call", "compare", "mutants"})


def question_fields(q: Question) -> dict[str, Any]:
    """A question's plain settings for the job (id, function, timeout, forbidden...)."""
    out = {}
    for name, value in vars(q).items():
        if name in PRIVATE_FIELDS or name.startswith("_"):
            continue
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            continue
        out[name] = value
    return out


def call_name(q: Question, spec: Spec) -> str | None:
    """The name of ``q.call`` in its spec module, or None (no ``call``, or one without a top-level name)."""
    call = q.call
    if call is None:
        return None
    name = getattr(call, "__name__", "")
    if getattr(spec.module, name, None) is not call:
        raise LookupError(f"the call of question {q.id} is not a top-level function of {spec.path.name}")
    return name


def _spec_module(node: ast.ImportFrom, path: Path) -> str | None:
    module = node.module or ""
    if node.level == 1 and path.parent == SPECS_DIR:
        module = f"grader.specs.{module}" if module else "grader.specs"
    if module.startswith("grader.specs."):
        return module.split(".")[2]
    return None


def _defines(st: ast.stmt) -> set[str]:
    if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {st.name}
    if isinstance(st, ast.Import):
        return {(a.asname or a.name).split(".")[0] for a in st.names}
    if isinstance(st, ast.ImportFrom):
        return {a.asname or a.name for a in st.names}
    return {n.id for n in ast.walk(st) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}


def view(path: Path, needed: set[str]) -> tuple[str, dict[str, set[str]]]:
    """The source of the view of the spec module at ``path`` that defines ``needed``, and the names it
    needs from other spec modules (by module stem, e.g. ``{"ch05": {"BACKWARD"}}``)."""
    path = Path(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    body = tree.body
    keep: set[int] = set()
    others: dict[str, set[str]] = {}
    spec_imports: dict[int, set[str]] = {}
    for k, st in enumerate(body):
        if isinstance(st, ast.Import) or (isinstance(st, ast.ImportFrom) and _spec_module(st, path) is None):
            keep.add(k)  # numpy, the engine, grader.spec...: public code
        elif isinstance(st, ast.Assign) and _defines(st) == {"NOTEBOOK"}:
            keep.add(k)
    todo, seen = list(needed), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for k, st in enumerate(body):
            if name not in _defines(st) or (k in keep and k not in spec_imports):
                continue
            if isinstance(st, ast.ImportFrom) and (stem := _spec_module(st, path)):
                original = next(a.name for a in st.names if (a.asname or a.name) == name)
                others.setdefault(stem, set()).add(original)
                spec_imports.setdefault(k, set()).add(name)
                keep.add(k)
                continue
            keep.add(k)
            todo += [n.id for n in ast.walk(st) if isinstance(n, ast.Name)]
    out = []
    for k, st in enumerate(body):
        if k not in keep:
            continue
        if k in spec_imports:
            st = ast.ImportFrom(module=st.module, level=st.level,
                                names=[a for a in st.names if (a.asname or a.name) in spec_imports[k]])
        out.append(st)
    doc = f"# the runner's view of {path.name}: only what its questions' call functions use\n"
    return doc + ast.unparse(ast.Module(body=out, type_ignores=[])) + "\n", others


def views(spec: Spec, calls: set[str]) -> dict[str, str]:
    """``{spec file path: source of its view}`` for the spec and every spec module its calls reach."""
    out: dict[str, str] = {}
    todo: list[tuple[Path, set[str]]] = [(Path(spec.path).resolve(), set(calls))]
    wanted: dict[Path, set[str]] = {}
    while todo:
        path, names = todo.pop()
        if path in wanted and names <= wanted[path]:
            continue
        wanted[path] = wanted.get(path, set()) | names
        source, others = view(path, wanted[path])
        out[str(path)] = source
        todo += [(SPECS_DIR / f"{stem}.py", more) for stem, more in others.items()]
    return out
