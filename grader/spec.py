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


@dataclass(frozen=True)
class Mutant:
    """A plausible wrong answer to a question, kept in its spec so that a test can show it is caught.

    The mutant is the solution region of the question's cell (between ``### BEGIN SOLUTION`` and
    ``### END SOLUTION``) with ``old`` replaced by ``new`` (``count`` occurrences, 0 for all); ``old``
    must occur there (the test fails otherwise, so a bank cannot rot when a solution is rewritten).

    Args:
        name: the slip, in a reader's words ("W_hh instead of its transpose").
        old, new: the text replaced in the solution cell, and its replacement.
        count: how many occurrences of ``old`` to replace; 0 replaces them all.
        public: True when the public cases must catch it; False for a mutant that the public cases
            let through and only the hidden cases catch (the hidden tests earn their name).
        more: further ``(old, new)`` replacements, for a slip that touches two places.
    """

    name: str
    old: str
    new: str
    count: int = 1
    public: bool = True
    more: tuple[tuple[str, str], ...] = ()

    def apply(self, source: str) -> str:
        """``source`` with the slip made; ``SpecError`` when ``old`` is not in it."""
        for k, (old, new) in enumerate(((self.old, self.new), *self.more)):
            count = self.count if k == 0 else 1
            found = source.count(old)
            if not old or found == 0 or (count and found < count):
                raise SpecError(f"mutant {self.name!r}: {old!r} is not in the solution ({found} found)")
            source = source.replace(old, new, count or -1)
        return source


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
        returns: the names of the function's outputs, in order (``("dx", "dh_prev")``), or one name
            for a single output: a verdict names the output that is wrong ("wrong value of db_h").
        inputs: the names of a case's arguments, shown in the feedback (default: the reference
            function's parameter names when there is no ``call``).
        forbidden: dotted names of engine functions or classes that may not run while a case of this
            question runs (``"engine.Tensor.backward"``, ``"engine.nn.LSTMCell"``): calling one, by
            any name or alias, raises ``PermissionError`` in the student's code.
        mutants: the bank of plausible wrong answers (``Mutant``), each of which must score zero.
        kind: ``"code"`` (write a piece), ``"choice"`` (choose and justify, graded by a test) or
            ``"training"`` (build and train a model; the grader retrains it with a fixed seed).
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
    returns: tuple[str, ...] | str = ()
    inputs: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    mutants: tuple[Mutant, ...] = ()
    kind: str = "code"
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
        if isinstance(self.returns, str):
            self.returns = (self.returns,)
        self.returns, self.inputs = tuple(self.returns), tuple(self.inputs)
        self.forbidden, self.mutants = tuple(self.forbidden), tuple(self.mutants)
        if self.kind not in ("code", "choice", "training"):
            raise SpecError(f"Question {self.id}: kind must be 'code', 'choice' or 'training', got {self.kind!r}")
        if not all(isinstance(m, Mutant) for m in self.mutants):
            raise SpecError(f"Question {self.id}: every mutant must be a grader.spec.Mutant")
        names = [m.name for m in self.mutants]
        if len(set(names)) != len(names):
            raise SpecError(f"Question {self.id}: two mutants share a name in {names}")

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
        return compare(expected, got, rtol=self.rtol, atol=self.atol, names=self.returns)

    def part(self, expected: Any, got: Any) -> tuple[str, Any, Any]:
        """``(name, expected part, got part)`` of the first named output that differs, or the whole."""
        if len(self.returns) == 1:
            return self.returns[0], expected, got
        parts = _named_parts(expected, got, self.returns)
        if parts:
            for name, e, g in parts:
                if compare(e, g, self.rtol, self.atol) is not None:
                    return name, e, g
        return "", expected, got


