"""Elementwise operations, with numpy broadcasting: each backward sums its gradient back to the input's shape."""

from __future__ import annotations

import numpy as np

from ..function import Context, Function, ShapeError, unbroadcast


def _broadcast(op: str, ufunc: np.ufunc, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    try:
        return ufunc(a, b)
    except ValueError:
        raise ShapeError(f"{op}: cannot broadcast shapes {a.shape} and {b.shape}") from None


class Add(Function):
    """a + b;  da = g, db = g (summed over broadcast axes)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.shapes = a.shape, b.shape
        return _broadcast("add", np.add, a, b)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        a_shape, b_shape = ctx.shapes
        return unbroadcast(grad, a_shape), unbroadcast(grad, b_shape)


class Sub(Function):
    """a - b;  da = g, db = -g."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.shapes = a.shape, b.shape
        return _broadcast("sub", np.subtract, a, b)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        a_shape, b_shape = ctx.shapes
        return unbroadcast(grad, a_shape), unbroadcast(-grad, b_shape)


class Mul(Function):
    """a * b;  da = g b, db = g a."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return _broadcast("mul", np.multiply, a, b)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        a, b = ctx.saved
        da = unbroadcast(grad * b, a.shape) if ctx.parents[0].requires_grad else None
        db = unbroadcast(grad * a, b.shape) if ctx.parents[1].requires_grad else None
        return da, db


class Div(Function):
    """a / b;  da = g / b, db = -g a / b^2."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        ctx.save_for_backward(a, b)
        return _broadcast("div", np.divide, a, b)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        a, b = ctx.saved
        da = unbroadcast(grad / b, a.shape) if ctx.parents[0].requires_grad else None
        db = unbroadcast(-grad * a / (b * b), b.shape) if ctx.parents[1].requires_grad else None
        return da, db


class Neg(Function):
    """-a;  da = -g."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        return -a

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return -grad


class Pow(Function):
    """a ** p for a number p;  da = g p a^(p-1)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, exponent: float) -> np.ndarray:
        ctx.save_for_backward(a)
        ctx.exponent = exponent
        return a ** exponent

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        (a,) = ctx.saved
        p = ctx.exponent
        return grad * p * a ** (p - 1)


class Exp(Function):
    """exp(a);  da = g exp(a)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        (out,) = ctx.saved
        return grad * out


class Log(Function):
    """log(a), defined for a > 0;  da = g / a."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        if a.size and not (a > 0).all():
            raise ValueError(f"log: needs positive inputs, got a minimum of {a.min()} (shape {a.shape})")
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        (a,) = ctx.saved
        return grad / a


class Tanh(Function):
    """tanh(a);  da = g (1 - tanh(a)^2)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        out = np.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        (out,) = ctx.saved
        return grad * (1 - out * out)


def sigmoid(a: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(-a)), computed as (1 + tanh(a/2)) / 2, which cannot overflow."""
    return 0.5 * (1 + np.tanh(0.5 * a))


class Sigmoid(Function):
    """sigmoid(a) = 1 / (1 + exp(-a));  da = g s (1 - s)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        out = sigmoid(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        (out,) = ctx.saved
        return grad * out * (1 - out)


class ReLU(Function):
    """max(a, 0);  da = g where a > 0, 0 where a <= 0, NaN where a is NaN (NaN in, NaN out)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray) -> np.ndarray:
        out = np.maximum(a, 0)  # np.maximum propagates NaN
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        (out,) = ctx.saved
        return grad * np.sign(out)  # out >= 0, so sign(out) is 1 (a > 0), 0 (a <= 0) or NaN


class Where(Function):
    """where(mask, a, b) for a constant boolean mask: a where mask, else b (broadcasting);
    da = g where mask, else 0;  db = g where not mask, else 0.

    A selection, not a blend: ``mask * a + (1 - mask) * b`` would turn a NaN or inf in the unselected
    input into NaN (0 * NaN = NaN), in the result and in every gradient; ``where`` never reads it.
    """

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray, mask: np.ndarray) -> np.ndarray:
        try:
            out = np.where(mask, a, b)
        except ValueError:
            raise ShapeError(f"where: cannot broadcast mask {np.shape(mask)}, a {a.shape} and b {b.shape}") from None
        ctx.shapes, ctx.mask = (a.shape, b.shape), mask
        return out.astype(np.result_type(a, b), copy=False)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        a_shape, b_shape = ctx.shapes
        zero = grad.dtype.type(0)
        da = unbroadcast(np.where(ctx.mask, grad, zero), a_shape) if ctx.parents[0].requires_grad else None
        db = unbroadcast(np.where(ctx.mask, zero, grad), b_shape) if ctx.parents[1].requires_grad else None
        return da, db


class Clamp(Function):
    """min(max(a, low), high), either bound optional;  da = g where low <= a <= high, else 0 (as PyTorch).

    NaN in gives NaN out, and its gradient passes through (it is not below or above a bound).
    """

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, low: float | None = None, high: float | None = None) -> np.ndarray:
        outside = np.zeros(a.shape, dtype=bool)
        if low is not None:
            outside |= a < low
        if high is not None:
            outside |= a > high
        ctx.outside = outside
        return np.clip(a, low, high).astype(a.dtype, copy=False)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return np.where(ctx.outside, grad.dtype.type(0), grad)
