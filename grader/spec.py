"""How an exercise is tested: ``Question`` (declared in ``grader/specs/chNN.py``) and the comparison.

A spec module holds ``NOTEBOOK = "02_scalar_engine"`` (the solution notebook's name) and ``QUESTIONS``,
a list of ``Question``. See ``grader/AUTHORING.md``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from .codec import Boxed, roundtrip, type_name

GRADER_DIR = Path(__file__).resolve().parent
ROOT = GRADER_DIR.parent
SPECS_DIR = GRADER_DIR / "specs"
SOLUTIONS_DIR = GRADER_DIR / "solutions"
EXERCISES_DIR = ROOT / "exercises"  # the student notebooks
ID_PATTERN = re.compile(r"^[1-9][0-9]*\.[1-9][0-9]*$")

Generator = Callable[[np.random.Generator], tuple]


class SpecError(ValueError):
    """An exercise spec that is inconsistent (an author's mistake, reported at build and grade time)."""


@dataclass
class Question:
    """One graded question: the function a student writes, its points and its test cases.

    Args:
        id: ``"2.3"``: chapter 2, question 3; the marker ``# Exercise 2.3`` opens the solution cell.
        function: the name of the function the student defines in that cell.
        points: what the question is worth (all or nothing: every case must pass).
        public: the cases ``check`` runs in the notebook: a list of argument tuples, or a generator
            ``rng -> argument tuple`` called ``n_public`` times with a fixed seed.
        hidden: a generator ``rng -> argument tuple`` for the grader's hidden cases, called ``n_hidden``
            times with the seed of the grading run.
        call: ``call(fn, *args) -> result`` runs one case (default ``fn(*args)``); use it to build
            engine objects or pass a function to the student's code. It runs in the student's process too.
        compare: ``compare(expected, got, args) -> message or None`` replaces the default comparison
            (same types and shapes, numbers within ``rtol``/``atol``). Runs in the grader only.
        rtol, atol: tolerances of the default comparison, as in ``numpy.allclose``.
        hint: one sentence shown when a case fails.
        timeout: seconds allowed for all cases of the question in the student's process.
    """

    id: str
    function: str
    points: float
    public: Sequence[tuple] | Generator
    hidden: Generator
    n_public: int = 3
    n_hidden: int = 10
    call: Callable[..., Any] | None = None
    compare: Callable[[Any, Any, tuple], str | None] | None = None
    rtol: float = 1e-6
    atol: float = 1e-9
    hint: str = ""
    timeout: float = 10.0
    notebook: str = field(default="", repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not ID_PATTERN.match(self.id):
            raise SpecError(f"Question id {self.id!r} must look like '2.3' (chapter.question)")
        if not self.function.isidentifier():
            raise SpecError(f"Question {self.id}: function {self.function!r} is not a Python name")
        if not self.points > 0:
            raise SpecError(f"Question {self.id}: points must be positive, got {self.points!r}")
        if not callable(self.hidden):
            raise SpecError(f"Question {self.id}: hidden must be a generator rng -> argument tuple")

    @property
    def chapter(self) -> int:
        """The chapter number, the part of the id before the dot."""
        return int(self.id.split(".")[0])

    def public_cases(self) -> list[tuple]:
        """The public argument tuples, the same on every run."""
        if callable(self.public):
            rng = np.random.default_rng(_stable_seed("public", self.id))
            return [_as_args(self, self.public(rng)) for _ in range(self.n_public)]
        return [_as_args(self, args) for args in self.public]

    def hidden_cases(self, seed: int) -> list[tuple]:
        """The hidden argument tuples for the grading run with this ``seed``."""
        rng = np.random.default_rng([seed, _stable_seed("hidden", self.id)])
        return [_as_args(self, self.hidden(rng)) for _ in range(self.n_hidden)]

    def run(self, fn: Callable[..., Any], args: tuple) -> Any:
        """One case: ``call(fn, *args)``, or ``fn(*args)``."""
        return self.call(fn, *args) if self.call is not None else fn(*args)

    def verdict(self, expected: Any, got: Any, args: tuple) -> str | None:
        """None when ``got`` (decoded) matches ``expected`` (decoded), else what differs."""
        if self.compare is not None:
            return self.compare(expected, got, args)
        return compare(expected, got, rtol=self.rtol, atol=self.atol)


def _stable_seed(kind: str, qid: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{kind}:{qid}".encode()).digest()[:8], "little")


def _as_args(q: Question, args: Any) -> tuple:
    if not isinstance(args, tuple):
        raise SpecError(f"Question {q.id}: a case must be a tuple of arguments, got {type_name(args)}")
    return roundtrip(args)


# ---------------------------------------------------------------------------------------------------
# comparison


def describe(x: Any, limit: int = 160) -> str:
    """A short description of a value for a verdict: type, shape and (abridged) contents."""
    if isinstance(x, Boxed):
        inner = describe(x.data, limit) if x.kind == "Tensor" else repr(x.data)
        return f"engine.{x.kind}({inner})"
    if isinstance(x, np.ndarray):
        with np.printoptions(precision=6, threshold=12, edgeitems=2, linewidth=10_000):
            body = " ".join(np.array2string(x, separator=", ").split())
        return f"array of shape {x.shape}, dtype {x.dtype}: {cut(body, limit)}"
    if isinstance(x, (list, tuple)):
        body = ", ".join(describe(v, 60) for v in x[:6]) + (", ..." if len(x) > 6 else "")
        brackets = "[]" if isinstance(x, list) else "()"
        return f"{type_name(x)} of length {len(x)}: {cut(brackets[0] + body + brackets[1], limit)}"
    return cut(repr(x), limit)


def cut(s: str, limit: int) -> str:
    """``s`` shortened to ``limit`` characters, ending in "..." when cut."""
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _is_number(x: Any) -> bool:
    if isinstance(x, (bool, np.bool_)):
        return False
    return isinstance(x, (int, float, np.integer, np.floating))


def compare(expected: Any, got: Any, rtol: float = 1e-6, atol: float = 1e-9, where: str = "") -> str | None:
    """None if ``got`` matches ``expected`` (decoded values), else a one-line reason naming the place."""
    at = f" at {where}" if where else ""
    if isinstance(expected, Boxed):
        if not isinstance(got, Boxed) or got.kind != expected.kind:
            return f"expected an engine.{expected.kind}{at}, got {type_name(got)}"
        return compare(expected.data, got.data, rtol, atol, f"{where}.data" if where else "data")
    if isinstance(expected, np.ndarray):
        if not isinstance(got, np.ndarray):
            return f"expected a numpy array{at}, got {type_name(got)}"
        if got.shape != expected.shape:
            return f"wrong shape{at}: expected {expected.shape}, got {got.shape}"
        if expected.dtype.kind in "biu" or got.dtype.kind == "b":
            if got.dtype.kind != expected.dtype.kind and not (
                expected.dtype.kind in "iu" and got.dtype.kind in "iu"
            ):
                return f"wrong dtype{at}: expected {expected.dtype}, got {got.dtype}"
            bad = np.argwhere(got != expected)
            if len(bad):
                i = tuple(int(k) for k in bad[0])
                return f"wrong value{at}, index {i}: expected {expected[i]}, got {got[i]}"
            return None
        return _close(expected, got, rtol, atol, at)
    if _is_number(expected):
        if not (_is_number(got) or (isinstance(got, np.ndarray) and got.shape == () and got.dtype.kind in "iuf")):
            return f"expected a number{at}, got {type_name(got)}"
        if isinstance(expected, (int, np.integer)) and isinstance(got, (int, np.integer)):
            return None if int(got) == int(expected) else f"wrong value{at}: expected {expected}, got {got}"
        return _close(np.asarray(expected, float), np.asarray(got, float), rtol, atol, at)
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(got, (bool, np.bool_)):
            return f"expected True or False{at}, got {type_name(got)}"
        return None if bool(got) == bool(expected) else f"wrong answer{at}: expected {expected}, got {got}"
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)):
            return f"expected a {type_name(expected)}{at}, got {type_name(got)}"
        if len(got) != len(expected):
            return f"wrong length{at}: expected {len(expected)} items, got {len(got)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            reason = compare(e, g, rtol, atol, f"{where}[{i}]")
            if reason:
                return reason
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"expected a dict{at}, got {type_name(got)}"
        if set(got) != set(expected):
            missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
            return f"wrong keys{at}: missing {missing}, unexpected {extra}"
        for k in expected:
            reason = compare(expected[k], got[k], rtol, atol, f"{where}[{k!r}]")
            if reason:
                return reason
        return None
    if type(got) is not type(expected):
        return f"expected a {type_name(expected)}{at}, got {type_name(got)}"
    return None if got == expected else f"wrong value{at}: expected {expected!r}, got {got!r}"


def _close(expected: np.ndarray, got: np.ndarray, rtol: float, atol: float, at: str) -> str | None:
    e, g = np.asarray(expected, float), np.asarray(got, float)
    nan_ok = np.isnan(e) & np.isnan(g)
    with np.errstate(invalid="ignore", over="ignore"):
        ok = np.isclose(g, e, rtol=rtol, atol=atol) | nan_ok
    if ok.all():
        return None
    bad = np.argwhere(~ok)[0]
    i = tuple(int(k) for k in bad)
    index = f", index {i}" if e.ndim else ""
    return f"wrong value{at}{index}: expected {e[i]!r}, got {g[i]!r}"


# ---------------------------------------------------------------------------------------------------
# spec modules


@dataclass
class Spec:
    """One spec module: the notebook it tests and its questions, in order."""

    notebook: str
    questions: list[Question]
    path: Path
    module: ModuleType = field(repr=False)

    def question(self, qid: str) -> Question:
        """The question with this id."""
        for q in self.questions:
            if q.id == qid:
                return q
        raise KeyError(qid)


_SPECS: dict[Path, Spec] = {}


def load_spec(path: Path) -> Spec:
    """Import a spec module from its file (cached) and check it."""
    path = Path(path).resolve()
    if path in _SPECS:
        return _SPECS[path]
    name = f"grader.specs.{path.stem}"
    module_spec = importlib.util.spec_from_file_location(name, path)
    if module_spec is None or module_spec.loader is None:
        raise SpecError(f"cannot import the exercise spec {path}")
    module = importlib.util.module_from_spec(module_spec)
    sys.modules[name] = module
    module_spec.loader.exec_module(module)
    notebook = getattr(module, "NOTEBOOK", None)
    questions = getattr(module, "QUESTIONS", None)
    if not isinstance(notebook, str) or not isinstance(questions, list) or not questions:
        raise SpecError(f"{path.name}: define NOTEBOOK = '<NN_topic>' and a non-empty list QUESTIONS")
    if not all(isinstance(q, Question) for q in questions):
        raise SpecError(f"{path.name}: every item of QUESTIONS must be an grader.spec.Question")
    ids = [q.id for q in questions]
    if len(set(ids)) != len(ids):
        raise SpecError(f"{path.name}: duplicate question ids in {ids}")
    chapter = int(notebook.split("_")[0]) if notebook.split("_")[0].isdigit() else None
    for q in questions:
        if q.chapter != chapter:
            raise SpecError(f"{path.name}: question {q.id} is not in chapter {chapter} of {notebook}")
        q.notebook = notebook
    spec = Spec(notebook, questions, path, module)
    _SPECS[path] = spec
    return spec


def all_specs(specs_dir: Path = SPECS_DIR) -> dict[str, Spec]:
    """Every spec module in ``grader/specs/``, by notebook name."""
    out: dict[str, Spec] = {}
    for path in sorted(Path(specs_dir).glob("ch*.py")):
        spec = load_spec(path)
        if spec.notebook in out:
            raise SpecError(f"two specs for notebook {spec.notebook}: {out[spec.notebook].path.name}, {path.name}")
        out[spec.notebook] = spec
    return out


def find_question(qid: str) -> Question:
    """The question with this id, from whichever spec declares it."""
    for spec in all_specs().values():
        for q in spec.questions:
            if q.id == qid:
                return q
    raise KeyError(qid)
