"""Shared by the step benchmarks: hand-written numpy references, the engine's model, PyTorch (optional),
and an interleaved timer. Not a benchmark itself (``run.py`` skips files starting with ``_``).

PyTorch is optional: it is used when ``import torch`` works, or when ``BENCH_TORCH_SITE`` names a
site-packages folder holding it (e.g. a throwaway venv: ``python3 -m venv /tmp/torchvenv &&
/tmp/torchvenv/bin/pip install torch==2.13.0``, then ``BENCH_TORCH_SITE=/tmp/torchvenv/lib/python3.11/site-packages``).
"""

import os
import statistics
import sys
import time

import numpy as np

import engine
from engine import F, nn

V, H, T, B = 65, 128, 32, 32


def import_torch():
    """torch, or None; with one intra-op thread, like the engine's one BLAS thread."""
    site = os.environ.get("BENCH_TORCH_SITE")
    if site and site not in sys.path:
        sys.path.append(site)  # appended: the project's own numpy stays first
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    return torch


# ---- hand-written numpy -------------------------------------------------------------------------------
def sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def softmax_rows(y):
    e = np.exp(y - y.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def numpy_rnn_grads(P, xs, targets):
    """Loss and gradients of the RNN language model, min-char-rnn style (batched)."""
    Wxh, Whh, bh, Why, by = P
    nb, nt, _ = xs.shape
    rows = np.arange(nb)
    hs = {-1: np.zeros((nb, Whh.shape[0]), dtype=Whh.dtype)}
    ps = {}
    loss = 0.0
    for t in range(nt):
        hs[t] = np.tanh(xs[:, t] @ Wxh + hs[t - 1] @ Whh + bh)
        ps[t] = softmax_rows(hs[t] @ Why + by)
        loss -= np.log(ps[t][rows, targets[:, t]]).sum()
    n = nb * nt
    dWxh, dWhh, dbh, dWhy, dby = (np.zeros_like(p) for p in P)
    dhnext = np.zeros_like(hs[0])
    for t in reversed(range(nt)):
        dy = ps[t]
        dy[rows, targets[:, t]] -= 1
        dy /= n
        dWhy += hs[t].T @ dy
        dby += dy.sum(axis=0)
        dh = dy @ Why.T + dhnext
        dhraw = (1 - hs[t] * hs[t]) * dh
        dbh += dhraw.sum(axis=0)
        dWxh += xs[:, t].T @ dhraw
        dWhh += hs[t - 1].T @ dhraw
        dhnext = dhraw @ Whh.T
    return loss / n, [dWxh, dWhh, dbh, dWhy, dby]


def numpy_lstm_grads(P, xs, targets):
    """Loss and gradients of the LSTM language model (gates i, f, g, o), hand-written BPTT."""
    Wxh, Whh, bh, Why, by = P
    nb, nt, _ = xs.shape
    nh = Whh.shape[0]
    rows = np.arange(nb)
    hs = {-1: np.zeros((nb, nh), dtype=Whh.dtype)}
    cs = {-1: np.zeros((nb, nh), dtype=Whh.dtype)}
    acts, tcs, ps = {}, {}, {}
    loss = 0.0
    for t in range(nt):
        z = xs[:, t] @ Wxh + hs[t - 1] @ Whh + bh
        a = sigmoid(z)
        a[:, 2 * nh:3 * nh] = np.tanh(z[:, 2 * nh:3 * nh])
        i, f, g, o = a[:, :nh], a[:, nh:2 * nh], a[:, 2 * nh:3 * nh], a[:, 3 * nh:]
        cs[t] = f * cs[t - 1] + i * g
        tcs[t] = np.tanh(cs[t])
        hs[t] = o * tcs[t]
        acts[t] = a
        ps[t] = softmax_rows(hs[t] @ Why + by)
        loss -= np.log(ps[t][rows, targets[:, t]]).sum()
    n = nb * nt
    dWxh, dWhh, dbh, dWhy, dby = (np.zeros_like(p) for p in P)
    dhnext = np.zeros_like(hs[0])
    dcnext = np.zeros_like(cs[0])
    dz = np.empty((nb, 4 * nh), dtype=Whh.dtype)
    for t in reversed(range(nt)):
        dy = ps[t]
        dy[rows, targets[:, t]] -= 1
        dy /= n
        dWhy += hs[t].T @ dy
        dby += dy.sum(axis=0)
        dh = dy @ Why.T + dhnext
        a = acts[t]
        i, f, g, o = a[:, :nh], a[:, nh:2 * nh], a[:, 2 * nh:3 * nh], a[:, 3 * nh:]
        dc = dh * o * (1 - tcs[t] * tcs[t]) + dcnext
        dz[:, :nh] = dc * g * i * (1 - i)
        dz[:, nh:2 * nh] = dc * cs[t - 1] * f * (1 - f)
        dz[:, 2 * nh:3 * nh] = dc * i * (1 - g * g)
        dz[:, 3 * nh:] = dh * tcs[t] * o * (1 - o)
        dcnext = dc * f
        dbh += dz.sum(axis=0)
        dWxh += xs[:, t].T @ dz
        dWhh += hs[t - 1].T @ dz
        dhnext = dz @ Whh.T
    return loss / n, [dWxh, dWhh, dbh, dWhy, dby]


class NumpyAdam:
    """PyTorch's Adam, on a list of arrays."""

    def __init__(self, params, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
        self.params, self.lr, self.b1, self.b2, self.eps = params, lr, b1, b2, eps
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]
        self.t = 0

    def step(self, grads):
        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m += (1 - self.b1) * (g - m)
            v *= self.b2
            v += (1 - self.b2) * (g * g)
            denom = np.sqrt(v) / np.sqrt(1 - self.b2 ** self.t) + self.eps
            p -= (self.lr / (1 - self.b1 ** self.t)) * (m / denom)


# ---- the engine's model --------------------------------------------------------------------------------
def engine_model(kind, vocab, hidden, dtype, fused=True):
    cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
    rnn = cls(vocab, hidden, fused=fused, dtype=dtype)
    head = nn.Linear(hidden, vocab, dtype=dtype)
    return rnn, head


def engine_loss(rnn, head, xs, targets):
    out, _ = rnn(xs)
    return F.cross_entropy(head(out), targets)


def params_of(rnn, head):
    c = rnn.cell
    return [c.W_xh, c.W_hh, c.b_h, head.W, head.b]


def data(vocab, batch, steps, dtype, seed):
    ids = np.random.default_rng(seed).integers(0, vocab, size=(batch, steps + 1))
    xs = np.eye(vocab, dtype=dtype)[ids[:, :-1]]
    return engine.Tensor(xs, dtype=dtype), ids[:, 1:]




def engine_step(kind, fused, xs, targets, dtype=np.float32):
    """One training step (zero_grad, forward, cross-entropy, backward, Adam) of a fresh engine model."""
    engine.seed(0)
    rnn, head = engine_model(kind, V, H, dtype, fused)
    opt = engine.optim.Adam(rnn.parameters() + head.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        engine_loss(rnn, head, xs, targets).backward()
        opt.step()
    return step


def numpy_step(kind, reference, xs, targets, dtype=np.float32):
    engine.seed(0)
    rnn, head = engine_model(kind, V, H, dtype)
    ps = [p.data.copy() for p in params_of(rnn, head)]
    adam = NumpyAdam(ps)
    return lambda: adam.step(reference(ps, xs.data, targets)[1])


def torch_step(torch, kind, xs, targets):
    """PyTorch eager nn.RNN/LSTM/GRU + Linear + cross-entropy + Adam on the same data, float32."""
    torch.manual_seed(0)
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    rnn, head = cls(V, H, batch_first=True), torch.nn.Linear(H, V)
    opt = torch.optim.Adam(list(rnn.parameters()) + list(head.parameters()), lr=1e-3)
    x, y = torch.tensor(xs.data), torch.tensor(targets).reshape(-1)

    def step():
        opt.zero_grad()
        out, _ = rnn(x)
        torch.nn.functional.cross_entropy(head(out).reshape(-1, V), y).backward()
        opt.step()
    return step


def interleaved(runners, repeats=60, warmup=5):
    """Median CPU ms of each runner, the runners taking turns step by step (fair under changing load).

    CPU time (``time.process_time``): with one BLAS thread it equals wall time on an idle machine, and it is
    far less disturbed by other work on a shared one.
    """
    times = {name: [] for name in runners}
    for rep in range(repeats + warmup):
        for name, step in runners.items():
            t0 = time.process_time()
            step()
            if rep >= warmup:
                times[name].append(time.process_time() - t0)
    return {name: 1e3 * statistics.median(ts) for name, ts in times.items()}


def header(what, repeats):
    return (f"{what}: one training step (CPU ms), vocab {V}, hidden {H}, T={T}, batch {B}, float32, "
            f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, median of {repeats}:")


def verdict(ratio, target, better="<="):
    ok = ratio <= target if better == "<=" else ratio >= target
    return f"{ratio:5.2f}x   (target {better} {target}: {'met' if ok else 'MISSED'})"
