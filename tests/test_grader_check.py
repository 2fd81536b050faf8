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
    assert out.splitlines()[0] == "Exercise 3.1: public case 2 of 3 failed: wrong shape: (3,), expected (2, 1)"
    assert "expected: array of shape (2, 1)" in out and "got:      array of shape (3,)" in out
    assert "hint: Two kinds of broadcast axes" in out and "Traceback" not in out


def test_exception_is_one_line_not_a_traceback(capsys):
    def op_backward(op, inputs, grad_out):
        return {"+": 1}[op]

    out = _say(capsys, "2.2", op_backward)
    assert "failed: KeyError: '*' (line " in out and 'return {"+": 1}[op])' in out
    assert "Traceback" not in out


def test_wrong_type_and_undefined_function(capsys):
    out = _say(capsys, "1.2", lambda f, x, h=1e-5: list(x))
    assert "expected the gradient as a numpy array of shape (3,), got list" in out
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


# ---------------------------------------------------------------------------------------------------
# issue 11: wrong answers that used to pass, right answers that used to fail


def _grade(qid, fn):
    from grader.reference import grade_in_process

    return grade_in_process(find_question(qid), fn)


def test_recursive_topo_sort_with_a_raised_recursion_limit_is_caught(capsys):
    def topo_sort(root, parents):
        import sys

        sys.setrecursionlimit(20000)
        order, seen = [], set()

        def visit(node):
            if node not in seen:
                seen.add(node)
                for p in parents(node):
                    visit(p)
                order.append(node)

        visit(root)
        return order

    assert _grade("2.3", topo_sort)[1] is False
    out = _say(capsys, "2.3", topo_sort)
    assert "recursed" in out and "keep your own stack" in out
    # the same recursion on a shallow graph is fine: the depth, not the style, is measured
    q = find_question("2.3")
    assert q.run(topo_sort, ({"a": [], "b": ["a"]}, "b")) == ["a", "b"]


def test_gradient_checkers_that_look_at_one_entry_or_the_sum_are_caught():
    def make(reduce):
        def gradient_ok(f, x, eps=1e-6, tol=1e-5):
            from engine import Tensor

            t = Tensor(x, requires_grad=True)
            f(t).backward()
            numeric = np.zeros_like(x)
            for i in np.ndindex(x.shape):
                up, down = x.copy(), x.copy()
                up[i] += eps
                down[i] -= eps
                numeric[i] = (f(Tensor(up)).item() - f(Tensor(down)).item()) / (2 * eps)
            a, n = reduce(t.grad), reduce(numeric)
            return bool(abs(a - n) <= tol * max(1.0, abs(a), abs(n)))
        return gradient_ok

    assert _grade("3.4", make(lambda g: g.reshape(-1)[0]))[1] is False   # entry 0 only
    assert _grade("3.4", make(lambda g: g.sum()))[1] is False            # the sum only


def test_relu_derivative_one_at_zero_is_caught():
    from grader.reference import function

    right = function(find_question("2.2"))

    def op_backward(op, inputs, grad_out):
        if op == "relu" and inputs[0] == 0:
            return (grad_out,)
        return right(op, inputs, grad_out)

    public_ok, all_ok, reason = _grade("2.2", op_backward)
    assert public_ok and not all_ok and "hidden case" in reason


def test_changing_the_callers_x_is_caught(capsys):
    def numerical_gradient(f, x, h=1e-5):
        grad = np.zeros(x.shape)
        for i in np.ndindex(x.shape):
            x[i] += h
            up = f(x)
            x[i] -= 2 * h
            down = f(x)
            x[i] += h
            grad[i] = (up - down) / (2 * h)
        return grad

    assert _grade("1.2", numerical_gradient)[1] is False
    assert "the caller's x was changed" in _say(capsys, "1.2", numerical_gradient)


@pytest.mark.parametrize("qid, forbidden", [("8.3", "engine.Tensor.backward"), ("5.2", "engine.Tensor.backward"),
                                            ("12.1", "engine.nn.LSTMCell")])
def test_the_engines_own_answer_is_off_limits(qid, forbidden, capsys):
    q = find_question(qid)
    mutant = next(m for m in q.mutants if "engine" in m.name)
    from grader.reference import mutant_function

    fn = mutant_function(q, mutant)
    assert forbidden in q.forbidden
    assert _grade(qid, fn)[1] is False
    out = _say(capsys, qid, fn)
    assert f"{forbidden} is off limits in Exercise {qid}" in out
    # without the rule the engine's answer is right: the rule, not a bug, is what fails it
    import dataclasses

    free = dataclasses.replace(q, forbidden=())
    status, result = cases.run_case(free, fn, q.public_cases()[0])
    from grader.reference import function

    assert status == "ok" and free.verdict(cases.expected_result(q, function(q), q.public_cases()[0]),
                                           decode(result), q.public_cases()[0]) is None


