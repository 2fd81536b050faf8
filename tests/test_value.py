"""engine.Value: every op against central differences, backward semantics, errors, and memory."""

import gc
import math
import warnings
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.autograd import no_grad, topological_order
from engine.value import Value, zero_grad

H = 1e-6  # central-difference step: error ~ H**2 * f''' + 1e-16 / H, about 1e-10 here


def check_grads(f, *xs: float, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Assert that backward() through f(*Values) gives the central-difference slope for every input."""
    leaves = [Value(x) for x in xs]
    f(*leaves).backward()
    for i, leaf in enumerate(leaves):
        up = [Value(x + H * (j == i)) for j, x in enumerate(xs)]
        down = [Value(x - H * (j == i)) for j, x in enumerate(xs)]
        numeric = (f(*up).data - f(*down).data) / (2 * H)
        assert leaf.grad == pytest.approx(numeric, rel=rtol, abs=atol), f"d/dx{i} at {xs}"


UNARY = {  # name: (f, a point away from kinks and domain edges)
    "neg": (lambda a: -a, 0.7),
    "tanh": (lambda a: a.tanh(), 0.3),
    "exp": (lambda a: a.exp(), -0.4),
    "log": (lambda a: a.log(), 1.7),
    "relu+": (lambda a: a.relu(), 0.9),
    "relu-": (lambda a: a.relu(), -0.9),
    "sigmoid": (lambda a: a.sigmoid(), -1.2),
    "**2": (lambda a: a**2, -1.3),
    "**3": (lambda a: a**3, 0.8),
    "**-1": (lambda a: a**-1, -2.5),
    "**0.5": (lambda a: a**0.5, 2.0),
    "**-1.5": (lambda a: a**-1.5, 0.6),
    "**0": (lambda a: a**0, 0.6),
    "2*a": (lambda a: 2 * a, 0.6),
    "3+a": (lambda a: 3 + a, 0.6),
    "1-a": (lambda a: 1 - a, 0.6),
    "1/a": (lambda a: 1 / a, 0.6),
    "a+3": (lambda a: a + 3, 0.6),
    "a-3": (lambda a: a - 3, 0.6),
    "a*3": (lambda a: a * 3, 0.6),
    "a/3": (lambda a: a / 3, 0.6),
}
BINARY = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


@pytest.mark.parametrize("name", UNARY)
def test_unary_op_matches_central_differences(name):
    f, x = UNARY[name]
    check_grads(f, x)


@pytest.mark.parametrize("name", BINARY)
def test_binary_op_matches_central_differences(name):
    check_grads(BINARY[name], 1.3, -0.7)


def test_composite_expression_matches_central_differences():
    def neuron(x1, w1, x2, w2, b):
        return ((x1 * w1 + x2 * w2 + b).tanh() * 2 - (x1 / w2).exp().log() + (b**2).sigmoid() - w1.relu())

    check_grads(neuron, 2.0, -3.0, 0.5, 1.1, 0.7)


def test_gradient_check_catches_a_wrong_backward(monkeypatch):
    def tanh_with_wrong_derivative(self):
        t = math.tanh(self.data)
        return Value(t, "", (self,), "tanh", (1.0 - t,))  # should be 1 - t**2

    check_grads(lambda a: a.tanh(), 0.3)
    monkeypatch.setattr(Value, "tanh", tanh_with_wrong_derivative)
    with pytest.raises(AssertionError):
        check_grads(lambda a: a.tanh(), 0.3)


def test_gradient_check_catches_a_swapped_local_derivative(monkeypatch):
    def mul_swapped(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, "", (self, other), "*", (self.data, other.data))

    monkeypatch.setattr(Value, "__mul__", mul_swapped)
    with pytest.raises(AssertionError):
        check_grads(lambda a, b: a * b, 1.3, -0.7)


finite = st.floats(-3.0, 3.0, allow_nan=False)
positive = st.floats(0.1, 5.0)


@settings(max_examples=40, deadline=None)
@given(finite, finite)
def test_property_add_sub_mul(a, b):
    check_grads(lambda x, y: x * y + x - y * y, a, b)


@settings(max_examples=40, deadline=None)
@given(finite, finite.filter(lambda b: abs(b) > 0.1))
def test_property_div(a, b):
    check_grads(lambda x, y: x / y, a, b, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(finite)
def test_property_tanh_exp_sigmoid(a):
    check_grads(lambda x: x.tanh() + x.exp() * 0.1 + x.sigmoid(), a)


@settings(max_examples=40, deadline=None)
@given(positive, st.sampled_from([-2, -1, -0.5, 0.5, 1, 1.5, 2, 3]))
def test_property_log_and_pow(a, n):
    check_grads(lambda x: x.log() + x**n, a, atol=1e-6)


@settings(max_examples=40, deadline=None)
@given(finite.filter(lambda a: abs(a) > 1e-3))
def test_property_relu(a):
    check_grads(lambda x: (x * 1.5).relu(), a)


def test_forward_values_are_exact():
    a, b = Value(1.5), Value(-0.25)
    assert (a + b).data == 1.25 and (a - b).data == 1.75 and (a * b).data == -0.375 and (a / b).data == -6.0
    assert (a**2).data == 2.25 and (-a).data == -1.5 and (2 - a).data == 0.5 and (3 / a).data == 2.0
    assert a.tanh().data == math.tanh(1.5) and a.exp().data == math.exp(1.5) and a.log().data == math.log(1.5)
    assert b.relu().data == 0.0 and a.relu().data == 1.5
    assert a.sigmoid().data == 1 / (1 + math.exp(-1.5))
    assert b.sigmoid().data == math.exp(-0.25) / (1 + math.exp(-0.25))


def test_graph_attributes():
    a, b = Value(2.0, label="a"), Value(3.0)
    c = a * b
    assert a._prev == () and a._op == "" and a.label == "a" and a.grad == 0.0
    assert c._prev == (a, b) and c._op == "*" and c.label == ""
    assert a.tanh()._op == "tanh" and (a**2)._op == "**2" and (a + 1)._op == "+" and (1 - a)._prev[1] is a
    assert isinstance(Value(np.float32(1.5)).data, float) and isinstance(Value(3).data, float)
    assert not hasattr(a, "__dict__")


def test_fan_out_sums_gradients():
    a = Value(3.0)
    y = a * a + a  # dy/da = 2a + 1
    y.backward()
    assert a.grad == 7.0
    b = Value(-2.0)
    z = (b + b) * (b + b)  # 4 b**2, dz/db = 8b
    z.backward()
    assert b.grad == -16.0


def test_second_backward_doubles_leaves_and_repeats_intermediates():
    x, w = Value(0.5), Value(-1.5)
    h = x * w
    y = h.tanh() + h * x
    y.backward()
    first = (x.grad, w.grad, h.grad, y.grad)
    y.backward()
    assert (x.grad, w.grad) == (2 * first[0], 2 * first[1])
    assert (h.grad, y.grad) == (first[2], first[3]) == (first[2], 1.0)
    zero_grad([x, w])
    y.backward()
    assert (x.grad, w.grad, h.grad) == first[:3]


def test_leaf_root_accumulates():
    a = Value(4.0)
    a.backward()
    a.backward()
    assert a.grad == 2.0


def test_ten_thousand_step_recurrence_backpropagates():
    n = 10_000
    w, h0 = Value(0.9), Value(0.1)
    xs = [math.sin(t) for t in range(n)]
    h = h0
    for x in xs:
        h = (h * w + x).tanh()
    h.backward()
    # the same derivative forwards: dh_t/dw = (1 - h_t**2) * (h_{t-1} + w * dh_{t-1}/dw)
    hf, dh = 0.1, 0.0
    for x in xs:
        new = math.tanh(hf * 0.9 + x)
        dh = (1 - new * new) * (hf + 0.9 * dh)
        hf = new
    assert h.data == hf
    assert w.grad == pytest.approx(dh, rel=1e-12)


def test_sigmoid_is_stable_for_large_inputs():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big, small = Value(1000.0).sigmoid(), Value(-1000.0).sigmoid()
        big.backward()
        small.backward()
    assert (big.data, small.data) == (1.0, 0.0)
    assert big._prev[0].grad == 0.0 and small._prev[0].grad == 0.0
    assert Value(-30.0).sigmoid().data == pytest.approx(math.exp(-30.0), rel=1e-12)
    with pytest.raises(OverflowError):  # the textbook formula fails where the test looks
        1 / (1 + math.exp(1000.0))


def test_repr():
    assert repr(Value(1.0).tanh()) == "Value(data=0.7616, grad=0.0)"
    assert repr(Value(2, label="h")) == "Value(data=2.0, grad=0.0, label='h')"
    assert repr(Value(1e-8)) == "Value(data=1e-08, grad=0.0)"


@pytest.mark.parametrize(
    "make, error, words",
    [
        (lambda: Value(0.0).log(), ValueError, ["log", "data=0.0"]),
        (lambda: Value(-2.5).log(), ValueError, ["log", "data=-2.5"]),
        (lambda: Value(2.0) ** Value(3.0), TypeError, ["exponent", "number"]),
        (lambda: 2 ** Value(3.0), TypeError, ["exponent", "number"]),
        (lambda: Value(-2.0) ** 0.5, ValueError, ["data=-2.0", "0.5"]),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, ["data=0.0", "-1"]),
        (lambda: Value(1.0) / 0, ZeroDivisionError, ["division by zero", "data=1.0"]),
        (lambda: 1 / Value(0.0), ZeroDivisionError, ["division by zero", "data=0.0"]),
        (lambda: Value(1.0) + "a", TypeError, ["+", "str"]),
        (lambda: [1] * Value(1.0), TypeError, ["*", "list"]),
        (lambda: Value("3"), TypeError, ["real number", "'3'"]),
        (lambda: Value(1000.0).exp(), OverflowError, ["exp", "data=1000.0"]),
        (lambda: Value(1e200) ** 2, OverflowError, ["**", "2"]),
    ],
)
def test_bad_input_gets_a_clear_error(make, error, words):
    with pytest.raises(error) as info:
        make()
    for word in words:
        assert word in str(info.value)


def test_slope_edge_cases_of_pow():
    a = Value(0.0)
    (a**0.5).backward()
    assert a.grad == math.inf
    b = Value(0.0)
    (b**0).backward()
    assert b.grad == 0.0
    c = Value(1e-200)
    (c**-1).backward()
    assert c.grad == -math.inf


def test_no_grad_records_nothing():
    a = Value(2.0)
    with no_grad():
        b = a * 3 + 1
    assert b.data == 7.0 and b._prev == () and b._op == ""
    assert (a * 3)._prev != ()


def test_zero_grad():
    vs = [Value(1.0), Value(2.0)]
    (vs[0] * vs[1]).backward()
    zero_grad(vs)
    assert [v.grad for v in vs] == [0.0, 0.0]


# ---- memory: a dropped graph must be freed by reference counting alone ----


def _mlp_graph():
    """A small network's loss after backward: fan-out, every op, numbers on both sides."""
    xs = [[0.5, -1.0], [1.5, 0.25]]
    w = [[Value(0.1 * (i + j)) for j in range(2)] for i in range(3)]
    loss = Value(0.0)
    for x in xs:
        hidden = [sum((wi * xi for wi, xi in zip(row, x)), Value(0.0)).tanh() for row in w]
        out = hidden[0] * hidden[1] - hidden[2] / 2 + (hidden[0] ** 2).exp().log().sigmoid().relu()
        loss = loss + (1 - out) ** 2
    loss.backward()
    return loss


def _freed_without_collector(build) -> bool:
    """Whether every node of build()'s graph dies as soon as the last reference goes, the collector off."""
    gc.collect()
    gc.disable()
    try:
        root = build()
        refs = [weakref.ref(v) for v in topological_order(root, lambda v: v._prev)]
        assert len(refs) > 50 and all(r() is not None for r in refs)
        del root
        alive = sum(r() is not None for r in refs)
    finally:
        gc.enable()
    gc.collect()
    assert all(r() is None for r in refs)  # the collector frees whatever was left
    return alive == 0


def test_dropped_graph_is_freed_by_reference_counting():
    assert _freed_without_collector(_mlp_graph)


def test_memory_check_catches_a_reference_cycle():
    def graph_with_a_cycle():
        loss = _mlp_graph()
        node = loss._prev[0]
        node.label = node  # a node referring to itself: only the cyclic collector can free it now
        return loss

    assert not _freed_without_collector(graph_with_a_cycle)


def test_deep_chain_is_freed_without_recursion_error():
    def chain():
        h = Value(0.5)
        for _ in range(100_000):
            h = h * 0.5 + 0.25
        return h

    assert _freed_without_collector(chain)


def test_relu_of_nan_is_nan_and_so_is_its_gradient():
    a = Value(float("nan"))
    out = a.relu()
    assert math.isnan(out.data)
    out.backward()
    assert math.isnan(a.grad)
    b = Value(-2.0)
    assert b.relu().data == 0.0


def test_backward_walks_the_same_order_as_the_shared_topological_sort():
    from engine.value import _topological_order

    root = _mlp_graph()
    x = Value(0.3)
    chain = x
    for i in range(3000):  # deeper than the recursion limit; shared inputs (x) and repeated ones (c * c)
        chain = (chain * chain).tanh() + x if i % 7 else chain - x * 0.5
    for r in (root, chain, x):
        assert _topological_order(r) == topological_order(r, lambda v: v._prev)


def test_inputs_and_local_derivatives_read_back_as_tuples():
    a, b = Value(2.0), Value(-3.0)
    c = Value(1.0, "c", (a, b), "*", (-3.0, 2.0))
    assert c._prev == (a, b) and c._local == (-3.0, 2.0) and c._op == "*" and c.label == "c"
    assert (a * b)._local == (-3.0, 2.0) and a.tanh()._local == (1 - math.tanh(2.0) ** 2,)
    assert a._local == () and a._prev == ()
    with pytest.raises(ValueError, match="one or two inputs"):
        Value(1.0, "", (a, b, c), "+", (1.0, 1.0, 1.0))
    with pytest.raises(ValueError, match="local derivative"):
        Value(1.0, "", (a, b), "+", (1.0,))
