"""Initialisers: each fills a parameter's ``.data`` in place from ``engine.rng()`` and returns the tensor.

Weights here are stored ``(in, out)`` (``y = x W``), the transpose of PyTorch's ``(out, in)``; fans are
read accordingly: ``fan_in = W.shape[0]``, ``fan_out = W.shape[1]``.
"""

from __future__ import annotations

import math

import numpy as np

from ..random import rng
from ..tensor import Tensor


def _check(name: str, t: Tensor, matrix: bool = False) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"init.{name}: expected a Tensor, got {type(t).__name__}")
    if matrix and t.ndim != 2:
        raise ValueError(f"init.{name}: needs a matrix, got a tensor of shape {t.shape}")


def zeros_(t: Tensor) -> Tensor:
    """t = 0."""
    _check("zeros_", t)
    t.data[...] = 0
    return t


def uniform_(t: Tensor, low: float, high: float) -> Tensor:
    """t ~ U(low, high) elementwise. PyTorch's RNN default is U(-1/sqrt(H), 1/sqrt(H)) for every parameter;
    its Linear default is U(-1/sqrt(in), 1/sqrt(in)) for weight and bias."""
    _check("uniform_", t)
    if not low <= high:
        raise ValueError(f"init.uniform_: needs low <= high, got low={low}, high={high}")
    t.data[...] = rng().uniform(low, high, size=t.shape)
    return t


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """t ~ N(mean, std^2) elementwise (PyTorch's Embedding default)."""
    _check("normal_", t)
    t.data[...] = rng().normal(mean, std, size=t.shape)
    return t


def xavier_uniform_(t: Tensor, gain: float = 1.0) -> Tensor:
    """t ~ U(-a, a) with a = gain sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio, 2010)."""
    _check("xavier_uniform_", t, matrix=True)
    fan_in, fan_out = t.shape
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    t.data[...] = rng().uniform(-bound, bound, size=t.shape)
    return t


def orthogonal_(t: Tensor, gain: float = 1.0) -> Tensor:
    """t = gain Q, Q with orthonormal rows or columns (whichever are fewer), from the QR of a Gaussian matrix
    with the signs fixed by diag(R), as PyTorch does (Saxe et al., 2014)."""
    _check("orthogonal_", t, matrix=True)
    rows, cols = t.shape
    a = rng().standard_normal((max(rows, cols), min(rows, cols)))
    q, r = np.linalg.qr(a)
    q *= np.sign(np.diag(r))
    t.data[...] = gain * (q if rows >= cols else q.T)
    return t


def identity_(t: Tensor, gain: float = 1.0) -> Tensor:
    """t = gain I (ones on the diagonal, zeros elsewhere): the IRNN's W_hh (Le, Jaitly and Hinton, 2015)."""
    _check("identity_", t, matrix=True)
    t.data[...] = gain * np.eye(*t.shape)
    return t


__all__ = ["identity_", "normal_", "orthogonal_", "uniform_", "xavier_uniform_", "zeros_"]
