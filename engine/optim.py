"""Optimizers that update parameters in place from their ``.grad``: ``SGD``, ``Adam``, ``AdamW``; and
``clip_grad_norm``.

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

    @staticmethod
    def _check_decay(owner: str, weight_decay: float) -> float:
        if isinstance(weight_decay, bool) or not isinstance(weight_decay, (int, float)) \
                or not math.isfinite(weight_decay) or weight_decay < 0:
            raise ValueError(f"{owner}: weight_decay must be a number >= 0, got {weight_decay!r}")
        return float(weight_decay)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to ``None``."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum (PyTorch's form, no dampening):

    g = g + wd p (L2 weight decay, if any);
    b = g at the first step, then b = momentum b + g;   p = p - lr b   (b = g without momentum).

    Args:
        params: the tensors to update (e.g. ``model.parameters()``).
        lr: the learning rate, > 0.
        momentum: in [0, 1).
        weight_decay: wd >= 0, the L2 penalty (wd / 2) |p|^2 added to the loss, as its gradient wd p.
    """

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0, weight_decay: float = 0.0):
        super().__init__("SGD", params, lr)
        if not 0 <= momentum < 1:
            raise ValueError(f"SGD: momentum must lie in [0, 1), got {momentum!r}")
        self.momentum = float(momentum)
        self.weight_decay = self._check_decay("SGD", weight_decay)
        self.buffers: list[np.ndarray | None] = [None] * len(self.params)

    def step(self) -> None:
        """Update every parameter that has a gradient, in place on ``.data``."""
        for k, p in enumerate(self.params):
            g = p.grad
            if g is None:
                continue
            if self.weight_decay:
                g = g + self.weight_decay * p.data
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

    g = g + wd p (L2 weight decay, if any: it passes through the adaptive scaling, unlike AdamW's);
    m = m + (1 - b1)(g - m);  v = b2 v + (1 - b2) g^2;
    p = p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps).

    Args:
        params: the tensors to update (e.g. ``model.parameters()``).
        lr: the learning rate, > 0.
        betas: (b1, b2), each in [0, 1).
        eps: added to the denominator, >= 0.
        weight_decay: wd >= 0, added to the gradient as wd p (PyTorch's ``Adam(weight_decay=...)``).
    """

    decoupled = False  # AdamW: decay the weights directly instead of through the gradient
    name = "Adam"

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.0):
        owner = self.name
        super().__init__(owner, params, lr)
        if len(betas) != 2 or not all(0 <= b < 1 for b in betas):
            raise ValueError(f"{owner}: betas must be two numbers in [0, 1), got {betas!r}")
        if not eps >= 0:
            raise ValueError(f"{owner}: eps must be >= 0, got {eps!r}")
        self.weight_decay = self._check_decay(owner, weight_decay)
        self.betas = (float(betas[0]), float(betas[1]))
        self.eps = float(eps)
        self.m = [np.zeros_like(p.data) for p in self.params]
        self.v = [np.zeros_like(p.data) for p in self.params]
        self.buffers = [np.empty_like(p.data) for p in self.params]  # scratch space, reused every step
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
            if self.weight_decay:
                if self.decoupled:
                    p.data *= 1 - self.lr * self.weight_decay
                else:
                    g = g + self.weight_decay * p.data
            m, v, buf = self.m[k], self.v[k], self.buffers[k]
            np.subtract(g, m, out=buf)  # m += (1 - b1)(g - m), PyTorch's lerp, without temporaries
            buf *= 1 - b1
            m += buf
            v *= b2
            np.multiply(g, g, out=buf)
            buf *= 1 - b2
            v += buf
            np.sqrt(v, out=buf)  # the denominator, then the step, in the same buffer
            buf /= math.sqrt(1 - b2 ** t)
            buf += self.eps
            np.divide(m, buf, out=buf)
            buf *= self.lr / (1 - b1 ** t)
            p.data -= buf


class AdamW(Adam):
    """AdamW (Loshchilov and Hutter, 2019): Adam with *decoupled* weight decay, PyTorch's rule:

    p = p (1 - lr wd), then the Adam update of p with the plain gradient g.

    Args are Adam's; ``weight_decay`` defaults to 0.01, as in PyTorch.
    """

    decoupled = True
    name = "AdamW"

    def __init__(self, params: Iterable[Tensor], lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0.01):
        super().__init__(params, lr, betas, eps, weight_decay)


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


__all__ = ["SGD", "Adam", "AdamW", "Optimizer", "clip_grad_norm"]
