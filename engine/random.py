"""The engine's one source of randomness: ``engine.seed(n)`` makes every initialiser reproducible."""

from __future__ import annotations

import numpy as np

_rng: np.random.Generator | None = None


def seed(n: int) -> None:
    """Reset the engine's global generator to ``numpy.random.default_rng(n)`` (get it with ``rng()``)."""
    global _rng
    _rng = np.random.default_rng(n)


def rng() -> np.random.Generator:
    """The engine's global generator (seeded with 0 until ``seed`` is called)."""
    global _rng
    if _rng is None:
        _rng = np.random.default_rng(0)
    return _rng
