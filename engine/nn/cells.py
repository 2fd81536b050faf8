"""The recurrent cells: one time step of an Elman RNN (``RNNCell``), an LSTM (``LSTMCell``) and a GRU
(``GRUCell``). ``engine.nn.rnn`` runs them over sequences.

Weights multiply on the right (``x W``): ``W_xh`` is (input x gates*H) and ``W_hh`` (H x gates*H), the
gates laid side by side in PyTorch's order (LSTM: i, f, g, o; GRU: r, z, n). Every parameter starts as
U(-1/sqrt(H), 1/sqrt(H)), PyTorch's default; see ``engine.nn.init`` for the alternatives.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..checks import float_dtype, positive_int
from ..function import ShapeError
from ..tensor import Tensor
from . import init
from .module import Module, as_input

State = Tensor | tuple[Tensor, Tensor]


class _Cell(Module):
    """What the three cells share: ``W_xh``, ``W_hh``, input and state checks."""

    n_gates = 1
    n_states = 1

    def __init__(self, input_size: int, hidden_size: int, dtype: Any):
        name = type(self).__name__
        self.input_size = positive_int(name, "input_size", input_size)
        self.hidden_size = positive_int(name, "hidden_size", hidden_size)
        self.dtype = float_dtype(name, dtype)
        width = self.n_gates * self.hidden_size
        self.W_xh = self._param(self.input_size, width)
        self.W_hh = self._param(self.hidden_size, width)

    def _param(self, *shape: int) -> Tensor:
        bound = 1 / math.sqrt(self.hidden_size)
        return init.uniform_(Tensor(np.zeros(shape), requires_grad=True, dtype=self.dtype), -bound, bound)

    def forward(self, x: Any, state: Any = None) -> State:
        """One step: ``x`` (batch, input_size) and the previous state (zeros when ``None``)."""
        name = type(self).__name__
        x = as_input(name, x, self.dtype)
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ShapeError(f"{name}: x must have shape (batch, {self.input_size}), got {x.shape}")
        state = self.initial_state(x.shape[0]) if state is None else self.check_state(name, state, x.shape[0])
        return self.step(x, state)

    def step(self, x: Tensor, state: State) -> State:
        raise NotImplementedError

    def initial_state(self, batch: int) -> State:
        """The zero state for a batch."""
        zeros = [Tensor._leaf(np.zeros((batch, self.hidden_size), dtype=self.dtype)) for _ in range(self.n_states)]
        return zeros[0] if self.n_states == 1 else tuple(zeros)

    def check_state(self, owner: str, state: Any, batch: int) -> State:
        """The state as Tensors of shape (batch, H) and the cell's dtype, or an error naming ``owner``."""
        parts = state if self.n_states > 1 and isinstance(state, (tuple, list)) else (state,)
        what = "(h, c)" if self.n_states > 1 else "h"
        if len(parts) != self.n_states:
            raise TypeError(f"{owner}: the state must be {what}, got {type(state).__name__} of {len(parts)}")
        out = []
        for p in parts:
            p = as_input(owner, p, self.dtype)
            if p.shape != (batch, self.hidden_size):
                raise ShapeError(f"{owner}: each state tensor must have shape (batch, hidden) = "
                                 f"{(batch, self.hidden_size)}, got {p.shape}")
            out.append(p)
        return out[0] if self.n_states == 1 else tuple(out)

    @staticmethod
    def output(state: State) -> Tensor:
        """The part of the state that is the step's output: h."""
        return state[0] if isinstance(state, tuple) else state

    def extra_repr(self) -> str:
        return (f"input_size={self.input_size}, hidden_size={self.hidden_size}"
                + (f", dtype={self.dtype}" if self.dtype != np.float64 else ""))


