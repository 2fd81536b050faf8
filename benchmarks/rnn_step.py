"""One training step of a character language model, on the engine and in hand-written numpy.

The model: one-hot characters (vocab 65) -> RNN (hidden 128, tanh) -> Linear -> softmax cross-entropy,
mean over batch 32 x 32 steps, then one Adam update; float32, one BLAS thread. Timed, interleaved in
one process, median over many steps:
  (a) the engine, unrolled graph (``RNN(fused=False)``)      target <= 2.0x numpy
  (b) the engine, fused RNN (``RNN()``, the default)          target <= 1.2x numpy
  (c) hand-written numpy forward + BPTT + Adam, min-char-rnn style (every op inside the time loop)
  (d) an LSTM of the same size: engine (unrolled) vs hand-written numpy     target <= 1.5x
Before timing, the numpy gradients are checked equal to the engine's in float64 at a small size.
Times are the process's CPU time (``time.process_time``): with one BLAS thread it equals wall time on an
idle machine, and it is far less disturbed by other work on a shared one. Prints figures; asserts
nothing about time.
"""

import os

from course import reproducible

reproducible.apply()

import statistics
import time

import numpy as np

import engine
from engine import F, nn, optim

V, H, T, B = 65, 128, 32, 32


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
def engine_model(kind, vocab, hidden, dtype, fused=False):
    if kind == "lstm":
        rnn = nn.LSTM(vocab, hidden, dtype=dtype)
    else:
        rnn = nn.RNN(vocab, hidden, fused=fused, dtype=dtype)
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


def check_gradients():
    """The numpy references compute the engine's gradients (float64, small sizes)."""
    worst = 0.0
    for kind, fused, reference in [("rnn", False, numpy_rnn_grads), ("rnn", True, numpy_rnn_grads),
                                   ("lstm", False, numpy_lstm_grads)]:
        engine.seed(1)
        rnn, head = engine_model(kind, 7, 5, np.float64, fused)
        xs, targets = data(7, 3, 6, np.float64, seed=2)
        loss = engine_loss(rnn, head, xs, targets)
        loss.backward()
        ps = [p.data.copy() for p in params_of(rnn, head)]
        ref_loss, ref_grads = reference(ps, xs.data, targets)
        assert abs(ref_loss - loss.item()) < 1e-12, (kind, ref_loss, loss.item())
        for p, g in zip(params_of(rnn, head), ref_grads):
            np.testing.assert_allclose(p.grad, g, rtol=1e-10, atol=1e-13)
            worst = max(worst, float(np.abs(p.grad - g).max()))
    print(f"gradients: numpy references == engine (float64; RNN unrolled, RNN fused, LSTM), "
          f"max abs difference {worst:.1e}")


def main(repeats=60):
    check_gradients()
    dt = np.float32
    xs, targets = data(V, B, T, dt, seed=0)
    runners = {}
    for name, kind, fused in [("engine RNN unrolled", "rnn", False), ("engine RNN fused", "rnn", True),
                              ("engine LSTM unrolled", "lstm", False)]:
        engine.seed(0)
        rnn, head = engine_model(kind, V, H, dt, fused)
        opt = optim.Adam(params_of(rnn, head), lr=1e-3)

        def step(rnn=rnn, head=head, opt=opt):
            opt.zero_grad()
            engine_loss(rnn, head, xs, targets).backward()
            opt.step()
        runners[name] = step
    for name, reference in [("numpy RNN", numpy_rnn_grads), ("numpy LSTM", numpy_lstm_grads)]:
        engine.seed(0)
        rnn, head = engine_model("lstm" if "LSTM" in name else "rnn", V, H, dt)
        ps = [p.data.copy() for p in params_of(rnn, head)]
        adam = NumpyAdam(ps)

        def step(ps=ps, adam=adam, reference=reference):
            adam.step(reference(ps, xs.data, targets)[1])
        runners[name] = step

    times = {name: [] for name in runners}
    for rep in range(repeats + 5):
        for name, step in runners.items():
            t0 = time.process_time()
            step()
            if rep >= 5:  # warm-up
                times[name].append(time.process_time() - t0)
    ms = {name: 1e3 * statistics.median(ts) for name, ts in times.items()}
    print(f"one training step (CPU ms), vocab {V}, hidden {H}, T={T}, batch {B}, float32, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS')}, median of {repeats}:")
    for name, v in ms.items():
        print(f"  {name:22s} {v:7.2f} ms")
    print(f"  (a) unrolled / numpy   {ms['engine RNN unrolled'] / ms['numpy RNN']:.2f}x   (target <= 2.0)")
    print(f"  (b) fused / numpy      {ms['engine RNN fused'] / ms['numpy RNN']:.2f}x   (target <= 1.2)")
    print(f"  (d) LSTM / numpy LSTM  {ms['engine LSTM unrolled'] / ms['numpy LSTM']:.2f}x   (target <= 1.5)")


if __name__ == "__main__":
    main()
