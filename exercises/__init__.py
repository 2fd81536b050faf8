"""Graded exercises: ``check("2.3")`` in a notebook, ``python -m exercises.grade`` from the shell.

See ``exercises/AUTHORING.md`` for how to write an exercise notebook.
"""

from .checking import check

__all__ = ["check"]
