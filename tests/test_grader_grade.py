"""The grader: solutions score full marks, student notebooks zero, hostile submissions gain nothing.

Hostile submissions are made here from the solution of chapter 1 (so the questions a submission does
not attack still pass) and graded in fresh processes with short time limits.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import nbformat
import pytest

from grader import grade
from grader.spec import EXERCISES_DIR, ROOT, SOLUTIONS_DIR, all_specs

SEED = 12345
FAST = grade.Limits(notebook=30.0, cell=1.5, question=1.5)
NAMES = sorted(all_specs())
SOLUTION_01 = SOLUTIONS_DIR / "01_derivatives.ipynb"


def _grade(paths, limits=None, jobs=2):
    return grade.grade_all([Path(p) for p in paths], seed=SEED, limits=limits or grade.Limits(), jobs=jobs,
                           progress=False)


@pytest.fixture(scope="module")
def official():
    """Every solution and every student notebook, graded once."""
    paths = [SOLUTIONS_DIR / f"{n}.ipynb" for n in NAMES] + [EXERCISES_DIR / f"{n}.ipynb" for n in NAMES]
    before = {p: grade.sha256(p) for p in paths}
    subs = _grade(paths)
    assert {p: grade.sha256(p) for p in paths} == before, "the grader changed a notebook"
    return dict(zip(paths, subs))


@pytest.mark.parametrize("name", NAMES)
def test_solution_scores_full_marks(official, name):
    sub = official[SOLUTIONS_DIR / f"{name}.ipynb"]
    assert sub.notebook == name
    assert [(q.id, q.status, q.reason) for q in sub.questions] == [(q.id, "passed", "") for q in sub.questions]
    assert sub.total == sub.max_total == sum(q.points for q in all_specs()[name].questions)


@pytest.mark.parametrize("name", NAMES)
def test_student_notebook_scores_zero_not_implemented(official, name):
    sub = official[EXERCISES_DIR / f"{name}.ipynb"]
    assert sub.total == 0 and sub.max_total > 0
    assert {q.status for q in sub.questions} == {"not implemented"}
    assert sub.student == name  # a file in exercises/ keeps its own name as the id


# ---------------------------------------------------------------------------------------------------
# hostile submissions


def _cells():
    return nbformat.read(str(SOLUTION_01), as_version=4)


def _set_exercise(nb, qid, source):
    for c in nb.cells:
        if c.cell_type == "code" and c.source.startswith(f"# Exercise {qid}"):
            c.source = f"# Exercise {qid}\n" + source
            return nb
    raise AssertionError(qid)


def _append(nb, source):
    nb.cells.append(nbformat.v4.new_code_cell(source))
    return nb


def _wrong_11(nb):
    return _set_exercise(nb, "1.1", "def central_difference(f, x, h=1e-5):\n    return 0.0\n")


SOLUTIONS = str(SOLUTIONS_DIR / "01_derivatives.ipynb")

HOSTILE = {
    # name: (make notebook, {question: status it must get}); unlisted questions must pass
    "redefined_check": (lambda nb: _append(_wrong_11(nb), "def check(*a, **k):\n    print('PASSED')\ncheck('1.1')"),
                        {"1.1": "failed"}),
    "patched_numpy": (lambda nb: _append(_wrong_11(nb), "import numpy\nnumpy.allclose = lambda *a, **k: True\n"
                                         "numpy.isclose = lambda a, b, **k: numpy.ones(numpy.shape(a), bool)"),
                      {"1.1": "failed"}),
    "patched_grader": (lambda nb: _append(_wrong_11(nb), "import grader.spec, grader.cases\n"
                                          "grader.spec.compare = lambda *a, **k: None\n"
                                          "grader.spec.Question.verdict = lambda *a, **k: None"),
                       {"1.1": "failed"}),
    "patched_engine": (lambda nb: _append(_wrong_11(nb), "import engine\nengine.Tensor.__eq__ = lambda *a: True"),
                       {"1.1": "failed"}),
    "prints_passed": (lambda nb: _set_exercise(nb, "1.1", "def central_difference(f, x, h=1e-5):\n"
                                               "    print('1.1  2/2  passed  PASSED')\n    return 1.0\n"),
                      {"1.1": "failed"}),
    "reads_solutions": (lambda nb: _set_exercise(nb, "1.1", (
        "import json\ndef central_difference(f, x, h=1e-5):\n"
        f"    cells = json.load(open({SOLUTIONS!r}))['cells']\n"
        "    ns = {}\n    exec(''.join(cells[3]['source']), ns)\n    return ns['central_difference'](f, x, h)\n")),
                        {"1.1": "error"}),
    "reads_git": (lambda nb: _set_exercise(nb, "1.1", (
        "import os\ndef central_difference(f, x, h=1e-5):\n"
        f"    os.listdir({str(ROOT / '.git')!r})\n    return 0.0\n")), {"1.1": "error"}),
    "runs_programs": (lambda nb: _set_exercise(nb, "1.1", (
        "import subprocess\ndef central_difference(f, x, h=1e-5):\n"
        f"    return float(subprocess.run(['cat', {SOLUTIONS!r}], capture_output=True).stdout[:1])\n")),
                      {"1.1": "error"}),
    "uses_ctypes": (lambda nb: _set_exercise(nb, "1.1", (
        "def central_difference(f, x, h=1e-5):\n    import ctypes\n    ctypes.CDLL(None)\n    return 0.0\n")),
                    {"1.1": "error"}),
    "syntax_error": (lambda nb: _set_exercise(nb, "1.2", "def numerical_gradient(f, x, h=1e-5)\n    return x\n"),
                     {"1.2": "missing"}),
    "raises": (lambda nb: _set_exercise(nb, "1.2",
                                        "def numerical_gradient(f, x, h=1e-5):\n    raise ValueError('no')\n"),
               {"1.2": "error"}),
    "sys_exit": (lambda nb: _append(_set_exercise(nb, "1.1", "import sys\ndef central_difference(f, x, h=1e-5):\n"
                                                  "    sys.exit(0)\n"), "import sys\nsys.exit(1)"),
                 {"1.1": "error"}),
    "os_exit_in_function": (lambda nb: _set_exercise(nb, "1.2", "import os\ndef numerical_gradient(f, x, h=1e-5):\n"
                                                     "    os._exit(0)\n"), {"1.2": "crashed"}),
    "os_exit_in_cell": (lambda nb: _append(nb, "import os\nos._exit(3)"), {}),
    "infinite_loop": (lambda nb: _set_exercise(nb, "1.3", (
        "def numerical_jacobian(f, x, h=1e-5):\n    while True:\n        try:\n            while True:\n"
        "                pass\n        except BaseException:\n            pass\n")), {"1.3": "timeout"}),
    "infinite_loop_in_cell": (lambda nb: _append(nb, "while True:\n    try:\n        while True:\n            pass\n"
                                                 "    except BaseException:\n        pass"), {}),
    "deleted_cell": (lambda nb: nb.cells.__delitem__(
        next(i for i, c in enumerate(nb.cells) if c.source.startswith("# Exercise 1.2"))) or nb, {"1.2": "missing"}),
    "reordered_cells": (lambda nb: nb.cells.reverse() or nb, {}),
    "wrong_type": (lambda nb: _set_exercise(nb, "1.2", "def numerical_gradient(f, x, h=1e-5):\n"
                                            "    return [0.0] * x.size\n"), {"1.2": "failed"}),
    "wrong_shape": (lambda nb: _set_exercise(nb, "1.3", "import numpy as np\ndef numerical_jacobian(f, x, h=1e-5):\n"
                                             "    return np.zeros((x.size, x.size + 1))\n"), {"1.3": "failed"}),
    "unreadable_result": (lambda nb: _set_exercise(nb, "1.2", "def numerical_gradient(f, x, h=1e-5):\n"
                                                   "    return object()\n"), {"1.2": "failed"}),
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    root = tmp_path_factory.mktemp("submissions")
    paths = {}
    for name, (make, _) in HOSTILE.items():
        folder = root / name
        folder.mkdir()
        path = folder / "01_derivatives.ipynb"
        nbformat.write(make(_cells()), str(path))
        paths[name] = path
    (root / "empty").mkdir()
    (root / "empty" / "01_derivatives.ipynb").write_bytes(b"")
    (root / "corrupt").mkdir()
    (root / "corrupt" / "01_derivatives.ipynb").write_bytes(b'{"cells": [{"cell_type": "code", "sou')
    (root / "writes_itself").mkdir()
    target = root / "writes_itself" / "01_derivatives.ipynb"
    nbformat.write(_append(_wrong_11(_cells()), f"open({str(target)!r}, 'w').write('{{}}')"), str(target))
    paths |= {"empty": root / "empty" / "01_derivatives.ipynb", "corrupt": root / "corrupt" / "01_derivatives.ipynb",
              "writes_itself": target}
    before = {n: p.read_bytes() for n, p in paths.items()}
    t0 = time.monotonic()
    subs = _grade(list(paths.values()), limits=FAST)
    elapsed = time.monotonic() - t0
    return {n: s for n, s in zip(paths, subs)}, before, paths, elapsed


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_submission_gains_nothing(hostile, name):
    subs, before, paths, _ = hostile
    sub = subs[name]
    attacked = HOSTILE[name][1]
    got = {q.id: q.status for q in sub.questions}
    assert got == {q: attacked.get(q, "passed") for q in ("1.1", "1.2", "1.3")}, [q.reason for q in sub.questions]
    for q in sub.questions:
        assert (q.points == 0) == (q.id in attacked)
        assert q.status == "passed" or q.reason
    assert sub.student == name
    assert sub.seconds < FAST.notebook
    assert paths[name].read_bytes() == before[name]


def test_empty_corrupt_and_self_writing_submissions(hostile):
    subs, before, paths, _ = hostile
    for name in ("empty", "corrupt"):
        assert subs[name].total == 0 and subs[name].max_total == 8
        assert {q.status for q in subs[name].questions} == {"error"}
        assert subs[name].error
    assert "empty" in subs["empty"].error and "JSON" in subs["corrupt"].error
    writer = subs["writes_itself"]
    assert [q.status for q in writer.questions] == ["failed", "passed", "passed"]
    for name in ("empty", "corrupt", "writes_itself"):
        assert paths[name].read_bytes() == before[name]


def test_hostile_suite_stays_within_its_limits(hostile):
    *_, elapsed = hostile
    assert elapsed < 3 * FAST.notebook


def test_csv_and_json_reports(tmp_path, hostile):
    subs, *_ = hostile
    some = [subs["raises"], subs["reordered_cells"], subs["empty"]]
    grade.write_csv(some, tmp_path / "g.csv")
    rows = list(csv.DictReader(open(tmp_path / "g.csv", encoding="utf-8")))
    assert list(rows[0]) == ["student", "1.1", "1.2", "1.3", "total"]  # what a gradebook imports
    assert [r["student"] for r in rows] == ["raises", "reordered_cells", "empty"]
    assert [(r["1.1"], r["1.2"], r["1.3"], r["total"]) for r in rows] == [
        ("2", "0", "3", "5"), ("2", "3", "3", "8"), ("0", "0", "0", "0")]
    grade.write_json(some, tmp_path / "r.json", SEED, FAST)
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["seed"] == SEED
    assert report["submissions"][0]["questions"][1]["status"] == "error"
    assert "ValueError: no" in report["submissions"][0]["questions"][1]["reason"]


def test_table_and_command_line(tmp_path, capsys, hostile):
    subs, _, paths, _ = hostile
    text = grade.table(subs["raises"])
    assert "1.2" in text and "0/3" in text and "error" in text and "total        5/8" in text
    code = grade.main([str(paths["raises"]), "--seed", "3", "--csv", str(tmp_path / "c.csv"), "-q",
                       "--question-timeout", "5"])
    assert code == 0 and (tmp_path / "c.csv").read_text().count("\n") == 2
    with pytest.raises(SystemExit):
        grade.main([str(tmp_path / "nope.ipynb")])
    assert "no such file" in capsys.readouterr().err


def test_student_id_and_notebook_identification(tmp_path):
    specs = all_specs()
    assert grade.student_id(Path("subs/alice/02_scalar_engine.ipynb"), "02_scalar_engine") == "alice"
    assert grade.student_id(Path("subs/bob_02.ipynb"), "02_scalar_engine") == "bob_02"
    assert grade.identify(Path("x/alice-02_scalar_engine.ipynb"), specs) == ("02_scalar_engine", "")
    assert grade.identify(Path("x/unknown.ipynb"), specs) == (None, "")
    sub = grade.grade_file(tmp_path / "unknown.ipynb", specs, grade.Expected(0), FAST)
    assert sub.questions == [] and "which exercise notebook" in sub.error


def test_judge_requires_every_case(official):
    q = all_specs()["01_derivatives"].question("1.1")
    cases = grade.Expected(SEED).cases(q)
    from grader.codec import encode

    right = [encode(want) for _, _, want in cases]
    assert grade.judge(q, {"status": "ok", "outputs": right}, cases).status == "passed"
    assert grade.judge(q, {"status": "ok", "outputs": right[:-1]}, cases).status == "error"
    wrong = right[:-1] + [encode(1e9)]
    verdict = grade.judge(q, {"status": "ok", "outputs": wrong}, cases)
    assert verdict.status == "failed" and verdict.reason.startswith(f"hidden case {q.n_hidden} of {q.n_hidden}")
    assert grade.judge(q, {"status": "ok", "outputs": [{"__nd__": "bad"}] * len(cases)}, cases).status == "failed"
    assert grade.judge(q, None, cases).status == "crashed"


def test_judge_turns_any_comparison_error_into_zero_points():
    q = all_specs()["01_derivatives"].question("1.1")
    cases = grade.Expected(SEED).cases(q)
    from grader.codec import encode

    right = [encode(want) for _, _, want in cases]
    assert grade.judge(q, {"status": "ok", "outputs": [10**400] * len(cases)}, cases).status == "failed"
    import dataclasses

    def explode(expected, got, args):
        raise RecursionError("deep")

    exploding = dataclasses.replace(q, compare=explode)
    verdict = grade.judge(exploding, {"status": "ok", "outputs": right}, cases)
    assert (verdict.status, verdict.points) == ("failed", 0) and "RecursionError: deep" in verdict.reason
    for raw in ([], "x", {"status": 3, "outputs": "no"}, {"outputs": [None] * len(cases), "status": "ok"}):
        assert grade.judge(q, raw, cases).points == 0


def test_a_grader_failure_costs_one_row_not_the_class(monkeypatch, tmp_path):
    real = grade.run_submission

    def flaky(cells, spec, *args, **kwargs):
        if any("BOOM" in src for _, src in cells):
            raise RuntimeError("a grader bug\r\n\x1b[31mtotal 8/8")
        return real(cells, spec, *args, **kwargs)

    monkeypatch.setattr(grade, "run_submission", flaky)
    bad = tmp_path / "bad" / "01_derivatives.ipynb"
    bad.parent.mkdir()
    nbformat.write(_append(_cells(), "# BOOM"), str(bad))
    subs = _grade([bad, SOLUTION_01], limits=FAST)
    assert subs[0].total == 0 and [q.status for q in subs[0].questions] == ["error"] * 3
    assert subs[0].error.startswith("the grader failed on this submission: RuntimeError")
    assert subs[0].error.isprintable()
    assert subs[1].total == subs[1].max_total == 8


def test_notebook_option_decides_and_a_mismatch_is_noted(tmp_path):
    specs = all_specs()
    path = tmp_path / "alice_02_scalar_engine.ipynb"
    nbformat.write(_cells(), str(path))  # metadata: 01_derivatives
    name, note = grade.identify(path, specs)
    assert name == "02_scalar_engine" and "metadata says it is '01_derivatives'" in note and "file name" in note
    name, note = grade.identify(path, specs, forced="01_derivatives")
    assert (name, note) == ("01_derivatives", "")
    name, note = grade.identify(tmp_path / "alice.ipynb", specs)
    assert (name, note) == (None, "")  # no such file: no metadata either
    nbformat.write(_cells(), str(tmp_path / "alice.ipynb"))
    assert grade.identify(tmp_path / "alice.ipynb", specs) == ("01_derivatives", "")  # no name: the metadata
