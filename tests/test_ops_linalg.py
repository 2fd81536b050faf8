"""engine/ops/linalg.py: ``a @ b`` for vectors, matrices and broadcast stacks of matrices."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from strategies import arrays, assert_float32, assert_forward, matmul_shapes, raises_naming, requiring

import engine
from engine import Tensor
from engine.ops import linalg as L


@settings(max_examples=40)
@given(matmul_shapes().flatmap(lambda s: arrays(s[0]).flatmap(lambda a: arrays(s[1]).map(lambda b: (a, b)))))
def test_matmul_gradchecks_and_matches_numpy(ab):
    a, b = requiring(*ab)
    assert_forward(a @ b, ab[0] @ ab[1])
    assert engine.gradcheck(lambda a, b: a @ b, a, b).ok


@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((4,), (4, 2)), ((3, 4), (4,)), ((4,), (4,)),
                                    ((2, 3, 4), (4, 5)), ((4, 5), (2, 3, 5, 2)), ((2, 1, 3, 4), (5, 4, 2)),
                                    ((4,), (2, 4, 3)), ((2, 3, 4), (4,))], ids=str)
def test_matmul_named_cases(shapes):
    rng = np.random.default_rng(2)
    a_np, b_np = rng.standard_normal(shapes[0]), rng.standard_normal(shapes[1])
    a, b = requiring(a_np, b_np)
    out = a @ b
    assert_forward(out, a_np @ b_np)
    out.backward(np.ones(out.shape))
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    assert engine.gradcheck(lambda a, b: a @ b, a, b).ok


def test_matmul_with_one_constant_side_and_reflected_ndarray():
    a_np, w_np = np.arange(6.0).reshape(2, 3) / 5, np.linspace(-1, 1, 12).reshape(3, 4)
    (w,) = requiring(w_np)
    assert_forward(a_np @ w, a_np @ w_np)
    assert engine.gradcheck(lambda w: a_np @ w, w).ok
    assert engine.gradcheck(lambda w: w.T @ a_np.T, w).ok
    (a,) = requiring(a_np)
    assert engine.gradcheck(lambda a: a @ w_np, a).ok
    x, c = Tensor(a_np, requires_grad=True), Tensor(w_np)
    (x @ c).sum().backward()
    assert c.grad is None
    np.testing.assert_allclose(x.grad, np.ones((2, 4)) @ w_np.T, rtol=1e-15)


def test_mismatched_inner_dimensions_name_matmul_and_both_shapes():
    with raises_naming(engine.ShapeError, "matmul", "(4, 3)", "(4, 3)"):
        Tensor(np.ones((4, 3))) @ Tensor(np.ones((4, 3)))
    with raises_naming(engine.ShapeError, "matmul", "(3,)", "(2, 4)"):
        Tensor(np.ones(3)) @ np.ones((2, 4))
    with raises_naming(engine.ShapeError, "matmul", "(2, 3, 4)", "(5,)"):
        Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones(5))


def test_matmul_batch_mismatch_and_scalars_are_named():
    with raises_naming(engine.ShapeError, "matmul", "batch", "(2, 3, 4)", "(5, 4, 2)"):
        Tensor(np.ones((2, 3, 4))) @ Tensor(np.ones((5, 4, 2)))
    with raises_naming(engine.ShapeError, "matmul", "()", "(3,)"):
        Tensor(2.0) @ Tensor(np.ones(3))


@pytest.mark.parametrize("shapes", [((3, 4), (4, 2)), ((2, 3, 4), (4,)), ((4,), (2, 4, 3))], ids=str)
def test_matmul_keeps_float32(shapes):
    assert_float32(lambda a, b: a @ b, np.ones(shapes[0]), np.ones(shapes[1]))


def test_gradcheck_catches_a_transposed_matmul_backward(monkeypatch):
    def wrong(ctx, grad):  # forgets the transpose: a shape-compatible but wrong gradient for square inputs
        a, b = ctx.saved
        return grad @ b, a @ grad

    monkeypatch.setattr(L.MatMul, "backward", staticmethod(wrong))
    a, b = requiring(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.5, -1.0], [2.0, 0.25]]))
    with pytest.raises(engine.GradcheckError, match=r"input [01] index \(\d, \d\)"):
        engine.gradcheck(lambda a, b: a @ b, a, b)
