"""A scalar autograd engine: one number per node, the chain rule applied node by node (after micrograd).

Every operation returns a new ``Value`` that remembers its inputs (``_prev``) and the local derivative
of its output with respect to each input (``_local``), computed right next to the forward result.
``backward()`` then needs only the chain rule, ``input.grad += local * output.grad``, applied from the
output back to the leaves.

Storing numbers instead of a ``_backward`` closure (micrograd's way) is also what keeps the engine fast:
a closure that captures its own output node forms a reference cycle, and a graph full of cycles can only
be freed by Python's cyclic garbage collector, which then takes most of the running time. Here a node
refers only to its inputs, so a dropped graph is freed at once by reference counting.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable

from . import autograd as _autograd

_new = object.__new__


def _node(data: float, op: str, a: Value, da: float, b: Value | None = None, db: float = 0.0) -> Value:
    """The result of an operation: ``Value(data, "", (a, b), op, (da, db))`` without its checks.

    Built with ``object.__new__`` and its slots set directly: ``data`` is already a float here. The
    inputs and local derivatives sit in slots, not in tuples, so a node is one object for the cyclic
    garbage collector to track, not three (it runs every 700 new tracked objects and rescans the graph).
    """
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    if _autograd._grad_enabled:
        out._op, out._a, out._da, out._b, out._db = op, a, da, b, db
    else:  # inside no_grad(): a leaf
        out._op, out._a, out._da, out._b, out._db = "", None, 0.0, None, 0.0
    return out


class Value:
    """A scalar in a computation graph, with the gradient of the last ``backward()`` output.

    Operations on Values (``+ - * / **``, unary ``-``, ``tanh exp log relu sigmoid``; Python numbers on
    either side) return new Values that record how they were made, unless inside ``engine.no_grad()``.

    Args:
        data: The number (stored as a Python float).
        label: An optional name, shown by ``repr`` and ``course.viz.draw_graph``.

    Attributes:
        data: The number.
        grad: d(output)/d(self) after ``output.backward()``; 0.0 before.
        label: The name given, or "".
    """

    __slots__ = ("data", "grad", "label", "_op", "_a", "_b", "_da", "_db", "__weakref__")

    def __init__(
        self,
        data: float,
        label: str = "",
        _prev: tuple[Value, ...] = (),
        _op: str = "",
        _local: tuple[float, ...] = (),
    ) -> None:
        if type(data) is not float:
            if not isinstance(data, numbers.Real):
                raise TypeError(f"Value needs a real number, got {data!r} of type {type(data).__name__}")
            data = float(data)
        if len(_prev) > 2 or len(_local) != len(_prev):
            raise ValueError(f"Value: {len(_prev)} inputs and {len(_local)} local derivatives; "
                             "an operation has one or two inputs, with one local derivative each")
        if _prev and not _autograd._grad_enabled:
            _prev, _op, _local = (), "", ()
        self.data = data
        self.grad = 0.0
        self.label = label
        self._op = _op  # the operation that made it: '+', '*', 'tanh', ...; '' for a leaf
        # the inputs and d(self)/d(input) of each, in slots rather than tuples (see _node)
        self._a, self._da = (_prev[0], float(_local[0])) if _prev else (None, 0.0)
        self._b, self._db = (_prev[1], float(_local[1])) if len(_prev) == 2 else (None, 0.0)

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The input Values this one was computed from, in order; () for a leaf."""
        a = self._a
        if a is None:
            return ()
        b = self._b
        return (a,) if b is None else (a, b)

    @property
    def _local(self) -> tuple[float, ...]:
        """d(self)/d(input) for each input, in the order of ``_prev``; () for a leaf."""
        if self._a is None:
            return ()
        return (self._da,) if self._b is None else (self._da, self._db)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={_short(self.data)}, grad={_short(self.grad)}{label})"

    # ---- operations: the forward result and its local derivatives, side by side ----

    def __add__(self, other: Value | float) -> Value:
        """a + b;  d/da = 1, d/db = 1."""
        other = other if isinstance(other, Value) else _operand(other, "+")
        return _node(self.data + other.data, "+", self, 1.0, other, 1.0)

    def __sub__(self, other: Value | float) -> Value:
        """a - b;  d/da = 1, d/db = -1."""
        other = other if isinstance(other, Value) else _operand(other, "-")
        return _node(self.data - other.data, "-", self, 1.0, other, -1.0)

    def __mul__(self, other: Value | float) -> Value:
        """a * b;  d/da = b, d/db = a."""
        other = other if isinstance(other, Value) else _operand(other, "*")
        return _node(self.data * other.data, "*", self, other.data, other, self.data)

    def __truediv__(self, other: Value | float) -> Value:
        """a / b;  d/da = 1/b, d/db = -a/b**2."""
        other = other if isinstance(other, Value) else _operand(other, "/")
        if other.data == 0.0:
            raise ZeroDivisionError(f"division by zero: {self!r} / {other!r}")
        b = other.data
        return _node(self.data / b, "/", self, 1.0 / b, other, -self.data / (b * b))

    def __pow__(self, n: float) -> Value:
        """a ** n for a number n;  d/da = n * a**(n-1)."""
        if isinstance(n, Value):
            raise TypeError(
                f"{self!r} ** {n!r}: the exponent must be a number (int or float), not a Value; "
                "for a Value exponent write (n * a.log()).exp()"
            )
        if not isinstance(n, numbers.Real):
            return NotImplemented
        a = self.data
        if a == 0.0 and n < 0:
            raise ZeroDivisionError(f"{self!r} ** {n}: 0 cannot be raised to a negative power")
        if a < 0.0 and not float(n).is_integer():
            raise ValueError(f"{self!r} ** {n}: a negative number to a fractional power is not real")
        try:
            out = a**n
        except OverflowError:
            raise OverflowError(f"{self!r} ** {n} overflows a float") from None
        if a == 0.0 and 0 < n < 1:
            local = math.inf  # the slope of a**n at 0, e.g. of the square root
        elif n == 0:
            local = 0.0
        else:
            try:
                local = n * a ** (n - 1)
            except OverflowError:  # e.g. a = 1e-200, n = -1: the slope is -1e400, beyond a float
                local = n * (out / a)  # float division gives the signed inf instead of raising
        return _node(float(out), f"**{n}", self, float(local))

    def __rpow__(self, base: float) -> Value:
        """Refuse base ** a for a Value exponent a, with a way to write it."""
        raise TypeError(f"{base!r} ** {self!r}: the exponent must be a number; write (a * log(base)).exp()")

    def __neg__(self) -> Value:
        """-a;  d/da = -1."""
        return _node(-self.data, "neg", self, -1.0)

    def __radd__(self, other: float) -> Value:
        """other + a, for a number other."""
        return self + other

    def __rsub__(self, other: float) -> Value:
        """other - a, for a number other."""
        return _operand(other, "-") - self

    def __rmul__(self, other: float) -> Value:
        """other * a, for a number other."""
        return self * other

    def __rtruediv__(self, other: float) -> Value:
        """other / a, for a number other."""
        return _operand(other, "/") / self

    def tanh(self) -> Value:
        """tanh(a);  d/da = 1 - tanh(a)**2."""
        t = math.tanh(self.data)
        return _node(t, "tanh", self, 1.0 - t * t)

    def exp(self) -> Value:
        """e**a;  d/da = e**a."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"exp of {self!r} overflows a float (exp(709.78) is the largest)") from None
        return _node(e, "exp", self, e)

    def log(self) -> Value:
        """ln(a) for a > 0;  d/da = 1/a."""
        a = self.data
        if a <= 0.0:
            raise ValueError(f"log of {self!r}: the logarithm needs a positive number, got {a!r}")
        return _node(math.log(a), "log", self, 1.0 / a)

    def relu(self) -> Value:
        """max(a, 0);  d/da = 1 if a > 0 else 0; NaN in gives NaN out, and a NaN derivative."""
        a = self.data
        if a != a:  # NaN: a comparison would silently give 0
            return _node(a, "relu", self, a)
        return _node(a if a > 0.0 else 0.0, "relu", self, 1.0 if a > 0.0 else 0.0)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-a);  d/da = s * (1 - s)."""
        a = self.data
        if a >= 0.0:
            s = 1.0 / (1.0 + math.exp(-a))
        else:  # e**a / (1 + e**a): e**-a would overflow for a < -709
            e = math.exp(a)
            s = e / (1.0 + e)
        return _node(s, "sigmoid", self, s * (1.0 - s))

    # ---- backpropagation ----

    def backward(self) -> None:
        """Set ``.grad`` of every node this Value was computed from to d(self)/d(node).

        The nodes are visited in reverse topological order (an iterative walk, so chains of any depth
        work), and each hands ``local * grad`` on to its inputs; a node used several times sums them.

        Repeated calls: leaves (Values made by the user, not by an operation) *accumulate* their
        ``.grad`` across calls, as in PyTorch, so a second call on the same graph exactly doubles them;
        reset them with ``v.grad = 0`` or ``zero_grad(values)``. Every other node's ``.grad`` is reset at
        the start of each call and so holds the gradient from the latest call only.
        """
        order = _topological_order(self)
        for node in order:
            if node._a is not None:
                node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):
            a = node._a
            if a is None:
                continue
            grad = node.grad
            a.grad += node._da * grad  # the chain rule, input by input
            b = node._b
            if b is not None:
                b.grad += node._db * grad


