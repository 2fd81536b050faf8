"""How the exercises of chapter 1 (derivatives, central differences) are tested."""

from __future__ import annotations

import numpy as np

from grader.cases import WrongAnswer
from grader.spec import Mutant, Question

NOTEBOOK = "01_derivatives"

#: functions of a number a case may name (a function cannot cross to the student's process, a name can)
SCALAR_FUNCTIONS = {
    "sin": np.sin,
    "cube": lambda x: x**3,
    "exp": np.exp,
    "tanh": np.tanh,
    "log1p_sq": lambda x: np.log1p(x * x),
}

#: functions of an array returning a number
ARRAY_FUNCTIONS = {
    "sum_of_squares": lambda x: float(np.sum(x * x)),
    "logsumexp": lambda x: float(np.log(np.sum(np.exp(x)))),
    "tanh_dot": lambda x: float(np.sum(np.tanh(x) * np.arange(1, x.size + 1).reshape(x.shape))),
}

_ROTATION = np.array([[0.6, -0.8, 0.5], [0.8, 0.6, -1.5]])

#: functions of a 1-D array returning a 1-D array
VECTOR_FUNCTIONS = {
    "softmax": lambda x: np.exp(x - x.max()) / np.exp(x - x.max()).sum(),
    "square": lambda x: x**2,
    "linear": lambda x: _ROTATION[:, : x.size] @ x,
    "cumprod": lambda x: np.cumprod(np.tanh(x)),
}


def _scalar(fn, name, x, h):
    return fn(SCALAR_FUNCTIONS[name], x, h)


def _array(fn, name, x, h):
    """The student's gradient; wrong if it leaves the caller's x changed (the prompt says not to)."""
    before = np.array(x, copy=True)
    grad = fn(ARRAY_FUNCTIONS[name], x, h)
    if not (isinstance(x, np.ndarray) and x.dtype == before.dtype and np.array_equal(x, before)):
        changed = np.argwhere(np.asarray(x) != before)
        where = f" (entry {tuple(int(i) for i in changed[0])})" if len(changed) else ""
        raise WrongAnswer(f"the caller's x was changed{where}: leave x as you found it")
    return grad


def _vector(fn, name, x, h):
    return fn(VECTOR_FUNCTIONS[name], x, h)


def _point(rng):
    name = str(rng.choice(sorted(SCALAR_FUNCTIONS)))
    return (name, float(rng.uniform(-2, 2)), float(10 ** rng.uniform(-5, -2)))


def _array_case(rng):
    shape = [(1,), (5,), (2, 3), (3, 1, 2)][rng.integers(4)]
    x = rng.normal(size=shape)
    if rng.random() < 0.5:  # an integer x: nudging it in place by h would round h away
        x = rng.integers(-2, 3, size=shape)
    h = float(10 ** rng.uniform(-5, -3.5))  # an h whose x + h - h is not always x again
    return (str(rng.choice(sorted(ARRAY_FUNCTIONS))), x, h)


def _vector_case(rng):
    name = str(rng.choice(sorted(VECTOR_FUNCTIONS)))
    n = int(rng.integers(2, 4)) if name == "linear" else int(rng.integers(1, 6))
    return (name, rng.normal(size=n), float(10 ** rng.uniform(-6, -4)))


QUESTIONS = [
    Question(
        id="1.1", function="central_difference", points=2, inputs=("f", "x", "h"),
        public=[("sin", 0.5, 1e-5), ("cube", 2.0, 1e-3)],
        hidden=_point, call=_scalar, rtol=1e-9, atol=1e-12, returns="the estimate",
        hint="Subtract the two Taylor expansions: f(x) and the h^2 terms cancel; what multiplies f'(x)?",
        mutants=(
            Mutant("divided by h, not 2h", "(2 * h)", "h"),
            Mutant("one-sided difference", "(f(x + h) - f(x - h)) / (2 * h)", "(f(x + h) - f(x)) / h"),
            Mutant("the two sides swapped", "(f(x + h) - f(x - h))", "(f(x - h) - f(x + h))"),
        ),
    ),
    Question(
        id="1.2", function="numerical_gradient", points=3, inputs=("f", "x", "h"),
        public=[("sum_of_squares", np.array([1.0, -2.0, 0.5]), 1e-5),
                ("logsumexp", np.array([[0.1, 0.2], [0.3, -1.0]]), 1e-5)],
        hidden=_array_case, call=_array, rtol=1e-7, atol=1e-9, returns="the gradient",
        hint="Nudge one entry at a time, in every dimension, on your own float copy of x.",
        mutants=(
            Mutant("divided by h, not 2h", "(up - down) / (2 * h)", "(up - down) / h"),
            Mutant("x not restored after each nudge", "        x[i] = old\n", ""),
            Mutant("nudges the caller's x and walks it back by += h, -= 2h, += h",
                   "x = np.array(x, dtype=np.float64)", "x = np.asarray(x, dtype=np.float64)",
                   more=(("x[i] = old + h", "x[i] += h"), ("x[i] = old - h", "x[i] -= 2 * h"),
                         ("        x[i] = old\n", "        x[i] += h\n"))),
            Mutant("no float copy: an integer x rounds the nudge away", "x = np.array(x, dtype=np.float64)",
                   "x = x.copy()", public=False),
            Mutant("only the first axis walked", "np.ndindex(x.shape)", "((i,) + (0,) * (x.ndim - 1) "
                   "for i in range(x.shape[0]))"),
        ),
    ),
    Question(
        id="1.3", function="numerical_jacobian", points=3, inputs=("f", "x", "h"),
        public=[("linear", np.array([1.0, 2.0, 3.0]), 1e-5), ("softmax", np.array([0.5, -0.5]), 1e-5)],
        hidden=_vector_case, call=_vector, rtol=1e-7, atol=1e-9, returns="the Jacobian",
        hint="Entry (i, j) is how output i moves when input j alone moves; the shape is (m, n).",
        mutants=(
            Mutant("transposed: (n, m)", "np.stack(columns, axis=1)", "np.stack(columns, axis=0)"),
            Mutant("every input nudged at once", "step[j] = h", "step[:] = h"),
            Mutant("divided by h, not 2h", "/ (2 * h)", "/ h"),
        ),
    ),
]
