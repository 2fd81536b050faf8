"""SGD, Adam and clip_grad_norm against updates computed by hand in numpy (PyTorch's formulas)."""

import math

import numpy as np
import pytest

from engine import Tensor, optim


def params(seed=0, dtype=np.float64):
    r = np.random.default_rng(seed)
    return [Tensor(r.standard_normal((3, 2)), requires_grad=True, dtype=dtype),
            Tensor(r.standard_normal(4), requires_grad=True, dtype=dtype)]


def grads_for(step, seed=1):
    r = np.random.default_rng(seed + step)
    return [r.standard_normal((3, 2)), r.standard_normal(4)]


def adam_by_hand(p0, grads, lr, b1, b2, eps, bias_correction=True):
    """Adam written out from the paper with PyTorch's bias-corrected denominator."""
    p, m, v = p0.copy(), np.zeros_like(p0), np.zeros_like(p0)
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        if bias_correction:
            m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        else:
            m_hat, v_hat = m, v
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
    return p


def run(opt_cls, n_steps=4, **kw):
    ps = params()
    start = [p.data.copy() for p in ps]
    opt = opt_cls(ps, **kw)
    for s in range(n_steps):
        opt.zero_grad()
        for p, g in zip(ps, grads_for(s)):
            p.grad = g.copy()
        opt.step()
    return start, [p.data for p in ps]


@pytest.mark.parametrize("kw", [dict(lr=1e-3), dict(lr=0.1, betas=(0.8, 0.99), eps=1e-6)])
def test_adam_matches_hand_computed_updates(kw):
    start, got = run(optim.Adam, **kw)
    b1, b2 = kw.get("betas", (0.9, 0.999))
    for k in range(2):
        want = adam_by_hand(start[k], [grads_for(s)[k] for s in range(4)], kw["lr"], b1, b2, kw.get("eps", 1e-8))
        np.testing.assert_allclose(got[k], want, rtol=1e-13, atol=1e-15)
        # the comparison is sharp enough to catch Adam without bias correction
        wrong = adam_by_hand(start[k], [grads_for(s)[k] for s in range(4)], kw["lr"], b1, b2,
                             kw.get("eps", 1e-8), bias_correction=False)
        assert not np.allclose(got[k], wrong, rtol=1e-13, atol=1e-15)


def test_sgd_with_and_without_momentum():
    start, got = run(optim.SGD, lr=0.1)
    for k in range(2):
        np.testing.assert_allclose(got[k], start[k] - 0.1 * sum(grads_for(s)[k] for s in range(4)), rtol=1e-14)
    start, got = run(optim.SGD, lr=0.1, momentum=0.9)
    for k in range(2):
        p, buf = start[k].copy(), None
        for s in range(4):
            g = grads_for(s)[k]
            buf = g if buf is None else 0.9 * buf + g
            p = p - 0.1 * buf
        np.testing.assert_allclose(got[k], p, rtol=1e-14)
        assert not np.allclose(got[k], start[k] - 0.1 * sum(grads_for(s)[k] for s in range(4)), rtol=1e-6)


def test_step_skips_params_without_grad_and_keeps_float32():
    ps = params(dtype=np.float32)
    before = ps[1].data.copy()
    opt = optim.Adam(ps, lr=0.01)
    ps[0].grad = np.ones((3, 2), dtype=np.float32)
    opt.step()
    np.testing.assert_array_equal(ps[1].data, before)
    assert ps[0].data.dtype == np.float32 and opt.m[0].dtype == np.float32
    np.testing.assert_allclose(ps[0].data, params()[0].data.astype(np.float32) - 0.01, rtol=1e-5)


def test_clip_grad_norm_as_pytorch():
    ps = params()
    gs = grads_for(0)
    for p, g in zip(ps, gs):
        p.grad = g.copy()
    norm = math.sqrt(sum((g ** 2).sum() for g in gs))
    assert optim.clip_grad_norm(ps, 0.5) == pytest.approx(norm, rel=1e-15)
    for p, g in zip(ps, gs):
        np.testing.assert_allclose(p.grad, g * 0.5 / (norm + 1e-6), rtol=1e-15)
    total = math.sqrt(sum((p.grad ** 2).sum() for p in ps))
    assert total == pytest.approx(0.5, rel=1e-5)
    before = [p.grad.copy() for p in ps]
    assert optim.clip_grad_norm(ps, 10.0) == pytest.approx(total)  # under the limit: untouched
    for p, g in zip(ps, before):
        np.testing.assert_array_equal(p.grad, g)


