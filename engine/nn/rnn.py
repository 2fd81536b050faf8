"""Recurrent layers over whole sequences: ``RNN``, ``LSTM``, ``GRU``, stacked and bidirectional.

Each runs its cells (``engine.nn.cells``) over batch-first sequences (batch, time, features), in one of two
ways that give the same outputs, states and gradients:

- fused (the default): one ``Function`` per layer and direction (``FusedRNN``, ``FusedLSTM``, ``FusedGRU``),
  whose backward is hand-written backpropagation through time; fast.
- unrolled (``fused=False``): the cell applied step by step, one graph node per operation per step; what the
  early chapters draw.

``num_layers`` stacks layers: layer k + 1 reads the outputs h_t of layer k (with ``dropout`` applied in
between, in training mode only). ``bidirectional=True`` adds, in every layer, a second cell that reads each
sequence from its last real step back to its first; the layer's output is the two directions' h_t side by
side, (batch, time, 2 H). Cells are named as PyTorch suffixes its weights: ``cell`` is layer 0 (PyTorch's
``_l0``), ``cell_l0_reverse`` its backward direction, ``cell_l1`` layer 1, and so on.

States: with one layer and one direction (the early chapters), h is (batch, H) and the LSTM's state is
(h, c); with ``num_layers > 1`` or ``bidirectional=True`` they are (num_layers * num_directions, batch, H),
as in PyTorch, ordered layer by layer, forward before backward.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import functional as F
from ..checks import positive_int
from ..function import ShapeError
from ..ops.elementwise import Where
from ..ops.gru import FusedGRU
from ..ops.lstm import FusedLSTM
from ..ops.rnn import FusedRNN
from ..tensor import Tensor, concat, stack
from .cells import GRUCell, LSTMCell, RNNCell, State, _Cell
from .module import Module, as_input

__all__ = ["GRU", "LSTM", "RNN", "GRUCell", "LSTMCell", "RNNCell"]


def _select(keep: np.ndarray, new: State, old: State) -> State:
    """new in the rows where keep (a (batch, 1) boolean constant) is true, old in the others: a selection,
    so whatever a padded row computed (even NaN) reaches neither the state nor any gradient."""
    if isinstance(new, tuple):
        return tuple(Where.apply(n, o, mask=keep) for n, o in zip(new, old))
    return Where.apply(new, old, mask=keep)


def unroll(cell: _Cell, xs: Tensor, state: State, lengths: np.ndarray | None = None) -> tuple[Tensor, State]:
    """The cell applied step by step: the graph holds every operation of every step.

    With ``lengths``, padded inputs are replaced by 0 before any cell reads them, and after its end each
    sequence keeps its state and outputs exactly 0 (selected, not multiplied by a 0/1 mask).
    """
    outputs = []
    if lengths is not None:
        zero = Tensor._leaf(np.zeros((), dtype=xs.dtype))
        xs = Where.apply(xs, zero, mask=(np.arange(xs.shape[1]) < lengths[:, None])[:, :, None])
    for t in range(xs.shape[1]):
        new = cell.step(xs[:, t], state)
        if lengths is None:
            state = new
            outputs.append(cell.output(new))
        else:
            keep = (t < lengths)[:, None]
            outputs.append(Where.apply(cell.output(new), zero, mask=keep))
            state = _select(keep, new, state)
    return stack(outputs, axis=1), state


def reverse_index(batch: int, steps: int, lengths: np.ndarray | None) -> Any:
    """The index that reverses each sequence within its own length: position t of the result is step
    lengths[b] - 1 - t of the input for t < lengths[b]; padded positions stay where they are. Applying it
    twice gives the identity, so it also puts the backward direction's outputs back in time order."""
    if lengths is None:
        return (slice(None), slice(None, None, -1))
    t = np.arange(steps)[None, :]
    idx = np.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)
    return (np.arange(batch)[:, None], idx)


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


