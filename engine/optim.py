"""Optimizers that update parameters in place from their ``.grad``: ``SGD``, ``Adam``; and ``clip_grad_norm``.

Each follows PyTorch's update rule exactly, so results can be compared number for number.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .tensor import Tensor


def _param_list(owner: str, params: Iterable[Tensor]) -> list[Tensor]:
    if isinstance(params, Tensor):
        params = [params]
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"{owner}: params must be an iterable of Tensors (e.g. model.parameters()), "
                        f"got {type(params).__name__}") from None
    if not params:
        raise ValueError(f"{owner}: got an empty parameter list")
    for i, p in enumerate(params):
        if not isinstance(p, Tensor):
            raise TypeError(f"{owner}: parameter {i} is a {type(p).__name__}, not a Tensor")
        if not p.requires_grad:
            raise ValueError(f"{owner}: parameter {i} (shape {p.shape}) has requires_grad=False, "
                             "so it would never be updated")
    return params


class Optimizer:
    """Holds the parameters; ``zero_grad()`` clears their gradients, ``step()`` updates them."""

    def __init__(self, owner: str, params: Iterable[Tensor], lr: float):
        if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
            raise ValueError(f"{owner}: lr must be a positive number, got {lr!r}")
        self.params = _param_list(owner, params)
        self.lr = float(lr)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to ``None``."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (PyTorch's form, no dampening):

    b = g at the first step, then b = momentum b + g;   p = p - lr b   (b = g without momentum).

    Args:
        params: the tensors to update (e.g. ``model.parameters()``).
        lr: the learning rate, > 0.
        momentum: in [0, 1).
    """

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0):
        super().__init__("SGD", params, lr)
        if not 0 <= momentum < 1:
            raise ValueError(f"SGD: momentum must lie in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)
        self.buffers: list[np.ndarray | None] = [None] * len(self.params)

    def step(self) -> None:
        """Update every parameter that has a gradient, in place on ``.data``."""
        for k, p in enumerate(self.params):
            g = p.grad
            if g is None:
                continue
            if self.momentum:
                b = self.buffers[k]
                if b is None:
                    b = self.buffers[k] = np.array(g, dtype=p.dtype)
                else:
                    b *= self.momentum
                    b += g
                g = b
            p.data -= self.lr * g


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015) with PyTorch's bias-corrected update, for step t = 1, 2, ...:

    m = m + (1 - b1)(g - m);  v = b2 v + (1 - b2) g^2;
    p = p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps).

    Args:
        params: the tensors to update (e.g. ``model.parameters()``).
        lr: the learning rate, > 0.
        betas: (b1, b2), each in [0, 1).
        eps: added to the denominator, >= 0.
    """

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8):
        super().__init__("Adam", params, lr)
        if len(betas) != 2 or not all(0 <= b < 1 for b in betas):
            raise ValueError(f"Adam: betas must be two numbers in [0, 1), got {betas!r}")
        if not eps >= 0:
            raise ValueError(f"Adam: eps must be >= 0, got {eps!r}")
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = float(eps)
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]
        self.steps = [0] * len(self.params)

    def step(self) -> None:
        """Update every parameter that has a gradient, in place on ``.data``."""
        b1, b2 = self.betas
        for k, p in enumerate(self.params):
            g = p.grad
            if g is None:
                continue
            self.steps[k] += 1
            t = self.steps[k]
            m, v = self.m[k], self.v[k]
            m += (1 - b1) * (g - m)  # PyTorch's lerp
            v *= b2
            v += (1 - b2) * (g * g)
            denom = np.sqrt(v)
            denom /= math.sqrt(1 - b2 ** t)
            denom += self.eps
            p.data -= (self.lr / (1 - b1 ** t)) * (m / denom)


def clip_grad_norm(params: Iterable[Tensor], max_norm: float) -> float:
    """Scale all gradients together so that their total 2-norm is at most ``max_norm`` (as PyTorch).

    norm = sqrt(sum of every gradient element squared); when max_norm / (norm + 1e-6) < 1 every gradient
    is multiplied by that factor, in place. Parameters without a gradient are skipped.

    Returns:
        The total norm before clipping.
    """
    params = _param_list("clip_grad_norm", params)
    if not max_norm > 0:
        raise ValueError(f"clip_grad_norm: max_norm must be positive, got {max_norm!r}")
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return 0.0
    norm = math.sqrt(sum(float(np.vdot(g, g).real) for g in grads))
    coef = max_norm / (norm + 1e-6)
    if coef < 1:
        for p in params:
            if p.grad is not None:
                p.grad *= coef
    return norm


__all__ = ["SGD", "Adam", "Optimizer", "clip_grad_norm"]
