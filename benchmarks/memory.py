"""Peak memory of the unrolled RNN for T = 1,000 steps against the activations backpropagation must keep.

The model: ``RNN(65, 128, fused=False)``, batch 32, float32, loss = sum(outputs), whose gradient (a
broadcast view of ones) costs no memory, so the figure is the RNN's own. What backward needs from the
forward pass is every hidden state h_t (tanh's derivative is 1 - h_t^2, and h_{t-1} multiplies into
dW_hh): T x B x H numbers. The inputs exist before the step and are not counted. Peak memory is measured
with ``tracemalloc`` (numpy reports its allocations to it) over forward and backward. Targets: unrolled
within 3x, fused (``FusedRNN``, whose backward keeps only one chunk of 64 steps of da_t beside the states)
within 2x. Prints figures; asserts nothing.
"""


from course import reproducible

reproducible.apply()

import tracemalloc

import numpy as np

import engine
from engine import Tensor, nn

V, H, T, B = 65, 128, 1000, 32


def measure(fused: bool) -> tuple[int, int]:
    engine.seed(0)
    dt = np.float32
    model = nn.RNN(V, H, fused=fused, dtype=dt)
    rng = np.random.default_rng(0)
    xs = Tensor(np.eye(V, dtype=dt)[rng.integers(0, V, size=(B, T))], dtype=dt)
    tracemalloc.start()
    out, _ = model(xs)
    out.sum().backward()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak, T * B * H * np.dtype(dt).itemsize


def main():
    print(f"RNN({V}, {H}), T={T}, batch {B}, float32: forward + backward")
    for fused in (False, True):
        peak, needed = measure(fused)
        name = "fused   " if fused else "unrolled"
        print(f"  {name} peak {peak / 2**20:7.1f} MiB, hidden states {needed / 2**20:5.1f} MiB, "
              f"ratio {peak / needed:.2f}x   (target <= {2 if fused else 3}x: "
              f"{'met' if peak / needed <= (2 if fused else 3) else 'MISSED'})")


if __name__ == "__main__":
    main()
