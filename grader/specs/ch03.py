"""How the exercises of chapter 3 (tensors) are tested."""

from __future__ import annotations

import numpy as np

from engine import Function
from grader.spec import Question

NOTEBOOK = "03_tensors"


def _broadcast_case(rng):
    ndim = int(rng.integers(1, 4))
    out = tuple(int(n) for n in rng.integers(1, 5, size=ndim))
    keep = int(rng.integers(0, ndim + 1))
    shape = tuple(1 if rng.random() < 0.5 else n for n in out[ndim - keep:])
    return (rng.normal(size=out), shape)


def _matmul_case(rng):
    s, n, k, m = (int(v) for v in rng.integers(1, 5, size=4))
    a_shape, b_shape = [((n, k), (k, m)), ((s, n, k), (k, m)), ((s, n, k), (s, k, m)), ((n, k), (s, k, m))][
        rng.integers(4)]
    out = np.broadcast_shapes(a_shape[:-2], b_shape[:-2]) + (n, m)
    return (rng.normal(size=a_shape), rng.normal(size=b_shape), rng.normal(size=out))


def _cross_entropy_case(rng):
    n, c = int(rng.integers(1, 6)), int(rng.integers(2, 6))
    scale = float(rng.choice([1.0, 10.0, 1000.0]))
    return (rng.normal(size=(n, c)) * scale, rng.integers(0, c, size=n))


class _SquareWrongBackward(Function):
    """x**2 with the backward of x (a factor 2 forgotten)."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved
        return grad * a


class _SigmoidWrongSign(Function):
    """sigmoid(x) with the backward's sign flipped."""

    @staticmethod
    def forward(ctx, a):
        s = 1 / (1 + np.exp(-a))
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, grad):
        (s,) = ctx.saved
        return -grad * s * (1 - s)


class _ExpGoodBackward(Function):
    """exp(x), backward right (a custom op can be correct too)."""

    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (out,) = ctx.saved
        return grad * out


#: functions Tensor -> scalar Tensor a case may name; the names say nothing about right or wrong
FUNCTIONS = {
    "f_tanh_sum": lambda t: t.tanh().sum(),
    "f_square_mean": lambda t: (t * t).mean(),
    "f_custom_a": lambda t: _SquareWrongBackward.apply(t).sum(),
    "f_custom_b": lambda t: (_SigmoidWrongSign.apply(t) * 3.0).sum(),
    "f_custom_c": lambda t: _ExpGoodBackward.apply(t * 0.5).mean(),
    "f_softmax_pick": lambda t: t.reshape(1, -1).softmax(axis=-1)[0, 0] * 2.0,
}


def _gradcheck_case(rng):
    name = str(rng.choice(sorted(FUNCTIONS)))
    shape = [(3,), (2, 3), (1,)][rng.integers(3)]
    return (name, rng.normal(size=shape) + 0.5, 1e-6, 1e-5)


def _gradient_ok(fn, name, x, eps, tol):
    return fn(FUNCTIONS[name], x, eps, tol)


QUESTIONS = [
    Question(
        id="3.1", function="unbroadcast", points=2,
        public=[(np.ones((2, 3)), (3,)), (np.arange(6.0).reshape(2, 3), (2, 1)), (np.ones((4, 2, 3)), (1, 3))],
        hidden=_broadcast_case, n_hidden=20, rtol=1e-9, atol=1e-12,
        hint="First sum over the leading axes the input does not have, then (keepdims) over its size-1 axes.",
    ),
    Question(
        id="3.2", function="matmul_backward", points=3,
        public=[(np.arange(6.0).reshape(2, 3), np.ones((3, 2)), np.ones((2, 2))),
                (np.ones((2, 2, 3)), np.arange(12.0).reshape(3, 4), np.ones((2, 2, 4)))],
        hidden=_matmul_case, n_hidden=20, rtol=1e-9, atol=1e-12,
        hint="Transpose only the last two axes (np.swapaxes), then sum over the batch axis an input did not have.",
    ),
    Question(
        id="3.3", function="cross_entropy", points=3,
        public=[(np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]), np.array([0, 1])),
                (np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([1, 1]))],
        hidden=_cross_entropy_case, rtol=1e-7, atol=1e-12,
        hint="Subtract each row's max before exp; the gradient is (softmax - onehot) divided by N.",
    ),
    Question(
        id="3.4", function="gradient_ok", points=3,
        public=[("f_tanh_sum", np.array([0.1, -0.4, 1.2]), 1e-6, 1e-5),
                ("f_custom_a", np.array([[0.5, 1.0, 2.0]]), 1e-6, 1e-5),
                ("f_custom_c", np.array([0.3, 0.7]), 1e-6, 1e-5)],
        hidden=_gradcheck_case, call=_gradient_ok,
        hint="Compare t.grad after f(t).backward() with (f(x + eps e_i) - f(x - eps e_i)) / (2 eps), entry by entry.",
    ),
]
