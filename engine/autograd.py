"""What the scalar and the tensor engine share: the graph walk and the grad switch.

Both engines record, for every result, the inputs it was computed from. ``backward()`` visits the graph
from the output towards the inputs in reverse topological order, so that a node hands its gradient on
only once every node that used it has handed it theirs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

N = TypeVar("N")

_grad_enabled = True


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