class _Sequence(Module):
    """Runs the cells over the time axis of batch-first sequences, layer by layer, in one or two directions."""

    cell: _Cell
    num_layers = 1
    bidirectional = False
    dropout = 0.0
    fused = False

    def _build(self, make_cell: Any, input_size: int, hidden_size: int, num_layers: int, bidirectional: bool,
               dropout: float, fused: bool) -> None:
        name = type(self).__name__
        self.num_layers = positive_int(name, "num_layers", num_layers)
        if not isinstance(bidirectional, bool):
            raise TypeError(f"{name}: bidirectional must be True or False, got {bidirectional!r}")
        self.bidirectional = bidirectional
        self.dropout = F.check_dropout(name, dropout)
        self.fused = bool(fused)
        directions = 2 if bidirectional else 1
        for layer in range(self.num_layers):
            for d in range(directions):
                size = input_size if layer == 0 else directions * hidden_size
                setattr(self, self.cell_name(layer, d), make_cell(size))

    @staticmethod
    def cell_name(layer: int, direction: int) -> str:
        """``cell`` for layer 0 forward, else ``cell_l{layer}`` with ``_reverse`` for the backward direction."""
        if layer == 0 and direction == 0:
            return "cell"
        return f"cell_l{layer}" + ("_reverse" if direction else "")

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def forward(self, xs: Any, state: Any = None, lengths: Any = None) -> tuple[Tensor, State]:
        """Run every layer over every step.

        Args:
            xs: inputs of shape (batch, time, input_size).
            state: the initial state (h, or (h, c) for LSTM), zeros when ``None``; each tensor (batch, H) for
                one layer and one direction, else (num_layers * num_directions, batch, H).
            lengths: optional (batch,) integers in [1, time]: sequence b ends after ``lengths[b]`` steps;
                later (padded) steps are never read: they leave the state unchanged, output exactly 0 and
                receive no gradient. The backward direction starts at each sequence's last real step.

        Returns:
            ``(outputs, final_state)``: outputs (batch, time, num_directions * H), the last layer's h_t; the
            final state of every layer and direction, in the shape of ``state``.
        """
        name = type(self).__name__
        xs = as_input(name, xs, self.cell.dtype)
        if xs.ndim != 3 or xs.shape[2] != self.cell.input_size:
            raise ShapeError(f"{name}: xs must have shape (batch, time, {self.cell.input_size}), got {xs.shape}")
        batch, steps, _ = xs.shape
        if steps == 0:
            raise ShapeError(f"{name}: xs has no time steps (shape {xs.shape})")
        lengths = None if lengths is None else _check_lengths(name, lengths, batch, steps)
        stacked = self.num_layers > 1 or self.bidirectional
        if not stacked:
            state = self.cell.initial_state(batch) if state is None else self.cell.check_state(name, state, batch)
            return self._direction(self.cell, xs, state, lengths)
        states = self._split_state(name, state, batch)
        outputs, finals = self._layers(xs, states, lengths)
        if isinstance(finals[0], tuple):
            return outputs, (stack([f[0] for f in finals]), stack([f[1] for f in finals]))
        return outputs, stack(finals)

    def _split_state(self, owner: str, state: Any, batch: int) -> list[State]:
        """One state per layer and direction from (num_layers * num_directions, batch, H) tensors."""
        n, H, two = self.num_layers * self.num_directions, self.cell.hidden_size, self.cell.n_states > 1
        if state is None:
            return [self.cell.initial_state(batch) for _ in range(n)]
        parts = state if two and isinstance(state, (tuple, list)) else (state,)
        if len(parts) != self.cell.n_states:
            raise TypeError(f"{owner}: the state must be {'(h, c)' if two else 'h'}, "
                            f"got {type(state).__name__} of {len(parts)}")
        parts = [as_input(owner, p, self.cell.dtype) for p in parts]
        for p in parts:
            if p.shape != (n, batch, H):
                raise ShapeError(f"{owner}: with num_layers={self.num_layers} and bidirectional="
                                 f"{self.bidirectional}, each state tensor must have shape (num_layers * "
                                 f"num_directions, batch, hidden) = {(n, batch, H)}, got {p.shape}")
        return [tuple(p[k] for p in parts) if two else parts[0][k] for k in range(n)]

    def _layers(self, xs: Tensor, states: list[State], lengths: np.ndarray | None) -> tuple[Tensor, list]:
        inputs, finals = xs, []
        batch, steps, _ = xs.shape
        back = reverse_index(batch, steps, lengths) if self.bidirectional else None
        for layer in range(self.num_layers):
            if layer and self.training and self.dropout:
                inputs = F.dropout(inputs, self.dropout)
            outs = []
            for d in range(self.num_directions):
                cell = getattr(self, self.cell_name(layer, d))
                state = states[layer * self.num_directions + d]
                if d == 0:
                    out, final = self._direction(cell, inputs, state, lengths)
                else:
                    out, final = self._direction(cell, inputs[back], state, lengths)
                    out = out[back]
                outs.append(out)
                finals.append(final)
            inputs = outs[0] if len(outs) == 1 else concat(outs, axis=2)
        return inputs, finals

    def _direction(self, cell: _Cell, xs: Tensor, state: State, lengths: np.ndarray | None):
        """One layer in one direction: fused or unrolled."""
        return self._fused(cell, xs, state, lengths) if self.fused else unroll(cell, xs, state, lengths)

    def _fused(self, cell: _Cell, xs: Tensor, state: State, lengths: np.ndarray | None):
        raise NotImplementedError

    def unrolled(self, xs: Tensor, state: State, lengths: np.ndarray | None = None) -> tuple[Tensor, State]:
        """``self.cell`` (layer 0) applied step by step, one graph node per operation per step."""
        return unroll(self.cell, xs, state, lengths)

    @staticmethod
    def _last(outputs: Tensor, lengths: np.ndarray | None) -> Tensor:
        """h at each sequence's last real step."""
        if lengths is None:
            return outputs[:, -1]
        return outputs[np.arange(len(lengths)), lengths - 1]

    def extra_repr(self) -> str:
        parts = [f"num_layers={self.num_layers}"] if self.num_layers > 1 else []
        parts += ["bidirectional=True"] if self.bidirectional else []
        parts += [f"dropout={self.dropout}"] if self.dropout else []
        parts += [] if self.fused else ["fused=False"]
        return ", ".join(parts)


