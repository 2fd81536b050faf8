"""Write the student notebooks from the sources: ``python -m grader.build [--check] [NAME...]``.

For each spec ``grader/specs/chNN.py`` and its source ``grader/solutions/NN_topic.ipynb``: check the
source against the spec, run it (storing its outputs), write ``exercises/NN_topic.ipynb`` with stubs in
place of the solutions and without hidden tests, and run that too, so both pass nbval as committed.
``--check`` writes nothing and fails when a student notebook differs from what the build would write.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from course import reproducible

from .notebook import (
    BEGIN_SOLUTION,
    NotebookError,
    has_solution,
    notebook_json,
    source_text,
    student_source,
)
from .spec import EXERCISES_DIR, ROOT, SOLUTIONS_DIR, Spec, SpecError, all_specs

EXECUTE_TIMEOUT = 300


class BuildError(RuntimeError):
    """A source notebook that does not fit its spec or these rules (the message says where)."""


def _read(path: Path) -> Any:
    import nbformat

    return nbformat.read(str(path), as_version=4)


def _write(nb: Any, path: Path) -> None:
    import nbformat

    nbformat.validate(nb)
    nbformat.write(nb, str(path))


def validate(spec: Spec, nb: Any) -> None:
    """Check the source notebook against its spec; ``BuildError`` lists every problem found."""
    from .notebook import Cell

    problems = []
    seen: dict[str, str] = {}
    headings = set()
    for k, c in enumerate(nb.cells):
        src = source_text(c)
        cell = Cell(c.cell_type, src)
        if c.cell_type == "markdown":
            for line in src.splitlines():
                m = re.match(r"^#{2,6}\s.*\bExercise\s+([0-9]+\.[0-9]+)\b", line)
                if m:
                    headings.add(m.group(1))
        qid = cell.exercise
        if qid is not None:
            if qid in seen:
                problems.append(f"cell {k}: a second cell for Exercise {qid}")
            seen[qid] = src
            if not has_solution(src):
                problems.append(f"cell {k}: Exercise {qid} has no '{BEGIN_SOLUTION}' region")
        elif c.cell_type == "code" and has_solution(src):
            problems.append(f"cell {k}: a solution region in a cell whose first line is not '# Exercise N.K'")
        try:
            student_source(src, c.cell_type, qid, f"cell {k}")
        except NotebookError as e:
            problems.append(str(e))
    spec_ids = [q.id for q in spec.questions]
    for q in spec.questions:
        if q.id not in seen:
            problems.append(f"Exercise {q.id} is in the spec but no cell starts with '# Exercise {q.id}'")
            continue
        if not re.search(rf"^\s*def\s+{re.escape(q.function)}\s*\(", seen[q.id], re.M):
            problems.append(f"the cell of Exercise {q.id} does not define `{q.function}`")
        if q.id not in headings:
            problems.append(f"Exercise {q.id} has no markdown heading (e.g. '## Exercise {q.id}: ...')")
    for qid in seen:
        if qid not in spec_ids:
            problems.append(f"Exercise {qid} has a cell but is not in {spec.path.name}")
    if len(spec.questions) < 3:
        problems.append(f"{spec.notebook} has {len(spec.questions)} questions; a chapter needs at least 3")
    if problems:
        raise BuildError(f"{spec.notebook}:\n  " + "\n  ".join(problems))


def student_notebook(spec: Spec, source: Any) -> Any:
    """The student notebook (without outputs) generated from the source notebook."""
    import nbformat

    from .notebook import Cell

    cells = []
    for k, c in enumerate(source.cells):
        src = source_text(c)
        qid = Cell(c.cell_type, src).exercise
        new_src, raises = student_source(src, c.cell_type, qid, f"cell {k}")
        if not new_src.strip():
            continue
        tags = [t for t in c.get("metadata", {}).get("tags", []) if t != "raises-exception"]
        if raises:
            tags.append("raises-exception")
        meta = {"tags": tags} if tags else {}
        if c.cell_type == "code":
            new = nbformat.v4.new_code_cell(new_src, metadata=meta)
        elif c.cell_type == "markdown":
            new = nbformat.v4.new_markdown_cell(new_src, metadata=meta)
        else:
            new = nbformat.v4.new_raw_cell(new_src, metadata=meta)
        new["id"] = c.get("id") or f"cell-{k}"
        cells.append(new)
    return nbformat.from_dict(notebook_json(cells, spec.notebook))


def comparable(nb: Any) -> list[tuple]:
    """What must match between the committed and the built student notebook: cells and kernel."""
    out: list[tuple] = [("kernel", nb.get("metadata", {}).get("kernelspec", {}).get("name"))]
    for c in nb.cells:
        out.append((c.cell_type, source_text(c), tuple(c.get("metadata", {}).get("tags", []))))
    return out


def execute(nb: Any, path: Path) -> Any:
    """Run the notebook in a fresh ``python3`` kernel from its folder; cells tagged raises-exception may raise."""
    return reproducible.execute_notebook(nb, path.parent, EXECUTE_TIMEOUT)


def import_percent(script: Path) -> Path:
    """Turn a ``# %%`` percent script into ``grader/solutions/<stem>.ipynb``; returns that path."""
    import nbformat

    text = Path(script).read_text(encoding="utf-8")
    chunks: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        m = re.match(r"^# %%(.*)$", line)
        if m:
            chunks.append(("markdown" if "[markdown]" in m.group(1) else "code", []))
        elif chunks:
            chunks[-1][1].append(line)
        elif line.strip():
            raise BuildError(f"{script}: text before the first '# %%' cell marker")
    cells = []
    for k, (kind, lines) in enumerate(chunks):
        while lines and not lines[-1].strip():
            lines.pop()
        while lines and not lines[0].strip():
            lines.pop(0)
        if kind == "markdown":
            body = "\n".join(re.sub(r"^# ?", "", ln) for ln in lines)
            cell = nbformat.v4.new_markdown_cell(body)
        else:
            cell = nbformat.v4.new_code_cell("\n".join(lines))
        cell["id"] = f"cell-{k}"
        cells.append(cell)
    out = SOLUTIONS_DIR / f"{Path(script).stem}.ipynb"
    _write(nbformat.from_dict(notebook_json(cells, Path(script).stem)), out)
    return out


