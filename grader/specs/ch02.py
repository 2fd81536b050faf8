"""How the exercises of chapter 2 (the scalar engine) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Question

NOTEBOOK = "02_scalar_engine"

BINARY_OPS = ("+", "-", "*", "/")
UNARY_OPS = ("tanh", "exp", "log", "relu", "sigmoid")


def _neuron_case(rng):
    n = int(rng.integers(1, 6))
    return ([float(v) for v in rng.normal(size=n)], [float(v) for v in rng.normal(size=n)], float(rng.normal()))


def _op_case(rng):
    op = str(rng.choice(BINARY_OPS + UNARY_OPS))
    if op in BINARY_OPS:
        a, b = (float(v) for v in rng.normal(size=2))
        if op == "/":
            b = float(np.copysign(abs(b) + 0.5, b))
        inputs = [a, b]
    elif op == "log":
        inputs = [float(rng.uniform(0.1, 5))]
    elif op == "relu":
        inputs = [float(rng.choice([-1, 1]) * rng.uniform(0.1, 3))]
    else:
        inputs = [float(rng.normal() * 2)]
    return (op, inputs, float(rng.normal()))


def _graph_case(rng):
    """A random DAG as {node: [parents]}, with shared parents and repeated edges; or a deep chain."""
    if rng.random() < 0.2:
        n = int(rng.integers(3000, 5000))
        graph = {f"n{i}": ([f"n{i - 1}"] if i else []) for i in range(n)}
        return (graph, f"n{n - 1}")
    n = int(rng.integers(2, 25))
    graph = {}
    for i in range(n):
        k = int(rng.integers(0, min(i, 3) + 1))
        parents = [f"v{int(j)}" for j in rng.integers(0, i, size=k)] if i else []
        graph[f"v{i}"] = parents
    return (graph, f"v{n - 1}")


def _sort_graph(fn, graph, root):
    return fn(root, lambda node: graph[node])


def _is_valid_order(expected, got, args):
    """None if ``got`` lists exactly the nodes of ``expected``, once each, every one after its parents."""
    graph, root = args
    if not isinstance(got, list):
        return f"expected a list of nodes, got {type(got).__name__}"
    if len(got) != len(set(map(str, got))) or any(not isinstance(v, str) for v in got):
        return "some nodes are listed twice"
    if set(got) != set(expected):
        missing, extra = sorted(set(expected) - set(got))[:5], sorted(set(got) - set(expected))[:5]
        return f"wrong nodes: missing {missing}, unexpected {extra}"
    position = {v: i for i, v in enumerate(got)}
    for v in got:
        for p in graph[v]:
            if position[p] > position[v]:
                return f"{p!r} is listed after {v!r}, which was computed from it"
    return None


_DIAMOND = {"a": [], "b": ["a"], "c": ["a", "a"], "d": ["b", "c"]}

QUESTIONS = [
    Question(
        id="2.1", function="neuron", points=2,
        public=[([1.0, -2.0], [0.5, 0.25], 0.1), ([0.3], [-1.2], 2.0)],
        hidden=_neuron_case, rtol=1e-9, atol=1e-12,
        hint="Make the weights and the bias Values, build the sum with + and *, call .tanh(), then .backward().",
    ),
    Question(
        id="2.2", function="op_backward", points=3,
        public=[("*", [2.0, -3.0], 1.0), ("tanh", [0.5], 2.0), ("/", [1.0, 4.0], -1.0)],
        hidden=_op_case, n_hidden=30, rtol=1e-9, atol=1e-12,
        hint="Multiply each local derivative d out / d input by grad_out (the chain rule).",
    ),
    Question(
        id="2.3", function="topo_sort", points=3,
        public=[(_DIAMOND, "d"), ({f"n{i}": ([f"n{i - 1}"] if i else []) for i in range(2000)}, "n1999")],
        hidden=_graph_case, call=_sort_graph, compare=_is_valid_order,
        hint="Visit a node's parents before appending it; keep a set of visited nodes and an explicit stack.",
    ),
]
