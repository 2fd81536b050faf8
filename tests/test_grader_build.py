"""Authoring: the student notebooks are what the build writes, and the build's rules catch mistakes."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import nbformat
import pytest

from grader import build
from grader.notebook import NotebookError, student_source
from grader.spec import EXERCISES_DIR, ROOT, SOLUTIONS_DIR, Question, SpecError, all_specs

NAMES = sorted(all_specs())


def test_committed_student_notebooks_are_what_the_build_writes():
    assert build.build(check=True) == []


@pytest.mark.parametrize("name", NAMES)
def test_a_stale_student_notebook_is_caught(name):
    spec = all_specs()[name]
    built = build.student_notebook(spec, nbformat.read(str(SOLUTIONS_DIR / f"{name}.ipynb"), as_version=4))
    committed = nbformat.read(str(EXERCISES_DIR / f"{name}.ipynb"), as_version=4)
    assert build.comparable(committed) == build.comparable(built)
    edited = copy.deepcopy(committed)
    edited.cells[-1].source += "\n# edited by hand"
    assert build.comparable(edited) != build.comparable(built)


@pytest.mark.parametrize("name", NAMES)
def test_student_notebooks_hold_no_solution_and_run_on_python3(name):
    for path in (EXERCISES_DIR / f"{name}.ipynb", SOLUTIONS_DIR / f"{name}.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        assert nb["metadata"]["kernelspec"]["name"] == "python3"
    student = (EXERCISES_DIR / f"{name}.ipynb").read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in student and "HIDDEN TESTS" not in student
    for q in all_specs()[name].questions:
        assert f'raise NotImplementedError(\\"Exercise {q.id}\\")' in student
        assert f"Exercise {q.id}: not implemented yet." in student  # the stored output of its check


def test_solutions_stay_out_of_the_book():
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    assert "solutions" not in toc
    assert "grader/solutions" in config


def test_stub_keeps_indentation_and_hidden_tests_vanish():
    src = "# Exercise 2.3\ndef f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"
    out, raises = student_source(src, "code", "2.3", "cell")
    assert out == ('# Exercise 2.3\ndef f(x):\n    y = 1\n    # YOUR CODE HERE\n'
                   '    raise NotImplementedError("Exercise 2.3")')
    assert not raises
    top, raises = student_source("# Exercise 1.1\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "code", "1.1", "c")
    assert raises and top.endswith('raise NotImplementedError("Exercise 1.1")')
    hidden = 'check("2.3")\n### BEGIN HIDDEN TESTS\ncheck("2.3", hidden=True)\n### END HIDDEN TESTS\n'
    assert student_source(hidden, "code", None, "c") == ('check("2.3")', False)
    md = "Why?\n### BEGIN SOLUTION\nBecause.\n### END SOLUTION"
    assert student_source(md, "markdown", None, "c")[0] == "Why?\nYOUR ANSWER HERE"


@pytest.mark.parametrize("src", [
    "# Exercise 1.1\n### BEGIN SOLUTION\nx = 1\n",
    "# Exercise 1.1\nx = 1\n### END SOLUTION\n",
    "# Exercise 1.1\n### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n",
    "# Exercise 1.1\n### BEGIN SOLUTIONS\n",
    "x = 1\n### BEGIN SOLUTION\nx = 2\n### END SOLUTION\n",
])
def test_malformed_markers_are_errors(src):
    from grader.notebook import Cell

    with pytest.raises(NotebookError):
        student_source(src, "code", Cell("code", src).exercise, "cell 3")


def test_validate_reports_every_mismatch_with_the_spec():
    spec = copy.copy(all_specs()["01_derivatives"])
    nb = nbformat.read(str(SOLUTIONS_DIR / "01_derivatives.ipynb"), as_version=4)
    build.validate(spec, nb)
    broken = copy.deepcopy(nb)
    for c in broken.cells:
        if c.source.startswith("# Exercise 1.2"):
            c.source = c.source.replace("### BEGIN SOLUTION", "").replace("### END SOLUTION", "")
        if c.source.startswith("# Exercise 1.3"):
            c.source = c.source.replace("def numerical_jacobian", "def jacobian")
        if c.cell_type == "markdown":
            c.source = c.source.replace("Exercise 1.1", "Question one")
    extra = Question("1.9", "gone", 1, public=[()], hidden=lambda rng: ())
    spec.questions = [*spec.questions, extra]
    with pytest.raises(build.BuildError) as e:
        build.validate(spec, broken)
    text = str(e.value)
    for needle in ("Exercise 1.2 has no", "does not define `numerical_jacobian`", "Exercise 1.1 has no markdown",
                   "Exercise 1.9 is in the spec"):
        assert needle in text


def test_question_rejects_bad_declarations():
    with pytest.raises(SpecError, match="must look like"):
        Question("2", "f", 1, public=[], hidden=lambda rng: ())
    with pytest.raises(SpecError, match="points"):
        Question("2.1", "f", 0, public=[], hidden=lambda rng: ())
    q = Question("2.1", "f", 1, public=[[1.0]], hidden=lambda rng: 1.0)
    with pytest.raises(SpecError, match="tuple"):
        q.public_cases()
    with pytest.raises(SpecError, match="tuple"):
        q.hidden_cases(0)


def test_import_percent_makes_a_notebook(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "SOLUTIONS_DIR", tmp_path)
    script = tmp_path / "09_demo.py"
    script.write_text("# %% [markdown]\n# # Title\n#\n# text\n\n# %%\nx = 1\n", encoding="utf-8")
    nb = nbformat.read(str(build.import_percent(script)), as_version=4)
    assert [(c.cell_type, c.source) for c in nb.cells] == [("markdown", "# Title\n\ntext"), ("code", "x = 1")]
    assert nb.metadata.kernelspec.name == "python3"
    assert Path(tmp_path / "09_demo.ipynb").exists()


def test_the_build_never_loses_a_learners_answers(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "EXERCISES_DIR", tmp_path)
    name = "01_derivatives"
    build.build([name], run=False)
    target = tmp_path / f"{name}.ipynb"
    generated = target.read_text(encoding="utf-8")
    answered = generated.replace('raise NotImplementedError(\\"Exercise 1.1\\")', "return 0.0")
    assert answered != generated
    target.write_text(answered, encoding="utf-8")
    build.build([name], run=False)
    backups = list((tmp_path / ".backup").glob(f"{name}-*.ipynb"))
    assert len(backups) == 1 and backups[0].read_text(encoding="utf-8") == answered
    assert target.read_text(encoding="utf-8") == generated
    build.build([name], run=False)  # nothing of the learner's to keep: no new copy
    assert len(list((tmp_path / ".backup").glob("*.ipynb"))) == 1
