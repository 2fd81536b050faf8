"""RNNs from Scratch: a small autograd engine, scalar (``Value``) and tensor (``Tensor``), with RNNs on it.

Importing runs no computation and needs numpy alone. The course's data sets, pictures and training
helpers are in the ``course`` package beside this one (``course.viz.draw_graph`` draws a graph).
"""

from . import functional, nn, optim
from . import functional as F
from .autograd import is_grad_enabled, no_grad
from .function import Context, Function, ShapeError
from .gradcheck import GradcheckError, GradcheckReport, gradcheck
from .random import rng, seed
from .serialize import load, save
from .tensor import Tensor, concat, stack, where
from .value import Value

__all__ = [
    "Context", "F", "Function", "GradcheckError", "GradcheckReport", "ShapeError", "Tensor", "Value",
    "concat", "functional", "gradcheck", "is_grad_enabled", "load", "nn", "no_grad", "optim", "rng", "save",
    "seed", "stack", "where",
]
