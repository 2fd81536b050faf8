"""How the exercises of chapter 2 (the scalar engine) are tested."""

from __future__ import annotations

import sys

import numpy as np

from grader.cases import WrongAnswer
from grader.spec import Mutant, Question

NOTEBOOK = "02_scalar_engine"

BINARY_OPS = ("+", "-", "*", "/")
UNARY_OPS = ("tanh", "exp", "log", "relu", "sigmoid")


def _neuron_case(rng):
    n = int(rng.integers(1, 6))
    return ([float(v) for v in rng.normal(size=n)], [float(v) for v in rng.normal(size=n)], float(rng.normal()))


def _op_case(rng):
    if rng.random() < 0.15:  # the kink, where relu' is defined to be 0
        return ("relu", [0.0], float(rng.normal()))
    op = str(rng.choice(BINARY_OPS + UNARY_OPS))
    if op in BINARY_OPS:
        a, b = (float(v) for v in rng.normal(size=2))
        if op == "/":
            b = float(np.copysign(abs(b) + 0.5, b))
        inputs = [a, b]
    elif op == "log":
        inputs = [float(rng.uniform(0.1, 5))]
    elif op == "relu":
        inputs = [float(rng.choice([-1, 0, 1]) * rng.uniform(0.1, 3))]  # 0 included: relu'(0) = 0
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


#: how many calls deep below topo_sort itself ``parents`` may be called (an explicit stack needs 1 or 2)
MAX_DEPTH = 40


def _sort_graph(fn, graph, root):
    """Run the student's sort with a ``parents`` that measures how deep it is called (recursion fails)."""
    base = sys._getframe()
    deepest = [0]

    def parents(node):
        frame, depth = sys._getframe(1), 0
        while frame is not None and frame is not base and depth <= MAX_DEPTH:
            frame, depth = frame.f_back, depth + 1
        deepest[0] = max(deepest[0], depth)
        if depth > MAX_DEPTH:
            raise WrongAnswer(f"topo_sort recursed: parents() was called more than {MAX_DEPTH} calls deep; "
                              f"keep your own stack instead")
        return graph[node]

    order = fn(root, parents)
    if deepest[0] > MAX_DEPTH:  # the error above was caught inside topo_sort
        raise WrongAnswer(f"topo_sort recursed more than {MAX_DEPTH} calls deep; keep your own stack instead")
    return order


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

_RECURSIVE = """    import sys
    sys.setrecursionlimit(20000)
    order, seen = [], set()

    def visit(node):
        if node in seen:
            return
        seen.add(node)
        for parent in parents(node):
            visit(parent)
        order.append(node)

    visit(root)
    return order
"""

QUESTIONS = [
    Question(
        id="2.1", function="neuron", points=2,
        public=[([1.0, -2.0], [0.5, 0.25], 0.1), ([0.3], [-1.2], 2.0)],
        hidden=_neuron_case, rtol=1e-9, atol=1e-12, returns=("y", "dy/dw", "dy/db"),
        hint="Only the weights and the bias need to be Values; backward() starts from the output y.",
        mutants=(
            Mutant("backward from the sum, not from y", "y.backward()", "total.backward()"),
            Mutant("the weights' values, not their gradients", "[w.grad for w in weights]",
                   "[w.data for w in weights]"),
            Mutant("bias left out of the sum", "total = bias\n", "total = Value(0.0)\n"),
        ),
    ),
    Question(
        id="2.2", function="op_backward", points=3,
        public=[("*", [2.0, -3.0], 1.0), ("tanh", [0.5], 2.0), ("/", [1.0, 4.0], -1.0)],
        hidden=_op_case, n_hidden=60, rtol=1e-9, atol=1e-12,
        hint="Each input gets its local derivative d out / d input, times grad_out; mind the kinks and "
             "the second input of - and /.",
        mutants=(
            Mutant("relu'(0) = 1", "1.0 if x > 0 else 0.0", "1.0 if x >= 0 else 0.0", public=False),
            Mutant("the sign of d(a - b)/db", '"-": (1.0, -1.0)', '"-": (1.0, 1.0)', public=False),
            Mutant("d(a / b)/db without the minus", "-a / b**2", "a / b**2"),
            Mutant("grad_out not multiplied in", "d * grad_out for d in local", "d for d in local"),
            Mutant("sigmoid' = s", "local = (s * (1 - s),)", "local = (s,)", public=False),
        ),
    ),
    Question(
        id="2.3", function="topo_sort", points=3,
        public=[(_DIAMOND, "d"), ({f"n{i}": ([f"n{i - 1}"] if i else []) for i in range(2000)}, "n1999")],
        hidden=_graph_case, call=_sort_graph, compare=_is_valid_order, inputs=("graph", "root"),
        forbidden=("engine.autograd.topological_order",),
        hint="A node is listed once all its parents are; remember what you have seen, and keep the "
             "path you are exploring in a list of your own, not in Python's call stack.",
        mutants=(
            Mutant("recursive DFS with sys.setrecursionlimit(20000)",
                   "    order, seen = [], {root}\n", _RECURSIVE),
            Mutant("root first (the order reversed)", "    return order\n", "    return order[::-1]\n"),
            Mutant("no seen set: shared parents listed twice", "if parent not in seen:", "if True:"),
        ),
    ),
]
