"""Hypothesis strategies for the tensor engine's tests, and the few checks every op test shares.

Values are bounded (and kept away from kinks where an op has one) so that central differences in
float64 are accurate to far better than ``gradcheck``'s tolerance: a failure means a wrong backward.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Sequence

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine import Tensor
from engine.autograd import Context, node_of, parents, topological_order

# ---- shapes -------------------------------------------------------------------------------------


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1, max_side: int = 4) -> st.SearchStrategy:
    """Array shapes, small enough that a gradcheck (two forward passes per element) stays fast."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def broadcast_pairs(max_dims: int = 3, max_side: int = 3) -> st.SearchStrategy:
    """Pairs of shapes numpy can broadcast together, in both directions and with size-1 axes."""
    return hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=max_dims, max_side=max_side
                                             ).map(lambda b: b.input_shapes)


@st.composite
def incompatible_pairs(draw) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Pairs of shapes numpy cannot broadcast: some trailing axis differs and neither side is 1."""
    a = draw(shapes(min_dims=1, max_dims=3, min_side=2))
    b = list(a[draw(st.integers(0, len(a) - 1)):])
    b[-1] = a[-1] + draw(st.integers(1, 3))
    return a, tuple(b)


# ---- arrays -------------------------------------------------------------------------------------


def floats(lo: float = -2.0, hi: float = 2.0) -> st.SearchStrategy:
    """Finite float64 numbers in [lo, hi]."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def arrays(shape: tuple[int, ...] | st.SearchStrategy, lo: float = -2.0, hi: float = 2.0) -> st.SearchStrategy:
    """float64 arrays with values in [lo, hi]."""
    return hnp.arrays(np.float64, shape, elements=floats(lo, hi))


def away_from_zero(shape: tuple[int, ...] | st.SearchStrategy, gap: float = 0.25,
                   hi: float = 2.0) -> st.SearchStrategy:
    """float64 arrays with |values| in [gap, hi], either sign: for relu's kink and for divisors."""
    magnitudes = hnp.arrays(np.float64, shape, elements=floats(gap, hi))
    return magnitudes.flatmap(lambda m: hnp.arrays(np.bool_, m.shape).map(lambda neg: np.where(neg, -m, m)))


@st.composite
def distinct_arrays(draw, shape: tuple[int, ...] | st.SearchStrategy, gap: float = 0.25) -> np.ndarray:
    """float64 arrays whose values are pairwise at least ``gap`` apart: ``max`` has no ties there."""
    if not isinstance(shape, tuple):
        shape = draw(shape)
    n = math.prod(shape)
    order = draw(st.permutations(range(n)))
    jitter = draw(hnp.arrays(np.float64, n, elements=floats(0.0, gap / 4)))
    return ((np.array(order, dtype=np.float64) - n / 2) * gap + jitter).reshape(shape)


def shaped_arrays(shape_strategy: st.SearchStrategy | None = None, **bounds) -> st.SearchStrategy:
    """An array of a drawn shape (the usual two-step draw as one strategy)."""
    return (shape_strategy or shapes()).flatmap(lambda s: arrays(s, **bounds))


# ---- reductions and indices ---------------------------------------------------------------------


@st.composite
def axes_for(draw, shape: tuple[int, ...]) -> int | tuple[int, ...] | None:
    """An ``axis`` argument valid for ``shape``: None, one axis (maybe negative), or a tuple of axes."""
    ndim = len(shape)
    if ndim == 0:
        return None
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    chosen = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(ax - ndim if draw(st.booleans()) else ax for ax in chosen)


def basic_indices(shape: tuple[int, ...]) -> st.SearchStrategy:
    """ints, slices (any step), Ellipsis and None: numpy's basic indexing, which gives views."""
    return hnp.basic_indices(shape, min_dims=0, allow_ellipsis=True, allow_newaxis=True)


@st.composite
def integer_array_indices(draw, shape: tuple[int, ...]):
    """Advanced indices on the first axis (maybe negative, usually repeated), alone or with a slice."""
    n = shape[0]
    rows = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=2 * n + 2))
    form = draw(st.sampled_from(["list", "array", "tuple"] if len(shape) > 1 else ["list", "array"]))
    if form == "list":
        return rows
    if form == "array":
        return np.array(rows, dtype=np.intp).reshape(draw(st.sampled_from([(len(rows),), (1, len(rows))])))
    return (np.array(rows), slice(None, None, draw(st.sampled_from([1, -1]))))


# ---- matmul -------------------------------------------------------------------------------------


