"""``Module``, the container of parameters, and the two simplest layers: ``Linear`` and ``Embedding``."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..checks import float_dtype, positive_int
from ..function import ShapeError
from ..tensor import Tensor
from . import init


class Module:
    """Base class of layers and models: finds its parameters by walking its attributes.

    A subclass sets its parameters (Tensors with ``requires_grad=True``) and sub-modules as attributes in
    ``__init__`` and computes in ``forward``; ``module(...)`` calls ``forward``.
    """

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def _children(self) -> Iterator[tuple[str, Tensor | Module]]:
        """(name, item) for every parameter and sub-module, in attribute order; lists give ``name.i``."""
        for name, value in vars(self).items():
            if isinstance(value, Tensor):
                if value.requires_grad:
                    yield name, value
            elif isinstance(value, Module):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module):
                        yield f"{name}.{i}", item

    def named_parameters(self, prefix: str = "") -> list[tuple[str, Tensor]]:
        """Every parameter once, with its dotted path, e.g. ``("cell.W_hh", tensor)``."""
        seen: set[int] = set()
        out: list[tuple[str, Tensor]] = []

        def walk(module: Module, path: str) -> None:
            for name, item in module._children():
                if isinstance(item, Module):
                    walk(item, f"{path}{name}.")
                elif id(item) not in seen:
                    seen.add(id(item))
                    out.append((path + name, item))

        walk(self, prefix)
        return out

    def parameters(self) -> list[Tensor]:
        """Every parameter once (a tensor shared by two sub-modules is listed the first time it is met)."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to ``None``."""
        for p in self.parameters():
            p.zero_grad()

    def extra_repr(self) -> str:
        """The arguments shown between the parentheses of ``repr``."""
        return ""

    def __repr__(self) -> str:
        subs = [(n, m) for n, m in self._children() if isinstance(m, Module)]
        extra = self.extra_repr()
        if not subs:
            return f"{type(self).__name__}({extra})"
        lines = [f"{type(self).__name__}("] + ([f"  {extra}"] if extra else [])
        for name, sub in subs:
            body = repr(sub).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)"


def as_input(owner: str, x: Any, dtype: np.dtype) -> Tensor:
    """``x`` as a Tensor of the module's dtype: arrays are wrapped; a Tensor of another dtype is an error."""
    if not isinstance(x, Tensor):
        return Tensor(x, dtype=dtype)
    if x.dtype != dtype:
        raise TypeError(f"{owner}: the input is {x.dtype} but the module's parameters are {dtype}: "
                        f"make them agree (e.g. Tensor(data, dtype=np.{dtype}))")
    return x


class Linear(Module):
    """y = x W + b, applied to the last axis of x.

    Args:
        in_features: size of each input's last axis.
        out_features: size of each output's last axis.
        bias: whether to add the learned ``b``.
        dtype: float64 (default) or float32, for parameters and results.

    ``W`` (in x out) and ``b`` (out) start as U(-1/sqrt(in), 1/sqrt(in)), PyTorch's default.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, dtype: Any = np.float64):
        self.in_features = positive_int("Linear", "in_features", in_features)
        self.out_features = positive_int("Linear", "out_features", out_features)
        self.dtype = float_dtype("Linear", dtype)
        bound = 1 / math.sqrt(self.in_features)
        self.W = init.uniform_(Tensor(np.zeros((in_features, out_features)), True, self.dtype), -bound, bound)
        self.b = init.uniform_(Tensor(np.zeros(out_features), True, self.dtype), -bound, bound) if bias else None

    def forward(self, x: Any) -> Tensor:
        x = as_input("Linear", x, self.dtype)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ShapeError(f"Linear: expected inputs of shape (..., {self.in_features}), got {x.shape}")
        if x.ndim > 2:  # one (N, in) @ (in, out) product rather than a batch of small ones
            y = x.reshape(-1, self.in_features) @ self.W
            if self.b is not None:
                y = y + self.b
            return y.reshape(*x.shape[:-1], self.out_features)
        y = x @ self.W
        return y + self.b if self.b is not None else y

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, bias={self.b is not None}"
                + (f", dtype={self.dtype}" if self.dtype != np.float64 else ""))


class Embedding(Module):
    """A lookup table: ``emb(ids)`` is ``W[ids]``, one row of ``W`` (num x dim) per integer id.

    Args:
        num_embeddings: how many ids (rows of ``W``).
        embedding_dim: the size of each row.
        dtype: float64 (default) or float32.

    The gradient of a row is the sum of the gradients of every position that looked it up. ``W`` starts
    as N(0, 1), PyTorch's default. Looking up row ``i`` equals multiplying a one-hot vector by ``W``.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, dtype: Any = np.float64):
        self.num_embeddings = positive_int("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = positive_int("Embedding", "embedding_dim", embedding_dim)
        self.dtype = float_dtype("Embedding", dtype)
        self.W = init.normal_(Tensor(np.zeros((num_embeddings, embedding_dim)), True, self.dtype))

    def forward(self, ids: Any) -> Tensor:
        raw = ids.data if isinstance(ids, Tensor) else np.asarray(ids)
        if raw.dtype.kind not in "iu" and not (raw.dtype.kind == "f" and np.all(raw == np.round(raw))):
            raise TypeError(f"Embedding: ids must be integers, got dtype {raw.dtype}")
        raw = raw.astype(np.intp, copy=False)
        if raw.size and (raw.min() < 0 or raw.max() >= self.num_embeddings):
            bad = raw[(raw < 0) | (raw >= self.num_embeddings)].flat[0]
            raise IndexError(f"Embedding: id {bad} is out of range for {self.num_embeddings} embeddings "
                             f"(ids of shape {raw.shape})")
        return self.W[raw]

    def extra_repr(self) -> str:
        return (f"{self.num_embeddings}, {self.embedding_dim}"
                + (f", dtype={self.dtype}" if self.dtype != np.float64 else ""))
