"""How the exercises of chapter 10 (vanishing and exploding gradients) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Question

NOTEBOOK = "10_vanishing_exploding"


def _states_case(rng):
    T, H = int(rng.integers(1, 9)), int(rng.integers(1, 6))
    hs = np.tanh(rng.normal(size=(T + 1, H)))
    t = int(rng.choice([0, T, int(rng.integers(0, T + 1))]))  # the edges: the whole way back, no step
    return (hs, rng.normal(size=(H, H)), t)


def _grads_case(rng):
    grads = [rng.normal(size=tuple(int(d) for d in rng.integers(1, 4, size=int(rng.integers(1, 3)))))
             * 10 ** rng.uniform(-2, 2) for _ in range(int(rng.integers(1, 4)))]
    return (grads, float(10 ** rng.uniform(-1, 1.5)))


def _matrix_case(rng):
    H = int(rng.integers(1, 7))
    return (rng.normal(size=(H, H)) * rng.uniform(0.1, 5), float(rng.uniform(0.1, 3)))


def _adding_case(rng):
    n, T = int(rng.integers(1, 6)), int(rng.integers(2, 12))
    half = T // 2
    return (rng.random((n, T)), rng.integers(0, half, size=n), rng.integers(half, T, size=n))


QUESTIONS = [
    Question(
        id="10.1", function="jacobian_product", points=3,
        public=[(np.array([[0.0, 0.0], [0.5, -0.2], [0.1, 0.9]]), np.array([[1.0, 2.0], [-1.0, 0.5]]), 0),
                (np.array([[0.0], [0.3]]), np.array([[2.0]]), 1)],
        hidden=_states_case, rtol=1e-10, atol=1e-12,
        hint="Multiply on the right, starting from the identity at s = T and going down to s = t + 1.",
    ),
    Question(
        id="10.2", function="clip_global_norm", points=2,
        public=[([np.array([3.0, 0.0]), np.array([[0.0, 4.0]])], 1.0),
                ([np.array([0.3, 0.4])], 1.0)],
        hidden=_grads_case, rtol=1e-12, atol=1e-15,
        hint="One norm over all arrays together; scale only when max_norm / (norm + 1e-6) is below 1.",
    ),
    Question(
        id="10.3", function="with_spectral_radius", points=2,
        public=[(np.array([[0.0, 2.0], [-2.0, 0.0]]), 1.0), (np.array([[1.0, 1.0], [0.0, 3.0]]), 0.9)],
        hidden=_matrix_case, rtol=1e-9, atol=1e-12,
        hint="Eigenvalues can be complex: take their absolute values before the maximum.",
    ),
    Question(
        id="10.4", function="adding_inputs", points=2,
        public=[(np.array([[0.5, 0.2, 0.9, 0.1]]), np.array([1]), np.array([3]))],
        hidden=_adding_case, rtol=1e-12, atol=1e-15,
        hint="Index rows with np.arange(n) and steps with first and second; y keeps a trailing axis of 1.",
    ),
]