def _topological_order(root: Value) -> list[Value]:
    """``autograd.topological_order(root, parents)`` for Values, the same list, read from the slots.

    Depth first, inputs in order, each node listed after its inputs; an explicit stack (any depth works).
    An entry ``(node, True)`` lists ``node`` once the inputs pushed above it are done.
    """
    order: list[Value] = []
    seen: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    pop, push, mark = stack.pop, stack.append, seen.add
    while stack:
        node, inputs_done = pop()
        if inputs_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        mark(id(node))
        push((node, True))
        b = node._b
        if b is not None and id(b) not in seen:
            push((b, False))
        a = node._a
        if a is not None and id(a) not in seen:
            push((a, False))
    return order


def zero_grad(values: Iterable[Value]) -> None:
    """Set ``.grad`` of each of ``values`` to 0.0 (do it before a new ``backward()`` on the leaves)."""
    for v in values:
        v.grad = 0.0


def _operand(x: object, op: str) -> Value:
    """A number on the other side of ``op`` from a Value, made a leaf Value; anything else is an error."""
    if type(x) is float:
        return _node(x, "", None, 0.0)
    if isinstance(x, numbers.Real):
        return Value(x)
    raise TypeError(f"Value {op} {type(x).__name__}: a Value combines with Values and numbers, got {x!r}")


def _short(x: float) -> str:
    """``x`` to 4 significant digits, still written as a float: 0.7616, 0.0, 1e-08."""
    return repr(float(f"{x:.4g}"))
