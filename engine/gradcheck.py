"""``gradcheck``: compare ``backward()`` with central differences, the test every op must pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .autograd import no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """``backward()`` and central differences disagree; the message holds the report."""

    def __init__(self, report: GradcheckReport):
        super().__init__(str(report))
        self.report = report


@dataclass
class GradcheckReport:
    """The outcome of ``gradcheck``: the worst disagreement over every checked element."""

    ok: bool
    max_abs_error: float
    max_rel_error: float  # |analytic - numeric| / max(|analytic|, |numeric|, 1): relative above 1, absolute below
    worst: dict = field(default_factory=dict)
    checked: int = 0

    def __str__(self) -> str:
        verdict = "gradcheck passed" if self.ok else "gradcheck FAILED"
        text = (f"{verdict}: {self.checked} partial derivatives, max abs error {self.max_abs_error:.2e}, "
                f"max rel error {self.max_rel_error:.2e}")
        if self.worst:
            w = self.worst
            text += (f"; worst at input {w['input']} index {w['index']}: backward {w['analytic']:.8g}, "
                     f"central difference {w['numeric']:.8g}")
        return text


def _scalar(out: Tensor, projection: np.ndarray | None) -> float:
    return float(out.data.sum() if projection is None else (out.data * projection).sum())


def gradcheck(fn: Callable[..., Tensor], *inputs: Tensor, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-4, raise_on_fail: bool = True, seed: int = 0) -> GradcheckReport:
    """Check the gradients of ``fn`` at ``inputs`` against central differences, in float64.

    Every input Tensor with ``requires_grad`` is checked element by element:
    (f(x + eps e_i) - f(x - eps e_i)) / (2 eps) against ``backward()``. A non-scalar output is reduced to
    a scalar by a fixed random projection, so every output element matters.

    Args:
        fn: takes the inputs (Tensors or other values, passed through unchanged) and returns a Tensor.
        inputs: the point at which to check; not modified.
        eps: the finite-difference step.
        atol, rtol: an element passes when |analytic - numeric| <= atol + rtol |numeric|.
        raise_on_fail: raise ``GradcheckError`` (holding the report) on a failure.
        seed: seed of the projection for non-scalar outputs.

    Returns:
        A ``GradcheckReport``; its ``ok`` says whether every element passed.
    """
    xs = [Tensor(t.data, requires_grad=t.requires_grad, dtype=np.float64) if isinstance(t, Tensor) else t
          for t in inputs]
    checked = [i for i, t in enumerate(xs) if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck: no input Tensor has requires_grad=True, so there is nothing to check")
    out = fn(*xs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    projection = None if out.data.size == 1 else np.random.default_rng(seed).standard_normal(out.shape)
    out.backward(np.ones_like(out.data) if projection is None else projection)
    report = GradcheckReport(ok=True, max_abs_error=0.0, max_rel_error=0.0)
    worst_score = -np.inf
    for i in checked:
        x = xs[i]
        analytic = np.zeros_like(x.data) if x.grad is None else x.grad
        for idx in np.ndindex(x.shape):
            original = x.data[idx]
            with no_grad():
                x.data[idx] = original + eps
                plus = _scalar(fn(*xs), projection)
                x.data[idx] = original - eps
                minus = _scalar(fn(*xs), projection)
            x.data[idx] = original
            numeric = (plus - minus) / (2 * eps)
            a = float(analytic[idx])
            abs_err = abs(a - numeric)
            rel_err = abs_err / max(abs(a), abs(numeric), 1.0)
            report.checked += 1
            report.max_abs_error = max(report.max_abs_error, abs_err)
            report.max_rel_error = max(report.max_rel_error, rel_err)
            score = abs_err - (atol + rtol * abs(numeric))
            if score > worst_score:
                worst_score = score
                report.worst = {"input": i, "index": idx, "analytic": a, "numeric": numeric}
            if score > 0:
                report.ok = False
    if not report.ok and raise_on_fail:
        raise GradcheckError(report)
    return report
