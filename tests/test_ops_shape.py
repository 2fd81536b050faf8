"""engine/ops/shape.py: reshape, transpose/T, indexing (with repeated integer indices), concat, stack."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import (
    arrays,
    assert_float32,
    assert_forward,
    basic_indices,
    integer_array_indices,
    raises_naming,
    requiring,
    shapes,
)

import engine
from engine import Tensor
from engine.ops import shape as S


@st.composite
def reshapes(draw):
    """(array, new shape): the same number of elements, maybe with one -1."""
    shape = draw(shapes())
    n = math.prod(shape)
    divisors = [d for d in range(1, n + 1) if n % d == 0]
    first = draw(st.sampled_from(divisors))
    new = draw(st.sampled_from([(n,), (first, n // first), (n // first, 1, first), (-1, first), (first, -1)]))
    return draw(arrays(shape)), new


@given(reshapes())
def test_reshape(case):
    x, new = case
    (t,) = requiring(x)
    assert_forward(t.reshape(new), x.reshape(new))
    assert_forward(t.reshape(*new), x.reshape(new))
    assert engine.gradcheck(lambda t: t.reshape(new), t).ok


@settings(max_examples=40)
@given(data=st.data())
def test_transpose_and_T(data):
    shape = data.draw(shapes())
    x = data.draw(arrays(shape))
    perm = data.draw(st.permutations(range(len(shape))))
    axes = tuple(ax - len(shape) if data.draw(st.booleans()) else ax for ax in perm)  # negative axes too
    (t,) = requiring(x)
    assert_forward(t.T, x.T)
    assert_forward(t.transpose(*axes), np.transpose(x, axes))
    assert engine.gradcheck(lambda t: t.T, t).ok
    assert engine.gradcheck(lambda t: t.transpose(*axes), t).ok


@pytest.mark.parametrize("axes", [(1, 2, 0), (2, 0, 1), (-1, 0, 1), (0, -1, -2), (2, 1, 0)], ids=str)
def test_transpose_of_three_axes_inverts_the_permutation(axes):
    """A 3-cycle is not its own inverse: the backward must undo it, not repeat it."""
    (t,) = requiring(np.arange(24.0).reshape(2, 3, 4) / 10)
    assert_forward(t.transpose(*axes), np.transpose(t.data, axes))
    assert engine.gradcheck(lambda t: t.transpose(*axes), t).ok


def test_transpose_with_negative_axes_gives_a_gradient_of_the_input_shape():
    """Regression: the backward once inverted (-1, 0) as if it were the identity."""
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = x.transpose(-1, 0)
    y.backward(np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(x.grad, np.arange(6.0).reshape(3, 2).T)


@given(data=st.data())
def test_basic_indexing(data):
    shape = data.draw(shapes(min_dims=1))
    x = data.draw(arrays(shape))
    index = data.draw(basic_indices(shape))
    (t,) = requiring(x)
    assert_forward(t[index], np.asarray(x[index]))
    assert engine.gradcheck(lambda t: t[index], t).ok


@given(data=st.data())
def test_integer_array_indexing_sums_repeated_positions(data):
    shape = data.draw(shapes(min_dims=1))
    x = data.draw(arrays(shape))
    index = data.draw(integer_array_indices(shape))
    (t,) = requiring(x)
    assert_forward(t[index], x[index])
    assert engine.gradcheck(lambda t: t[index], t).ok


def test_repeated_indices_count_every_use():
    t = Tensor(np.zeros((4, 2)), requires_grad=True)
    t[[0, 2, 0, 0, -1]].sum().backward()
    np.testing.assert_array_equal(t.grad, [[3, 3], [0, 0], [1, 1], [1, 1]])
    e = Tensor(np.zeros(5), requires_grad=True)
    ids = Tensor([[1, 1], [4, 1]])  # an index held in a Tensor, as Embedding does
    (e[ids] * Tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    np.testing.assert_array_equal(e.grad, [0, 7, 0, 0, 3])
    m = Tensor(np.zeros((2, 3)), requires_grad=True)
    m[np.array([1, 1]), np.array([2, 2])].sum().backward()
    np.testing.assert_array_equal(m.grad, [[0, 0, 0], [0, 0, 2]])


def test_indexing_out_of_range_names_the_index_and_shape():
    with raises_naming(IndexError, "getitem", "5", "(3, 2)"):
        Tensor(np.ones((3, 2)))[5]
    with raises_naming(IndexError, "getitem", "(3, 2)"):
        Tensor(np.ones((3, 2)))[[0, 3]]


@st.composite
def joinable(draw, stacking: bool):
    """Arrays that concat (equal but for ``axis``) or stack (all equal) along a drawn axis."""
    base = draw(shapes(min_dims=0 if stacking else 1))
    ndim = len(base) + (1 if stacking else 0)
    axis = draw(st.integers(-ndim, ndim - 1))
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        s = list(base)
        if not stacking:
            s[axis] = draw(st.integers(1, 3))
        parts.append(draw(arrays(tuple(s))))
    return parts, axis


@given(joinable(stacking=False))
def test_concat(case):
    parts, axis = case
    ts = requiring(*parts)
    assert_forward(engine.concat(ts, axis=axis), np.concatenate(parts, axis=axis))
    assert engine.gradcheck(lambda *ts: engine.concat(ts, axis=axis), *ts).ok


@given(joinable(stacking=True))
def test_stack(case):
    parts, axis = case
    ts = requiring(*parts)
    assert_forward(engine.stack(ts, axis=axis), np.stack(parts, axis=axis))
    assert engine.gradcheck(lambda *ts: engine.stack(ts, axis=axis), *ts).ok


def test_concat_and_stack_accept_constants_and_arrays():
    a = Tensor([[1.0, 2.0]], requires_grad=True)
    out = engine.concat([a, np.array([[3.0, 4.0]]), Tensor([[5.0, 6.0]])], axis=0)
    (out * Tensor([[1.0], [2.0], [3.0]])).sum().backward()
    np.testing.assert_array_equal(a.grad, [[1.0, 1.0]])
    b = Tensor([1.0, 2.0], requires_grad=True)
    engine.stack([b, b, np.zeros(2)], axis=1).sum().backward()
    np.testing.assert_array_equal(b.grad, [2.0, 2.0])


def test_shape_errors_name_the_op_and_the_shapes():
    with raises_naming(engine.ShapeError, "reshape", "(2, 3)", "6 elements", "(4,)"):
        Tensor(np.ones((2, 3))).reshape(4)
    with raises_naming(engine.ShapeError, "transpose", "(0, 5)", "(2, 3)"):
        Tensor(np.ones((2, 3))).transpose(0, 5)
    with raises_naming(engine.ShapeError, "transpose", "(0, 0)"):
        Tensor(np.ones((2, 3))).transpose(0, 0)
    with raises_naming(engine.ShapeError, "transpose", "(1, 0)", "(2, 3, 4)"):
        Tensor(np.ones((2, 3, 4))).transpose(1, 0)
    with raises_naming(engine.ShapeError, "concat", "(2, 3)", "(2, 4)", "axis 0"):
        engine.concat([Tensor(np.ones((2, 3))), Tensor(np.ones((2, 4)))])
    with raises_naming(engine.ShapeError, "concat", "axis 2"):
        engine.concat([Tensor(np.ones((2, 3)))], axis=2)
    with raises_naming(engine.ShapeError, "stack", "(2, 3)", "(3, 2)"):
        engine.stack([Tensor(np.ones((2, 3))), Tensor(np.ones((3, 2)))])
    with raises_naming(ValueError, "concat", "at least one"):
        engine.concat([])
    with raises_naming(ValueError, "stack", "at least one"):
        engine.stack([])


@pytest.mark.parametrize("fn", [
    lambda t: t.reshape(4, 3), lambda t: t.T, lambda t: t.transpose(1, 0), lambda t: t[1:, ::2],
    lambda t: t[[0, 0, 2]], lambda t: engine.concat([t, t], axis=1), lambda t: engine.stack([t, t * 2], -1),
], ids=["reshape", "T", "transpose", "slice", "int-array", "concat", "stack"])
def test_float32_stays_float32(fn):
    assert_float32(fn, np.arange(12.0).reshape(3, 4))


def test_gradcheck_catches_an_index_backward_that_overwrites_repeats(monkeypatch):
    def wrong(ctx, grad):  # assignment keeps only one of the repeated positions' gradients
        out = np.zeros(ctx.shape, dtype=ctx.dtype)
        out[ctx.index] = grad
        return out

    monkeypatch.setattr(S.GetItem, "backward", staticmethod(wrong))
    t = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    assert engine.gradcheck(lambda t: t[[0, 2]], t).ok  # no repeats: the bug does not show
    with pytest.raises(engine.GradcheckError, match=r"input 0 index \(0,\)"):
        engine.gradcheck(lambda t: t[[0, 2, 0]], t)


def test_transpose_takes_its_axes_as_a_tuple_too():
    x = Tensor(np.arange(6.0).reshape(1, 2, 3), requires_grad=True)
    y = x.transpose((2, 0, 1))
    assert y.shape == (3, 1, 2) and np.array_equal(y.data, np.transpose(x.data, (2, 0, 1)))
    y.sum().backward()
    assert x.grad.shape == (1, 2, 3)


@pytest.mark.parametrize("index", [(slice(None), 1), (0, slice(1, 3)), ([0, 2, 0],), (np.array([1, 1]), [0, 2])],
                         ids=["column", "row-slice", "repeated-rows", "repeated-pairs"])
def test_getitem_hands_back_a_sparse_gradient_equal_to_the_dense_one(index):
    from engine.autograd import Context, SparseGrad

    a = np.arange(12.0).reshape(3, 4)
    ctx = Context()
    out = S.GetItem.forward(ctx, a, index=index)
    grad = np.arange(1.0, out.size + 1).reshape(out.shape)
    sparse = S.GetItem.backward(ctx, grad)
    assert isinstance(sparse, SparseGrad)
    dense = np.zeros_like(a)
    np.add.at(dense, index if len(index) > 1 else index[0], grad)
    np.testing.assert_array_equal(sparse.dense(), dense)


def test_a_sequence_read_one_step_at_a_time_gets_every_step_its_gradient():
    xs = Tensor(np.random.default_rng(0).standard_normal((2, 300, 3)), requires_grad=True)
    weights = np.arange(300.0)
    total = xs[:, 0].sum() * weights[0]
    for t in range(1, 300):
        total = total + xs[:, t].sum() * weights[t]
    total.backward()
    np.testing.assert_array_equal(xs.grad, np.broadcast_to(weights[None, :, None], xs.shape))
