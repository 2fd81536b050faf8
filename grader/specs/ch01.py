"""How the exercises of chapter 1 (derivatives, central differences) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Question

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
    return fn(ARRAY_FUNCTIONS[name], x, h)


def _vector(fn, name, x, h):
    return fn(VECTOR_FUNCTIONS[name], x, h)


def _point(rng):
    name = str(rng.choice(sorted(SCALAR_FUNCTIONS)))
    return (name, float(rng.uniform(-2, 2)), float(10 ** rng.uniform(-5, -2)))


def _array_case(rng):
    shape = [(1,), (5,), (2, 3), (3, 1, 2)][rng.integers(4)]
    return (str(rng.choice(sorted(ARRAY_FUNCTIONS))), rng.normal(size=shape), 1e-5)


def _vector_case(rng):
    name = str(rng.choice(sorted(VECTOR_FUNCTIONS)))
    n = int(rng.integers(2, 4)) if name == "linear" else int(rng.integers(1, 6))
    return (name, rng.normal(size=n), float(10 ** rng.uniform(-6, -4)))


QUESTIONS = [
    Question(
        id="1.1", function="central_difference", points=2,
        public=[("sin", 0.5, 1e-5), ("cube", 2.0, 1e-3)],
        hidden=_point, call=_scalar, rtol=1e-9, atol=1e-12,
        hint="Evaluate f at x + h and at x - h, and divide their difference by 2h.",
    ),
    Question(
        id="1.2", function="numerical_gradient", points=3,
        public=[("sum_of_squares", np.array([1.0, -2.0, 0.5]), 1e-5),
                ("logsumexp", np.array([[0.1, 0.2], [0.3, -1.0]]), 1e-5)],
        hidden=_array_case, call=_array, rtol=1e-8, atol=1e-10,
        hint="Nudge one entry at a time (np.ndindex walks every index of any shape), on a float copy of x.",
    ),
    Question(
        id="1.3", function="numerical_jacobian", points=3,
        public=[("linear", np.array([1.0, 2.0, 3.0]), 1e-5), ("softmax", np.array([0.5, -0.5]), 1e-5)],
        hidden=_vector_case, call=_vector, rtol=1e-7, atol=1e-9,
        hint="The result has one row per output and one column per input: shape (m, n).",
    ),
]
