"""How the exercises of chapter 10 (vanishing and exploding gradients) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Mutant, Question, compare

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


def _clip_compare(expected, got, args):
    """PyTorch's rule (max_norm / (n + 1e-6)) or the textbook's (max_norm / n): both are right."""
    grads, max_norm = args
    norm = float(np.sqrt(sum(np.sum(np.asarray(g) ** 2) for g in grads)))
    names = ("clipped", "norm")
    reason = compare(expected, got, rtol=1e-12, atol=1e-15, names=names)
    if reason is None:
        return None
    textbook = ([np.asarray(g, dtype=float) * (max_norm / norm) for g in grads] if norm > max_norm
                else [np.asarray(g, dtype=float) for g in grads], norm)
    return None if compare(textbook, got, rtol=1e-12, atol=1e-15, names=names) is None else reason


def _sigma_case(rng):
    H = int(rng.integers(1, 6))
    kind = int(rng.integers(4))
    if kind == 0:  # non-normal: spectral radius below 1, largest singular value above
        W = np.triu(rng.normal(size=(H, H)) * 2, 1) + np.eye(H) * rng.uniform(0.2, 0.8)
        if H == 1:
            W = np.array([[rng.uniform(0.2, 0.8)]])
    elif kind == 1:  # sigma_max exactly 1: no guarantee
        W = np.diag(np.concatenate([[1.0], rng.uniform(0, 1, size=H - 1)]))[rng.permutation(H)]
    else:
        W = rng.normal(size=(H, H)) * rng.uniform(0.05, 0.8)
    return (W, int(rng.integers(1, 30)))


QUESTIONS = [
    Question(
        id="10.1", function="jacobian_product", points=3,
        public=[(np.array([[0.0, 0.0], [0.5, -0.2], [0.1, 0.9]]), np.array([[1.0, 2.0], [-1.0, 0.5]]), 0),
                (np.array([[0.0], [0.3]]), np.array([[2.0]]), 1)],
        hidden=_states_case, rtol=1e-10, atol=1e-12, returns="J",
        hint="A row vector times J must give the gradient at h_t: the factor of step T is applied "
             "first, so it stands leftmost.",
        mutants=(
            Mutant("factors multiplied in the reverse order", "J = J @ (np.diag(1 - hs[s] ** 2) @ W_hh.T)",
                   "J = (np.diag(1 - hs[s] ** 2) @ W_hh.T) @ J"),
            Mutant("W_hh instead of its transpose", "@ W_hh.T)", "@ W_hh)"),
            Mutant("D of the previous state", "hs[s] ** 2", "hs[s - 1] ** 2"),
            Mutant("one factor too many", "range(T, t, -1)", "range(T, max(t - 1, 0), -1)"),
        ),
    ),
    Question(
        id="10.2", function="clip_global_norm", points=2,
        public=[([np.array([3.0, 0.0]), np.array([[0.0, 4.0]])], 1.0),
                ([np.array([0.3, 0.4])], 1.0)],
        hidden=_grads_case, compare=_clip_compare, returns=("clipped", "norm"),
        hint="One norm for all the arrays together, and one factor for all of them; small "
             "gradients are left alone.",
        mutants=(
            Mutant("each array clipped on its own", "return [g * coef for g in grads], norm",
                   "return [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads], norm"),
            Mutant("always scaled to max_norm", "    if coef < 1:\n", "    if True:\n"),
            Mutant("sum of the norms, not the norm of all", "np.sqrt(sum(np.sum(g * g) for g in grads))",
                   "sum(np.sqrt(np.sum(g * g)) for g in grads)"),
        ),
    ),
    Question(
        id="10.3", function="with_spectral_radius", points=2,
        public=[(np.array([[0.0, 2.0], [-2.0, 0.0]]), 1.0), (np.array([[1.0, 1.0], [0.0, 3.0]]), 0.9)],
        hidden=_matrix_case, rtol=1e-9, atol=1e-12, returns="W scaled",
        hint="Eigenvalues can be complex, and the largest singular value is a different number.",
        mutants=(
            Mutant("the largest real part", "np.abs(np.linalg.eigvals(W)).max()", "np.linalg.eigvals(W).real.max()"),
            Mutant("the largest singular value", "np.abs(np.linalg.eigvals(W)).max()", "np.linalg.norm(W, 2)"),
            Mutant("scaled the wrong way", "W * (rho / np.abs(np.linalg.eigvals(W)).max())",
                   "W * (np.abs(np.linalg.eigvals(W)).max() / rho)"),
        ),
    ),
    Question(
        id="10.4", function="adding_inputs", points=2,
        public=[(np.array([[0.5, 0.2, 0.9, 0.1]]), np.array([1]), np.array([3]))],
        hidden=_adding_case, rtol=1e-12, atol=1e-15, returns=("xs", "y"),
        hint="Pick one (row, step) pair per sequence with two index arrays; y is a column.",
        mutants=(
            Mutant("y without its trailing axis", ")[:, None]", ")"),
            Mutant("channels swapped", "np.stack([values, markers], axis=-1)", "np.stack([markers, values], axis=-1)"),
            Mutant("the second marker forgotten", "    markers[rows, second] = 1.0\n", ""),
        ),
    ),
    Question(
        id="10.5", function="vanishing_bound", points=2, kind="choice",
        public=[(np.array([[0.5, 2.0], [0.0, 0.5]]), 3), (np.array([[0.3, 0.0], [0.0, -0.6]]), 2)],
        hidden=_sigma_case, n_hidden=20, rtol=1e-9, atol=1e-12, returns=("bound", "vanishes"),
        hint="Which matrix norm bounds |h W| / |h| for every row vector h? A guarantee must hold when "
             "the bound equals 1, too.",
        mutants=(
            Mutant("the spectral radius", "np.linalg.svd(W_hh, compute_uv=False).max()",
                   "np.abs(np.linalg.eigvals(W_hh)).max()"),
            Mutant("the Frobenius norm", "np.linalg.svd(W_hh, compute_uv=False).max()",
                   "np.linalg.norm(W_hh)"),
            Mutant("sigma = 1 counted as vanishing", "bool(sigma < 1)", "bool(sigma <= 1)", public=False),
            Mutant("sigma times k", "sigma ** k", "sigma * k"),
        ),
    ),
]
