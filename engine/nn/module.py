"""``Module``, the container of parameters, and the two simplest layers: ``Linear`` and ``Embedding``.

A module is in training mode (``training = True``) until ``eval()``; only layers that behave differently
at training time (``Dropout``, the dropout between stacked RNN layers) read it. ``state_dict()`` gives
every parameter's values under its dotted path (``"rnn.cell.W_hh"``), as PyTorch names them, and
``load_state_dict`` puts such a dictionary back (``engine.save``/``engine.load`` keep one in a file).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ..checks import float_dtype, positive_int
from ..function import ShapeError
from ..ops.shape import Lookup
from ..tensor import Tensor
from . import init


class Module:
    """Base class of layers and models: finds its parameters by walking its attributes.

    A subclass sets its parameters (Tensors with ``requires_grad=True``) and sub-modules as attributes in
    ``__init__`` and computes in ``forward``; ``module(...)`` calls ``forward``.
    """

    training = True  # set on the instance by train()/eval(); a class attribute so subclasses need no __init__

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

    def modules(self) -> list[Module]:
        """This module and every sub-module below it, each once, parents first."""
        out: list[Module] = []
        seen: set[int] = set()
        stack: list[Module] = [self]
        while stack:
            m = stack.pop()
            if id(m) in seen:
                continue
            seen.add(id(m))
            out.append(m)
            stack.extend(reversed([item for _, item in m._children() if isinstance(item, Module)]))
        return out

    def train(self, mode: bool = True) -> Module:
        """Set training mode (``True``) or evaluation mode on this module and every sub-module; returns self.

        Only layers with random or batch-dependent behaviour read it: ``Dropout`` (and the ``dropout`` of a
        stacked RNN) drops units in training mode and is the identity in evaluation mode.
        """
        if not isinstance(mode, bool):
            raise TypeError(f"{type(self).__name__}.train: mode must be True or False, got {mode!r}")
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> Module:
        """Evaluation mode (``train(False)``): dropout off. Returns self."""
        return self.train(False)

    def state_dict(self) -> dict[str, np.ndarray]:
        """Every parameter's values (copies) under its dotted path, e.g. ``{"cell.W_hh": array, ...}``."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> None:
        """Copy values into the parameters of the same dotted names (in place: optimizers keep working).

        Args:
            state: ``{name: array}`` as ``state_dict()`` or ``engine.load`` gives.
            strict: if True (default), the names must match exactly: a missing or an unexpected name is an
                error. Shapes must always match; values are cast to each parameter's dtype.
        """
        owner = f"{type(self).__name__}.load_state_dict"
        if not isinstance(state, dict):
            raise TypeError(f"{owner}: expected a dict of arrays, got {type(state).__name__}")
        params = dict(self.named_parameters())
        missing = [n for n in params if n not in state]
        unexpected = [n for n in state if n not in params]
        if strict and (missing or unexpected):
            raise KeyError(f"{owner}: names do not match: missing {missing}, unexpected {unexpected}")
        for name, p in params.items():
            if name not in state:
                continue
            value = state[name]
            value = np.asarray(value.data if isinstance(value, Tensor) else value)
            if value.dtype.kind not in "biuf":
                raise TypeError(f"{owner}: {name!r} holds dtype {value.dtype}, not numbers")
            if value.shape != p.shape:
                raise ShapeError(f"{owner}: {name!r} has shape {value.shape} but the parameter has {p.shape}")
        for name, p in params.items():
            if name in state:
                value = state[name]
                np.copyto(p.data, np.asarray(value.data if isinstance(value, Tensor) else value),
                          casting="unsafe")

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
        padding_idx: an optional id that marks padding (as PyTorch): its row starts at zeros and never
            receives a gradient, so it stays zero under training (negative values count from the end).

    The gradient of a row is the sum of the gradients of every position that looked it up. ``W`` starts
    as N(0, 1), PyTorch's default. Looking up row ``i`` equals multiplying a one-hot vector by ``W``.
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, dtype: Any = np.float64,
                 padding_idx: int | None = None):
        self.num_embeddings = positive_int("Embedding", "num_embeddings", num_embeddings)
        self.embedding_dim = positive_int("Embedding", "embedding_dim", embedding_dim)
        self.dtype = float_dtype("Embedding", dtype)
        if padding_idx is not None:
            if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, np.integer)) \
                    or not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(f"Embedding: padding_idx must be an integer in [-{num_embeddings}, "
                                 f"{num_embeddings}), got {padding_idx!r}")
            padding_idx = int(padding_idx) % num_embeddings
        self.padding_idx = padding_idx
        self.W = init.normal_(Tensor(np.zeros((num_embeddings, embedding_dim)), True, self.dtype))
        if padding_idx is not None:
            self.W.data[padding_idx] = 0

    def forward(self, ids: Any) -> Tensor:
        raw = ids.data if isinstance(ids, Tensor) else np.asarray(ids)
        if raw.dtype.kind not in "iu" and not (raw.dtype.kind == "f" and np.all(raw == np.round(raw))):
            raise TypeError(f"Embedding: ids must be integers, got dtype {raw.dtype}")
        raw = raw.astype(np.intp, copy=False)
        if raw.size and (raw.min() < 0 or raw.max() >= self.num_embeddings):
            bad = raw[(raw < 0) | (raw >= self.num_embeddings)].flat[0]
            raise IndexError(f"Embedding: id {bad} is out of range for {self.num_embeddings} embeddings "
                             f"(ids of shape {raw.shape})")
        if self.padding_idx is None:
            return self.W[raw]
        return Lookup.apply(self.W, ids=raw, skip=self.padding_idx)

    def extra_repr(self) -> str:
        return (f"{self.num_embeddings}, {self.embedding_dim}"
                + (f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")
                + (f", dtype={self.dtype}" if self.dtype != np.float64 else ""))
