"""Reductions along axes (sum, mean, max) and the normalisations built on them (softmax, log-softmax)."""

from __future__ import annotations

import numpy as np

from ..function import Context, Function


def _check_axis(op: str, shape: tuple[int, ...], axis) -> None:
    axes = () if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    for ax in axes:
        if not -len(shape) <= ax < len(shape):
            raise ValueError(f"{op}: axis {ax} is out of range for shape {shape}")


def _expand(grad: np.ndarray, shape: tuple[int, ...], axis, keepdims: bool) -> np.ndarray:
    """Give a reduced gradient its reduced axes back (as size 1), ready to broadcast to ``shape``."""
    if keepdims or axis is None:
        return grad.reshape([1] * len(shape)) if axis is None else grad
    axes = axis if isinstance(axis, tuple) else (axis,)
    return np.expand_dims(grad, tuple(ax % len(shape) for ax in axes))


class Sum(Function):
    """sum of a over axis;  da = g broadcast back over the summed axes."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
        _check_axis("sum", a.shape, axis)
        ctx.shape, ctx.axis, ctx.keepdims = a.shape, axis, keepdims
        return np.asarray(a.sum(axis=axis, keepdims=keepdims))

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return np.broadcast_to(_expand(grad, ctx.shape, ctx.axis, ctx.keepdims), ctx.shape)


class Mean(Function):
    """mean of a over axis (n elements each);  da = g / n broadcast back."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
        _check_axis("mean", a.shape, axis)
        if a.size == 0:
            raise ValueError(f"mean: the tensor is empty (shape {a.shape})")
        ctx.shape, ctx.axis, ctx.keepdims = a.shape, axis, keepdims
        out = np.asarray(a.mean(axis=axis, keepdims=keepdims))
        ctx.count = a.size // max(out.size, 1)
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        g = _expand(grad, ctx.shape, ctx.axis, ctx.keepdims) / ctx.count
        return np.broadcast_to(g, ctx.shape)


class Max(Function):
    """max of a over axis;  da = g at the maximum (shared equally among ties), 0 elsewhere."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
        _check_axis("max", a.shape, axis)
        if a.size == 0:
            raise ValueError(f"max: the tensor is empty (shape {a.shape})")
        out = np.asarray(a.max(axis=axis, keepdims=keepdims))
        ctx.save_for_backward(a, out)
        ctx.axis, ctx.keepdims = axis, keepdims
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        a, out = ctx.saved
        hit = a == _expand(out, a.shape, ctx.axis, ctx.keepdims)
        share = hit / hit.sum(axis=ctx.axis, keepdims=True, dtype=a.dtype)
        return share * _expand(grad, a.shape, ctx.axis, ctx.keepdims)


class Min(Function):
    """min of a over axis;  da = g at the minimum (shared equally among ties), 0 elsewhere."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, axis=None, keepdims: bool = False) -> np.ndarray:
        _check_axis("min", a.shape, axis)
        if a.size == 0:
            raise ValueError(f"min: the tensor is empty (shape {a.shape})")
        out = np.asarray(a.min(axis=axis, keepdims=keepdims))
        ctx.save_for_backward(a, out)
        ctx.axis, ctx.keepdims = axis, keepdims
        return out

    backward = Max.backward


class Softmax(Function):
    """s = exp(a) / sum exp(a) along axis;  da = s (g - sum(g s))."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, axis: int = -1) -> np.ndarray:
        _check_axis("softmax", a.shape, axis)
        e = np.exp(a - a.max(axis=axis, keepdims=True))
        out = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        (s,) = ctx.saved
        return s * (grad - (grad * s).sum(axis=ctx.axis, keepdims=True))


def log_softmax(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """a - log sum exp(a) along axis, shifted by the maximum so that exp cannot overflow."""
    shifted = a - a.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


class LogSoftmax(Function):
    """a - log sum exp(a) along axis;  da = g - softmax(a) sum(g)."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, axis: int = -1) -> np.ndarray:
        _check_axis("log_softmax", a.shape, axis)
        out = log_softmax(a, axis)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        (out,) = ctx.saved
        return grad - np.exp(out) * grad.sum(axis=ctx.axis, keepdims=True)
