"""``Tensor``: a numpy array that remembers how it was computed, so ``backward()`` can differentiate it."""

from __future__ import annotations

import numbers
import weakref
from collections.abc import Sequence
from typing import Any

import numpy as np

from . import function
from .autograd import Context, backward_walk
from .checks import FLOAT_DTYPES, float_dtype
from .function import ShapeError
from .ops import elementwise as E
from .ops import linalg as L
from .ops import reduce as R
from .ops import shape as S


def _as_float_array(data: Any, dtype: Any) -> np.ndarray:
    if isinstance(data, Tensor):
        data = data.data
    if dtype is None:
        dtype = data.dtype if isinstance(data, np.ndarray) and data.dtype in FLOAT_DTYPES else np.float64
    dtype = float_dtype("Tensor", dtype)
    try:
        return np.array(data, dtype=dtype)
    except (TypeError, ValueError) as e:
        raise TypeError(f"Tensor: cannot make a {dtype} array from {type(data).__name__}: {e}") from None


class Tensor:
    """An n-dimensional array with automatic differentiation.

    Args:
        data: anything ``numpy.array`` accepts (copied).
        requires_grad: whether ``backward()`` should compute a gradient for this tensor.
        dtype: ``float64`` (the default) or ``float32``; a float32 array keeps its dtype.
        name: an optional label, shown by ``repr`` and ``course.viz.draw_graph``.

    Gradients: after ``loss.backward()``, every leaf tensor with ``requires_grad`` has ``.grad``, a numpy
    array of its shape. Like PyTorch, repeated ``backward()`` calls add to ``.grad`` (reset it with
    ``zero_grad()``); intermediate results keep no ``.grad`` unless ``retain_grad()`` was called on them.
    The graph is kept after ``backward()``, so calling it again adds the same gradient once more.
    """

    __slots__ = ("data", "grad", "requires_grad", "_name", "_ctx", "__weakref__")
    __array_priority__ = 1000  # ndarray <op> Tensor defers to Tensor's reflected operator

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None, name: str | None = None):
        self.data: np.ndarray = _as_float_array(data, dtype)
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(requires_grad)
        self._name = name
        self._ctx: Context | None = None  # the node that made this tensor; None for a leaf

    # ---- description -------------------------------------------------------------------------
    shape = property(lambda self: self.data.shape, doc="The shape of ``data``.")
    ndim = property(lambda self: self.data.ndim, doc="The number of dimensions.")
    dtype = property(lambda self: self.data.dtype, doc="float32 or float64.")
    size = property(lambda self: self.data.size, doc="The number of elements.")

    @property
    def name(self) -> str | None:
        """An optional label, shown by ``repr`` and ``course.viz.draw_graph``."""
        return self._name

    @name.setter
    def name(self, value: str | None) -> None:
        self._name = value
        if self._ctx is not None:
            self._ctx.name = value

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        extras = "".join([
            f", dtype={self.dtype}" if self.dtype != np.float64 else "",
            f", name={self.name!r}" if self.name else "",
            f", grad_fn={self._ctx.fn.__name__}" if self._ctx is not None
            else (", requires_grad=True" if self.requires_grad else ""),
        ])
        return f"Tensor({body}{extras})"

    def numpy(self) -> np.ndarray:
        """The data as a numpy array (the same array, not a copy)."""
        return self.data

    def item(self) -> float:
        """The value of a one-element tensor as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item(): needs a tensor with one element, got shape {self.shape}")
        return float(self.data.reshape(()))

    def detach(self) -> Tensor:
        """A tensor sharing this one's data, cut from the graph (no grad)."""
        return Tensor._leaf(self.data)

    # ---- gradients -----------------------------------------------------------------------------
    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``grad`` becomes ``None``)."""
        self.grad = None

    def retain_grad(self) -> Tensor:
        """Keep this intermediate tensor's gradient in ``.grad`` at the next ``backward()``."""
        if self._ctx is not None:
            self._ctx.retained = weakref.ref(self)
        return self

    def _accumulate(self, grad: np.ndarray) -> None:
        own = np.array(grad, dtype=self.data.dtype)  # a copy: an op may pass one array to two inputs
        self.grad = own if self.grad is None else self.grad + own

    def backward(self, grad: Any = None) -> None:
        """Compute d(self)/d(leaf) for every leaf that requires grad, adding it to ``leaf.grad``.

        Args:
            grad: the gradient of some final scalar with respect to this tensor, of this tensor's shape.
                May be omitted only when this tensor has one element (it is then 1).
        """
        if not self.requires_grad:
            raise RuntimeError(
                "backward(): this tensor does not require grad: no input of the computation that made "
                "it had requires_grad=True (or it was computed under no_grad())")
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward(): this tensor has shape {self.shape}, not one element: pass the "
                    "gradient of the final scalar with respect to it, backward(grad)")
            grad = np.ones_like(self.data)
        else:
            grad = np.asarray(grad.data if isinstance(grad, Tensor) else grad, dtype=self.dtype)
            if grad.shape != self.shape:
                raise ValueError(f"backward(): grad has shape {grad.shape}, the tensor has {self.shape}")
        backward_walk(self if self._ctx is None else self._ctx, grad)

    # ---- construction helpers --------------------------------------------------------------------
    @staticmethod
    def _leaf(array: np.ndarray) -> Tensor:
        t = Tensor.__new__(Tensor)
        t.data, t.grad, t.requires_grad, t._name, t._ctx = array, None, False, None, None
        return t

    def _lift(self, other: Any, op: str = "combine") -> Tensor:
        """Wrap a number or array as a constant tensor of this tensor's dtype; anything else is an error."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (numbers.Real, np.ndarray, np.generic, list, tuple)):
            array = np.asarray(other)
            if array.dtype.kind in "biuf":
                return Tensor._leaf(array.astype(self.data.dtype, copy=False))
        raise TypeError(f"{op}: cannot combine a Tensor of shape {self.shape} with {type(other).__name__} "
                        f"{other!r:.60}: use a Tensor, a number or a numeric array")

    # ---- arithmetic --------------------------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return E.Add.apply(self, self._lift(other, "add"))

    def __radd__(self, other: Any) -> Tensor:
        return E.Add.apply(self._lift(other, "add"), self)

    def __sub__(self, other: Any) -> Tensor:
        return E.Sub.apply(self, self._lift(other, "sub"))

    def __rsub__(self, other: Any) -> Tensor:
        return E.Sub.apply(self._lift(other, "sub"), self)

    def __mul__(self, other: Any) -> Tensor:
        return E.Mul.apply(self, self._lift(other, "mul"))

    def __rmul__(self, other: Any) -> Tensor:
        return E.Mul.apply(self._lift(other, "mul"), self)

    def __truediv__(self, other: Any) -> Tensor:
        return E.Div.apply(self, self._lift(other, "div"))

    def __rtruediv__(self, other: Any) -> Tensor:
        return E.Div.apply(self._lift(other, "div"), self)

    def __pow__(self, exponent: float) -> Tensor:
        if isinstance(exponent, Tensor):
            raise TypeError("pow: the exponent must be a number, not a Tensor")
        return E.Pow.apply(self, exponent=float(exponent))

    def __neg__(self) -> Tensor:
        return E.Neg.apply(self)

    def __matmul__(self, other: Any) -> Tensor:
        return L.MatMul.apply(self, self._lift(other, "matmul"))

    def __rmatmul__(self, other: Any) -> Tensor:
        return L.MatMul.apply(self._lift(other, "matmul"), self)

    # ---- elementwise functions ---------------------------------------------------------------------
    def tanh(self) -> Tensor:
        return E.Tanh.apply(self)

    def sigmoid(self) -> Tensor:
        return E.Sigmoid.apply(self)

    def relu(self) -> Tensor:
        return E.ReLU.apply(self)

    def clamp(self, min: float | None = None, max: float | None = None) -> Tensor:
        """Each element limited to [min, max] (either bound may be omitted); gradient 1 inside, 0 outside."""
        for which, bound in (("min", min), ("max", max)):
            if bound is not None and not (isinstance(bound, numbers.Real) and not isinstance(bound, bool)):
                raise TypeError(f"clamp: {which} must be a number or None, got {bound!r}")
        if min is None and max is None:
            raise ValueError("clamp: give min, max or both")
        if min is not None and max is not None and min > max:
            raise ValueError(f"clamp: min {min} is greater than max {max}")
        return E.Clamp.apply(self, low=min, high=max)

    def exp(self) -> Tensor:
        return E.Exp.apply(self)

    def log(self) -> Tensor:
        return E.Log.apply(self)

    # ---- reductions --------------------------------------------------------------------------------
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return R.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return R.Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return R.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return R.Min.apply(self, axis=axis, keepdims=keepdims)

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """The index of the largest element (over the flattened tensor, or along ``axis``; the first of ties).

        Not differentiable: the result is a constant float64 Tensor of whole numbers (a Tensor holds
        floats), usable as an index: ``x[x.argmax()]``.
        """
        if axis is not None and not (isinstance(axis, int) and -self.ndim <= axis < max(self.ndim, 1)):
            raise ValueError(f"argmax: axis {axis!r} is out of range for shape {self.shape}")
        if self.data.size == 0:
            raise ValueError(f"argmax: the tensor is empty (shape {self.shape})")
        return Tensor._leaf(np.argmax(self.data, axis=axis, keepdims=keepdims).astype(np.float64))

    def softmax(self, axis: int = -1) -> Tensor:
        return R.Softmax.apply(self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return R.LogSoftmax.apply(self, axis=axis)

    # ---- shapes ------------------------------------------------------------------------------------
    def reshape(self, *shape: int | Sequence[int]) -> Tensor:
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = tuple(shape[0])
        return S.Reshape.apply(self, shape=shape)

    def transpose(self, *axes: int | Sequence[int]) -> Tensor:
        if len(axes) == 1 and not isinstance(axes[0], int):
            axes = tuple(axes[0])
        return S.Transpose.apply(self, axes=axes or None)

    def squeeze(self, axis: int | tuple[int, ...] | None = None) -> Tensor:
        """Drop axes of size 1 (all of them, or the ones named; naming an axis of another size is an error)."""
        if axis is None:
            shape = tuple(n for n in self.shape if n != 1)
        else:
            axes = axis if isinstance(axis, tuple) else (axis,)
            norm = []
            for ax in axes:
                if not (isinstance(ax, int) and -self.ndim <= ax < self.ndim):
                    raise ValueError(f"squeeze: axis {ax!r} is out of range for shape {self.shape}")
                if self.shape[ax] != 1:
                    raise ShapeError(f"squeeze: axis {ax} of shape {self.shape} has size {self.shape[ax]}, not 1")
                norm.append(ax % self.ndim)
            shape = tuple(n for i, n in enumerate(self.shape) if i not in norm)
        return S.Reshape.apply(self, shape=shape)

    def unsqueeze(self, axis: int) -> Tensor:
        """Insert an axis of size 1 at position ``axis`` (negative counts from the end of the result)."""
        if not (isinstance(axis, int) and -self.ndim - 1 <= axis <= self.ndim):
            raise ValueError(f"unsqueeze: axis {axis!r} is out of range for a result of {self.ndim + 1} axes "
                             f"(input shape {self.shape})")
        shape = list(self.shape)
        shape.insert(axis % (self.ndim + 1), 1)
        return S.Reshape.apply(self, shape=tuple(shape))

    @property
    def T(self) -> Tensor:
        """The transpose (all axes reversed)."""
        return S.Transpose.apply(self, axes=None)

    def __getitem__(self, index: Any) -> Tensor:
        if isinstance(index, Tensor):
            index = _int_index(index)
        elif isinstance(index, tuple):
            index = tuple(_int_index(p) if isinstance(p, Tensor) else p for p in index)
        return S.GetItem.apply(self, index=index)


def _int_index(index: Tensor) -> np.ndarray:
    """A Tensor used as an index (it holds floats): whole numbers become integers, anything else is refused."""
    data = index.data
    whole = np.isfinite(data) & (data == np.round(data))
    if not whole.all():
        bad = data[~whole].flat[0]
        raise IndexError(f"getitem: an index Tensor must hold whole numbers, got {float(bad)!r} "
                         f"(index shape {index.shape}); a fraction would be truncated silently")
    return data.astype(np.intp)


def where(mask: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``mask`` is true, else ``b`` (numpy broadcasting); the unselected side is never read,
    so a NaN or inf there reaches neither the result nor any gradient. ``mask`` is a constant."""
    m = mask.data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != bool:
        raise TypeError(f"where: mask must be boolean, got dtype {m.dtype}")
    ta = a if isinstance(a, Tensor) else None
    tb = b if isinstance(b, Tensor) else None
    ref = ta if ta is not None else tb
    if ref is None:
        raise TypeError("where: a or b must be a Tensor")
    return E.Where.apply(ref._lift(a, "where"), ref._lift(b, "where"), mask=m)


def concat(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis (``numpy.concatenate``)."""
    return S.Concat.apply(*[_tensor(t) for t in tensors], axis=axis)


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along a new axis (``numpy.stack``)."""
    return S.Stack.apply(*[_tensor(t) for t in tensors], axis=axis)


def _tensor(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


function.set_result_type(Tensor._leaf)  # results of Function.apply are Tensors (see function.py)
