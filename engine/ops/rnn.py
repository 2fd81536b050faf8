"""``FusedRNN``: a whole Elman RNN sequence, forward and backpropagation through time, as one ``Function``.

The unrolled graph records ~6 nodes per step and pays the engine's bookkeeping for each; here the
input projection of every step is one matrix product, the time loop does only what must be sequential
(h_{t-1} W_hh, the nonlinearity), and the backward is written by hand, BPTT as in min-char-rnn:

    a_t = x_t W_xh + b_h + h_{t-1} W_hh,   y_t = act(a_t),
    h_t = m_t y_t + (1 - m_t) h_{t-1},     out_t = m_t y_t        (m_t = 1 while t < length, else 0)

    da_t = (g_t + dh_t) m_t act'(a_t);   dh_{t-1} = da_t W_hh^T + (1 - m_t) dh_t
    dW_hh = sum_t h_{t-1}^T da_t,  dW_xh = sum_t x_t^T da_t,  db_h = sum_t da_t,  dx_t = da_t W_xh^T
"""

from __future__ import annotations

import numpy as np

from ..function import Context, Function


class FusedRNN(Function):
    """outputs = RNN(xs, h0; W_xh, W_hh, b_h) over all steps, shape (B, T, H); hand-written BPTT backward."""

    @staticmethod
    def forward(ctx: Context, xs: np.ndarray, h0: np.ndarray, W_xh: np.ndarray, W_hh: np.ndarray,
                b_h: np.ndarray, lengths: np.ndarray | None = None, relu: bool = False) -> np.ndarray:
        B, T, n_in = xs.shape
        H = W_hh.shape[0]
        ys = (xs.reshape(B * T, n_in) @ W_xh).reshape(B, T, H)  # x_t W_xh of every step at once
        ys += b_h  # a_t without its recurrent term; the loop adds it and overwrites a_t with y_t
        keep = None if lengths is None else np.arange(T)[None, :, None] < lengths[:, None, None]  # (B, T, 1)
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
                np.copyto(states[:, t], y, where=keep[:, t])
            h = states[:, t]
        out = ys if keep is None else ys * keep
        ctx.save_for_backward(xs, h0, W_xh, W_hh, ys, states, keep)
        ctx.relu = relu
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        xs, h0, W_xh, W_hh, ys, states, keep = ctx.saved
        B, T, n_in = xs.shape
        H = W_hh.shape[0]
        # act'(a_t) from y_t, zeroed at padded steps (which neither output nor change the state)
        dact = (ys > 0).astype(ys.dtype) if ctx.relu else 1 - ys * ys
        if keep is not None:
            dact *= keep
        da = np.empty_like(ys)
        dh = np.zeros((B, H), dtype=ys.dtype)
        W_hh_T = W_hh.T
        for t in range(T - 1, -1, -1):
            d = da[:, t]
            np.add(grad[:, t], dh, out=d)
            d *= dact[:, t]
            dh_next = d @ W_hh_T
            if keep is not None:  # padded rows pass dh through unchanged
                np.copyto(dh_next, dh, where=~keep[:, t])
            dh = dh_next
        parents = ctx.parents
        da2 = da.reshape(B * T, H)
        d_xs = (da2 @ W_xh.T).reshape(B, T, n_in) if parents[0].requires_grad else None
        d_h0 = dh if parents[1].requires_grad else None
        d_W_xh = xs.reshape(B * T, n_in).T @ da2 if parents[2].requires_grad else None
        d_W_hh = None
        if parents[3].requires_grad:
            prev = np.concatenate([h0[:, None], states[:, :-1]], axis=1).reshape(B * T, H)
            d_W_hh = prev.T @ da2
        d_b_h = da2.sum(axis=0) if parents[4].requires_grad else None
        return d_xs, d_h0, d_W_xh, d_W_hh, d_b_h
