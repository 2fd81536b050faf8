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

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from . import autograd
from .autograd import Context

if TYPE_CHECKING:
    from .tensor import Tensor


class ShapeError(ValueError):
    """An operation got inputs whose shapes do not fit together."""


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


def set_result_type(make: Callable[[np.ndarray], Any]) -> None:
    """Tell ``apply`` how to wrap a result array (``tensor.py`` hands over ``Tensor._leaf`` on import).

    This keeps the dependency one-way: ``tensor`` imports ``function``, never the reverse.
    """
    global _new_tensor
    _new_tensor = make


def _new_tensor(data: np.ndarray) -> Any:
    raise RuntimeError("engine.function: import engine.tensor before applying a Function")


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
