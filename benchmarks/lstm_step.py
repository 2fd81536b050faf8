"""One training step of a character language model with an LSTM and a GRU: engine, numpy, PyTorch.

As rnn_step.py, with the RNN replaced by an LSTM (gates i, f, g, o) or a GRU (r, z, n), hidden 128. Timed
interleaved in one process (median CPU ms):
  engine LSTM fused (``nn.LSTM()``, the default)    target <= 1.25x PyTorch nn.LSTM, <= 0.75x numpy LSTM
  engine LSTM unrolled (``fused=False``)           for comparison
  numpy LSTM, hand-written BPTT (input projection inside the time loop, as min-char-rnn)
  engine GRU fused / unrolled                      target <= 1.25x PyTorch nn.GRU
  PyTorch eager nn.LSTM / nn.GRU, when importable (see _reference.py)
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
    engine_step,
    header,
    import_torch,
    interleaved,
    numpy_lstm_grads,
    numpy_step,
    torch_step,
    verdict,
)


def main(repeats=60):
    torch = import_torch()
    xs, targets = data(V, B, T, np.float32, seed=0)
    runners = {"engine LSTM fused": engine_step("lstm", True, xs, targets),
               "engine LSTM unrolled": engine_step("lstm", False, xs, targets),
               "numpy LSTM": numpy_step("lstm", numpy_lstm_grads, xs, targets),
               "engine GRU fused": engine_step("gru", True, xs, targets),
               "engine GRU unrolled": engine_step("gru", False, xs, targets)}
    if torch is not None:
        runners["PyTorch nn.LSTM"] = torch_step(torch, "lstm", xs, targets)
        runners["PyTorch nn.GRU"] = torch_step(torch, "gru", xs, targets)
    ms = interleaved(runners, repeats)
    print(header("char-LM, LSTM and GRU", repeats))
    for name, v in ms.items():
        print(f"  {name:22s} {v:7.2f} ms")
    print(f"  LSTM fused / numpy LSTM      {verdict(ms['engine LSTM fused'] / ms['numpy LSTM'], 0.75)}")
    print(f"  LSTM unrolled / numpy LSTM   {ms['engine LSTM unrolled'] / ms['numpy LSTM']:5.2f}x")
    if torch is None:
        print("  PyTorch not importable: the PyTorch ratios are skipped (see benchmarks/README.md)")
        return
    print(f"  LSTM fused / PyTorch nn.LSTM {verdict(ms['engine LSTM fused'] / ms['PyTorch nn.LSTM'], 1.25)}")
    print(f"  GRU fused / PyTorch nn.GRU   {verdict(ms['engine GRU fused'] / ms['PyTorch nn.GRU'], 1.25)}")
    print(f"  (torch {torch.__version__})")


if __name__ == "__main__":
    main()
