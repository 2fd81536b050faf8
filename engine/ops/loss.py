"""Loss ops: their forward and backward fused, for numerical stability and speed."""

from __future__ import annotations

import numpy as np

from ..function import Context, Function
from .reduce import log_softmax as _log_softmax


class CrossEntropy(Function):
    """L = -sum_i w_i log softmax(z_i)[y_i] / sum_i w_i;  dz_i = w_i (softmax(z_i) - onehot(y_i)) / sum w."""

    @staticmethod
    def forward(ctx: Context, logits: np.ndarray, targets: np.ndarray, weights: np.ndarray) -> np.ndarray:
        logp = _log_softmax(logits, axis=-1)
        count = weights.sum()
        rows = np.arange(targets.size)
        flat_logp = logp.reshape(-1, logp.shape[-1])
        picked = flat_logp[rows, targets.reshape(-1)]
        ctx.save_for_backward(logp, targets, weights)
        ctx.count = count
        return np.asarray(-(picked * weights.reshape(-1)).sum() / count, dtype=logits.dtype)

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        logp, targets, weights = ctx.saved
        d = np.exp(logp)
        flat = d.reshape(-1, d.shape[-1])
        flat[np.arange(targets.size), targets.reshape(-1)] -= 1
        np.multiply(d, weights[..., None] * (grad / ctx.count), out=d)  # in place: d is this call's own
        return d, None, None
