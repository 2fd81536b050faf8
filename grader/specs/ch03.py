"""How the exercises of chapter 3 (tensors) are tested."""

from __future__ import annotations

import numpy as np

from engine import Function
from grader.spec import Mutant, Question

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


class _Square(Function):
    """x**2; each wrong op below keeps this forward and gets its backward wrong in its own way."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return a * a

    @staticmethod
    def backward(ctx, grad):
        raise NotImplementedError


class _SquareWrongBackward(_Square):
    """x**2 with the backward of x (a factor 2 forgotten)."""

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


class _SquareLastEntryWrong(_Square):
    """x**2 whose backward is right except in the last entry (a checker of entry 0 misses it)."""

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved
        g = 2 * a * grad
        g.reshape(-1)[-1] += 0.5
        return g


class _SquarePermuted(_Square):
    """x**2 whose backward hands each entry another entry's gradient (same sum, same entry set)."""

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved
        return np.roll((2 * a * grad).reshape(-1), 1).reshape(a.shape)


class _LeakyWrongBelowZero(Function):
    """leaky relu (slope 0.1 below 0) whose backward uses slope 0.2 where x < 0, and is right elsewhere."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.where(a > 0, a, 0.1 * a)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved
        return grad * np.where(a > 0, 1.0, 0.2)


#: functions Tensor -> scalar Tensor a case may name; the names say nothing about right or wrong
FUNCTIONS = {
    "f_tanh_sum": lambda t: t.tanh().sum(),
    "f_square_mean": lambda t: (t * t).mean(),
    "f_custom_a": lambda t: _SquareWrongBackward.apply(t).sum(),
    "f_custom_b": lambda t: (_SigmoidWrongSign.apply(t) * 3.0).sum(),
    "f_custom_c": lambda t: _ExpGoodBackward.apply(t * 0.5).mean(),
    "f_softmax_pick": lambda t: t.reshape(1, -1).softmax(axis=-1)[0, 0] * 2.0,
    "f_custom_d": lambda t: _SquareLastEntryWrong.apply(t).sum(),
    "f_custom_e": lambda t: (_SquarePermuted.apply(t) * (t * 0 + 1.0)).sum(),
    "f_custom_f": lambda t: _LeakyWrongBelowZero.apply(t).sum(),
}


def _gradcheck_case(rng):
    tricky = ("f_custom_d", "f_custom_e", "f_custom_f")  # wrong in one entry, permuted, wrong below 0
    name = str(rng.choice(tricky)) if rng.random() < 0.5 else str(rng.choice(sorted(FUNCTIONS)))
    shape = [(3,), (2, 3), (4,), (1,)][rng.integers(4)]
    x = rng.normal(size=shape) + 0.5
    if name in ("f_custom_d", "f_custom_e", "f_custom_f"):  # the wrong entries are not entry 0
        shape = [(3,), (2, 3)][rng.integers(2)]
        x = rng.uniform(0.3, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
        x.reshape(-1)[0] = abs(x.reshape(-1)[0])
        if name == "f_custom_f":
            x.reshape(-1)[-1] = -abs(x.reshape(-1)[-1])
        if name == "f_custom_e":
            x = np.sort(np.abs(x).reshape(-1)).reshape(shape) + np.arange(x.size).reshape(shape)
    return (name, x, 1e-6, 1e-5)


def _gradient_ok(fn, name, x, eps, tol):
    return fn(FUNCTIONS[name], x, eps, tol)


QUESTIONS = [
    Question(
        id="3.1", function="unbroadcast", points=2,
        public=[(np.ones((2, 3)), (3,)), (np.arange(6.0).reshape(2, 3), (2, 1)), (np.ones((4, 2, 3)), (1, 3))],
        hidden=_broadcast_case, n_hidden=20, rtol=1e-9, atol=1e-12,
        hint="Two kinds of broadcast axes: those numpy added in front, and those where the input had "
             "size 1; both must be summed, and the second kind kept as size 1.",
        mutants=(
            Mutant("size-1 axes not summed", "    if axes:\n", "    if False:\n"),
            Mutant("size-1 axes summed away (no keepdims)", "keepdims=True", "keepdims=False"),
            Mutant("the trailing axes summed instead of the leading ones", "tuple(range(extra))",
                   "tuple(range(grad.ndim - extra, grad.ndim))"),
        ),
    ),
    Question(
        id="3.2", function="matmul_backward", points=3,
        public=[(np.arange(6.0).reshape(2, 3), np.ones((3, 2)), np.ones((2, 2))),
                (np.ones((2, 2, 3)), np.arange(12.0).reshape(3, 4), np.ones((2, 2, 4)))],
        hidden=_matmul_case, n_hidden=20, rtol=1e-9, atol=1e-12, returns=("grad_a", "grad_b"),
        hint="Transpose only the last two axes of a batched matrix, and a matrix the batch shared "
             "receives the sum over the batch.",
        mutants=(
            Mutant("b.T on a batched b (reverses every axis)", "np.swapaxes(b, -1, -2)", "b.T", public=False),
            Mutant("no sum over the batch for a shared matrix",
                   "return unbroadcast(grad_a, a.shape), unbroadcast(grad_b, b.shape)", "return grad_a, grad_b"),
            Mutant("grad_b without the transpose of a", "np.swapaxes(a, -1, -2) @ grad_out",
                   "np.swapaxes(grad_out, -1, -2) @ a"),
        ),
    ),
    Question(
        id="3.3", function="cross_entropy", points=3,
        public=[(np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]]), np.array([0, 1])),
                (np.array([[1000.0, 0.0], [0.0, 1000.0]]), np.array([1, 1]))],
        hidden=_cross_entropy_case, rtol=1e-7, atol=1e-12, returns=("loss", "grad"),
        hint="The loss is a mean over rows, and so is its gradient; exp of a thousand overflows, "
             "and softmax does not change when a row is shifted.",
        mutants=(
            Mutant("gradient not divided by N", "return float(loss), grad / n", "return float(loss), grad"),
            Mutant("no shift before exp", "shifted = logits - logits.max(axis=1, keepdims=True)",
                   "shifted = logits"),
            Mutant("sum over rows, not mean", "].mean()", "].sum()"),
        ),
    ),
    Question(
        id="3.4", function="gradient_ok", points=3,
        public=[("f_tanh_sum", np.array([0.1, -0.4, 1.2]), 1e-6, 1e-5),
                ("f_custom_a", np.array([[0.5, 1.0, 2.0]]), 1e-6, 1e-5),
                ("f_custom_c", np.array([0.3, 0.7]), 1e-6, 1e-5),
                ("f_custom_d", np.array([0.3, 0.7, 1.1]), 1e-6, 1e-5)],
        hidden=_gradcheck_case, call=_gradient_ok, n_hidden=24, inputs=("f", "x", "eps", "tol"),
        returns="verdict",
        hint="A backward can be wrong in a single entry, or only where x < 0, or hand the right numbers "
             "to the wrong entries: compare every entry with its own estimate.",
        mutants=(
            Mutant("compares entry 0 only", "return bool(np.all(np.abs(analytic - numeric) <= tol * scale))",
                   "return bool(abs(analytic.flat[0] - numeric.flat[0]) <= tol * scale.flat[0])"),
            Mutant("compares the sums only", "return bool(np.all(np.abs(analytic - numeric) <= tol * scale))",
                   "return bool(abs(analytic.sum() - numeric.sum()) <= tol * max(1.0, abs(numeric.sum())))",
                   public=False),
            Mutant("any entry agreeing is enough", "np.all(", "np.any("),
        ),
    ),
]
