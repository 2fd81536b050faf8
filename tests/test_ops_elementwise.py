"""engine/ops/elementwise.py: + - * / **, unary -, exp, log, tanh, sigmoid, relu, with broadcasting."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import (
    arrays,
    assert_float32,
    assert_forward,
    away_from_zero,
    broadcast_pairs,
    incompatible_pairs,
    raises_naming,
    requiring,
    shaped_arrays,
    shapes,
)

import engine
from engine import Tensor
from engine import function as function_module
from engine.ops import elementwise as E

BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.divide),
}

FIXED_PAIRS = [((3, 1), (1, 4)), ((1, 4), (3, 1)), ((4,), (2, 3, 4)), ((2, 3, 4), (4,)), ((), (3, 4)),
               ((3, 4), ()), ((2, 1, 3), (4, 1)), ((3,), (3,))]


@st.composite
def operand_pairs(draw, shape_pair=None):
    """Two arrays of broadcast-compatible shapes; the second kept away from 0 (it may be a divisor)."""
    sa, sb = shape_pair if shape_pair is not None else draw(broadcast_pairs())
    return draw(arrays(sa)), draw(away_from_zero(sb, gap=0.5))


@pytest.mark.parametrize("op", BINARY)
@settings(max_examples=40)
@given(ab=operand_pairs())
def test_binary_ops_gradcheck_and_match_numpy_under_broadcasting(op, ab):
    fn, ref = BINARY[op]
    a, b = requiring(*ab)
    assert_forward(fn(a, b), ref(*ab))
    assert engine.gradcheck(fn, a, b).ok


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("pair", FIXED_PAIRS, ids=str)
def test_binary_ops_on_named_broadcasting_cases(op, pair):
    fn, ref = BINARY[op]
    rng = np.random.default_rng(0)
    a_np = rng.uniform(-2, 2, pair[0])
    b_np = rng.uniform(0.5, 2, pair[1]) * rng.choice([-1, 1], pair[1])
    a, b = requiring(a_np, b_np)
    out = fn(a, b)
    assert_forward(out, ref(a_np, b_np))
    out.backward(np.ones(out.shape))
    assert a.grad.shape == a.shape and b.grad.shape == b.shape
    assert engine.gradcheck(fn, a, b).ok


@pytest.mark.parametrize("op", BINARY)
@given(ab=operand_pairs())
def test_reflected_forms_with_ndarrays_and_numbers(op, ab):
    """ndarray op Tensor, number op Tensor (2 - t, 1 / t): the constant side gets no gradient."""
    fn, ref = BINARY[op]
    a_np, b_np = ab
    (b,) = requiring(b_np)
    assert_forward(fn(a_np, b), ref(a_np, b_np))
    assert engine.gradcheck(lambda b: fn(a_np, b), b).ok
    assert engine.gradcheck(lambda b: fn(2.0, b), b).ok
    (a,) = requiring(a_np)
    assert engine.gradcheck(lambda a: fn(a, b_np), a).ok


def test_only_inputs_that_require_grad_get_one():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])
    (a * b + a / b).sum().backward()
    assert b.grad is None
    np.testing.assert_array_equal(a.grad, b.data + 1 / b.data)


@given(shaped_arrays())
def test_neg(x):
    (t,) = requiring(x)
    assert_forward(-t, -x)
    assert engine.gradcheck(lambda t: -t, t).ok


@pytest.mark.parametrize("p", [2, 3, 0.5, -1, -1.5, 0])
@given(x=shaped_arrays(lo=0.5, hi=2.0))
def test_pow_on_positive_bases(p, x):
    (t,) = requiring(x)
    assert_forward(t ** p, x ** float(p))
    assert engine.gradcheck(lambda t: t ** p, t).ok


@pytest.mark.parametrize("p", [2, 3, -2])
@given(x=shapes().flatmap(lambda s: away_from_zero(s, gap=0.5)))
def test_integer_pow_on_either_sign(p, x):
    (t,) = requiring(x)
    assert_forward(t ** p, x ** float(p))
    assert engine.gradcheck(lambda t: t ** p, t).ok


UNARY = {
    "exp": (lambda t: t.exp(), np.exp, shaped_arrays(lo=-3.0, hi=3.0)),
    "log": (lambda t: t.log(), np.log, shaped_arrays(lo=0.2, hi=5.0)),
    "tanh": (lambda t: t.tanh(), np.tanh, shaped_arrays(lo=-3.0, hi=3.0)),
    "sigmoid": (lambda t: t.sigmoid(), lambda x: 1 / (1 + np.exp(-x)), shaped_arrays(lo=-6.0, hi=6.0)),
    "relu": (lambda t: t.relu(), lambda x: np.maximum(x, 0), shapes().flatmap(lambda s: away_from_zero(s, 0.01))),
}


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary_functions_gradcheck_and_match_numpy(name, data):
    fn, ref, values = UNARY[name]
    x = data.draw(values)
    (t,) = requiring(x)
    assert_forward(fn(t), ref(x), rtol=1e-15 if name == "sigmoid" else 0.0, atol=1e-16)
    assert engine.gradcheck(fn, t).ok


def test_relu_at_zero_has_zero_gradient():
    t = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    t.relu().sum().backward()
    np.testing.assert_array_equal(t.grad, [0.0, 0.0, 1.0])


def test_relu_of_nan_is_nan_with_a_nan_gradient():
    t = Tensor([np.nan, -1.0, 2.0], requires_grad=True)
    out = t.relu()
    assert np.isnan(out.data[0]) and out.data[1] == 0 and out.data[2] == 2
    out.sum().backward()
    assert np.isnan(t.grad[0])
    np.testing.assert_array_equal(t.grad[1:], [0.0, 1.0])


@settings(max_examples=40)
@given(data=st.data())
def test_clamp_gradcheck_and_matches_numpy(data):
    shape = data.draw(shapes())
    x = data.draw(away_from_zero(shape, gap=0.1))  # no element on a bound: -0.5 and 0.5 are avoided below
    x = np.where(np.abs(np.abs(x) - 0.5) < 0.05, x + 0.2, x)
    low, high = data.draw(st.sampled_from([(-0.5, 0.5), (None, 0.5), (-0.5, None)]))
    (t,) = requiring(x)
    assert_forward(t.clamp(low, high), np.clip(x, low, high))
    assert engine.gradcheck(lambda t: t.clamp(low, high), t).ok


def test_clamp_gradient_is_one_inside_zero_outside_and_errors_say_why():
    t = Tensor([-2.0, -0.5, 0.0, 0.5, 2.0], requires_grad=True)
    t.clamp(-0.5, 0.5).sum().backward()
    np.testing.assert_array_equal(t.grad, [0, 1, 1, 1, 0])  # PyTorch: 1 on the bounds too
    with raises_naming(ValueError, "clamp", "min 1", "max -1"):
        t.clamp(1, -1)
    with raises_naming(ValueError, "clamp"):
        t.clamp()
    with raises_naming(TypeError, "clamp", "max"):
        t.clamp(0, "1")


def test_a_wrong_clamp_backward_is_caught(monkeypatch):
    monkeypatch.setattr(E.Clamp, "backward", staticmethod(lambda ctx, g: g))  # forgets the bounds
    with pytest.raises(engine.GradcheckError):
        engine.gradcheck(lambda t: t.clamp(-0.5, 0.5), *requiring(np.array([-1.0, 0.2, 1.0])))


@given(data=st.data())
def test_where_selects_and_never_reads_the_other_side(data):
    a, b = data.draw(broadcast_pairs())
    x, y = data.draw(arrays(a)), data.draw(arrays(b))
    mask = data.draw(arrays(np.broadcast_shapes(a, b))) > 0
    ta, tb = requiring(x, y)
    assert_forward(engine.where(mask, ta, tb), np.where(mask, x, y))
    assert engine.gradcheck(lambda ta, tb: engine.where(mask, ta, tb), ta, tb).ok


def test_where_with_nan_on_the_unselected_side():
    a = Tensor([1.0, np.nan, np.inf], requires_grad=True)
    b = Tensor([5.0, 6.0, 7.0], requires_grad=True)
    mask = np.array([True, False, False])
    out = engine.where(mask, a, b)
    np.testing.assert_array_equal(out.data, [1.0, 6.0, 7.0])
    (out.sum()).backward()
    np.testing.assert_array_equal(a.grad, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(b.grad, [0.0, 1.0, 1.0])
    with np.errstate(invalid="ignore"):
        blend = a * Tensor(mask * 1.0) + b * Tensor(1.0 - mask)  # what a 0/1 mask gives instead
    assert np.isnan(blend.data[1])
    with raises_naming(TypeError, "where", "boolean"):
        engine.where(np.array([1.0, 0.0, 0.0]), a, b)


def test_sigmoid_is_stable_for_large_inputs():
    x = np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0])
    t = Tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = t.sigmoid()
        s.sum().backward()
    np.testing.assert_array_equal(s.data[[0, 2, 4]], [0.0, 0.5, 1.0])
    assert np.isfinite(t.grad).all() and t.grad[2] == 0.25


def test_log_of_non_positive_names_the_op_and_the_value():
    with raises_naming(ValueError, "log", "positive", "-0.5", "(3,)"):
        Tensor([1.0, -0.5, 2.0]).log()
    with raises_naming(ValueError, "log", "0.0"):
        Tensor([[0.0]]).log()
    with engine.no_grad(), raises_naming(ValueError, "log"):
        Tensor([0.0]).log()


@pytest.mark.parametrize("op", BINARY)
@given(pair=incompatible_pairs())
def test_broadcasting_failures_name_the_op_and_both_shapes(op, pair):
    fn, _ = BINARY[op]
    a, b = Tensor(np.ones(pair[0])), Tensor(np.ones(pair[1]))
    with raises_naming(engine.ShapeError, op, "broadcast", str(pair[0]), str(pair[1])):
        fn(a, b)
    with raises_naming(engine.ShapeError, op, str(pair[1]), str(pair[0])):
        fn(np.ones(pair[1]), a)


ALL_OPS = {
    **{name: (fn, 2) for name, (fn, _) in BINARY.items()},
    "neg": (lambda t: -t, 1),
    "pow": (lambda t: t ** 2.5, 1),
    **{name: (fn, 1) for name, (fn, _, _) in UNARY.items()},
    "clamp": (lambda t: t.clamp(0.7, 1.5), 1),
    "where": (lambda a, b: engine.where(a.data > 1.2, a, b), 2),
}


@pytest.mark.parametrize("name", ALL_OPS)
def test_float32_stays_float32(name):
    fn, arity = ALL_OPS[name]
    rng = np.random.default_rng(1)
    assert_float32(fn, *(rng.uniform(0.5, 2.0, (2, 3)) for _ in range(arity)))
    if arity == 2:
        assert_float32(fn, rng.uniform(0.5, 2.0, (3, 1)), rng.uniform(0.5, 2.0, (4,)))


def test_the_float32_check_catches_an_upcast(monkeypatch):
    monkeypatch.setattr(E.Tanh, "backward", staticmethod(lambda ctx, g: (g * (1 - ctx.saved[0] ** 2)).astype(float)))
    with pytest.raises(AssertionError, match="Tanh.backward gave a float64"):
        assert_float32(lambda t: t.tanh(), np.ones(3))


def test_the_forward_check_catches_a_last_digit_error(monkeypatch):
    forward = E.Exp.forward
    monkeypatch.setattr(E.Exp, "forward", staticmethod(lambda ctx, a: np.nextafter(forward(ctx, a), np.inf)))
    with pytest.raises(AssertionError):
        assert_forward(Tensor([0.5]).exp(), np.exp([0.5]))


# ---- a wrong backward is caught ------------------------------------------------------------------


def test_gradcheck_catches_a_wrong_mul_backward(monkeypatch):
    def wrong(ctx, grad):  # swaps the two inputs' gradients: right only when a == b
        a, b = ctx.saved
        return function_module.unbroadcast(grad * a, a.shape), function_module.unbroadcast(grad * b, b.shape)

    monkeypatch.setattr(E.Mul, "backward", staticmethod(wrong))
    a, b = requiring(np.array([1.0, 2.0]), np.array([3.0, 4.0]))
    with pytest.raises(engine.GradcheckError) as info:
        engine.gradcheck(lambda a, b: a * b, a, b)
    report = info.value.report
    assert not report.ok and report.worst["input"] in (0, 1) and report.worst["index"] in ((0,), (1,))
    assert "gradcheck FAILED" in str(info.value)
    assert f"input {report.worst['input']} index {report.worst['index']}" in str(info.value)


def test_gradcheck_catches_a_wrong_unbroadcast(monkeypatch):
    def wrong(grad, shape):  # averages instead of summing over the broadcast axes
        out = grad.reshape((-1,) + shape).mean(axis=0) if grad.shape != shape else grad
        return out

    monkeypatch.setattr(E, "unbroadcast", wrong)
    a, b = requiring(np.array([0.5, -1.0, 2.0]), np.ones((2, 3)))
    assert engine.gradcheck(lambda a, b: a * b, a, b, raise_on_fail=False).ok is False
    with pytest.raises(engine.GradcheckError, match=r"worst at input 0 index \(\d,\)"):
        engine.gradcheck(lambda a, b: a + b, a, b)
    monkeypatch.undo()
    assert engine.gradcheck(lambda a, b: a + b, a, b).ok
