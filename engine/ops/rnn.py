"""``FusedRNN``: a whole Elman RNN sequence, forward and BPTT, as one ``Function``.

The unrolled graph records ~6 nodes per step and pays the engine's bookkeeping
for each; here the input projection of every step is one matrix product, the
time loop does only what must be sequential (h_{t-1} W_hh, the nonlinearity),
and the backward is written by hand, BPTT as in min-char-rnn:

    a_t = x_t W_xh + b_h + h_{t-1} W_hh,    y_t = act(a_t)
    h_t = y_t if t < length else h_{t-1}    (a padded step keeps the state)
    out_t = y_t if t < length else 0

    da_t = (g_t + dh_t) act'(a_t)           (0 at padded steps)
    dh_{t-1} = da_t W_hh^T                  (dh_t at padded steps)
    dW_hh = sum_t h_{t-1}^T da_t,   dW_xh = sum_t x_t^T da_t,
    db_h = sum_t da_t,              dx_t = da_t W_xh^T

Padded steps are selected away, never multiplied by a 0/1 mask: their inputs
are replaced by 0 before the first product, so a NaN or inf there reaches no
output, state or gradient (0 * NaN would be NaN). The backward runs over
chunks of CHUNK steps, so beside the hidden states it keeps one chunk of da_t.
"""

from __future__ import annotations

import numpy as np

from ..function import Context, Function
from ._malloc import tune_once

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


def chunks(steps: int, size: int = CHUNK) -> list[tuple[int, int]]:
    """[t0, t1) ranges covering 0..steps, last first (the order backpropagation visits them)."""
    return [(t0, min(t0 + size, steps)) for t0 in range(0, steps, size)][::-1]


class FusedRNN(Function):
    """outputs = RNN(xs, h0; W_xh, W_hh, b_h) over all steps, shape (B, T, H); hand-written BPTT backward.

    Inside, the states are time-major with h0 in front, ``hs`` (T + 1, B, H): each step reads and writes
    contiguous memory, h_{t-1} of a chunk of steps is the view ``hs[t0:t1]``, and the outputs are the view
    ``hs[1:].transpose(1, 0, 2)`` (no copy) when no sequence is padded.
    """

    @staticmethod
    def forward(ctx: Context, xs: np.ndarray, h0: np.ndarray, W_xh: np.ndarray, W_hh: np.ndarray,
                b_h: np.ndarray, lengths: np.ndarray | None = None, relu: bool = False) -> np.ndarray:
        tune_once()  # reuse freed step arrays instead of page-faulting them in (see _malloc)
        B, T, n_in = xs.shape
        H = W_hh.shape[0]
        keep = step_mask(lengths, B, T)
        x2 = np.ascontiguousarray(clean_inputs(xs, keep).transpose(1, 0, 2)).reshape(T * B, n_in)
        hs = np.empty((T + 1, B, H), dtype=W_hh.dtype)
        hs[0] = h0
        np.matmul(x2, W_xh, out=hs[1:].reshape(T * B, H))  # x_t W_xh of every step at once
        hs[1:] += b_h  # a_t without its recurrent term; the loop adds it and overwrites a_t with h_t
        hW = np.empty((B, H), dtype=hs.dtype)  # one buffer for h_{t-1} W_hh, reused every step
        for t in range(1, T + 1):
            y = hs[t]
            np.matmul(hs[t - 1], W_hh, out=hW)
            y += hW
            if relu:
                np.maximum(y, 0, out=y)
            else:
                np.tanh(y, out=y)
            if keep is not None:  # an ended sequence keeps its state
                np.copyto(y, hs[t - 1], where=~keep[:, t - 1, None])
        out = hs[1:].transpose(1, 0, 2)
        if keep is not None:
            out = np.where(keep[:, :, None], out, hs.dtype.type(0))
        ctx.save_for_backward(x2, W_xh, W_hh, hs, keep)
        ctx.relu = relu
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        x2, W_xh, W_hh, hs, keep = ctx.saved
        T, B, H = hs.shape[0] - 1, hs.shape[1], hs.shape[2]
        n_in = x2.shape[1]
        parents = ctx.parents
        d_xs = np.empty((B, T, n_in), dtype=hs.dtype) if parents[0].requires_grad else None
        d_W_xh = np.zeros_like(W_xh)
        d_W_hh = np.zeros_like(W_hh)
        d_b_h = np.zeros(H, dtype=hs.dtype)
        dh = np.zeros((B, H), dtype=hs.dtype)
        spare = np.empty((B, H), dtype=hs.dtype)  # dh_{t-1} is written here; dh and spare swap each step
        g_dh = np.empty((B, H), dtype=hs.dtype)
        W_hh_T = W_hh.T
        buf = None
        for t0, t1 in chunks(T):
            n = t1 - t0
            if buf is None or buf.shape[0] != n:
                buf = np.empty((n, B, H), dtype=hs.dtype)  # da_t of this chunk, reused chunk after chunk
            ys = hs[t0 + 1:t1 + 1]  # act'(a_t) of the whole chunk at once: 1 - h_t^2 (tanh), or
            if ctx.relu:  # 1 where h_t > 0, 0 where h_t = 0, NaN kept (relu)
                np.sign(ys, out=buf)
            else:
                np.multiply(ys, ys, out=buf)
                np.subtract(1, buf, out=buf)
            for t in range(t1 - 1, t0 - 1, -1):
                d = buf[t - t0]
                np.add(grad[:, t], dh, out=g_dh)
                d *= g_dh  # da_t = (g_t + dh_t) act'(a_t)
                if keep is not None:  # padded rows: no gradient to a_t; dh passes through unchanged
                    pad = ~keep[:, t, None]
                    np.copyto(d, 0, where=pad)
                    np.matmul(d, W_hh_T, out=spare)
                    np.copyto(spare, dh, where=pad)
                else:
                    np.matmul(d, W_hh_T, out=spare)
                dh, spare = spare, dh
            da2 = buf.reshape(n * B, H)
            d_W_xh += x2[t0 * B:t1 * B].T @ da2
            d_W_hh += hs[t0:t1].reshape(n * B, H).T @ da2
            d_b_h += da2.sum(axis=0)
            if d_xs is not None:
                d_xs[:, t0:t1] = (da2 @ W_xh.T).reshape(n, B, n_in).transpose(1, 0, 2)
        d_h0 = dh if parents[1].requires_grad else None
        return (d_xs, d_h0, d_W_xh if parents[2].requires_grad else None,
                d_W_hh if parents[3].requires_grad else None, d_b_h if parents[4].requires_grad else None)
