"""Small two-dimensional classification data sets, for the one-to-one networks of chapters 3 and 7.

Both are drawn by this module's own seeded code (nothing is downloaded):

- ``two_moons``: two interleaving half circles, one per class, with Gaussian noise; no straight line
  separates them, a small MLP does.
- ``spirals``: ``classes`` arms of a spiral winding around the origin, one per class; harder.

Each returns ``(X, y)``: ``X`` a float64 array of shape (n, 2), ``y`` an int64 array of shape (n,) with
classes 0, 1, ...; the points come shuffled and the same ``seed`` always gives the same data.
``train_test_split`` holds out a seeded random part of them for measuring accuracy.
"""

from __future__ import annotations

import numpy as np

__all__ = ["spirals", "train_test_split", "two_moons"]


def _check_common(name: str, n: int, noise: float, classes: int) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < classes:
        raise ValueError(f"{name}: n must be an integer >= {classes} (one point per class), got {n!r}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"{name}: noise must be a finite number >= 0, got {noise!r}")


def _class_sizes(n: int, classes: int) -> list[int]:
    """``n`` points shared as evenly as possible among ``classes`` (the first ones get the extra)."""
    return [n // classes + (k < n % classes) for k in range(classes)]


def _shuffled(rng: np.random.Generator, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y))
    return X[order], y[order]


def two_moons(n: int = 200, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles of radius 1, centred on the origin.

    Class 0 lies on the upper arc (cos a, sin a), class 1 on the lower arc (1 - cos a, 1/2 - sin a), for
    angles a drawn uniformly in [0, pi]; both are shifted by (-1/2, -1/4) so the data is centred, and
    Gaussian noise of standard deviation ``noise`` is added to each coordinate.

    Args:
        n: the number of points (class 0 gets the extra one when ``n`` is odd).
        noise: the standard deviation of the noise added to each coordinate.
        seed: the seed of the generator that draws angles, noise and order.

    Returns:
        ``(X, y)``: points of shape (n, 2) (float64) and their classes of shape (n,) (int64, 0 or 1).
    """
    _check_common("two_moons", n, noise, 2)
    rng = np.random.default_rng(seed)
    n0, n1 = _class_sizes(n, 2)
    a0 = rng.uniform(0.0, np.pi, n0)
    a1 = rng.uniform(0.0, np.pi, n1)
    upper = np.stack([np.cos(a0), np.sin(a0)], axis=1)
    lower = np.stack([1.0 - np.cos(a1), 0.5 - np.sin(a1)], axis=1)
    X = np.concatenate([upper, lower]) - np.array([0.5, 0.25])
    X = X + noise * rng.standard_normal(X.shape)
    y = np.concatenate([np.zeros(n0, dtype=np.int64), np.ones(n1, dtype=np.int64)])
    return _shuffled(rng, X, y)


def spirals(n: int = 300, classes: int = 3, turns: float = 1.0, noise: float = 0.1,
            seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` spiral arms around the origin, one per class, within the unit disc.

    A point of class k at radius r in [0, 1] lies at angle 2 pi (k / classes + turns r) plus Gaussian
    noise of standard deviation ``noise`` (in radians, scaled by r so the centre stays sharp); radii are
    drawn uniformly.

    Args:
        n: the number of points, shared as evenly as possible among the classes.
        classes: the number of arms (and classes), at least 2.
        turns: how many full turns each arm makes from the centre to the rim.
        noise: the standard deviation of the angular noise, in radians.
        seed: the seed of the generator that draws radii, noise and order.

    Returns:
        ``(X, y)``: points of shape (n, 2) (float64) and their classes of shape (n,) (int64).
    """
    if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) or classes < 2:
        raise ValueError(f"spirals: classes must be an integer >= 2, got {classes!r}")
    _check_common("spirals", n, noise, classes)
    if not np.isfinite(turns) or turns <= 0:
        raise ValueError(f"spirals: turns must be a finite number > 0, got {turns!r}")
    rng = np.random.default_rng(seed)
    points, labels = [], []
    for k, m in enumerate(_class_sizes(n, classes)):
        r = rng.uniform(0.0, 1.0, m)
        angle = 2 * np.pi * (k / classes + turns * r) + noise * r * rng.standard_normal(m)
        points.append(np.stack([r * np.cos(angle), r * np.sin(angle)], axis=1))
        labels.append(np.full(m, k, dtype=np.int64))
    return _shuffled(rng, np.concatenate(points), np.concatenate(labels))


def train_test_split(X: np.ndarray, y: np.ndarray, test_fraction: float = 0.25,
                     seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split ``(X, y)`` at random into a training and a held-out test part.

    Args:
        X: the inputs, one row per example.
        y: the labels, one per row of ``X``.
        test_fraction: the share of examples held out, in (0, 1); rounded to a whole number of
            examples, at least one in each part.
        seed: the seed of the shuffle.

    Returns:
        ``(X_train, y_train, X_test, y_test)``.
    """
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim != 1 or len(X) != len(y):
        raise ValueError(f"train_test_split: X and y must have one row per label, got shapes {X.shape} "
                         f"and {y.shape}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"train_test_split: test_fraction must lie strictly between 0 and 1, "
                         f"got {test_fraction!r}")
    if len(y) < 2:
        raise ValueError(f"train_test_split: needs at least 2 examples to split, got {len(y)}")
    n_test = min(max(int(round(test_fraction * len(y))), 1), len(y) - 1)
    order = np.random.default_rng(seed).permutation(len(y))
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]
