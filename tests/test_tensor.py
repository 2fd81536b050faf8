"""engine/tensor.py: construction, the backward machinery, operator dispatch and its error messages."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, assert_float32, assert_forward, broadcast_pairs, raises_naming, requiring, shapes

import engine
from engine import Tensor

# ---- construction -------------------------------------------------------------------------------


def test_float64_by_default_float32_kept_and_data_copied():
    src = np.array([1.0, 2.0], dtype=np.float32)
    t = Tensor(src)
    assert t.dtype == np.float32 and not t.requires_grad and t.grad is None
    src[0] = 9.0
    assert t.data[0] == 1.0
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor(3).shape == () and Tensor(3).ndim == 0
    assert Tensor(src, dtype=np.float64).dtype == np.float64
    assert Tensor(np.ones((2, 3)), dtype="float32").dtype == np.float32
    t2 = Tensor(t)
    assert t2.data is not t.data and t2.dtype == np.float32


def test_properties_and_conversions():
    t = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, name="w")
    assert (t.shape, t.ndim, t.size, len(t)) == ((2, 3), 2, 6, 2)
    assert t.numpy() is t.data
    assert Tensor([[2.5]]).item() == 2.5 and isinstance(Tensor([[2.5]]).item(), float)
    assert "name='w'" in repr(t) and "requires_grad=True" in repr(t)
    assert "grad_fn=Mul" in repr(t * 2) and "dtype=float32" in repr(Tensor([1.0], dtype=np.float32))


def test_bad_construction_errors_say_what_is_wrong():
    with raises_naming(TypeError, "Tensor", "float32 or float64", "int64"):
        Tensor([1, 2], dtype=np.int64)
    with raises_naming(TypeError, "Tensor", "float64", "list"):
        Tensor([[1.0, 2.0], [3.0]])
    with raises_naming(TypeError, "Tensor", "str"):
        Tensor("abc")
    with raises_naming(ValueError, "item()", "(2,)"):
        Tensor([1.0, 2.0]).item()


def test_the_message_check_can_fail():
    with pytest.raises(AssertionError, match="does not name"):
        with raises_naming(TypeError, "Tensor", "float16"):
            Tensor([1, 2], dtype=np.int64)


# ---- backward: accumulation, fan-out, retained gradients ----------------------------------------


def test_fan_out_sums_the_gradients():
    x = Tensor([1.5, -2.0], requires_grad=True)
    (x * 2 + x * 3 + x).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, 6.0])
    y = Tensor([1.5, -2.0], requires_grad=True)
    (y * y * y).sum().backward()
    np.testing.assert_allclose(y.grad, 3 * y.data ** 2, rtol=1e-15)


def test_repeated_backward_accumulates_and_zero_grad_resets():
    a, b = requiring(np.array([0.5, -1.0, 2.0]), np.array([[1.0], [3.0]]))
    loss = (a * b).tanh().sum()
    loss.backward()
    first = a.grad.copy(), b.grad.copy()
    loss.backward()
    np.testing.assert_array_equal(a.grad, 2 * first[0])
    np.testing.assert_array_equal(b.grad, 2 * first[1])
    a.zero_grad()
    assert a.grad is None
    loss.backward()
    np.testing.assert_array_equal(a.grad, first[0])
    np.testing.assert_array_equal(b.grad, 3 * first[1])


def test_intermediates_keep_no_grad_unless_retained():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    z = y.exp()
    z.retain_grad()
    loss = z.sum()
    loss.backward()
    assert y.grad is None and loss.grad is None
    np.testing.assert_array_equal(z.grad, [1.0, 1.0])
    np.testing.assert_allclose(x.grad, 3 * np.exp(3 * x.data), rtol=1e-15)
    assert y.retain_grad() is y


def test_backward_with_an_explicit_gradient():
    x = Tensor([[1.0, 2.0]], requires_grad=True)
    y = x * 4
    y.backward(np.array([[0.5, -1.0]]))
    np.testing.assert_array_equal(x.grad, [[2.0, -4.0]])
    y.backward(Tensor([[1.0, 1.0]]))
    np.testing.assert_array_equal(x.grad, [[6.0, 0.0]])


def test_leaf_gradients_are_independent_writable_arrays():
    a, b = requiring(np.ones(3), np.ones(3))
    (a + b).sum().backward()
    assert a.grad is not b.grad and a.grad.flags.writeable
    a.grad += 1
    np.testing.assert_array_equal(b.grad, np.ones(3))
    x = Tensor(np.ones((2, 2)), requires_grad=True)
    x.sum().backward()  # sum's backward broadcasts: the leaf still gets an array of its own
    x.grad[0, 0] = 5
    np.testing.assert_array_equal(x.grad, [[5, 1], [1, 1]])


def test_a_leaf_that_is_the_output_gets_its_own_gradient():
    x = Tensor(2.0, requires_grad=True)
    x.backward()
    assert x.grad == 1.0


def test_ten_thousand_step_recurrence_backpropagates_exactly():
    """h = tanh(h w + x) unrolled 10,000 times: no RecursionError, and the gradient of a hand-written BPTT."""
    w0, x0 = np.array([0.9, -0.7, 1.1]), np.array([0.1, 0.2, -0.3])
    w, x = requiring(w0, x0)
    h = Tensor(np.zeros(3))
    steps = 10_000
    for _ in range(steps):
        h = (h * w + x).tanh()
    h.sum().backward()
    hs = [np.zeros(3)]
    for _ in range(steps):
        hs.append(np.tanh(hs[-1] * w0 + x0))
    gh, gw, gx = np.ones(3), np.zeros(3), np.zeros(3)
    for t in range(steps, 0, -1):
        gz = gh * (1 - hs[t] * hs[t])
        gw += gz * hs[t - 1]
        gx += gz
        gh = gz * w0
    np.testing.assert_allclose(h.data, hs[-1], rtol=1e-14)
    np.testing.assert_allclose(w.grad, gw, rtol=1e-12)
    np.testing.assert_allclose(x.grad, gx, rtol=1e-12)


def test_detach_shares_data_and_cuts_the_graph():
    x = Tensor([2.0, 3.0], requires_grad=True)
    d = x.detach()
    assert d.data is x.data and not d.requires_grad and d._ctx is None
    (d * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 3.0])  # d counted as a constant
    assert (x * 2).detach()._ctx is None


# ---- backward errors ----------------------------------------------------------------------------


def test_backward_on_a_non_scalar_without_grad_says_so():
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with raises_naming(RuntimeError, "backward()", "(2, 3)", "backward(grad)"):
        y.backward()


def test_backward_with_a_wrong_shaped_grad_names_both_shapes():
    y = Tensor(np.ones((2, 3)), requires_grad=True) * 2
    with raises_naming(ValueError, "backward()", "(3, 2)", "(2, 3)"):
        y.backward(np.ones((3, 2)))


def test_backward_on_a_tensor_that_does_not_require_grad_says_so():
    with raises_naming(RuntimeError, "backward()", "does not require grad"):
        (Tensor([1.0]) * 2).sum().backward()


# ---- operators: dispatch, reflected forms, broadcasting ------------------------------------------

BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
}


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("left", ["tensor", "ndarray", "float", "numpy scalar"])
def test_every_operand_kind_on_either_side(op, left):
    """Tensor op x and x op Tensor, with x a Tensor, an ndarray, a Python float or a numpy scalar."""
    fn, ref = BINARY[op]
    t_data = np.array([[1.5, -0.5, 2.0]])
    other = {"tensor": Tensor([[0.75], [-1.25]]), "ndarray": np.array([[0.75], [-1.25]]),
             "float": 0.75, "numpy scalar": np.float64(0.75)}[left]
    other_data = other.data if isinstance(other, Tensor) else other
    t = Tensor(t_data, requires_grad=True)
    for out, expected in ((fn(other, t), ref(other_data, t_data)), (fn(t, other), ref(t_data, other_data))):
        assert isinstance(out, Tensor)
        assert_forward(out, expected)
        assert out.requires_grad
    assert engine.gradcheck(lambda t: fn(other, t), t).ok
    assert engine.gradcheck(lambda t: fn(t, other), t).ok


def test_a_tensor_on_both_sides_gets_both_gradients():
    a, b = requiring(np.array([[1.0, 2.0, -3.0]]), np.array([[0.5], [-2.0]]))
    assert engine.gradcheck(lambda a, b: (a - b) * (b / a) + (a * b) ** 2 - a @ a.T, a, b).ok


@given(broadcast_pairs().flatmap(lambda p: arrays(p[0]).flatmap(lambda a: arrays(p[1]).map(lambda b: (a, b)))))
def test_chained_expression_matches_numpy(ab):
    a, b = ab
    ta, tb = Tensor(a), Tensor(b)
    assert_forward(-(ta * tb - 2) / (1.5 + tb * tb) + ta, -(a * b - 2) / (1.5 + b * b) + a)


def test_python_scalars_keep_float32():
    assert_float32(lambda t: (2.0 - t) * 3 / 4.0 + 1, np.ones(3))
    assert_float32(lambda t: 1 / (t ** 2 + 1.0), np.ones(3))
    assert_float32(lambda t: np.float64(2.0) * t - np.ones(3), np.ones(3))


def test_pow_rejects_a_tensor_exponent():
    with raises_naming(TypeError, "pow", "exponent"):
        Tensor([2.0]) ** Tensor([2.0])


def test_summing_into_a_gradient_never_changes_one_an_op_shared():
    x, z = requiring(np.ones(3), np.ones(3))
    t, q = x * 1.0, z * 1.0
    s = t + q  # Add hands the same gradient array to t and to q
    (s + t).sum().backward()  # t then gets a second contribution, summed with the first
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(z.grad, [1.0, 1.0, 1.0])


@pytest.mark.parametrize("other", [None, "1", object(), [None, 1.0, 2.0], {"a": 1}],
                         ids=["None", "str", "object", "list-with-None", "dict"])
@pytest.mark.parametrize("op", BINARY)
def test_a_non_numeric_operand_is_a_type_error_naming_the_op(op, other):
    fn, _ = BINARY[op]
    t = Tensor([1.0, 2.0, 3.0])
    with raises_naming(TypeError, op, "(3,)", type(other).__name__):
        fn(t, other)
    with raises_naming(TypeError, op):
        fn(other, t)
    with raises_naming(TypeError, "matmul"):
        t @ None


def test_lists_and_bools_still_combine():
    np.testing.assert_array_equal((Tensor([1.0, 2.0]) + [1, 2]).data, [2.0, 4.0])
    np.testing.assert_array_equal((Tensor([1.0, 2.0]) * np.array([True, False])).data, [1.0, 0.0])


def test_a_fractional_index_tensor_is_an_index_error():
    x = Tensor([10.0, 20.0, 30.0])
    for bad in (Tensor([1.7]), Tensor([0.0, np.nan]), Tensor(np.inf)):
        with raises_naming(IndexError, "getitem", "whole numbers"):
            x[bad]
    with raises_naming(IndexError, "getitem", "1.5"):
        Tensor(np.ones((2, 3)))[0, Tensor([1.5])]
    np.testing.assert_array_equal(x[Tensor([2.0, 0.0])].data, [30.0, 10.0])  # whole numbers are indices


@given(data=st.data())
def test_squeeze_and_unsqueeze_gradcheck_and_match_numpy(data):
    shape = data.draw(shapes(max_dims=3, max_side=2))
    x = data.draw(arrays(shape))
    (t,) = requiring(x)
    axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    assert_forward(t.unsqueeze(axis), np.expand_dims(x, axis))
    assert engine.gradcheck(lambda t: t.unsqueeze(axis), t).ok
    assert_forward(t.squeeze(), np.squeeze(x))
    ones = tuple(i for i, n in enumerate(shape) if n == 1)
    if ones:
        assert_forward(t.squeeze(ones[-1]), np.squeeze(x, ones[-1]))
        assert engine.gradcheck(lambda t: t.squeeze(ones), t).ok


def test_squeeze_and_unsqueeze_errors_name_the_axis_and_shape():
    t = Tensor(np.ones((2, 1, 3)))
    with raises_naming(engine.ShapeError, "squeeze", "axis 0", "(2, 1, 3)", "size 2"):
        t.squeeze(0)
    with raises_naming(ValueError, "squeeze", "axis 5"):
        t.squeeze(5)
    with raises_naming(ValueError, "unsqueeze", "axis 5"):
        t.unsqueeze(5)
    assert t.squeeze((1,)).shape == (2, 3) and t.unsqueeze(-1).shape == (2, 1, 3, 1)
