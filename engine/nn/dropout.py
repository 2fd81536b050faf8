"""``Dropout``: in training mode, zero each unit with probability p and scale the survivors by 1/(1 - p).

Srivastava et al. (2014), "inverted" as in PyTorch: the scaling happens at training time, so evaluation
mode (``model.eval()``) is the identity and the expected value of every unit is the same in both modes.
"""

from __future__ import annotations

from typing import Any

from .. import functional as F
from ..tensor import Tensor
from .module import Module


class Dropout(Module):
    """y = x * m / (1 - p), m_i ~ Bernoulli(1 - p) drawn anew at every call, in training mode; y = x in eval.

    Args:
        p: the probability of dropping a unit, in [0, 1).

    The mask comes from ``engine.rng()``, so ``engine.seed(s)`` makes it reproducible.
    """

    def __init__(self, p: float = 0.5):
        self.p = F.check_dropout("Dropout", p)

    def forward(self, x: Any) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
