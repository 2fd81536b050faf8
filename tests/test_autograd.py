"""engine/autograd.py: the graph walk (``topological_order``) and the grad switch (``no_grad``)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import assert_topological

import engine
from engine import Tensor
from engine.autograd import is_grad_enabled, no_grad, node_of, topological_order
from engine.autograd import parents as graph_parents


class Node:
    """A bare graph node: topological_order needs nothing but a parents function."""

    def __init__(self, name: str, *parents: Node):
        self.name, self.parents = name, parents

    def __repr__(self) -> str:
        return self.name


def parents(n: Node) -> tuple[Node, ...]:
    return n.parents


def diamond() -> tuple[Node, list[Node]]:
    a = Node("a")
    b, c = Node("b", a), Node("c", a)
    d = Node("d", b, c)
    return d, [a, b, c, d]


def test_diamond_lists_the_shared_input_once_and_before_both_branches():
    root, nodes = diamond()
    order = topological_order(root, parents)
    assert_topological(order, graph_parents)
    assert sorted(n.name for n in order) == ["a", "b", "c", "d"]
    assert order[0].name == "a" and order[-1] is root


def test_a_node_reached_twice_through_the_same_parent_is_listed_once():
    a = Node("a")
    b = Node("b", a, a, a)
    order = topological_order(Node("c", b, a), parents)
    assert [n.name for n in order] == ["a", "b", "c"]


def test_deep_chain_has_no_recursion_limit():
    node = Node("x0")
    chain = [node]
    for i in range(1, 20_000):
        node = Node(f"x{i}", node)
        chain.append(node)
    order = topological_order(node, parents)
    assert order == chain


@given(st.data())
def test_random_dags_are_ordered(data):
    """Random DAGs (each node's parents drawn among earlier nodes): every node after its parents, once."""
    n = data.draw(st.integers(1, 25))
    nodes: list[Node] = []
    for i in range(n):
        ps = data.draw(st.lists(st.integers(0, i - 1), max_size=4)) if i else []
        nodes.append(Node(f"n{i}", *(nodes[j] for j in ps)))
    order = topological_order(nodes[-1], parents)
    assert_topological(order, graph_parents)
    assert order[-1] is nodes[-1]


def test_the_order_check_catches_a_wrong_order():
    root, nodes = diamond()
    a, b, c, d = nodes
    with pytest.raises(AssertionError, match="comes after"):
        assert_topological([d, c, b, a], parents)
    with pytest.raises(AssertionError, match="twice"):
        assert_topological([a, b, a, c, d], parents)
    with pytest.raises(AssertionError, match="missing"):
        assert_topological([b, c, d], parents)


def test_tensor_graph_order_is_topological():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    z = (y + x).sum() + y.sum()
    order = topological_order(node_of(z), graph_parents)
    assert_topological(order, graph_parents)
    # the graph's nodes are the leaf x and the contexts of the results (an intermediate result's data is
    # not kept by the graph); each appears once
    assert sum(t is x for t in order) == 1 and sum(t is y._ctx for t in order) == 1


# ---- no_grad ------------------------------------------------------------------------------------


def test_no_grad_builds_no_graph():
    x = Tensor([1.0, -2.0], requires_grad=True)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * 3 + 1).tanh().sum()
    assert is_grad_enabled()
    assert y.requires_grad is False and y._ctx is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_no_grad_as_decorator():
    x = Tensor([1.0], requires_grad=True)

    @engine.no_grad()
    def evaluate(t):
        assert not is_grad_enabled()
        return t * 2

    y = evaluate(x)
    assert y.requires_grad is False and y._ctx is None
    assert is_grad_enabled()
    assert evaluate(x)._ctx is None  # the decorator works on every call, not just the first
    assert (x * 2)._ctx is not None


def test_no_grad_nests_and_restores_after_an_exception():
    with no_grad():
        with no_grad():
            pass
        assert not is_grad_enabled()
    assert is_grad_enabled()
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            _ = 1 / 0
    assert is_grad_enabled()


def test_the_no_grad_check_can_fail():
    """The check above would notice an op that records a graph regardless of no_grad."""
    x = Tensor([1.0], requires_grad=True)
    y = x * 2
    assert y._ctx is not None and y.requires_grad
    assert np.array_equal(y.data, [2.0])
