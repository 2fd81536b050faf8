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
from operator import attrgetter

from .autograd import is_grad_enabled, topological_order

_inputs = attrgetter("_prev")  # autograd.parents for a Value, without its type test (the hot path)


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

    __slots__ = ("data", "grad", "label", "_prev", "_op", "_local", "__weakref__")

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
        if _prev and not is_grad_enabled():
            _prev, _op, _local = (), "", ()
        self.data = data
        self.grad = 0.0
        self.label = label
        self._prev = _prev  # the input Values this one was computed from; () for a leaf
        self._op = _op  # the operation that made it: '+', '*', 'tanh', ...; '' for a leaf
        self._local = _local  # d(self)/d(input) for each input, in the order of _prev

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={_short(self.data)}, grad={_short(self.grad)}{label})"

    # ---- operations: the forward result and its local derivatives, side by side ----

    def __add__(self, other: Value | float) -> Value:
        """a + b;  d/da = 1, d/db = 1."""
        other = other if isinstance(other, Value) else _operand(other, "+")
        return Value(self.data + other.data, "", (self, other), "+", (1.0, 1.0))

    def __sub__(self, other: Value | float) -> Value:
        """a - b;  d/da = 1, d/db = -1."""
        other = other if isinstance(other, Value) else _operand(other, "-")
        return Value(self.data - other.data, "", (self, other), "-", (1.0, -1.0))

    def __mul__(self, other: Value | float) -> Value:
        """a * b;  d/da = b, d/db = a."""
        other = other if isinstance(other, Value) else _operand(other, "*")
        return Value(self.data * other.data, "", (self, other), "*", (other.data, self.data))

    def __truediv__(self, other: Value | float) -> Value:
        """a / b;  d/da = 1/b, d/db = -a/b**2."""
        other = other if isinstance(other, Value) else _operand(other, "/")
        if other.data == 0.0:
            raise ZeroDivisionError(f"division by zero: {self!r} / {other!r}")
        b = other.data
        return Value(self.data / b, "", (self, other), "/", (1.0 / b, -self.data / (b * b)))

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
        return Value(out, "", (self,), f"**{n}", (local,))

    def __rpow__(self, base: float) -> Value:
        """Refuse base ** a for a Value exponent a, with a way to write it."""
        raise TypeError(f"{base!r} ** {self!r}: the exponent must be a number; write (a * log(base)).exp()")

    def __neg__(self) -> Value:
        """-a;  d/da = -1."""
        return Value(-self.data, "", (self,), "neg", (-1.0,))

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
        return Value(t, "", (self,), "tanh", (1.0 - t * t,))

    def exp(self) -> Value:
        """e**a;  d/da = e**a."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"exp of {self!r} overflows a float (exp(709.78) is the largest)") from None
        return Value(e, "", (self,), "exp", (e,))

    def log(self) -> Value:
        """ln(a) for a > 0;  d/da = 1/a."""
        a = self.data
        if a <= 0.0:
            raise ValueError(f"log of {self!r}: the logarithm needs a positive number, got {a!r}")
        return Value(math.log(a), "", (self,), "log", (1.0 / a,))

    def relu(self) -> Value:
        """max(a, 0);  d/da = 1 if a > 0 else 0; NaN in gives NaN out, and a NaN derivative."""
        a = self.data
        if a != a:  # NaN: a comparison would silently give 0
            return Value(a, "", (self,), "relu", (a,))
        return Value(a if a > 0.0 else 0.0, "", (self,), "relu", (1.0 if a > 0.0 else 0.0,))

    def sigmoid(self) -> Value:
        """1 / (1 + e**-a);  d/da = s * (1 - s)."""
        a = self.data
        if a >= 0.0:
            s = 1.0 / (1.0 + math.exp(-a))
        else:  # e**a / (1 + e**a): e**-a would overflow for a < -709
            e = math.exp(a)
            s = e / (1.0 + e)
        return Value(s, "", (self,), "sigmoid", (s * (1.0 - s),))

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
        order = topological_order(self, _inputs)
        for node in order:
            if node._prev:
                node.grad = 0.0
        self.grad += 1.0
        for node in reversed(order):
            grad = node.grad
            for parent, local in zip(node._prev, node._local):
                parent.grad += local * grad  # the chain rule


def zero_grad(values: Iterable[Value]) -> None:
    """Set ``.grad`` of each of ``values`` to 0.0 (do it before a new ``backward()`` on the leaves)."""
    for v in values:
        v.grad = 0.0


def _operand(x: object, op: str) -> Value:
    """A number on the other side of ``op`` from a Value, made a leaf Value; anything else is an error."""
    if isinstance(x, numbers.Real):
        return Value(x)
    raise TypeError(f"Value {op} {type(x).__name__}: a Value combines with Values and numbers, got {x!r}")


def _short(x: float) -> str:
    """``x`` to 4 significant digits, still written as a float: 0.7616, 0.0, 1e-08."""
    return repr(float(f"{x:.4g}"))
