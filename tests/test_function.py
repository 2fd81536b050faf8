"""engine/function.py: ``Function.apply``, ``Context``, ``unbroadcast`` and the error type."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from strategies import arrays, broadcast_pairs, requiring

import engine
from engine import Context, Function, ShapeError, Tensor
from engine.function import shapes_of, unbroadcast


class Cube(Function):
    """a^3;  da = 3 g a^2 (a user-defined op, as the book has readers write)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a ** 3

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved
        return 3 * grad * a * a


class Affine(Function):
    """a * b + c with a keyword constant ``scale``;  gradients for the three tensor inputs."""

    @staticmethod
    def forward(ctx, a, b, c, scale=1.0):
        ctx.save_for_backward(a, b)
        ctx.scale = scale
        return scale * a * b + c

    @staticmethod
    def backward(ctx, grad):
        a, b = ctx.saved
        return ctx.scale * grad * b, ctx.scale * grad * a, grad


def test_apply_records_the_graph_edge():
    a, b = Tensor([2.0], requires_grad=True), Tensor([3.0])
    out = Affine.apply(a, b, b, scale=2.0)
    assert out.requires_grad and out._ctx.fn is Affine
    assert out._ctx.parents == (a, b, b) and out._ctx.scale == 2.0
    assert out.grad is None and out._ctx.retained is None
    assert out._ctx.out_shape == (1,) and out._ctx.out_dtype == np.float64


def test_apply_records_nothing_when_no_input_requires_grad():
    out = Cube.apply(Tensor([2.0]))
    assert out.data.tolist() == [8.0]
    assert out.requires_grad is False and out._ctx is None


def test_a_user_defined_function_differentiates_and_gradchecks():
    (x,) = requiring(np.array([0.5, -1.5, 2.0]))
    Cube.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad, 3 * x.data ** 2)
    a, b, c = requiring(np.array([1.0, 2.0]), np.array([-1.0, 0.5]), np.array([0.3, 0.1]))
    assert engine.gradcheck(lambda a, b, c: Affine.apply(a, b, c, scale=1.5), a, b, c).ok


def test_a_wrong_user_function_is_caught_by_gradcheck(monkeypatch):
    monkeypatch.setattr(Cube, "backward", staticmethod(lambda ctx, g: 2 * g * ctx.saved[0] ** 2))
    with pytest.raises(engine.GradcheckError, match="input 0 index"):
        engine.gradcheck(Cube.apply, Tensor([0.5, -1.5], requires_grad=True))


def test_base_class_methods_must_be_overridden():
    with pytest.raises(NotImplementedError):
        Function.apply(Tensor([1.0]))
    with pytest.raises(NotImplementedError):
        Function.backward(Context(), np.ones(1))


def test_context_keeps_saved_arrays_without_copying():
    ctx, a = Context(), np.ones(3)
    ctx.save_for_backward(a, 2)
    assert ctx.saved[0] is a and ctx.saved[1] == 2


@given(broadcast_pairs().flatmap(lambda p: arrays(p[0]).flatmap(
    lambda x: arrays(np.broadcast_shapes(*p)).map(lambda g: (x, g)))))
def test_unbroadcast_is_the_adjoint_of_broadcasting(xg):
    """<broadcast(x), g> = <x, unbroadcast(g)>: summing back is exactly what the chain rule asks."""
    x, g = xg
    back = unbroadcast(g, x.shape)
    assert np.shape(back) == x.shape
    lhs = float((np.broadcast_to(x, g.shape) * g).sum())
    rhs = float((x * back).sum())
    assert lhs == pytest.approx(rhs, rel=1e-12, abs=1e-12)
    acc = np.zeros(x.shape)  # brute force: add each element of g to the element of x it was broadcast from
    for idx in np.ndindex(g.shape):
        acc[tuple(0 if s == 1 else i for s, i in zip(x.shape, idx[g.ndim - x.ndim:]))] += g[idx]
    np.testing.assert_allclose(back, acc, rtol=1e-12, atol=1e-12)


def test_unbroadcast_check_catches_a_wrong_sum():
    g = np.arange(12.0).reshape(3, 4)
    assert unbroadcast(g, (3, 4)) is g
    np.testing.assert_array_equal(unbroadcast(g, (4,)), g.sum(0))
    np.testing.assert_array_equal(unbroadcast(g, (3, 1)), g.sum(1, keepdims=True))
    np.testing.assert_array_equal(unbroadcast(g, ()), g.sum())
    with pytest.raises(AssertionError):
        np.testing.assert_array_equal(unbroadcast(g, (3, 1)), g.mean(1, keepdims=True))


def test_shape_error_is_a_value_error_and_shapes_of_formats():
    assert issubclass(ShapeError, ValueError)
    assert shapes_of(np.ones((4, 3)), np.ones(2)) == "(4, 3) and (2,)"


def test_the_graph_keeps_no_intermediate_result_alive():
    import weakref

    x = Tensor(np.ones(3), requires_grad=True)
    a = x * 2.0  # Mul saves its inputs; nothing needs a itself
    a_ref = weakref.ref(a)
    loss = (a + 1.0).sum()
    del a
    assert a_ref() is None, "the graph kept an intermediate tensor (and its data) alive"
    loss.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])


def test_retain_grad_reaches_a_live_intermediate_only():
    x = Tensor(np.ones(3), requires_grad=True)
    h = (x * 3.0).retain_grad()
    (h * h).sum().backward()
    np.testing.assert_array_equal(h.grad, [6.0, 6.0, 6.0])
    np.testing.assert_array_equal(x.grad, [18.0, 18.0, 18.0])
