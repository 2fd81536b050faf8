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
