"""RNNs from Scratch: a small autograd engine, scalar (``Value``) and tensor (``Tensor``), with RNNs on it.

Importing runs no computation; plotting (``engine.draw_graph``) loads matplotlib only when called.
"""

from . import functional, nn, optim
from . import functional as F
from .autograd import is_grad_enabled, no_grad
from .function import Context, Function, ShapeError
from .gradcheck import GradcheckError, GradcheckReport, gradcheck
from .random import rng, seed
from .tensor import Tensor, concat, stack
from .value import Value


def draw_graph(root, **kwargs):
    """Draw the computation graph of a Value or Tensor with matplotlib (see ``engine.draw``)."""
    from .draw import draw_graph as _draw

    return _draw(root, **kwargs)


__all__ = [
    "Context", "F", "Function", "GradcheckError", "GradcheckReport", "ShapeError", "Tensor", "Value",
    "concat", "draw_graph", "functional", "gradcheck", "is_grad_enabled", "nn", "no_grad", "optim", "rng",
    "seed", "stack",
]
