"""``FusedLSTM``: a whole LSTM sequence, forward and backpropagation through time, as one ``Function``.

As ``FusedRNN``: the input projections of all steps are one matrix product, the four gate products of a
step are one (B, H) x (H, 4H) product, buffers are reused across steps, and the backward is written by
hand. With gates in PyTorch's order i, f, g, o and z_t = x_t W_xh + b_h + h_{t-1} W_hh:

    i, f, o = sigmoid(z_t slices),  g = tanh(z_t slice),  c_t = f c_{t-1} + i g,  h_t = o tanh(c_t)

    dc = dh o (1 - tanh(c_t)^2) + dc_next;   di = dc g,  df = dc c_{t-1},  dg = dc i,  do = dh tanh(c_t)
    dz = (di, df, dg, do) * (i(1-i), f(1-f), 1-g^2, o(1-o));   dh_{t-1} = dz W_hh^T,  dc_{t-1} = dc f

sigmoid(z) is computed as 0.5 tanh(z/2) + 0.5 (as ``engine``'s sigmoid, which cannot overflow), so all
four gates are one tanh over the (B, 4H) block: scale by (1/2, 1/2, 1, 1/2), tanh, scale, shift.

The result packs two things into one (B T + B, H) array: rows [0, B T) are the outputs h_t, batch-major
(``packed[:B*T].reshape(B, T, H)``, a view), rows [B T, B T + B) the final cell state c. Padded steps
(t >= lengths[b]) are selected away, never multiplied by a mask: their inputs are replaced by 0, their
outputs are exactly 0, they leave (h, c) unchanged and pass its gradient through untouched.
"""

from __future__ import annotations

import numpy as np

from ..function import Context, Function
from ._malloc import tune_once
from .rnn import clean_inputs, step_mask


