"""``Function``: one differentiable operation of the tensor engine, forward and backward side by side.

An op is a subclass with two static methods working on plain numpy arrays::

    class Mul(Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, grad):
            a, b = ctx.saved
            return unbroadcast(grad * b, a.shape), unbroadcast(grad * a, b.shape)

and ``Tensor`` methods call it explicitly: ``Mul.apply(self, other)``. ``apply`` unwraps the tensors,
runs ``forward``, and, when a gradient is wanted, records the inputs and the context on the result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import weakref

import numpy as np

from . import autograd

if TYPE_CHECKING:
    from .tensor import Tensor


class ShapeError(ValueError):
    """An operation got inputs whose shapes do not fit together."""


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
        self.fn: type[Function] | None = None
        self.out_shape: tuple[int, ...] = ()  # the result's shape and dtype, kept without its data
        self.out_dtype: np.dtype | None = None
        self.name: str | None = None
        self.retained: weakref.ref | None = None  # the result tensor, if it asked for its gradient

    @property
    def _ctx(self) -> Context:
        """The node itself: a context answers ``node._ctx.parents`` just as a result tensor does."""
        return self

    def save_for_backward(self, *arrays: Any) -> None:
        """Keep arrays for ``backward`` (they are not copied: ops must not modify them in place)."""
        self.saved = arrays


class Function:
    """Base class of the tensor engine's differentiable operations."""

    @staticmethod
    def forward(ctx: Context, *args: Any, **kwargs: Any) -> np.ndarray:
        raise NotImplementedError

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray) -> np.ndarray | tuple[np.ndarray | None, ...]:
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs: Tensor, **kwargs: Any) -> Tensor:
        """Run ``forward`` on the inputs' arrays; record the graph edge if any input requires grad.

        Positional arguments are Tensors (their gradients are returned by ``backward`` in the same
        order, and ``ctx.parents[i].requires_grad`` says whether input i needs one); keyword arguments
        are constants (axes, shapes, indices).
        """
        ctx = Context()
        data = cls.forward(ctx, *[t.data for t in inputs], **kwargs)
        out = _new_tensor(data)
        if autograd._grad_enabled:
            for t in inputs:
                if t.requires_grad:
                    ctx.fn, ctx.out_shape, ctx.out_dtype = cls, data.shape, data.dtype
                    ctx.parents = tuple(x if x._ctx is None else x._ctx for x in inputs)
                    out.requires_grad = True
                    out._ctx = ctx
                    break
        return out


def _new_tensor(data: np.ndarray) -> Tensor:
    from .tensor import Tensor  # bound here at first use: tensor.py imports this module

    global _new_tensor
    _new_tensor = Tensor._leaf
    return Tensor._leaf(data)


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


def unbroadcast(grad: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``grad`` over the axes numpy broadcast, so it takes the input's ``shape`` again."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    if extra:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad


def shapes_of(*arrays: Any) -> str:
    """``(4, 3) and (4, 3)``: the shapes of the arrays, for error messages."""
    return " and ".join(str(np.shape(a)) for a in arrays)
