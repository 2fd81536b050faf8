"""One training step of a character language model with an Elman RNN: engine, hand-written numpy, PyTorch.

The model: one-hot characters (vocab 65) -> RNN (hidden 128, tanh) -> Linear -> softmax cross-entropy,
mean over batch 32 x 32 steps, then one Adam update; float32, one BLAS thread. Timed interleaved in one
process (median CPU ms):
  (a) the engine, unrolled graph (``RNN(fused=False)``)       target <= 2.0x numpy
  (b) the engine, fused RNN (``RNN()``, the default)           target <= 0.8x numpy
  (c) hand-written numpy forward + BPTT + Adam, min-char-rnn style (every op inside the time loop)
  (d) PyTorch eager ``nn.RNN`` doing the same, when importable (see _reference.py)
Before timing, the numpy gradients are checked equal to the engine's in float64 at a small size.
Prints figures and whether each target is met; asserts nothing about time.
"""

from course import reproducible

reproducible.apply()

import numpy as np
from _reference import (
    B,
    T,
    V,
    data,
    engine_loss,
    engine_model,
    engine_step,
    header,
    import_torch,
    interleaved,
    numpy_lstm_grads,
    numpy_rnn_grads,
    numpy_step,
    params_of,
    torch_step,
    verdict,
)

import engine


def check_gradients():
    """The numpy references compute the engine's gradients (float64, small sizes)."""
    worst = 0.0
    for kind, fused, reference in [("rnn", False, numpy_rnn_grads), ("rnn", True, numpy_rnn_grads),
                                   ("lstm", False, numpy_lstm_grads), ("lstm", True, numpy_lstm_grads)]:
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
    print(f"gradients: numpy references == engine (float64; RNN and LSTM, unrolled and fused), "
          f"max abs difference {worst:.1e}")


def main(repeats=60):
    check_gradients()
    torch = import_torch()
    xs, targets = data(V, B, T, np.float32, seed=0)
    runners = {"engine RNN unrolled": engine_step("rnn", False, xs, targets),
               "engine RNN fused": engine_step("rnn", True, xs, targets),
               "numpy RNN": numpy_step("rnn", numpy_rnn_grads, xs, targets)}
    if torch is not None:
        runners["PyTorch nn.RNN"] = torch_step(torch, "rnn", xs, targets)
    ms = interleaved(runners, repeats)
    print(header("char-LM, RNN", repeats))
    for name, v in ms.items():
        print(f"  {name:22s} {v:7.2f} ms")
    print(f"  (a) unrolled / numpy   {verdict(ms['engine RNN unrolled'] / ms['numpy RNN'], 2.0)}")
    print(f"  (b) fused / numpy      {verdict(ms['engine RNN fused'] / ms['numpy RNN'], 0.8)}")
    if torch is None:
        print("  (d) PyTorch not importable: skipped (see benchmarks/README.md)")
    else:
        print(f"  (d) fused / PyTorch    {ms['engine RNN fused'] / ms['PyTorch nn.RNN']:5.2f}x   (torch "
              f"{torch.__version__})")


if __name__ == "__main__":
    main()
