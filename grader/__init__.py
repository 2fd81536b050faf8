"""The grading machinery: ``check("2.3")`` in a notebook, ``python -m grader.grade`` from the shell.

The learners' notebooks are in ``exercises/``; their sources (with the solutions) in ``grader/solutions/``
and how each question is tested in ``grader/specs/``. See ``grader/AUTHORING.md``.
"""

from .feedback import check

__all__ = ["check"]
