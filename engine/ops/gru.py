"""``FusedGRU``: a whole GRU sequence, forward and backpropagation through time, as one ``Function``.

As ``FusedRNN`` and ``FusedLSTM``: one input product for all steps, one (B, H) x (H, 3H) product per step,
buffers reused, a hand-written backward. PyTorch's formula, gates r, z, n:

    gx = x_t W_xh + b_xh,  gh = h_{t-1} W_hh + b_hh   (each split into r, z, n thirds)
    r = sigmoid(gx_r + gh_r),  z = sigmoid(gx_z + gh_z),  n = tanh(gx_n + r gh_n),  h_t = n + z (h_{t-1} - n)

    dn = dh (1 - z);  dz = dh (h_{t-1} - n);  da_n = dn (1 - n^2);  dr = da_n gh_n
    dgx = (dr r(1-r), dz z(1-z), da_n);  dgh = (dr r(1-r), dz z(1-z), da_n r);  dh_{t-1} = dh z + dgh W_hh^T

Padded steps (t >= lengths[b]) are selected away: inputs replaced by 0, outputs exactly 0, the state and
its gradient passed through unchanged.
"""

from __future__ import annotations

import numpy as np

from ..function import Context, Function
from ._malloc import tune_once
from .rnn import clean_inputs, step_mask


def _sigmoid_(a: np.ndarray) -> None:
    """a = sigmoid(a) in place, as 0.5 tanh(a/2) + 0.5 (the engine's overflow-free form)."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5


class FusedGRU(Function):
    """outputs = GRU(xs, h0; W_xh, W_hh, b_xh, b_hh) over all steps, shape (B, T, H)."""

    @staticmethod
    def forward(ctx: Context, xs: np.ndarray, h0: np.ndarray, W_xh: np.ndarray, W_hh: np.ndarray,
                b_xh: np.ndarray, b_hh: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
        tune_once()  # reuse freed step arrays instead of page-faulting them in (see _malloc)
        B, T, n_in = xs.shape
        H = W_hh.shape[0]
        dt = W_hh.dtype
        keep = step_mask(lengths, B, T)
        xs = clean_inputs(xs, keep)
        gates = (xs.reshape(B * T, n_in) @ W_xh).reshape(B, T, 3 * H)  # gx, overwritten with r, z, n
        gates += b_xh
        ghn = np.empty((B, T, H), dtype=dt)  # gh_n = (h_{t-1} W_hh + b_hh)_n, needed by dr
        hs = np.empty((B, T, H), dtype=dt)
        gh = np.empty((B, 3 * H), dtype=dt)
        tmp = np.empty((B, H), dtype=dt)
        h = h0
        for t in range(T):
            a = gates[:, t]
            np.matmul(h, W_hh, out=gh)
            gh += b_hh
            rz = a[:, :2 * H]
            rz += gh[:, :2 * H]
            _sigmoid_(rz)
            r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
            ghn[:, t] = gh[:, 2 * H:]
            np.multiply(r, gh[:, 2 * H:], out=tmp)
            n += tmp
            np.tanh(n, out=n)
            ht = hs[:, t]
            np.subtract(h, n, out=tmp)
            tmp *= z
            np.add(n, tmp, out=ht)
            if keep is not None:
                np.copyto(ht, h, where=~keep[:, t, None])
            h = ht
        out = hs if keep is None else np.where(keep[:, :, None], hs, dt.type(0))
        ctx.save_for_backward(xs, h0, W_xh, W_hh, gates, ghn, hs, keep)
        return out

    @staticmethod
    def backward(ctx: Context, grad: np.ndarray):
        xs, h0, W_xh, W_hh, gates, ghn, hs, keep = ctx.saved
        B, T, n_in = xs.shape
        H = W_hh.shape[0]
        dt = W_hh.dtype
        dgx = np.empty((B, T, 3 * H), dtype=dt)
        dgh = np.empty((B, T, 3 * H), dtype=dt)
        dh = np.zeros((B, H), dtype=dt)
        tmp = np.empty((B, H), dtype=dt)
        W_hh_T = W_hh.T
        for t in range(T - 1, -1, -1):
            a = gates[:, t]
            r, z, n = a[:, :H], a[:, H:2 * H], a[:, 2 * H:]
            h_prev = hs[:, t - 1] if t else h0
            dx, dhh = dgx[:, t], dgh[:, t]
            dh_t = grad[:, t] + dh
            dan = dx[:, 2 * H:]
            np.subtract(1, z, out=dan)  # dn = dh (1 - z), then times tanh' = 1 - n^2
            dan *= dh_t
            np.multiply(n, n, out=tmp)
            np.subtract(1, tmp, out=tmp)
            dan *= tmp
            dr = dx[:, :H]
            np.multiply(dan, ghn[:, t], out=dr)  # dr, then times sigmoid' = r (1 - r)
            np.subtract(1, r, out=tmp)
            tmp *= r
            dr *= tmp
            dz = dx[:, H:2 * H]
            np.subtract(h_prev, n, out=dz)  # dz = dh (h_{t-1} - n), then times z (1 - z)
            dz *= dh_t
            np.subtract(1, z, out=tmp)
            tmp *= z
            dz *= tmp
            dhh[:, :2 * H] = dx[:, :2 * H]
            np.multiply(dan, r, out=dhh[:, 2 * H:])
            dh_next = dhh @ W_hh_T
            dh_t *= z
            dh_next += dh_t
            if keep is not None:  # padded rows: no gate gradient; dh passes through unchanged
                pad = ~keep[:, t, None]
                np.copyto(dx, 0, where=pad)
                np.copyto(dhh, 0, where=pad)
                np.copyto(dh_next, dh, where=pad)
            dh = dh_next
        parents = ctx.parents
        dgx2, dgh2 = dgx.reshape(B * T, 3 * H), dgh.reshape(B * T, 3 * H)
        d_xs = (dgx2 @ W_xh.T).reshape(B, T, n_in) if parents[0].requires_grad else None
        d_W_xh = xs.reshape(B * T, n_in).T @ dgx2 if parents[2].requires_grad else None
        d_W_hh = None
        if parents[3].requires_grad:
            prev = np.concatenate([h0[:, None], hs[:, :-1]], axis=1).reshape(B * T, H)
            d_W_hh = prev.T @ dgh2
        return (d_xs, dh if parents[1].requires_grad else None, d_W_xh, d_W_hh,
                dgx2.sum(axis=0) if parents[4].requires_grad else None,
                dgh2.sum(axis=0) if parents[5].requires_grad else None)
