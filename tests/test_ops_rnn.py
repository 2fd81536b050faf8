"""engine/ops/rnn.py, lstm.py, gru.py: the fused sequence ops at the Function level (gradcheck of every
input with and without lengths, float32, the packed LSTM result, the chunked backward's memory)."""

import tracemalloc

import numpy as np
import pytest
from strategies import assert_float32

import engine
from engine import Tensor
from engine.ops import rnn as rnn_ops
from engine.ops.gru import FusedGRU
from engine.ops.lstm import FusedLSTM
from engine.ops.rnn import FusedRNN

B, T, I, H = 3, 4, 2, 3
LENGTHS = np.array([4, 1, 3])


def inputs(kind, seed=0, dtype=np.float64):
    r = np.random.default_rng(seed)
    G = {"rnn": 1, "lstm": 4, "gru": 3}[kind]
    arrays = [r.normal(size=(B, T, I)), r.normal(size=(B, H))]
    if kind == "lstm":
        arrays.append(r.normal(size=(B, H)))
    arrays += [0.7 * r.normal(size=(I, G * H)), 0.7 * r.normal(size=(H, G * H)), 0.3 * r.normal(size=G * H)]
    if kind == "gru":
        arrays.append(0.3 * r.normal(size=G * H))
    return [np.asarray(a, dtype=dtype) for a in arrays]


OPS = {"rnn": FusedRNN, "lstm": FusedLSTM, "gru": FusedGRU}


@pytest.mark.parametrize("lengths", [None, LENGTHS], ids=["full", "lengths"])
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_gradcheck_every_input(kind, lengths):
    ts = [Tensor(a, requires_grad=True) for a in inputs(kind)]
    assert engine.gradcheck(lambda *xs: OPS[kind].apply(*xs, lengths=lengths), *ts).ok


def test_relu_rnn_gradcheck():
    ts = [Tensor(a, requires_grad=True) for a in inputs("rnn", seed=1)]
    assert engine.gradcheck(lambda *xs: FusedRNN.apply(*xs, lengths=LENGTHS, relu=True), *ts).ok


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_float32_in_float32_out(kind):
    assert_float32(lambda *xs: OPS[kind].apply(*xs, lengths=LENGTHS), *inputs(kind, dtype=np.float32))


def test_lstm_packs_outputs_then_the_final_cell_state():
    arrays = inputs("lstm")
    packed = FusedLSTM.apply(*[Tensor(a) for a in arrays], lengths=LENGTHS)
    assert packed.shape == (B * T + B, H)
    engine.seed(0)
    model = engine.nn.LSTM(I, H, fused=False)
    model.cell.W_xh.data[...], model.cell.W_hh.data[...], model.cell.b_h.data[...] = arrays[3:]
    out, (h, c) = model(arrays[0], (arrays[1], arrays[2]), lengths=LENGTHS)
    np.testing.assert_allclose(packed.data[:B * T].reshape(B, T, H), out.data, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(packed.data[B * T:], c.data, rtol=1e-13, atol=1e-15)


def test_chunked_backward_equals_one_chunk(monkeypatch):
    """The fused RNN's backward gives the same gradients whatever the chunk size."""
    def grads(chunk):
        monkeypatch.setattr(rnn_ops, "chunks", lambda steps: [(t0, min(t0 + chunk, steps))
                                                              for t0 in range(0, steps, chunk)][::-1])
        ts = [Tensor(a, requires_grad=True) for a in inputs("rnn", seed=2)]
        weights = Tensor(np.arange(B * T * H).reshape(B, T, H) / 10)
        (FusedRNN.apply(*ts, lengths=LENGTHS) * weights).sum().backward()
        return [t.grad for t in ts]

    one_step, whole = grads(1), grads(64)
    for a, b in zip(one_step, whole):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_fused_rnn_peak_memory_is_within_twice_the_hidden_states():
    """Forward and backward over T = 1,000 steps: at most 2x the T x B x H states (benchmarks/memory.py)."""
    Bm, Tm, Hm, dt = 8, 1000, 64, np.float32
    r = np.random.default_rng(0)
    xs = Tensor(r.normal(size=(Bm, Tm, 16)).astype(dt))
    h0 = Tensor(np.zeros((Bm, Hm), dtype=dt))
    W = [Tensor((0.2 * r.normal(size=s)).astype(dt), requires_grad=True) for s in ((16, Hm), (Hm, Hm), (Hm,))]
    tracemalloc.start()
    FusedRNN.apply(xs, h0, *W).sum().backward()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    ratio = peak / (Tm * Bm * Hm * 4)
    assert ratio <= 2.0, ratio


def _faults_per_round(n: int = 10) -> float:
    """Minor page faults per round of allocating, filling and freeing eight 1 MiB arrays (8 MiB, 2,048
    pages: about what one LSTM training step at V65 H128 T32 B32 allocates and drops)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(n):
        arrays = [np.empty(2**18, dtype=np.float32) for _ in range(8)]
        for a in arrays:
            a.fill(1.0)
        del arrays, a
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / n


def test_freed_step_arrays_are_reused_without_page_faults():
    """With the thresholds raised at a fused op's first run (engine/ops/_malloc.py), freed step arrays are
    found again by the next step's allocations: no page faults, where glibc's defaults fault most of the
    2,048 pages in again every round."""
    from engine.ops import _malloc

    if not _malloc.tune_once():
        pytest.skip("glibc's mallopt is not available here")
    _faults_per_round(2)  # the first rounds may grow the heap
    assert _faults_per_round() < 100


def test_malloc_tuning_can_be_switched_off(monkeypatch):
    from engine.ops import _malloc

    monkeypatch.setenv("ENGINE_MALLOC_TUNING", "0")
    assert _malloc.keep_freed_memory() is False
