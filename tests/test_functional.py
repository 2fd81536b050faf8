"""engine/functional.py: cross_entropy (with mask and ignore_index), mse, softmax, log_softmax."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import arrays, assert_float32, assert_forward, classification, raises_naming, requiring, shapes

import engine
from engine import F, Tensor
from engine import functional as functional_module


def textbook_cross_entropy(logits: np.ndarray, targets: np.ndarray, weights: np.ndarray | None = None) -> float:
    """-(1/n) sum_i w_i log(exp(z_i[y_i]) / sum_c exp(z_i[c])), written as plainly as possible."""
    z = logits.reshape(-1, logits.shape[-1])
    y = targets.reshape(-1)
    w = np.ones(len(y)) if weights is None else weights.reshape(-1).astype(float)
    losses = [-np.log(np.exp(z[i, y[i]]) / np.exp(z[i]).sum()) for i in range(len(y))]
    return float(np.dot(w, losses) / w.sum())


def test_engine_functional_is_engine_F():
    assert engine.F is engine.functional is functional_module


@given(classification())
def test_cross_entropy_equals_the_textbook_formula_and_gradchecks(case):
    logits, targets = case
    (z,) = requiring(logits)
    loss = F.cross_entropy(z, targets)
    assert loss.shape == () and loss.dtype == np.float64
    assert loss.item() == pytest.approx(textbook_cross_entropy(logits, targets), rel=1e-13, abs=1e-15)
    assert engine.gradcheck(lambda z: F.cross_entropy(z, targets), z).ok


def test_cross_entropy_gradient_is_softmax_minus_onehot_over_n():
    logits = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    z = Tensor(logits, requires_grad=True)
    F.cross_entropy(z, [2, 0]).backward()
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(z.grad, (p - np.eye(3)[[2, 0]]) / 2, rtol=1e-14, atol=1e-16)


@st.composite
def masked_classification(draw):
    """(logits, targets, mask): at least one entry counted; padded targets may be junk or out of range."""
    logits, targets = draw(classification())
    mask = draw(hnp.arrays(np.bool_, targets.shape))
    mask.flat[draw(st.integers(0, mask.size - 1))] = True
    junk = draw(hnp.arrays(np.int64, targets.shape, elements=st.integers(-3, 9)))
    return logits, np.where(mask, targets, junk), mask


@given(masked_classification())
def test_mask_leaves_padded_entries_out_of_the_mean_and_the_gradient(case):
    logits, targets, mask = case
    (z,) = requiring(logits)
    loss = F.cross_entropy(z, targets, mask=mask)
    loss.backward()
    assert loss.item() == pytest.approx(textbook_cross_entropy(logits, np.where(mask, targets, 0), mask),
                                        rel=1e-13, abs=1e-15)
    np.testing.assert_array_equal(z.grad[~mask], 0.0)
    counted = logits[mask], targets[mask]  # the same loss from the counted entries alone, as an (n, C) batch
    assert F.cross_entropy(Tensor(counted[0]), counted[1]).item() == pytest.approx(loss.item(), rel=1e-13,
                                                                                     abs=1e-15)
    assert engine.gradcheck(lambda z: F.cross_entropy(z, targets, mask=mask), z).ok


@given(masked_classification())
def test_ignore_index_acts_as_a_mask(case):
    logits, targets, mask = case
    marked = np.where(mask, targets, -100)
    a, b = requiring(logits, logits)
    F.cross_entropy(a, marked, ignore_index=-100).backward()
    F.cross_entropy(b, targets, mask=mask).backward()
    assert F.cross_entropy(Tensor(logits), marked, ignore_index=-100).item() == \
        F.cross_entropy(Tensor(logits), targets, mask=mask).item()
    np.testing.assert_array_equal(a.grad, b.grad)
    assert engine.gradcheck(lambda z: F.cross_entropy(z, marked, ignore_index=-100), a).ok


def test_mask_on_a_batch_of_sequences():
    """(B, T, C) logits with padded steps: the loss is the mean over the real steps only."""
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((2, 4, 5))
    targets = np.array([[1, 4, 0, 2], [3, 3, 0, 0]])
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0]])
    z = Tensor(logits, requires_grad=True)
    loss = F.cross_entropy(z, targets, mask=mask)
    loss.backward()
    real = [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 1)]
    expected = np.mean([-(logits[b, t, targets[b, t]] - np.log(np.exp(logits[b, t]).sum())) for b, t in real])
    assert loss.item() == pytest.approx(expected, rel=1e-14)
    np.testing.assert_array_equal(z.grad[1, 2:], 0.0)
    assert engine.gradcheck(lambda z: F.cross_entropy(z, targets, mask=mask), z).ok
    z2 = Tensor(np.where(mask[..., None] == 1, logits, 1e3), requires_grad=True)  # junk in padded steps
    assert F.cross_entropy(z2, targets, mask=mask).item() == pytest.approx(loss.item(), rel=1e-14)


def test_cross_entropy_accepts_tensor_and_integral_float_targets():
    z = np.array([[0.2, 0.7], [1.0, -1.0]])
    expected = F.cross_entropy(Tensor(z), np.array([1, 0])).item()
    assert F.cross_entropy(Tensor(z), Tensor([1.0, 0.0])).item() == expected
    assert F.cross_entropy(Tensor(z), [1, 0], mask=Tensor([1.0, 1.0])).item() == expected


def test_cross_entropy_is_stable_for_large_logits():
    loss = F.cross_entropy(Tensor([[1000.0, 0.0], [0.0, 1000.0]]), [1, 1])
    assert loss.item() == pytest.approx(500.0, rel=1e-15)


def test_cross_entropy_errors():
    z = Tensor(np.zeros((4, 3)))
    with raises_naming(ValueError, "cross_entropy", "(3,)", "(4, 3)", "(4,)"):
        F.cross_entropy(z, [0, 1, 2])
    with raises_naming(ValueError, "cross_entropy", "(4, 3)", "(2, 2)"):
        F.cross_entropy(z, np.zeros((2, 2), dtype=int))
    with raises_naming(ValueError, "cross_entropy", "()", "(3,)"):
        F.cross_entropy(Tensor(np.zeros(3)), 0)
    with raises_naming(ValueError, "cross_entropy", "target 3", "3 classes"):
        F.cross_entropy(z, [0, 1, 3, 2])
    with raises_naming(ValueError, "cross_entropy", "target -1", "3 classes"):
        F.cross_entropy(z, [0, -1, 1, 2])
    with raises_naming(TypeError, "cross_entropy", "integer", "fractional"):
        F.cross_entropy(z, [0.0, 1.5, 1.0, 2.0])
    with raises_naming(TypeError, "cross_entropy", "integer", "bool"):
        F.cross_entropy(z, np.array([True, False, True, True]))
    with raises_naming(ValueError, "cross_entropy", "every entry", "masked"):
        F.cross_entropy(z, [0, 1, 2, 0], mask=[0, 0, 0, 0])
    with raises_naming(ValueError, "cross_entropy", "every entry"):
        F.cross_entropy(z, [-100] * 4, ignore_index=-100)
    with raises_naming(ValueError, "cross_entropy", "mask", "(3,)", "(4,)"):
        F.cross_entropy(z, [0, 1, 2, 0], mask=[1, 1, 1])
    with raises_naming(TypeError, "cross_entropy", "Tensor", "ndarray"):
        F.cross_entropy(np.zeros((4, 3)), [0, 1, 2, 0])


def test_the_textbook_comparison_can_fail():
    logits, targets = np.array([[1.0, 2.0, 0.5]]), np.array([1])
    assert F.cross_entropy(Tensor(logits), targets).item() != pytest.approx(
        textbook_cross_entropy(logits, np.array([0])), rel=1e-13)


def test_gradcheck_catches_a_cross_entropy_backward_that_ignores_the_mask(monkeypatch):
    backward = functional_module.CrossEntropy.backward

    def wrong(ctx, grad):
        logp, targets, weights = ctx.saved
        ctx.saved = logp, targets, np.ones_like(weights)
        try:
            return backward(ctx, grad)
        finally:
            ctx.saved = logp, targets, weights

    monkeypatch.setattr(functional_module.CrossEntropy, "backward", staticmethod(wrong))
    z = Tensor(np.array([[0.1, 0.4], [0.3, -0.2], [1.0, 0.0]]), requires_grad=True)
    with pytest.raises(engine.GradcheckError, match=r"input 0 index \(2, \d\)"):
        engine.gradcheck(lambda z: F.cross_entropy(z, [0, 1, 1], mask=[1, 1, 0]), z)


def test_cross_entropy_keeps_float32():
    logits = np.linspace(-1, 1, 24).reshape(2, 4, 3)
    targets = np.array([[0, 1, 2, 0], [2, 2, 1, 0]])
    assert_float32(lambda z: F.cross_entropy(z, targets), logits)
    assert_float32(lambda z: F.cross_entropy(z, targets, mask=np.array([[1, 1, 0, 0], [1, 1, 1, 0]])), logits)
    assert_float32(lambda z: F.cross_entropy(z, targets, ignore_index=2), logits)


# ---- mse, softmax, log_softmax ------------------------------------------------------------------


@given(shapes().flatmap(lambda s: arrays(s).flatmap(lambda p: arrays(s).map(lambda t: (p, t)))))
def test_mse_matches_numpy_and_gradchecks(case):
    p_np, t_np = case
    p, t = requiring(p_np, t_np)
    assert F.mse(p, t_np).item() == pytest.approx(float(np.mean((p_np - t_np) ** 2)), rel=1e-14, abs=1e-300)
    assert engine.gradcheck(lambda p: F.mse(p, t_np), p).ok
    assert engine.gradcheck(lambda p, t: F.mse(p, t), p, t).ok


def test_mse_errors_and_float32():
    with raises_naming(ValueError, "mse", "(3,)", "(1, 3)"):
        F.mse(Tensor(np.ones(3)), np.ones((1, 3)))
    with raises_naming(TypeError, "mse", "Tensor"):
        F.mse(np.ones(3), np.ones(3))
    assert_float32(lambda p: F.mse(p, np.zeros((2, 3))), np.ones((2, 3)))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_functional_softmax_equals_the_method(name):
    x = np.array([[0.5, -1.0, 2.0], [0.0, 0.0, 1.0]])
    for axis in (-1, 0):
        assert_forward(getattr(F, name)(Tensor(x), axis=axis), getattr(Tensor(x), name)(axis=axis).data)
    (t,) = requiring(x)
    assert engine.gradcheck(lambda t: getattr(F, name)(t, axis=0), t).ok


def test_mse_takes_a_number_but_refuses_a_broadcasting_target():
    pred = Tensor([[1.0], [3.0]], requires_grad=True)
    assert F.mse(pred, 2.0).item() == 1.0
    with pytest.raises(ValueError, match=r"mse: pred of shape \(2, 1\) and target of shape \(2,\)"):
        F.mse(pred, np.array([1.0, 3.0]))