def _stable_seed(kind: str, qid: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{kind}:{qid}".encode()).digest()[:8], "little")


def _as_args(q: Question, args: Any) -> tuple:
    if not isinstance(args, tuple):
        raise SpecError(f"Question {q.id}: a case must be a tuple of arguments, got {type_name(args)}")
    return roundtrip(args)


# ---------------------------------------------------------------------------------------------------
# comparison


def number(x: Any, digits: int = 10) -> str:
    """A number as a reader writes it: ``1.0``, ``-0.2387038482``, ``3``, ``nan`` (never ``np.float64(1.0)``)."""
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    v = float(x)
    text = f"{v:.{digits}g}"
    if all(ch not in text for ch in ".ena"):
        text += ".0"
    return text


def _array_text(a: np.ndarray, indent: str) -> str:
    """The array's values, whole rows only (numpy's own summary with "..." for long axes)."""
    with np.printoptions(precision=6, threshold=48, edgeitems=3, linewidth=76 - len(indent), suppress=False):
        body = np.array2string(a, separator=", ")
    return body.replace("\n", "\n" + indent)


def describe(x: Any, limit: int = 160, indent: str = "            ") -> str:
    """A description of a value for a verdict: type, shape and contents (arrays cut by rows, never mid-row)."""
    if isinstance(x, Boxed):
        inner = describe(x.data, limit, indent) if x.kind == "Tensor" else number(x.data)
        return f"engine.{x.kind}({inner})"
    if isinstance(x, np.ndarray):
        if x.ndim == 0:
            return number(x[()]) if x.dtype.kind in "biuf" else repr(x)
        body = _array_text(x, indent)
        head = f"array of shape {x.shape}, {x.dtype}"
        return f"{head}:\n{indent}{body}" if "\n" in body or len(head) + len(body) > 70 else f"{head}: {body}"
    if _is_number(x) or isinstance(x, (bool, np.bool_)):
        return number(x)
    if isinstance(x, (list, tuple)):
        if all(_is_number(v) or isinstance(v, str) for v in x) and len(x) <= 12:
            body = ", ".join(number(v) if _is_number(v) else repr(v) for v in x)
            return ("[" + body + "]") if isinstance(x, list) else ("(" + body + ("," if len(x) == 1 else "") + ")")
        items = [describe(v, 60, indent + "    ") for v in x[:6]]
        more = ", ..." if len(x) > 6 else ""
        brackets = "[]" if isinstance(x, list) else "()"
        one_line = f"{type_name(x)} of length {len(x)}: {brackets[0]}{', '.join(items)}{more}{brackets[1]}"
        if len(one_line) + len(indent) <= 78 and "\n" not in one_line:
            return one_line
        lines = [f"{type_name(x)} of length {len(x)}:"]
        lines += [f"{indent}  [{k}] {item}" for k, item in enumerate(items)]
        return "\n".join(lines + ([f"{indent}  ..."] if more else []))
    return cut(repr(x), limit)


def brief(x: Any) -> str:
    """A one-line summary of an argument: small values in full, big arrays by their shape."""
    if isinstance(x, np.ndarray):
        if x.size <= 6 and x.ndim <= 1:
            return "array([" + ", ".join(number(v, 4) for v in x.ravel()) + "])"
        return f"array of shape {x.shape}"
    if isinstance(x, Boxed):
        return f"engine.{x.kind}"
    if isinstance(x, dict):
        return f"dict of {len(x)} entries"
    if isinstance(x, (list, tuple)):
        if len(x) <= 6 and all(_is_number(v) or isinstance(v, str) for v in x):
            return describe(x)
        return f"{type_name(x)} of length {len(x)}"
    if _is_number(x) or isinstance(x, (bool, np.bool_)):
        return number(x)
    return cut(repr(x), 60)


def cut(s: str, limit: int) -> str:
    """``s`` shortened to ``limit`` characters, ending in "..." when cut."""
    return s if len(s) <= limit else s[: limit - 3] + "..."


def _is_number(x: Any) -> bool:
    if isinstance(x, (bool, np.bool_)):
        return False
    if isinstance(x, np.ndarray):
        return x.ndim == 0 and x.dtype.kind in "iuf"
    return isinstance(x, (int, float, np.integer, np.floating))


def _named_parts(expected: Any, got: Any, names: Sequence[str]) -> list[tuple[str, Any, Any]] | None:
    """The outputs side by side with their names, when ``expected`` is a tuple of that many outputs."""
    if len(names) > 1 and isinstance(expected, (list, tuple)) and len(expected) == len(names) \
            and isinstance(got, (list, tuple)) and len(got) == len(names):
        return list(zip(names, expected, got))
    return None


def compare(expected: Any, got: Any, rtol: float = 1e-6, atol: float = 1e-9, where: str = "",
            names: Sequence[str] = ()) -> str | None:
    """None if ``got`` matches ``expected`` (decoded values), else a one-line reason naming the output.

    ``names`` names the outputs of a function that returns a tuple (or its one output), so that a
    reason reads "wrong shape of db_h: (1, 3), expected (3,)" rather than pointing at "[4]".
    """
    names = (names,) if isinstance(names, str) else tuple(names)
    if names and not where:
        if len(names) == 1:
            return compare(expected, got, rtol, atol, names[0])
        if isinstance(expected, (list, tuple)) and len(expected) == len(names):
            if not isinstance(got, (list, tuple)):
                return f"expected a tuple ({', '.join(names)}), got {type_name(got)}"
            if len(got) != len(names):
                return f"expected {len(names)} outputs ({', '.join(names)}), got {len(got)}"
            for name, e, g in zip(names, expected, got):
                reason = compare(e, g, rtol, atol, name)
                if reason:
                    return reason
            return None
    of = f" of {where}" if where else ""
    if isinstance(expected, Boxed):
        if not isinstance(got, Boxed) or got.kind != expected.kind:
            return f"expected an engine.{expected.kind}{of}, got {type_name(got)}"
        return compare(expected.data, got.data, rtol, atol, f"{where}.data" if where else "data")
    if isinstance(expected, np.ndarray) and expected.ndim == 0 and expected.dtype.kind in "iuf":
        expected = expected[()]
    if isinstance(got, np.ndarray) and got.ndim == 0 and got.dtype.kind in "biuf" and not isinstance(
            expected, np.ndarray):
        got = got[()]
    if isinstance(expected, np.ndarray):
        if not isinstance(got, np.ndarray):
            what = "a number" if _is_number(got) else type_name(got)
            return f"expected {where + ' as ' if where else ''}a numpy array of shape {expected.shape}, got {what}"
        if got.shape != expected.shape:
            return f"wrong shape{of}: {got.shape}, expected {expected.shape}"
        if expected.dtype.kind in "biu" or got.dtype.kind == "b":
            if got.dtype.kind != expected.dtype.kind and not (
                expected.dtype.kind in "iu" and got.dtype.kind in "iu"
            ):
                return f"wrong dtype{of}: {got.dtype}, expected {expected.dtype}"
            bad = np.argwhere(got != expected)
            if len(bad):
                i = tuple(int(k) for k in bad[0])
                return f"wrong value{of} at index {i}: expected {number(expected[i])}, got {number(got[i])}"
            return None
        return _close(expected, got, rtol, atol, of)
    if _is_number(expected):
        if not _is_number(got):
            return f"expected a number{of}, got {type_name(got)}"
        if isinstance(expected, (int, np.integer)) and isinstance(got, (int, np.integer)):
            return None if int(got) == int(expected) else \
                f"wrong value{of}: expected {number(expected)}, got {number(got)}"
        return _close(np.asarray(expected, float), np.asarray(got, float), rtol, atol, of)
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(got, (bool, np.bool_)):
            return f"expected True or False{of}, got {type_name(got)}"
        return None if bool(got) == bool(expected) else f"wrong answer{of}: expected {expected}, got {got}"
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)):
            return f"expected a {type_name(expected)}{of}, got {type_name(got)}"
        if len(got) != len(expected):
            return f"wrong length{of}: {len(got)} items, expected {len(expected)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            reason = compare(e, g, rtol, atol, f"{where or 'result'}[{i}]")
            if reason:
                return reason
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"expected a dict{of}, got {type_name(got)}"
        if set(got) != set(expected):
            missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
            return f"wrong keys{of}: missing {missing}, unexpected {extra}"
        for k in expected:
            reason = compare(expected[k], got[k], rtol, atol, f"{where or 'result'}[{k!r}]")
            if reason:
                return reason
        return None
    if type(got) is not type(expected):
        return f"expected a {type_name(expected)}{of}, got {type_name(got)}"
    return None if got == expected else f"wrong value{of}: expected {expected!r}, got {got!r}"


def _close(expected: np.ndarray, got: np.ndarray, rtol: float, atol: float, of: str) -> str | None:
    e, g = np.asarray(expected, float), np.asarray(got, float)
    nan_ok = np.isnan(e) & np.isnan(g)
    with np.errstate(invalid="ignore", over="ignore"):
        ok = np.isclose(g, e, rtol=rtol, atol=atol) | nan_ok
    if ok.all():
        return None
    bad = np.argwhere(~ok)[0]
    i = tuple(int(k) for k in bad)
    index = f" at index {i}" if e.ndim else ""
    return f"wrong value{of}{index}: expected {number(e[i])}, got {number(g[i])}"


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