class RNN(_Sequence):
    """An Elman RNN over batch-first sequences: ``model(xs, h0=None, lengths=None) -> (outputs, h)``.

    Args:
        input_size: size of each input vector.
        hidden_size: size H of the hidden state.
        nonlinearity: ``"tanh"`` (default) or ``"relu"``.
        fused: run each layer and direction as one operation with a hand-written backward (``FusedRNN``,
            fast, default) instead of the unrolled graph (``fused=False``). Both give the same results.
        dtype: float64 (default) or float32.
        num_layers: how many layers to stack (PyTorch's ``num_layers``).
        bidirectional: add a backward-reading cell to every layer (outputs 2 H wide).
        dropout: the probability of dropping each input of layers 2, 3, ... in training mode (no effect
            with one layer), as PyTorch's ``dropout``.
    """

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: str = "tanh", fused: bool = True,
                 dtype: Any = np.float64, *, num_layers: int = 1, bidirectional: bool = False,
                 dropout: float = 0.0):
        self._build(lambda n: RNNCell(n, hidden_size, nonlinearity, dtype=dtype), input_size, hidden_size,
                    num_layers, bidirectional, dropout, fused)

    def _fused(self, c: RNNCell, xs: Tensor, h: Tensor, lengths: np.ndarray | None) -> tuple[Tensor, Tensor]:
        outputs = FusedRNN.apply(xs, h, c.W_xh, c.W_hh, c.b_h, lengths=lengths, relu=c.nonlinearity == "relu")
        return outputs, self._last(outputs, lengths)


class LSTM(_Sequence):
    """An LSTM over batch-first sequences: ``model(xs, (h0, c0)=None, lengths=None) -> (outputs, (h, c))``.

    Args:
        input_size: size of each input vector.
        hidden_size: size H of h and c.
        dtype: float64 (default) or float32.
        forget_bias: if given, the forget gate's starting bias in every cell (see ``LSTMCell``; 1.0 is the
            usual choice).
        num_layers, bidirectional, dropout: as for ``RNN``.
        fused: one ``FusedLSTM`` operation per layer and direction (default), or the unrolled graph.
    """

    def __init__(self, input_size: int, hidden_size: int, dtype: Any = np.float64,
                 forget_bias: float | None = None, *, num_layers: int = 1, bidirectional: bool = False,
                 dropout: float = 0.0, fused: bool = True):
        self._build(lambda n: LSTMCell(n, hidden_size, dtype=dtype, forget_bias=forget_bias), input_size,
                    hidden_size, num_layers, bidirectional, dropout, fused)

    def _fused(self, c: LSTMCell, xs: Tensor, state: tuple[Tensor, Tensor], lengths: np.ndarray | None):
        B, T, _ = xs.shape
        packed = FusedLSTM.apply(xs, state[0], state[1], c.W_xh, c.W_hh, c.b_h, lengths=lengths)
        outputs = packed[:B * T].reshape(B, T, c.hidden_size)
        return outputs, (self._last(outputs, lengths), packed[B * T:])


class GRU(_Sequence):
    """A GRU over batch-first sequences: ``model(xs, h0=None, lengths=None) -> (outputs, h)``.

    Args:
        input_size: size of each input vector.
        hidden_size: size H of h.
        dtype: float64 (default) or float32.
        num_layers, bidirectional, dropout: as for ``RNN``.
        fused: one ``FusedGRU`` operation per layer and direction (default), or the unrolled graph.
    """

    def __init__(self, input_size: int, hidden_size: int, dtype: Any = np.float64, *, num_layers: int = 1,
                 bidirectional: bool = False, dropout: float = 0.0, fused: bool = True):
        self._build(lambda n: GRUCell(n, hidden_size, dtype=dtype), input_size, hidden_size, num_layers,
                    bidirectional, dropout, fused)

    def _fused(self, c: GRUCell, xs: Tensor, h: Tensor, lengths: np.ndarray | None) -> tuple[Tensor, Tensor]:
        outputs = FusedGRU.apply(xs, h, c.W_xh, c.W_hh, c.b_xh, c.b_hh, lengths=lengths)
        return outputs, self._last(outputs, lengths)
