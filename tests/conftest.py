"""Test-suite settings: one hypothesis profile, small and reproducible.

``derandomize=True`` makes every run draw the same examples, so a CI failure reproduces locally;
``deadline=None`` because the first call of an op pays numpy's warm-up, which is not a bug.
Set ``HYPOTHESIS_PROFILE=thorough`` to draw many more examples while working on the engine.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

from course import reproducible

reproducible.apply()  # nbval's kernels inherit it, also when pytest is run without make

settings.register_profile(
    "ci", max_examples=20, deadline=None, derandomize=True, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "thorough", max_examples=500, deadline=None, derandomize=False, database=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# the mutation suite's count (tests/test_grader_mutants.py), printed at the end of every run that has it
_MUTANTS = {"caught": 0, "total": 0}


def pytest_runtest_logreport(report):
    """Count the graded wrong answers (works under xdist: user properties travel with the report)."""
    if report.when == "call":
        props = dict(report.user_properties)
        if "mutant_caught" in props:
            _MUTANTS["total"] += 1
            _MUTANTS["caught"] += bool(props["mutant_caught"])


def pytest_terminal_summary(terminalreporter):
    """``exercise mutants caught: N/M``."""
    if _MUTANTS["total"]:
        terminalreporter.write_line(f"exercise mutants caught: {_MUTANTS['caught']}/{_MUTANTS['total']}")
