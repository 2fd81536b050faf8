"""The graph: its nodes, the walk over them, and the grad switch, shared by both engines.

Both engines record, for every result, the inputs it was computed from. ``backward()`` visits the graph
from the output towards the inputs in reverse topological order, so that a node hands its gradient on
only once every node that used it has handed it theirs.

The node protocol, in one place: a ``Value`` is its own node and its parents are ``_prev``; a tensor
result's node is its ``Context`` (``tensor._ctx``), whose ``parents`` are its inputs' nodes; a leaf
tensor is a node with no parents. ``parents(node)`` answers for all three, and ``node_of(x)`` gives
the node of a Value or a Tensor; the drawing code uses the same two functions.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

import numpy as np

N = TypeVar("N")

_grad_enabled = True


class Context:
    """What ``forward`` leaves for ``backward``, and the graph's node for the result it made.

    The graph is made of contexts, not of tensors: a context refers to its inputs' contexts (or, for
    leaves, to the input tensors themselves) and keeps only what ``save_for_backward`` kept. So an
    intermediate result that no backward needs is freed as soon as the code drops it.
    """

    requires_grad = True  # a context is made only for results that need a gradient

    def __init__(self) -> None:
        self.saved: tuple = ()
        self.parents: tuple = ()
        self.fn: Any = None  # the Function subclass whose backward this node runs
        self.out_shape: tuple[int, ...] = ()  # the result's shape and dtype, kept without its data
        self.out_dtype: np.dtype | None = None
        self.name: str | None = None
        self.retained: weakref.ref | None = None  # the result tensor, if it asked for its gradient

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep arrays for ``backward`` (they are not copied: ops must not modify them in place)."""
        self.saved = arrays


class SparseGrad:
    """A gradient that is zero except at ``index``: what indexing hands back, without a full-size array.

    ``Tensor.backward`` adds it into the input's gradient in place, so T steps that each read one slice
    of a sequence cost T slices, not T full-size arrays.
    """

    __slots__ = ("shape", "dtype", "index", "values", "repeats")

    def __init__(self, shape: tuple[int, ...], dtype: np.dtype, index: Any, values: np.ndarray,
                 repeats: bool) -> None:
        self.shape, self.dtype, self.index, self.values = shape, dtype, index, values
        self.repeats = repeats  # an integer-array index may name a position twice: np.add.at sums those

    def add_to(self, out: np.ndarray) -> None:
        """out[index] += values, in place."""
        if self.repeats:
            np.add.at(out, self.index, self.values)
        else:
            out[self.index] += self.values

    def dense(self) -> np.ndarray:
        """The gradient as an ordinary array."""
        out = np.zeros(self.shape, dtype=self.dtype)
        self.add_to(out)
        return out


def node_of(x: Any) -> Any:
    """The graph node of a Value (itself) or a Tensor (its Context, or itself for a leaf)."""
    ctx = getattr(x, "_ctx", None)
    return x if ctx is None else ctx


def parents(node: Any) -> tuple:
    """The nodes ``node`` was computed from: a Value's ``_prev``, a Context's ``parents``, a leaf's ()."""
    if type(node) is Context:
        return node.parents
    prev = getattr(node, "_prev", None)
    return prev if prev is not None else getattr(node, "parents", ())


def topological_order(root: N, parents: Callable[[N], Iterable[N]]) -> list[N]:
    """Every node reachable from ``root``, each listed after all of its parents (inputs first).

    An explicit stack instead of recursion: an unrolled RNN is a chain thousands of nodes deep, and a
    recursive walk would hit Python's recursion limit at about 1,000.
    """
    order: list[N] = []
    seen = {id(root)}
    stack = [(root, iter(parents(root)))]
    while stack:
        node, pending = stack[-1]
        for parent in pending:
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append((parent, iter(parents(parent))))
                break
        else:
            stack.pop()
            order.append(node)
    return order


def backward_walk(root: Any, grad: np.ndarray) -> None:
    """Hand ``grad`` (d loss / d root) back through the tensor graph below ``root``, node by node.

    Each Context's ``fn.backward`` turns its output's gradient into its inputs' gradients; a leaf
    receives its total through ``_accumulate``. Gradients of a node used several times are summed, in
    place into arrays this walk allocated itself (an op's gradient may be shared, so it is never
    modified); a ``SparseGrad`` (from indexing) is added into the sum without being made dense.
    """
    grads = {id(root): grad}
    owned = set()  # ids of the sums in grads that this walk allocated itself: safe to add into in place
    for node in reversed(topological_order(root, parents)):
        g = grads.pop(id(node), None)
        if g is None:
            continue
        owned.discard(id(g))
        if type(g) is SparseGrad:
            g = g.dense()
        if type(node) is not Context:  # a leaf tensor
            node._accumulate(g)
            continue
        if node.retained is not None and (kept := node.retained()) is not None:
            kept._accumulate(g)
        in_grads = node.fn.backward(node, g)
        if not isinstance(in_grads, tuple):
            in_grads = (in_grads,)
        for parent, pg in zip(node.parents, in_grads):
            if pg is None or not parent.requires_grad:
                continue
            key = id(parent)
            total = grads.get(key)
            if total is None:
                grads[key] = pg
                continue
            if id(total) not in owned:  # a gradient an op handed over may be shared: sum into a copy
                total = total.dense() if type(total) is SparseGrad else np.array(total)
                grads[key] = total
                owned.add(id(total))
            if type(pg) is SparseGrad:
                pg.add_to(total)
            else:
                total += pg


def is_grad_enabled() -> bool:
    """Whether new operations are being recorded for ``backward()``."""
    return _grad_enabled


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Within this block, operations build no graph (use it for evaluation and weight updates).

    Works as a ``with`` block and as a decorator.
    """
    global _grad_enabled
    previous, _grad_enabled = _grad_enabled, False
    try:
        yield
    finally:
        _grad_enabled = previous
