"""``FusedRNN``: a whole Elman RNN sequence, forward and backpropagation through time, as one ``Function``.

The unrolled graph records ~6 nodes per step and pays the engine's bookkeeping for each; here the
input projection of every step is one matrix product, the time loop does only what must be sequential
(h_{t-1} W_hh, the nonlinearity), and the backward is written by hand, BPTT as in min-char-rnn:

    a_t = x_t W_xh + b_h + h_{t-1} W_hh,   y_t = act(a_t),
    h_t = y_t if t < length else h_{t-1},  out_t = y_t if t < length else 0

    da_t = (g_t + dh_t) act'(a_t) (0 at padded steps);   dh_{t-1} = da_t W_hh^T (dh_t at padded steps)
    dW_hh = sum_t h_{t-1}^T da_t,  dW_xh = sum_t x_t^T da_t,  db_h = sum_t da_t,  dx_t = da_t W_xh^T

Padded steps are *selected away*, never multiplied by a 0/1 mask: their inputs are replaced by 0 before
the first product, so a NaN or inf there reaches no output, state or gradient (0 * NaN would be NaN).
The backward runs over chunks of ``CHUNK`` steps, so besides the hidden states it keeps only one chunk of
da_t: at T = 1,000 the whole backward needs little more than the states themselves.
"""

from __future__ import annotations

import numpy as np

from ..function import Context, Function

CHUNK = 64  # steps per chunk of the backward's weight-gradient products


def step_mask(lengths: np.ndarray | None, batch: int, steps: int) -> np.ndarray | None:
    """keep[b, t] = t < lengths[b], shape (B, T), or None when every sequence is full length."""
    if lengths is None:
        return None
    keep = np.arange(steps)[None, :] < lengths[:, None]
    return None if keep.all() else keep


def clean_inputs(xs: np.ndarray, keep: np.ndarray | None) -> np.ndarray:
    """xs with its padded steps replaced by 0 (a selection: NaN or inf there is never read)."""
    return xs if keep is None else np.where(keep[:, :, None], xs, xs.dtype.type(0))


def previous_states(h0: np.ndarray, states: np.ndarray, t0: int, t1: int) -> np.ndarray:
    """h_{t-1} for t in [t0, t1), as a (B, t1 - t0, H) array."""
    prev = np.empty((states.shape[0], t1 - t0, states.shape[2]), dtype=states.dtype)
    prev[:, 0] = h0 if t0 == 0 else states[:, t0 - 1]
    prev[:, 1:] = states[:, t0:t1 - 1]
    return prev


def chunks(steps: int, size: int = CHUNK) -> list[tuple[int, int]]:
    """[t0, t1) ranges covering 0..steps, last first (the order backpropagation visits them)."""
    return [(t0, min(t0 + size, steps)) for t0 in range(0, steps, size)][::-1]


class FusedRNN(Function):
    """outputs = RNN(xs, h0; W_xh, W_hh, b_h) over all steps, shape (B, T, H); hand-written BPTT backward."""

    @staticmethod
    def forward(ctx: Context, xs: np.ndarray, h0: np.ndarray, W_xh: np.ndarray, W_hh: np.ndarray,
                b_h: np.ndarray, lengths: np.ndarray | None = None, relu: bool = False) -> np.ndarray:
        B, T, n_in = xs.shape
        H = W_hh.shape[0]
        keep = step_mask(lengths, B, T)
        xs = clean_inputs(xs, keep)
        ys = (xs.reshape(B * T, n_in) @ W_xh).reshape(B, T, H)  # x_t W_xh of every step at once
        ys += b_h  # a_t without its recurrent term; the loop adds it and overwrites a_t with y_t
        states = ys if keep is None else np.empty_like(ys)  # h_t = y_t unless some sequences have ended
        hW = np.empty((B, H), dtype=ys.dtype)  # one buffer for h_{t-1} W_hh, reused every step
        h = h0
        for t in range(T):
            y = ys[:, t]
            np.matmul(h, W_hh, out=hW)
            y += hW
            if relu:
                np.maximum(y, 0, out=y)
            else:
                np.tanh(y, out=y)
            if keep is not None:
                np.copyto(states[:, t], h)
                np.copyto(states[:, t], y, where=keep[:, t, None])
            h = states[:, t]
        out = ys if keep is None else np.where(keep[:, :, None], ys, ys.dtype.type(0))
        ctx.save_for_backward(xs, h0, W_xh, W_hh, ys, states, keep)
        ctx.relu = relu
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        xs, h0, W_xh, W_hh, ys, states, keep = ctx.saved
        B, T, n_in = xs.shape
        H = W_hh.shape[0]
        parents = ctx.parents
        d_xs = np.empty_like(xs) if parents[0].requires_grad else None
        d_W_xh = np.zeros_like(W_xh)
        d_W_hh = np.zeros_like(W_hh)
        d_b_h = np.zeros(H, dtype=ys.dtype)
        dh = np.zeros((B, H), dtype=ys.dtype)
        deriv = np.empty((B, H), dtype=ys.dtype)
        W_hh_T = W_hh.T
        buf = None
        for t0, t1 in chunks(T):
            n = t1 - t0
            if buf is None or buf.shape[1] != n:
                buf = np.empty((B, n, H), dtype=ys.dtype)  # da_t of this chunk, reused chunk after chunk
            for t in range(t1 - 1, t0 - 1, -1):
                d = buf[:, t - t0]
                np.add(grad[:, t], dh, out=d)
                y = ys[:, t]
                if ctx.relu:  # act' = 1 where y > 0, else 0 (NaN stays NaN)
                    np.sign(y, out=deriv)
                else:  # act' = 1 - y^2
                    np.multiply(y, y, out=deriv)
                    np.subtract(1, deriv, out=deriv)
                d *= deriv
                dh_next = d @ W_hh_T
                if keep is not None:  # padded rows: no gradient to a_t; dh passes through unchanged
                    pad = ~keep[:, t, None]
                    np.copyto(d, 0, where=pad)
                    np.copyto(dh_next, dh, where=pad)
                dh = dh_next
            da2 = buf.reshape(B * n, H)
            x2 = xs[:, t0:t1].reshape(B * n, n_in)
            d_W_xh += x2.T @ da2
            d_W_hh += previous_states(h0, states, t0, t1).reshape(B * n, H).T @ da2
            d_b_h += da2.sum(axis=0)
            if d_xs is not None:
                d_xs[:, t0:t1] = (da2 @ W_xh.T).reshape(B, n, n_in)
        d_h0 = dh if parents[1].requires_grad else None
        return (d_xs, d_h0, d_W_xh if parents[2].requires_grad else None,
                d_W_hh if parents[3].requires_grad else None, d_b_h if parents[4].requires_grad else None)