@st.composite
def matmul_shapes(draw) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Shapes for ``a @ b``: vector and matrix operands, and stacks of matrices broadcast together."""
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    left = draw(st.sampled_from(["vector", "matrix", "batch"]))
    right = draw(st.sampled_from(["vector", "matrix", "batch"]))
    batch = draw(shapes(min_dims=1, max_dims=2, max_side=3))
    a = {"vector": (k,), "matrix": (n, k), "batch": batch + (n, k)}[left]
    b_batch = tuple(1 if draw(st.booleans()) else s for s in batch)[draw(st.integers(0, len(batch))):]
    b = {"vector": (k,), "matrix": (k, m), "batch": b_batch + (k, m)}[right]
    return a, b


# ---- cross-entropy ------------------------------------------------------------------------------


@st.composite
def classification(draw, leading: tuple[int, ...] | None = None):
    """(logits, targets): logits of shape leading + (C,), integer targets of shape ``leading``."""
    if leading is None:
        ndim = draw(st.sampled_from([1, 2]))  # (N, C) or (B, T, C)
        leading = draw(shapes(min_dims=ndim, max_dims=ndim, max_side=4))
    c = draw(st.integers(1, 5))
    logits = draw(arrays(leading + (c,), lo=-4.0, hi=4.0))
    targets = draw(hnp.arrays(np.int64, leading, elements=st.integers(0, c - 1)))
    return logits, targets


# ---- shared checks ------------------------------------------------------------------------------


def assert_forward(t: Tensor, expected: np.ndarray, rtol: float = 0.0, atol: float = 0.0) -> None:
    """``t.data`` equals the numpy ``expected`` in shape, dtype and value (exactly, unless told)."""
    assert isinstance(t, Tensor), f"expected a Tensor, got {type(t).__name__}"
    expected = np.asarray(expected)
    assert t.shape == expected.shape, f"shape {t.shape}, numpy gives {expected.shape}"
    assert t.dtype == expected.dtype, f"dtype {t.dtype}, numpy gives {expected.dtype}"
    np.testing.assert_allclose(t.data, expected, rtol=rtol, atol=atol)


def assert_float32(fn: Callable[..., Tensor], *arrays: np.ndarray) -> None:
    """float32 in, float32 out: the result, every op's backward in the graph, and the leaf gradients."""
    xs = [Tensor(np.asarray(a, dtype=np.float32), requires_grad=True) for a in arrays]
    out = fn(*xs)
    assert out.dtype == np.float32, f"forward gave {out.dtype}"
    for node in topological_order(node_of(out), parents):
        if not isinstance(node, Context):
            continue
        shape, dtype = node.out_shape, node.out_dtype
        assert dtype == np.float32, f"{node.fn.__name__} forward gave {dtype}"
        grads = node.fn.backward(node, np.ones(shape, dtype=dtype))
        for i, g in enumerate(grads if isinstance(grads, tuple) else (grads,)):
            parent = node.parents[i]
            parent_dtype = parent.out_dtype if isinstance(parent, Context) else parent.dtype
            if g is not None and parent_dtype == np.float32:
                assert g.dtype == np.float32, \
                    f"{node.fn.__name__}.backward gave a {g.dtype} gradient for input {i}"
    out.backward(np.ones_like(out.data))
    for i, x in enumerate(xs):
        assert x.grad is not None and x.grad.dtype == np.float32, f"input {i} has grad {x.grad!r}"
        assert x.grad.shape == x.shape


@contextlib.contextmanager
def raises_naming(exc: type[BaseException], *words: str) -> Iterator[pytest.ExceptionInfo]:
    """Expect ``exc`` with a message containing every one of ``words`` (op name, shapes, values)."""
    with pytest.raises(exc) as info:
        yield info
    message = str(info.value)
    missing = [w for w in words if w not in message]
    assert not missing, f"the message {message!r} does not name {missing}"


def assert_topological(order: Sequence, parents: Callable) -> None:
    """Each node appears once, after every one of its parents; every parent of a listed node is listed."""
    position: dict[int, int] = {}
    for i, node in enumerate(order):
        assert id(node) not in position, f"{node!r} is listed twice"
        position[id(node)] = i
    for node in order:
        for p in parents(node):
            assert id(p) in position, f"{p!r}, a parent of {node!r}, is missing"
            assert position[id(p)] < position[id(node)], f"{p!r} comes after its child {node!r}"


def requiring(*arrays: np.ndarray) -> list[Tensor]:
    """float64 tensors that require grad, one per array."""
    return [Tensor(a, requires_grad=True) for a in arrays]