class RNNCell(_Cell):
    """The Elman cell: h' = tanh(x W_xh + h W_hh + b_h) (or relu).

    Args:
        input_size: size of each input vector x.
        hidden_size: size H of the hidden state h.
        nonlinearity: ``"tanh"`` (default) or ``"relu"``.
        dtype: float64 (default) or float32.
    """

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh", dtype: Any = np.float64):
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"RNNCell: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        super().__init__(input_size, hidden_size, dtype)
        self.nonlinearity = nonlinearity
        self.b_h = self._param(self.hidden_size)

    def step(self, x: Tensor, h: Tensor) -> Tensor:
        """h' = act(x W_xh + h W_hh + b_h), without input checks."""
        a = x @ self.W_xh + h @ self.W_hh + self.b_h
        return a.tanh() if self.nonlinearity == "tanh" else a.relu()

    def extra_repr(self) -> str:
        return super().extra_repr() + (", nonlinearity='relu'" if self.nonlinearity == "relu" else "")


class LSTMCell(_Cell):
    """The LSTM cell (Hochreiter and Schmidhuber, 1997, with the forget gate), PyTorch's gate order i, f, g, o:

    i, f, o = sigmoid of their slice of x W_xh + h W_hh + b_h; g = tanh of its slice;
    c' = f * c + i * g;  h' = o * tanh(c').  Called as ``cell(x, (h, c)) -> (h', c')``.

    Args:
        input_size: size of each input vector x.
        hidden_size: size H of h and c.
        dtype: float64 (default) or float32.
        forget_bias: if given, the forget gate's bias starts at this value instead of a random one. 1.0
            (Gers et al., 2000; Keras's ``unit_forget_bias=True``) starts f near sigmoid(1) = 0.73, so the
            cell remembers by default; PyTorch has no such option (set ``b_h[H:2H]`` after creation).
    """

    n_gates = 4
    n_states = 2

    def __init__(self, input_size: int, hidden_size: int, dtype: Any = np.float64,
                 forget_bias: float | None = None):
        super().__init__(input_size, hidden_size, dtype)
        self.b_h = self._param(4 * self.hidden_size)
        if forget_bias is not None:
            if isinstance(forget_bias, bool) or not isinstance(forget_bias, (int, float)) \
                    or not math.isfinite(forget_bias):
                raise ValueError(f"LSTMCell: forget_bias must be a finite number, got {forget_bias!r}")
            self.b_h.data[self.hidden_size:2 * self.hidden_size] = forget_bias

    def step(self, x: Tensor, state: tuple[Tensor, Tensor]) -> tuple[Tensor, Tensor]:
        """(h', c') from x and (h, c), without input checks."""
        h, c = state
        H = self.hidden_size
        gates = x @ self.W_xh + h @ self.W_hh + self.b_h
        i = gates[:, :H].sigmoid()
        f = gates[:, H:2 * H].sigmoid()
        g = gates[:, 2 * H:3 * H].tanh()
        o = gates[:, 3 * H:].sigmoid()
        c = f * c + i * g
        return o * c.tanh(), c


class GRUCell(_Cell):
    """The GRU cell (Cho et al., 2014) with PyTorch's formula, gates r, z, n:

    r = sigmoid(x W_xr + b_xr + h W_hr + b_hr);  z likewise;  n = tanh(x W_xn + b_xn + r * (h W_hn + b_hn));
    h' = (1 - z) * n + z * h.

    Args:
        input_size: size of each input vector x.
        hidden_size: size H of h.
        dtype: float64 (default) or float32.
    """

    n_gates = 3

    def __init__(self, input_size: int, hidden_size: int, dtype: Any = np.float64):
        super().__init__(input_size, hidden_size, dtype)
        self.b_xh = self._param(3 * self.hidden_size)
        self.b_hh = self._param(3 * self.hidden_size)

    def step(self, x: Tensor, h: Tensor) -> Tensor:
        """h' from x and h, without input checks."""
        H = self.hidden_size
        gx = x @ self.W_xh + self.b_xh
        gh = h @ self.W_hh + self.b_hh
        r = (gx[:, :H] + gh[:, :H]).sigmoid()
        z = (gx[:, H:2 * H] + gh[:, H:2 * H]).sigmoid()
        n = (gx[:, 2 * H:] + r * gh[:, 2 * H:]).tanh()
        return (1 - z) * n + z * h