def test_forbidding_catches_aliases_and_restores_everything():
    from engine import Tensor

    backward = Tensor.backward
    alias = backward
    t = Tensor(np.ones(2), requires_grad=True)
    with cases.forbidden(("engine.Tensor.backward",), "8.3"):
        with pytest.raises(PermissionError, match="off limits in Exercise 8.3"):
            (t * t).sum().backward()
        with pytest.raises(PermissionError):
            alias((t * t).sum())
    (t * t).sum().backward()
    assert np.array_equal(t.grad, [2.0, 2.0]) and Tensor.backward is backward


def test_a_python_float_is_a_right_scalar_answer():
    assert _grade("1.1", lambda f, x, h=1e-5: float((f(x + h) - f(x - h)) / (2 * h))) == (True, True, "")
    assert roundtrip(np.float64(1.5)).shape == () and roundtrip(np.float64(1.5)) == 1.5


def test_textbook_clipping_without_the_epsilon_scores_full_marks():
    def clip_global_norm(grads, max_norm):
        norm = float(np.sqrt(sum(np.sum(g * g) for g in grads)))
        scale = max_norm / norm if norm > max_norm else 1.0
        return [np.asarray(g, dtype=float) * scale for g in grads], norm

    assert _grade("10.2", clip_global_norm) == (True, True, "")


# ---------------------------------------------------------------------------------------------------
# issue 15, item 8: feedback that names the output and prints numbers plainly


def test_feedback_names_the_wrong_output(capsys):
    from grader.reference import function

    right = function(find_question("4.3"))

    def rnn_step_backward(*args):
        dx, dh_prev, dW_xh, dW_hh, db_h = right(*args)
        return dx, dh_prev, dW_xh, dW_hh, db_h * 2

    out = _say(capsys, "4.3", rnn_step_backward)
    head = out.splitlines()[0]
    assert "wrong value of db_h at index (0,): expected " in head and "[4]" not in head
    assert "expected db_h:" in out and "got db_h:" in out and "dW_xh:" not in out
    assert "np.float64" not in out


def test_a_shape_error_names_the_output_and_both_shapes(capsys):
    from grader.reference import function

    right = function(find_question("4.3"))

    def rnn_step_backward(*args):
        *rest, db_h = right(*args)
        return (*rest, db_h[None])

    head = _say(capsys, "4.3", rnn_step_backward).splitlines()[0]
    assert head.endswith(f"wrong shape of db_h: (1, {args_h(find_question('4.3'))}), "
                         f"expected ({args_h(find_question('4.3'))},)")
    out = _say(capsys, "4.2", lambda k: (np.zeros((1, k)), np.eye(k, k, 1), np.zeros((1, k))))
    assert "failed: wrong shape of b_h: (1, 3), expected (3,)" in out


def args_h(q):
    return q.public_cases()[0][1].shape[1]


def test_numbers_print_plainly_and_arrays_are_cut_by_rows():
    assert compare(1.0, 0.0) == "wrong value: expected 1.0, got 0.0"
    assert compare(np.float64(1.0), np.float64(0.0)) == "wrong value: expected 1.0, got 0.0"
    text = feedback.spec.describe(np.arange(200.0).reshape(20, 10))
    rows = [line.strip() for line in text.splitlines()[1:]]
    assert "..." in text and all(r.startswith(("[", "...")) and r.endswith(("]", "],", "...", "...,")) for r in rows)
    assert all(len(line) <= 80 for line in text.splitlines())


def test_every_forbidden_name_exists():
    for spec in all_specs().values():
        for q in spec.questions:
            for name in q.forbidden:
                assert cases._functions_of(cases._resolve(name)), f"{q.id}: {name} names no function"


def test_the_grader_switches_the_engines_answer_off_in_the_students_process(tmp_path):
    """End to end: a notebook answering 8.3 with backward() and 12.1 with nn.LSTMCell scores 0 on both."""
    import nbformat

    from grader import grade
    from grader.spec import SOLUTIONS_DIR

    for name, qid in (("08_bptt", "8.3"), ("12_gated_cells", "12.1")):
        q = find_question(qid)
        mutant = next(m for m in q.mutants if "engine" in m.name)
        nb = nbformat.read(str(SOLUTIONS_DIR / f"{name}.ipynb"), as_version=4)
        for c in nb.cells:
            if c.cell_type == "code" and c.source.startswith(f"# Exercise {qid}\n"):
                c.source = mutant.apply(c.source)
        path = tmp_path / f"{name}.ipynb"
        nbformat.write(nb, str(path))
        sub = grade.grade_all([path], seed=0, limits=grade.Limits(), progress=False)[0]
        result = {r.id: r for r in sub.questions}
        assert result[qid].points == 0 and "off limits" in result[qid].reason, result[qid]
        assert all(r.points == r.max_points for r in sub.questions if r.id != qid)