def _shown(path: Path) -> str:
    """``path`` relative to the repository when it is inside it (shorter messages), else as it is."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def back_up(path: Path) -> Path:
    """Copy ``path`` into ``exercises/.backup/`` under a new time-stamped name; return the copy's path.

    The build rewrites the student notebooks, which are also the files learners write their answers in:
    whatever it would replace is kept, never lost.
    """
    import shutil
    import time

    folder = EXERCISES_DIR / ".backup"
    folder.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    copy = folder / f"{path.stem}-{stamp}{path.suffix}"
    n = 1
    while copy.exists():
        n += 1
        copy = folder / f"{path.stem}-{stamp}-{n}{path.suffix}"
    shutil.copy2(path, copy)
    return copy


def build(names: list[str] | None = None, *, check: bool = False, run: bool = True) -> list[str]:
    """Build (or with ``check``, verify) the student notebooks; returns the problems found."""
    specs = all_specs()
    unknown = [n for n in names or [] if n not in specs]
    if unknown:
        raise BuildError(f"unknown notebook(s) {unknown}; known: {sorted(specs)}")
    orphans = [p.stem for p in SOLUTIONS_DIR.glob("*.ipynb") if p.stem not in specs]
    if orphans:
        raise BuildError(f"solution notebooks without a spec in grader/specs/: {orphans}")
    problems = []
    for name in names or sorted(specs):
        spec = specs[name]
        source_path = SOLUTIONS_DIR / f"{name}.ipynb"
        if not source_path.exists():
            raise BuildError(f"{spec.path.name} names {name}, but {_shown(source_path)} does not exist")
        source = _read(source_path)
        validate(spec, source)
        student = student_notebook(spec, source)
        target = EXERCISES_DIR / f"{name}.ipynb"
        if check:
            if not target.exists():
                problems.append(f"{_shown(target)} is missing; run `make exercises`")
            elif comparable(_read(target)) != comparable(student):
                problems.append(f"{_shown(target)} is stale; run `make exercises`")
            continue
        if run:
            print(f"running {_shown(source_path)}", file=sys.stderr)
            _write(execute(source, source_path), source_path)
            print(f"running {_shown(target)}", file=sys.stderr)
            execute(student, target)
        if target.exists() and comparable(_read(target)) != comparable(student):
            kept = back_up(target)
            print(f"{_shown(target)} had changes (your answers?): the previous "
                  f"version is kept at {_shown(kept)}", file=sys.stderr)
        _write(student, target)
    return problems


def main(argv: list[str] | None = None) -> int:
    """The command line."""
    ap = argparse.ArgumentParser(prog="python -m grader.build", description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="notebook names (e.g. 02_scalar_engine); default: all")
    ap.add_argument("--check", action="store_true", help="write nothing; fail if a student notebook is stale")
    ap.add_argument("--no-execute", action="store_true", help="write the student notebooks without running")
    ap.add_argument("--import-percent", type=Path, metavar="SCRIPT",
                    help="make grader/solutions/<SCRIPT stem>.ipynb from a '# %%' script, then stop")
    args = ap.parse_args(argv)
    reproducible.apply()  # the solution notebooks run in kernels that inherit this environment
    try:
        if args.import_percent:
            print(import_percent(args.import_percent))
            return 0
        problems = build(args.names, check=args.check, run=not args.no_execute)
    except (BuildError, SpecError, NotebookError) as e:
        print(f"grader.build: {e}", file=sys.stderr)
        return 1
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
