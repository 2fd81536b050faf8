"""Every question's bank of wrong answers scores zero, through the grader's own comparison.

Each question's spec lists plausible wrong answers (``grader.spec.Mutant``: the solution with one slip
made). Here each mutant runs on the public and hidden cases (seed 0) exactly as the grader's student
process runs a case (``grader.cases.run_case``, forbidden functions included), and is judged by the
grader's ``judge``; it must score zero. Mutants marked ``public=False`` must pass the public cases and
fail a hidden one. The summary line ``exercise mutants caught: N/M`` is printed at the end of the run.
"""

from __future__ import annotations

import pytest

from grader import reference
from grader.reference import grade_in_process
from grader.spec import Mutant, Question, all_specs

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # a wrong answer may overflow

QUESTIONS = [q for spec in all_specs().values() for q in spec.questions]
MUTANTS = [(q, m) for q in QUESTIONS for m in q.mutants]


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.id)
def test_every_question_has_a_bank_of_at_least_three_wrong_answers(q):
    assert len(q.mutants) >= 3, f"Exercise {q.id} has {len(q.mutants)} mutants; write at least 3"


@pytest.mark.parametrize("q, mutant", MUTANTS, ids=[f"{q.id}-{m.name}" for q, m in MUTANTS])
def test_mutant_scores_zero(q: Question, mutant: Mutant, record_property):
    fn = reference.mutant_function(q, mutant)
    public_ok, all_ok, reason = grade_in_process(q, fn)
    record_property("mutant_caught", not all_ok)  # counted by the summary hook in tests/conftest.py
    assert not all_ok, f"Exercise {q.id}: the wrong answer {mutant.name!r} scores full marks"
    if mutant.public:
        assert not public_ok, f"Exercise {q.id}: {mutant.name!r} passes the public check (mark it public=False?)"
    else:
        assert public_ok, f"Exercise {q.id}: {mutant.name!r} is meant to pass the public check, it fails: {reason}"


def test_some_mutants_are_caught_only_by_the_hidden_cases():
    hidden_only = [(q.id, m.name) for q, m in MUTANTS if not m.public]
    assert len(hidden_only) >= 3, hidden_only


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: q.id)
def test_the_reference_itself_scores_full_marks(q):
    public_ok, all_ok, reason = grade_in_process(q, reference.function(q))
    assert public_ok and all_ok, reason
