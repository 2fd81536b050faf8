"""``check`` in a notebook, the JSON channel, and the comparison behind every verdict."""

from __future__ import annotations

import math

import numpy as np
import pytest

from grader import cases, check, feedback
from grader.codec import Boxed, CodecError, decode, encode, roundtrip
from grader.spec import all_specs, compare, find_question


def _say(capsys, qid, fn):
    check(qid, fn)
    return capsys.readouterr().out


def test_stub_says_not_implemented(capsys):
    def numerical_gradient(f, x, h=1e-5):
        raise NotImplementedError("Exercise 1.2")

    assert _say(capsys, "1.2", numerical_gradient) == "Exercise 1.2: not implemented yet.\n"


def test_right_answer_says_public_tests_passed_never_all(capsys):
    def unbroadcast(grad, shape):
        while grad.ndim > len(shape):
            grad = grad.sum(axis=0)
        for i, n in enumerate(shape):
            if n == 1:
                grad = grad.sum(axis=i, keepdims=True)
        return grad

    out = _say(capsys, "3.1", unbroadcast)
    assert out.startswith("Exercise 3.1: public tests passed (3 cases).")
    assert "all tests" not in out.lower()


def test_wrong_shape_shows_case_expected_got_and_hint(capsys):
    def unbroadcast(grad, shape):
        return grad.sum(axis=0)

    out = _say(capsys, "3.1", unbroadcast)
    assert out.splitlines()[0] == "Exercise 3.1: public case 2 of 3 failed: wrong shape: expected (2, 1), got (3,)"
    assert "expected: array of shape (2, 1)" in out and "got:      array of shape (3,)" in out
    assert "hint: First sum" in out and "Traceback" not in out


def test_exception_is_one_line_not_a_traceback(capsys):
    def op_backward(op, inputs, grad_out):
        return {"+": 1}[op]

    out = _say(capsys, "2.2", op_backward)
    assert "failed: KeyError: '*' (line " in out and 'return {"+": 1}[op])' in out
    assert "Traceback" not in out


def test_wrong_type_and_undefined_function(capsys):
    out = _say(capsys, "1.2", lambda f, x, h=1e-5: list(x))
    assert "expected a numpy array, got list" in out
    out = _say(capsys, "1.2", lambda f, x, h=1e-5: object())
    assert "returned an object of type object" in out
    check("1.2")  # numerical_gradient is not defined in this module
    assert "`numerical_gradient` is not defined yet" in capsys.readouterr().out
    check("9.9")
    assert "no exercise '9.9'" in capsys.readouterr().out


def test_check_is_silent_while_disabled(capsys):
    with cases.disabled():
        check("1.2", lambda f, x, h=1e-5: x)
    assert capsys.readouterr().out == ""


def test_endless_loop_is_stopped(capsys, monkeypatch):
    monkeypatch.setattr(feedback, "CHECK_TIMEOUT", 0.2)

    def central_difference(f, x, h=1e-5):
        while True:
            pass

    assert "stopped after 0.2 s" in _say(capsys, "1.1", central_difference)


# ---------------------------------------------------------------------------------------------------
# the channel


def test_roundtrip_is_exact_and_keeps_types():
    a32 = np.array([[1.5, np.nan], [np.inf, -0.0]], dtype=np.float32)
    x = {"a": (1, 2.5, float("nan"), None, True, "s"), "b": [np.arange(3), a32, np.float32(0.1), np.int64(7)]}
    y = roundtrip(x)
    assert y["a"][:2] == (1, 2.5) and math.isnan(y["a"][2]) and y["a"][3:] == (None, True, "s")
    assert y["b"][0].dtype == np.int64 and y["b"][1].dtype == np.float32
    assert np.array_equal(y["b"][1], a32, equal_nan=True) and np.signbit(y["b"][1][1, 1])
    assert y["b"][2] == np.float32(0.1) and y["b"][2].dtype == np.float32
    from engine import Tensor, Value

    assert np.array_equal(roundtrip(Tensor(np.ones(2))).data, np.ones(2))
    assert roundtrip(Value(2.0)) == Boxed("Value", 2.0)


@pytest.mark.parametrize("bad", [np.array([object()]), {1: 2}, object(), lambda: 0, np.array(["a"])])
def test_encode_refuses_what_it_cannot_send(bad):
    with pytest.raises(CodecError):
        encode(bad)


@pytest.mark.parametrize("bad", [
    {"__nd__": {"dtype": "|O", "shape": [1], "b64": ""}},
    {"__nd__": {"dtype": "<f8", "shape": [2], "b64": "AAAA"}},
    {"__nd__": {"dtype": "<f8", "shape": [-1], "b64": ""}},
    {"__pickle__": "x"}, {"__value__": "x"}, {"a": 1, "b": 2},
])
def test_decode_refuses_malformed_data(bad):
    with pytest.raises((CodecError, ValueError, TypeError)):
        decode(bad)


# ---------------------------------------------------------------------------------------------------
# the comparison


@pytest.mark.parametrize("expected, got, needle", [
    (np.zeros((2, 3)), np.zeros((3, 2)), "wrong shape"),
    (np.zeros(3), [0.0, 0.0, 0.0], "expected a numpy array"),
    (np.zeros(3), np.array([0.0, 0.0, 1e-3]), "index (2,)"),
    (1.0, "1.0", "expected a number"),
    (1.0, float("nan"), "wrong value"),
    (True, 1, "expected True or False"),
    (False, True, "wrong answer"),
    ((1.0, 2.0), (1.0,), "wrong length"),
    ({"a": 1}, {"b": 1}, "wrong keys"),
    (np.array([1, 2]), np.array([1, 3]), "wrong value"),
    (Boxed("Tensor", np.ones(2)), np.ones(2), "expected an engine.Tensor"),
    (None, 0, "expected a NoneType"),
])
def test_compare_catches_wrong_answers(expected, got, needle):
    reason = compare(expected, got)
    assert reason is not None and needle in reason


def test_compare_accepts_right_answers_within_tolerance():
    assert compare(np.ones(3), np.ones(3) * (1 + 1e-9)) is None
    assert compare((1.0, [np.float64(2.0)]), [1, (2.0,)]) is None
    assert compare(float("nan"), float("nan")) is None
    assert compare(3, np.int64(3)) is None


def test_topological_order_compare_rejects_bad_orders():
    q = find_question("2.3")
    graph = {"a": [], "b": ["a"], "c": ["a", "a"], "d": ["b", "c"]}
    args = (graph, "d")
    assert q.verdict(["a", "b", "c", "d"], ["a", "c", "b", "d"], args) is None
    assert "listed after" in q.verdict(["a", "b", "c", "d"], ["b", "a", "c", "d"], args)
    assert "twice" in q.verdict(["a", "b", "c", "d"], ["a", "a", "b", "c", "d"], args)
    assert "missing ['c']" in q.verdict(["a", "b", "c", "d"], ["a", "b", "d"], args)


def test_gradient_check_cases_include_both_answers():
    from grader import reference
    from grader.cases import expected_result

    q = all_specs()["03_tensors"].question("3.4")
    ref = reference.function(q)
    answers = {expected_result(q, ref, a) for a in q.public_cases() + q.hidden_cases(0) + q.hidden_cases(1)}
    assert answers == {True, False}
