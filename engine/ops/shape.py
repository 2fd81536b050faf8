"""Operations that move numbers around without changing them: reshape, transpose, indexing, concat, stack."""

from __future__ import annotations

import numpy as np

from ..autograd import SparseGrad
from ..function import Context, Function, ShapeError, shapes_of


class Reshape(Function):
    """a viewed with a new shape;  da = g reshaped back."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        ctx.shape = a.shape
        try:
            return a.reshape(shape)
        except ValueError:
            raise ShapeError(f"reshape: cannot reshape {a.shape} ({a.size} elements) into {shape}") from None

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return grad.reshape(ctx.shape)


class Transpose(Function):
    """a with its axes permuted (reversed by default);  da = g with the inverse permutation."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, axes: tuple[int, ...] | None = None) -> np.ndarray:
        if axes is not None:
            given, axes = axes, tuple(ax + a.ndim if ax < 0 else ax for ax in axes)
            if sorted(axes) != list(range(a.ndim)):
                raise ShapeError(f"transpose: axes {given} are not a permutation of the {a.ndim} axes of {a.shape}")
        ctx.axes = axes
        return np.transpose(a, axes)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return np.transpose(grad, None if ctx.axes is None else np.argsort(ctx.axes))


def _is_advanced(index) -> bool:
    """Whether numpy would use advanced (integer-array) indexing, under which positions can repeat."""
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, (list, np.ndarray)) for p in parts)


class GetItem(Function):
    """a[index];  da = g scattered back to the indexed positions, repeated positions summed."""

    @staticmethod
    def forward(ctx: Context, a: np.ndarray, index) -> np.ndarray:
        ctx.shape, ctx.dtype, ctx.index = a.shape, a.dtype, index
        try:
            return np.asarray(a[index])
        except IndexError as e:
            raise IndexError(f"getitem: index {index!r} does not fit shape {a.shape}: {e}") from None

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return SparseGrad(ctx.shape, ctx.dtype, ctx.index, grad, repeats=_is_advanced(ctx.index))


class Lookup(Function):
    """W[ids] for an integer array ``ids``, rows of W;  dW = g summed into the looked-up rows, except row
    ``skip`` (an embedding's padding row), which gets no gradient."""

    @staticmethod
    def forward(ctx: Context, W: np.ndarray, ids: np.ndarray, skip: int | None = None) -> np.ndarray:
        ctx.shape, ctx.dtype, ctx.ids, ctx.skip = W.shape, W.dtype, ids, skip
        return W[ids]

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        ids = ctx.ids
        if ctx.skip is not None:
            used = ids != ctx.skip
            ids, grad = ids[used], grad[used]
        return SparseGrad(ctx.shape, ctx.dtype, ids, grad, repeats=True)


class Concat(Function):
    """The inputs joined along an existing axis;  each input's grad is its slice of g."""

    @staticmethod
    def forward(ctx: Context, *arrays: np.ndarray, axis: int = 0) -> np.ndarray:
        if not arrays:
            raise ValueError("concat: needs at least one tensor")
        try:
            out = np.concatenate(arrays, axis=axis)
        except (ValueError, np.exceptions.AxisError):
            raise ShapeError(f"concat: cannot join shapes {shapes_of(*arrays)} along axis {axis}") from None
        ctx.axis = axis
        ctx.splits = np.cumsum([a.shape[axis] for a in arrays])[:-1]
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return tuple(np.split(grad, ctx.splits, axis=ctx.axis))


class Stack(Function):
    """The inputs joined along a new axis;  input i's grad is g at index i of that axis."""

    @staticmethod
    def forward(ctx: Context, *arrays: np.ndarray, axis: int = 0) -> np.ndarray:
        if not arrays:
            raise ValueError("stack: needs at least one tensor")
        try:
            out = np.stack(arrays, axis=axis)
        except (ValueError, np.exceptions.AxisError):
            raise ShapeError(f"stack: cannot stack shapes {shapes_of(*arrays)} along axis {axis}") from None
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        return tuple(np.moveaxis(grad, ctx.axis, 0))
