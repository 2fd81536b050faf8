"""Losses and normalisations as functions of tensors: ``engine.functional`` (also ``engine.F``).

These functions check their arguments and then call the ops in ``engine.ops``, where each forward sits
beside its backward.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .ops.loss import CrossEntropy
from .random import rng
from .tensor import Tensor


def softmax(x: Tensor, axis: int = -1) -> Tensor:
    """exp(x) / sum exp(x) along ``axis``."""
    return x.softmax(axis)


def log_softmax(x: Tensor, axis: int = -1) -> Tensor:
    """x - log sum exp(x) along ``axis``."""
    return x.log_softmax(axis)


def cross_entropy(logits: Tensor, targets: Any, mask: Any = None, ignore_index: int | None = None) -> Tensor:
    """Mean negative log-likelihood of integer ``targets`` under ``softmax(logits)``.

    Args:
        logits: scores of shape ``(N, C)`` or ``(B, T, C)`` (any leading shape, classes last).
        targets: integer class indices of shape ``logits.shape[:-1]``.
        mask: optional 0/1 weights of the same shape as ``targets``; entries with 0 (padding) neither
            count in the mean nor receive gradient.
        ignore_index: optional target value that marks entries to leave out, as a mask would.

    Returns:
        A scalar tensor: the mean over the counted entries.
    """
    if not isinstance(logits, Tensor):
        raise TypeError(f"cross_entropy: logits must be a Tensor, got {type(logits).__name__}")
    t = np.asarray(targets.data if isinstance(targets, Tensor) else targets)
    if t.dtype.kind == "f":
        if not np.all(t == np.round(t)):
            raise TypeError("cross_entropy: targets must be integer class indices, got fractional values")
        t = t.astype(np.intp)
    elif t.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy: targets must be integer class indices, got dtype {t.dtype}")
    if logits.ndim < 2 or t.shape != logits.shape[:-1]:
        raise ValueError(f"cross_entropy: targets of shape {t.shape} do not fit logits of shape "
                         f"{logits.shape}: expected targets of shape {logits.shape[:-1]}")
    weights = np.ones(t.shape, dtype=logits.dtype)
    if mask is not None:
        m = np.asarray(mask.data if isinstance(mask, Tensor) else mask, dtype=logits.dtype)
        if m.shape != t.shape:
            raise ValueError(f"cross_entropy: mask of shape {m.shape} does not fit targets of shape {t.shape}")
        weights = weights * m
    if ignore_index is not None:
        weights = weights * (t != ignore_index)
    counted = weights != 0
    n_classes = logits.shape[-1]
    bad = counted & ((t < 0) | (t >= n_classes))
    if bad.any():
        raise ValueError(f"cross_entropy: target {t[bad].flat[0]} is out of range for {n_classes} classes")
    if not counted.any():
        raise ValueError("cross_entropy: every entry is masked or ignored, so the mean is undefined")
    safe_t = np.where(counted, t, 0).astype(np.intp)
    return CrossEntropy.apply(logits, Tensor._leaf(safe_t), Tensor._leaf(weights))


def mse(pred: Tensor, target: Any) -> Tensor:
    """Mean squared error: mean((pred - target)^2).

    ``target`` must have ``pred``'s shape, or be a single number: a (B, 1) prediction against a (B,)
    target would otherwise broadcast silently to a (B, B) difference.
    """
    if not isinstance(pred, Tensor):
        raise TypeError(f"mse: pred must be a Tensor, got {type(pred).__name__}")
    target = pred._lift(target)
    if pred.shape != target.shape and target.ndim != 0:
        raise ValueError(f"mse: pred of shape {pred.shape} and target of shape {target.shape} differ")
    diff = pred - target
    return (diff * diff).mean()


def check_dropout(owner: str, p: Any) -> float:
    """p as a float in [0, 1), or an error naming ``owner``."""
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p < 1:
        raise ValueError(f"{owner}: the dropout probability p must lie in [0, 1), got {p!r}")
    return float(p)


def dropout(x: Tensor, p: float, training: bool = True) -> Tensor:
    """Inverted dropout: x * m / (1 - p) with m_i ~ Bernoulli(1 - p) from ``engine.rng()`` when training;
    x itself otherwise (and when p = 0)."""
    p = check_dropout("dropout", p)
    if not isinstance(x, Tensor):
        raise TypeError(f"dropout: x must be a Tensor, got {type(x).__name__}")
    if not training or p == 0:
        return x
    keep = rng().random(x.shape) >= p
    return x * Tensor._leaf((keep / (1 - p)).astype(x.dtype))