def _gate_constants(H: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """scale and shift with act(z) = scale * tanh(scale * z) + shift: sigmoid for i, f, o; tanh for g."""
    scale = np.full(4 * H, 0.5, dtype=dtype)
    scale[2 * H:3 * H] = 1
    shift = np.full(4 * H, 0.5, dtype=dtype)
    shift[2 * H:3 * H] = 0
    return scale, shift


class FusedLSTM(Function):
    """packed = LSTM(xs, h0, c0; W_xh, W_hh, b_h): outputs (B T rows) and final c (B rows), shape (B T + B, H).

    Inside, every per-step array is time-major, (T, B, ...), so that each step reads and writes contiguous
    memory; h and c are kept with their initial values in front (``hs[0] = h0``), so h_{t-1} for all steps
    is the contiguous view ``hs[:-1]``.
    """

    @staticmethod
    def forward(ctx: Context, xs: np.ndarray, h0: np.ndarray, c0: np.ndarray, W_xh: np.ndarray,
                W_hh: np.ndarray, b_h: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
        tune_once()  # reuse freed step arrays instead of page-faulting them in (see _malloc)
        B, T, n_in = xs.shape
        H = W_hh.shape[0]
        dt = W_hh.dtype
        keep = step_mask(lengths, B, T)
        x2 = np.ascontiguousarray(clean_inputs(xs, keep).transpose(1, 0, 2)).reshape(T * B, n_in)
        scale, shift = _gate_constants(H, dt)
        # pre-activations z_t, already halved for the sigmoid gates (scaling by 1/2 is exact, so this
        # equals halving z_t): x W_xh of all steps at once, the recurrent term added step by step
        gates = (x2 @ (W_xh * scale)).reshape(T, B, 4 * H)
        gates += b_h * scale
        W_hh_s = W_hh * scale
        hs = np.empty((T + 1, B, H), dtype=dt)
        cs = np.empty((T + 1, B, H), dtype=dt)
        tcs = np.empty((T, B, H), dtype=dt)
        hs[0], cs[0] = h0, c0
        hW = np.empty((B, 4 * H), dtype=dt)
        ig = np.empty((B, H), dtype=dt)
        for t in range(T):
            a, h, c, ct, tc, ht = gates[t], hs[t], cs[t], cs[t + 1], tcs[t], hs[t + 1]
            np.matmul(h, W_hh_s, out=hW)
            a += hW
            np.tanh(a, out=a)  # then the activations i, f, g, o: scale * tanh + shift
            a *= scale
            a += shift
            np.multiply(a[:, H:2 * H], c, out=ct)
            np.multiply(a[:, :H], a[:, 2 * H:3 * H], out=ig)
            ct += ig
            np.tanh(ct, out=tc)
            np.multiply(a[:, 3 * H:], tc, out=ht)
            if keep is not None:  # ended sequences keep their state
                pad = ~keep[:, t, None]
                np.copyto(ct, c, where=pad)
                np.copyto(ht, h, where=pad)
        packed = np.empty((B * T + B, H), dtype=dt)
        out = packed[:B * T].reshape(B, T, H)
        np.copyto(out, hs[1:].transpose(1, 0, 2))
        if keep is not None:
            np.copyto(out, 0, where=~keep[:, :, None])
        packed[B * T:] = cs[T]
        ctx.save_for_backward(x2, W_xh, W_hh, gates, hs, cs, tcs, keep)
        return packed

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        x2, W_xh, W_hh, gates, hs, cs, tcs, keep = ctx.saved
        T, B, _ = gates.shape
        H = W_hh.shape[0]
        dt = W_hh.dtype
        g_out = grad[:B * T].reshape(B, T, H)
        dc = np.array(grad[B * T:], dtype=dt)
        dh = np.zeros((B, H), dtype=dt)
        dh_spare, dc_spare = np.empty((B, H), dtype=dt), np.empty((B, H), dtype=dt)
        scale, shift = _gate_constants(H, dt)
        slope = 2 * shift  # act' = (slope - a) a + offset: a(1 - a) for a sigmoid gate, 1 - a^2 for g
        offset = 1 - slope
        # Everything that does not depend on dh and dc, for all steps at once before the loop:
        # dz starts as act'(z) times the factor each gate's gradient has beside dc (or dh for o),
        # (g, c_{t-1}, i, tanh(c_t)) act'; do_dh = o (1 - tanh(c_t)^2) is dc's factor beside dh.
        dz = np.subtract(slope, gates)
        dz *= gates
        dz += offset
        dz4 = dz.reshape(T, B, 4, H)  # a view: gate k of step t is dz4[t, :, k]
        a4 = gates.reshape(T, B, 4, H)
        dz4[:, :, 0] *= a4[:, :, 2]  # di = dc g i'
        dz4[:, :, 1] *= cs[:-1]  # df = dc c_{t-1} f'
        dz4[:, :, 2] *= a4[:, :, 0]  # dg = dc i g'
        dz4[:, :, 3] *= tcs  # do = dh tanh(c_t) o'
        dc_dh = np.multiply(tcs, tcs)
        np.subtract(1, dc_dh, out=dc_dh)
        dc_dh *= a4[:, :, 3]
        dct = np.empty((B, H), dtype=dt)
        dh_t = np.empty((B, H), dtype=dt)
        W_hh_T = W_hh.T
        for t in range(T - 1, -1, -1):
            d = dz[t]
            np.add(g_out[:, t], dh, out=dh_t)
            dz4[t, :, 3] *= dh_t
            np.multiply(dh_t, dc_dh[t], out=dct)  # dc = dh o (1 - tanh(c_t)^2) + dc_next
            dct += dc
            dz4[t, :, :3] *= dct[:, None, :]  # di, df, dg
            np.matmul(d, W_hh_T, out=dh_spare)  # dh_{t-1}
            np.multiply(dct, a4[t, :, 1], out=dc_spare)  # dc_{t-1} = dc f
            if keep is not None:  # padded rows: no gate gradient; dh and dc pass through unchanged
                pad = ~keep[:, t, None]
                np.copyto(d, 0, where=pad)
                np.copyto(dh_spare, dh, where=pad)
                np.copyto(dc_spare, dc, where=pad)
            dh, dh_spare = dh_spare, dh
            dc, dc_spare = dc_spare, dc
        parents = ctx.parents
        dz2 = dz.reshape(T * B, 4 * H)
        d_xs = (dz2 @ W_xh.T).reshape(T, B, -1).transpose(1, 0, 2) if parents[0].requires_grad else None
        d_W_xh = x2.T @ dz2 if parents[3].requires_grad else None
        d_W_hh = hs[:-1].reshape(T * B, H).T @ dz2 if parents[4].requires_grad else None
        d_b = dz2.sum(axis=0) if parents[5].requires_grad else None
        return (d_xs, dh if parents[1].requires_grad else None, dc if parents[2].requires_grad else None,
                d_W_xh, d_W_hh, d_b)
