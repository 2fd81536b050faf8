"""Grade a class: ``python -m grader SUBMISSIONS... [-j N] [--csv grades.csv] [--json report.json]``.

SUBMISSIONS are folders (searched for ``.ipynb`` files, checkpoints and hidden folders left out) or
notebook files. Each submission runs alone in its own bubblewrap sandbox (``--sandbox require``, the
default here: without isolation nothing is graded), ``-j`` at a time (default: the number of cores).
Writes the gradebook CSV (student id, points per question, total: ready to import into an LMS) and the
JSON report (every status, reason and note, the seed, the limits), each whole or not at all, and
prints one line per submission.

The student id is the submission's folder when the file keeps its exercise's name
(``alice/02_scalar_engine.ipynb``), else the file's name without ``.ipynb``. Which exercise a file
answers is decided by its file name (``--notebook`` overrides); a notebook whose metadata names
another exercise is graded by its file name and the row says so.
"""

from __future__ import annotations

import argparse
import secrets
import sys
import time
from collections import Counter
from pathlib import Path

from . import grade
from . import sandbox as sandboxing
from .report import clean


def find_submissions(inputs: list[Path]) -> list[Path]:
    """The notebooks to grade, in a stable order: files as given, folders searched recursively."""
    out: list[Path] = []
    for p in inputs:
        if p.is_dir():
            found = [f for f in p.rglob("*.ipynb") if f.is_file() and not any(
                part.startswith(".") for part in f.relative_to(p).parts)]
            out += sorted(found)
        elif p.is_file():
            out.append(p)
    seen: set[Path] = set()
    return [p for p in out if not (p.resolve() in seen or seen.add(p.resolve()))]


def summary_line(sub: grade.Submission) -> str:
    """``alice  02_scalar_engine  5/8  (1.2 error, 1 note)``: one submission in one line."""
    lost = [f"{q.id} {q.status}" for q in sub.questions if q.status != grade.PASSED]
    extra = lost[:4] + (["..."] if len(lost) > 4 else [])
    if sub.error:
        extra.insert(0, f"not graded: {sub.error}" if not sub.questions else "error")
    if sub.notes:
        extra.append(f"{len(sub.notes)} note{'s' if len(sub.notes) > 1 else ''}")
    tail = f"  ({', '.join(extra)})" if extra else ""
    return clean(f"{sub.student}  {sub.notebook or '?'}  {sub.total:g}/{sub.max_total:g}{tail}", 200)


def main(argv: list[str] | None = None) -> int:
    """The command line; 0 when the class was graded, 3 when isolation is required and missing."""
    ap = argparse.ArgumentParser(prog="python -m grader", description=__doc__.splitlines()[0])
    ap.add_argument("submissions", nargs="+", type=Path, help="folders of submissions, or notebook files")
    grade.add_arguments(ap, "require")
    ap.set_defaults(csv=Path("grades.csv"), json=Path("report.json"))
    ap.add_argument("-v", "--verbose", action="store_true", help="print every submission's full table")
    args = ap.parse_args(argv)
    missing = [str(p) for p in args.submissions if not p.exists()]
    if missing:
        ap.error(f"no such file or folder: {', '.join(missing)}")
    paths = find_submissions(args.submissions)
    if not paths:
        ap.error("no .ipynb files found")
    if not grade.sandbox_usable(args.sandbox, "grader"):
        return 3
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    limits = grade.limits_of(args)
    t0 = time.monotonic()
    subs = grade.grade_all(paths, seed=seed, limits=limits, jobs=args.jobs, notebook=args.notebook,
                           sandbox=args.sandbox, progress=sys.stderr.isatty())
    seconds = time.monotonic() - t0
    for student, n in Counter(s.student for s in subs).items():
        if n > 1:
            for s in subs:
                if s.student == student:
                    s.notes.append(f"the student id {student!r} names {n} submissions in this report")
    isolation = "bubblewrap" if sandboxing.status()[0] and args.sandbox != "off" else "none"
    grade.write_csv(subs, args.csv)
    grade.write_json(subs, args.json, seed, limits, sandbox=isolation, jobs=args.jobs,
                     seconds=round(seconds, 2))
    for s in subs:
        print(grade.table(s) + "\n" if args.verbose else summary_line(s))
    full = sum(s.total == s.max_total > 0 for s in subs)
    print(f"graded {len(subs)} submissions in {seconds:.1f} s ({full} with full marks; isolation: {isolation}; "
          f"hidden cases drawn with --seed {seed})")
    print(f"wrote {args.csv} and {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
