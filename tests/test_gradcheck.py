"""engine/gradcheck.py: passes right gradients, catches wrong ones, and says where."""

from __future__ import annotations

import numpy as np
import pytest
from strategies import requiring

import engine
from engine import GradcheckError, GradcheckReport, Tensor
from engine.ops import elementwise as E


def test_a_right_gradient_passes_with_a_small_error():
    a, b = requiring(np.array([[0.5, -1.0], [2.0, 0.3]]), np.array([1.5, -0.7]))
    report = engine.gradcheck(lambda a, b: (a * b).tanh().sum(), a, b)
    assert isinstance(report, GradcheckReport) and report.ok
    assert report.checked == 6 and report.max_rel_error < 1e-8 and report.max_abs_error < 1e-8
    assert str(report).startswith("gradcheck passed: 6 partial derivatives")


def test_a_wrong_backward_raises_with_a_report_naming_input_and_index(monkeypatch):
    def wrong(ctx, grad):  # 2 a g instead of a g for the second input
        a, b = ctx.saved
        return grad * b, 2 * grad * a

    monkeypatch.setattr(E.Mul, "backward", staticmethod(wrong))
    a, b = requiring(np.array([1.0, 2.0]), np.array([3.0, -4.0]))
    with pytest.raises(GradcheckError) as info:
        engine.gradcheck(lambda a, b: a * b, a, b)
    report = info.value.report
    assert not report.ok and report.checked == 4
    assert report.worst["input"] == 1 and report.worst["index"] == (1,)  # |2 g a - g a| is largest at a = 2
    assert report.worst["analytic"] == pytest.approx(4.0 * report.worst["numeric"] / 2, rel=1e-6)
    assert "gradcheck FAILED" in str(info.value) and "worst at input 1 index (1,)" in str(info.value)
    assert isinstance(info.value, AssertionError)  # so a bare call inside a test fails the test


def test_raise_on_fail_false_returns_the_failed_report(monkeypatch):
    monkeypatch.setattr(E.Exp, "backward", staticmethod(lambda ctx, g: g))
    (x,) = requiring(np.array([0.0, 1.0]))
    report = engine.gradcheck(lambda x: x.exp().sum(), x, raise_on_fail=False)
    assert not report.ok and report.worst["input"] == 0
    assert report.max_abs_error == pytest.approx(np.e - 1, rel=1e-6)


def test_a_non_scalar_output_checks_every_output_element(monkeypatch):
    """The random projection makes an error in any single output element visible."""
    tanh_backward = E.Tanh.backward

    def wrong_last(ctx, grad):
        g = tanh_backward(ctx, grad).copy()
        g[..., -1] = 0.0
        return g

    monkeypatch.setattr(E.Tanh, "backward", staticmethod(wrong_last))
    (x,) = requiring(np.array([[0.1, 0.2, 0.3], [-0.4, 0.5, 0.6]]))
    with pytest.raises(GradcheckError, match=r"input 0 index \(\d, 2\)"):
        engine.gradcheck(lambda x: x.tanh(), x)


def test_inputs_are_left_unchanged_and_float32_is_checked_in_float64():
    x = Tensor(np.array([0.25, -0.5], dtype=np.float32), requires_grad=True)
    before = x.data.copy()
    report = engine.gradcheck(lambda x: (x * x).sum(), x)
    assert report.ok and report.max_abs_error < 1e-8  # float32 differences would be off by about 1e-3
    np.testing.assert_array_equal(x.data, before)
    assert x.grad is None and x.dtype == np.float32


def test_only_inputs_requiring_grad_are_checked_and_others_pass_through():
    a, b = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])
    report = engine.gradcheck(lambda a, b, k: (a * b * k).sum(), a, b, 2.0)
    assert report.ok and report.checked == 2


def test_tolerances_decide_the_verdict(monkeypatch):
    scale = 1 + 1e-3  # a backward 0.1 % too large
    monkeypatch.setattr(E.Tanh, "backward", staticmethod(lambda ctx, g: scale * g * (1 - ctx.saved[0] ** 2)))
    (x,) = requiring(np.array([0.3, -0.2]))
    assert not engine.gradcheck(lambda x: x.tanh(), x, raise_on_fail=False).ok
    assert engine.gradcheck(lambda x: x.tanh(), x, rtol=1e-2).ok


def test_misuse_errors():
    with pytest.raises(ValueError, match="gradcheck: no input Tensor has requires_grad=True"):
        engine.gradcheck(lambda x: x.sum(), Tensor([1.0]))
    with pytest.raises(TypeError, match="gradcheck: fn must return a Tensor, got float"):
        engine.gradcheck(lambda x: 1.0, Tensor([1.0], requires_grad=True))
