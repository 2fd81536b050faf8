"""Recurrent layers: one time step (``RNNCell``, ``LSTMCell``, ``GRUCell``) and whole sequences (``RNN``,
``LSTM``, ``GRU``), which apply their ``.cell`` in a Python loop, one graph node per operation per step.

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
from ..ops.elementwise import Where
from ..ops.rnn import FusedRNN
from ..tensor import Tensor, stack
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


def _select(keep: np.ndarray, new: State, old: State) -> State:
    """new in the rows where keep (a (batch, 1) boolean constant) is true, old in the others: a selection,
    so whatever a padded row computed (even NaN) reaches neither the state nor any gradient."""
    if isinstance(new, tuple):
        return tuple(Where.apply(n, o, mask=keep) for n, o in zip(new, old))
    return Where.apply(new, old, mask=keep)


class _Sequence(Module):
    """Runs ``self.cell`` over the time axis of batch-first sequences."""

    cell: _Cell

    def forward(self, xs: Any, state: Any = None, lengths: Any = None) -> tuple[Tensor, State]:
        """Run the cell over every step.

        Args:
            xs: inputs of shape (batch, time, input_size).
            state: the initial state (h, or (h, c) for LSTM), zeros when ``None``.
            lengths: optional (batch,) integers in [1, time]: sequence b ends after ``lengths[b]`` steps;
                later (padded) steps leave its state unchanged, output 0, and receive no gradient.

        Returns:
            ``(outputs, final_state)``: outputs (batch, time, hidden), h of every step; the final state
            of each sequence (at its own last step when ``lengths`` is given).
        """
        name = type(self).__name__
        xs = as_input(name, xs, self.cell.dtype)
        if xs.ndim != 3 or xs.shape[2] != self.cell.input_size:
            raise ShapeError(f"{name}: xs must have shape (batch, time, {self.cell.input_size}), got {xs.shape}")
        batch, steps, _ = xs.shape
        if steps == 0:
            raise ShapeError(f"{name}: xs has no time steps (shape {xs.shape})")
        state = self.cell.initial_state(batch) if state is None else self.cell.check_state(name, state, batch)
        lengths = None if lengths is None else _check_lengths(name, lengths, batch, steps)
        return self._run(xs, state, lengths)

    def _run(self, xs: Tensor, state: State, lengths: np.ndarray | None) -> tuple[Tensor, State]:
        return self.unrolled(xs, state, lengths)

    def unrolled(self, xs: Tensor, state: State, lengths: np.ndarray | None = None) -> tuple[Tensor, State]:
        """The cell applied step by step: the graph holds every operation of every step."""
        outputs = []
        if lengths is not None:  # padded inputs are replaced by 0 before any cell reads them
            xs = Where.apply(xs, Tensor._leaf(np.zeros((), dtype=xs.dtype)),
                             mask=(np.arange(xs.shape[1]) < lengths[:, None])[:, :, None])
            zero = Tensor._leaf(np.zeros((), dtype=xs.dtype))
        for t in range(xs.shape[1]):
            new = self.cell.step(xs[:, t], state)
            if lengths is None:
                state = new
                outputs.append(self.cell.output(new))
            else:  # sequences already finished keep their state and output exactly 0
                keep = (t < lengths)[:, None]
                outputs.append(Where.apply(self.cell.output(new), zero, mask=keep))
                state = _select(keep, new, state)
        return stack(outputs, axis=1), state


def _check_lengths(owner: str, lengths: Any, batch: int, steps: int) -> np.ndarray:
    raw = lengths.data if isinstance(lengths, Tensor) else np.asarray(lengths)
    if raw.shape != (batch,):
        raise ShapeError(f"{owner}: lengths must have shape (batch,) = ({batch},), got {raw.shape}")
    if raw.dtype.kind not in "iu" and not (raw.dtype.kind == "f" and np.all(raw == np.round(raw))):
        raise TypeError(f"{owner}: lengths must be integers, got dtype {raw.dtype}")
    raw = raw.astype(np.intp)
    if raw.min() < 1 or raw.max() > steps:
        raise ValueError(f"{owner}: lengths must lie in [1, {steps}] (xs has {steps} steps), "
                         f"got min {raw.min()} and max {raw.max()}")
    return raw


class RNN(_Sequence):
    """An Elman RNN over batch-first sequences: ``model(xs, h0=None, lengths=None) -> (outputs, h)``.

    Args:
        input_size: size of each input vector.
        hidden_size: size H of the hidden state.
        nonlinearity: ``"tanh"`` (default) or ``"relu"``.
        fused: run the whole sequence as one operation with a hand-written backward (``FusedRNN``, fast,
            default) instead of the unrolled graph (``fused=False``, one node per operation per step).
            Both give the same outputs, states and gradients.
        dtype: float64 (default) or float32.
    """

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh", fused: bool = True,
                 dtype: Any = np.float64):
        self.cell = RNNCell(input_size, hidden_size, nonlinearity, dtype=dtype)
        self.fused = bool(fused)

    def _run(self, xs: Tensor, h: Tensor, lengths: np.ndarray | None) -> tuple[Tensor, Tensor]:
        if not self.fused:
            return self.unrolled(xs, h, lengths)
        c = self.cell
        outputs = FusedRNN.apply(xs, h, c.W_xh, c.W_hh, c.b_h, lengths=lengths, relu=c.nonlinearity == "relu")
        if lengths is None:
            return outputs, outputs[:, -1]
        return outputs, outputs[np.arange(len(lengths)), lengths - 1]

    def extra_repr(self) -> str:
        return "" if self.fused else "fused=False"


class LSTM(_Sequence):
    """An LSTM over batch-first sequences: ``model(xs, (h0, c0)=None, lengths=None) -> (outputs, (h, c))``.

    Args:
        input_size: size of each input vector.
        hidden_size: size H of h and c.
        dtype: float64 (default) or float32.
        forget_bias: if given, the forget gate's starting bias (see ``LSTMCell``; 1.0 is the usual choice).
    """

    def __init__(self, input_size: int, hidden_size: int, dtype: Any = np.float64,
                 forget_bias: float | None = None):
        self.cell = LSTMCell(input_size, hidden_size, dtype=dtype, forget_bias=forget_bias)


class GRU(_Sequence):
    """A GRU over batch-first sequences: ``model(xs, h0=None, lengths=None) -> (outputs, h)``.

    Args:
        input_size: size of each input vector.
        hidden_size: size H of h.
        dtype: float64 (default) or float32.
    """

    def __init__(self, input_size: int, hidden_size: int, dtype: Any = np.float64):
        self.cell = GRUCell(input_size, hidden_size, dtype=dtype)