def test_errors():
    with pytest.raises(ValueError, match="Adam: lr must be a positive number, got 0"):
        optim.Adam(params(), lr=0)
    with pytest.raises(ValueError, match="SGD: lr must be a positive number, got -1"):
        optim.SGD(params(), lr=-1)
    with pytest.raises(ValueError, match="SGD: got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="Adam: parameter 1 is a ndarray, not a Tensor"):
        optim.Adam([params()[0], np.zeros(3)])
    with pytest.raises(ValueError, match="Adam: betas must be two numbers in"):
        optim.Adam(params(), betas=(0.9, 1.0))
    with pytest.raises(ValueError, match=r"SGD: momentum must lie in \[0, 1\)"):
        optim.SGD(params(), lr=0.1, momentum=1.5)
    with pytest.raises(ValueError, match="clip_grad_norm: max_norm must be positive"):
        optim.clip_grad_norm(params(), 0)
    with pytest.raises(ValueError, match=r"SGD: parameter 0 \(shape \(2,\)\) has requires_grad=False"):
        optim.SGD([Tensor(np.zeros(2))], lr=0.1)


# ---- weight decay and AdamW, against PyTorch's rules written out by hand ----------------------------
def sgd_by_hand(p0, grads, lr, momentum, wd):
    p, b = p0.copy(), None
    for g in grads:
        d = g + wd * p
        b = d if b is None else momentum * b + d
        p = p - lr * (b if momentum else d)
    return p


def adam_wd_by_hand(p0, grads, lr, b1, b2, eps, wd, decoupled):
    """torch.optim.Adam(weight_decay=wd) (decoupled=False) and torch.optim.AdamW (decoupled=True)."""
    p, m, v = p0.copy(), np.zeros_like(p0), np.zeros_like(p0)
    for t, g in enumerate(grads, start=1):
        if decoupled:
            p = p * (1 - lr * wd)
        else:
            g = g + wd * p
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g ** 2
        p = p - lr * (m / (1 - b1 ** t)) / (np.sqrt(v / (1 - b2 ** t)) + eps)
    return p


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_weight_decay_matches_hand_computed_updates(momentum):
    start, got = run(optim.SGD, lr=0.1, momentum=momentum, weight_decay=0.05)
    for k in range(2):
        want = sgd_by_hand(start[k], [grads_for(s)[k] for s in range(4)], 0.1, momentum, 0.05)
        np.testing.assert_allclose(got[k], want, rtol=1e-13, atol=1e-15)
        without = sgd_by_hand(start[k], [grads_for(s)[k] for s in range(4)], 0.1, momentum, 0.0)
        assert np.abs(got[k] - without).max() > 1e-3  # the check would see decay left out


@pytest.mark.parametrize("cls,decoupled,wd", [(optim.Adam, False, 0.1), (optim.AdamW, True, 0.1),
                                              (optim.AdamW, True, None)])
def test_adam_and_adamw_weight_decay_match_hand_computed_updates(cls, decoupled, wd):
    kw = dict(lr=0.05, betas=(0.9, 0.99), eps=1e-8) | ({} if wd is None else dict(weight_decay=wd))
    start, got = run(cls, **kw)
    decay = 0.01 if wd is None else wd  # AdamW's default, as PyTorch's
    for k in range(2):
        grads = [grads_for(s)[k] for s in range(4)]
        want = adam_wd_by_hand(start[k], grads, 0.05, 0.9, 0.99, 1e-8, decay, decoupled)
        np.testing.assert_allclose(got[k], want, rtol=1e-12, atol=1e-14)
        other = adam_wd_by_hand(start[k], grads, 0.05, 0.9, 0.99, 1e-8, decay, not decoupled)
        assert np.abs(got[k] - other).max() > 1e-6  # coupled and decoupled decay differ, and we can tell


def test_one_adamw_step_by_hand():
    p = Tensor([2.0], requires_grad=True)
    opt = optim.AdamW([p], lr=0.1, weight_decay=0.5)
    p.grad = np.array([4.0])
    opt.step()
    # p * (1 - 0.1 * 0.5) = 1.9; m_hat = 4, v_hat = 16: step 0.1 * 4 / (4 + 1e-8)
    assert p.data[0] == pytest.approx(1.9 - 0.1 * 4 / (4 + 1e-8), abs=1e-15)


@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.AdamW])
def test_negative_weight_decay_is_refused(cls):
    with pytest.raises(ValueError, match=f"{cls.__name__}: weight_decay"):
        cls(params(), lr=0.1, weight_decay=-1.0)
