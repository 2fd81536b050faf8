"""Matrix multiplication, the workhorse of every layer."""

from __future__ import annotations

import numpy as np

from ..function import Context, Function, ShapeError, unbroadcast


class MatMul(Function):
    """a @ b (numpy's matmul, batched over leading axes);  da = g b^T, db = a^T g."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 or b.ndim == 0:
            raise ShapeError(f"matmul: needs arrays of at least one dimension, got {a.shape} @ {b.shape}")
        inner_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if a.shape[-1] != inner_b:
            raise ShapeError(f"matmul: cannot multiply {a.shape} @ {b.shape}: the inner dimensions "
                             f"{a.shape[-1]} and {inner_b} differ")
        ctx.save_for_backward(a, b)
        try:
            return a @ b
        except ValueError:
            raise ShapeError(f"matmul: cannot broadcast the batch dimensions of {a.shape} @ {b.shape}") from None

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        a, b = ctx.saved
        if a.ndim == 2 and b.ndim == 2:  # the common case, without reshapes
            da = grad @ b.T if ctx.parents[0].requires_grad else None
            db = a.T @ grad if ctx.parents[1].requires_grad else None
            return da, db
        a2 = a if a.ndim > 1 else a[None, :]
        b2 = b if b.ndim > 1 else b[:, None]
        g2 = grad.reshape(np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2]) + (a2.shape[-2], b2.shape[-1]))
        da = db = None
        if ctx.parents[0].requires_grad:
            da = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if ctx.parents[1].requires_grad:
            db = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(b.shape)
        return da, db
