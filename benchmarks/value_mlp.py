"""engine.Value against micrograd 0.1.0 on micrograd's own demo workload, garbage collector on.

An MLP 3-16-16-1 (micrograd's nn.py structure: ReLU hidden layers, linear output; micrograd 0.1.0 has
no tanh) scores 100 seeded points; one pass is zero_grad, micrograd's demo loss (mean SVM hinge loss
plus L2 regularisation) and backward. Both engines start from the same weights and must agree on the
loss and every gradient. Passes alternate between the engines, with ``gc.collect()`` (untimed) at each
switch so that neither pays for the other's garbage; the median is reported.

Needs ``pip install -r benchmarks/requirements.txt`` (micrograd==0.1.0). Run: python benchmarks/value_mlp.py
"""

import gc
import random
import statistics
import sys
import time

from micrograd import nn as mg_nn

from engine.value import Value, zero_grad

ROUNDS = 4  # each round times PASSES passes of micrograd, then of engine.Value
PASSES = 2  # consecutive passes, as in a training loop: the second finds the first one's garbage


class Neuron:
    """micrograd's Neuron on engine.Value: b + sum_i w_i x_i, then the nonlinearity."""

    def __init__(self, nin: int, nonlin: str | None) -> None:
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return getattr(act, self.nonlin)() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class MLP:
    """Layers of Neurons, nonlinear except the last (micrograd's MLP, the layers flattened)."""

    def __init__(self, nin: int, nouts: list[int], nonlin: str = "relu") -> None:
        sizes = [nin] + nouts
        self.layers = [
            [Neuron(sizes[i], nonlin if i < len(nouts) - 1 else None) for _ in range(sizes[i + 1])]
            for i in range(len(nouts))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = [neuron(x) for neuron in layer]
        return x[0] if len(x) == 1 else x

    def parameters(self):
        return [p for layer in self.layers for n in layer for p in n.parameters()]


def loss_of(model, xs, ys):
    """micrograd's demo loss: mean of relu(1 - y * score) plus 1e-4 * sum of squared parameters."""
    scores = [model(x) for x in xs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    return data_loss + 1e-4 * sum(p * p for p in model.parameters())


def one_pass(model, xs, ys) -> float:
    """zero_grad, forward, backward; returns the loss (the graph is dropped on return)."""
    zero_grad(model.parameters())
    loss = loss_of(model, xs, ys)
    loss.backward()
    return loss.data


def timed_passes(model, xs, ys, n: int) -> list[float]:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        one_pass(model, xs, ys)
        times.append(time.perf_counter() - t0)
    return times


def main() -> int:
    rng = random.Random(0)
    xs = [[rng.gauss(0, 1) for _ in range(3)] for _ in range(100)]
    ys = [1.0 if x[0] * x[1] + x[2] > 0 else -1.0 for x in xs]

    random.seed(1)
    theirs = mg_nn.MLP(3, [16, 16, 1])
    ours = MLP(3, [16, 16, 1])
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        p.data = float(q.data)

    loss_ours, loss_theirs = one_pass(ours, xs, ys), one_pass(theirs, xs, ys)
    grad_err = max(
        abs(p.grad - q.grad) / max(abs(q.grad), 1e-300) if p.grad != q.grad else 0.0
        for p, q in zip(ours.parameters(), theirs.parameters())
    )
    print(f"loss: engine.Value {loss_ours!r}, micrograd {loss_theirs!r}, equal: {loss_ours == loss_theirs}")
    print(f"gradients of {len(ours.parameters())} parameters: largest relative difference {grad_err:.1e}")
    if loss_ours != loss_theirs or grad_err > 1e-9:
        print("MISMATCH between engine.Value and micrograd", file=sys.stderr)
        return 1

    t_theirs, t_ours = [], []
    for _ in range(ROUNDS):
        gc.collect()
        t_theirs += timed_passes(theirs, xs, ys, PASSES)
        gc.collect()
        t_ours += timed_passes(ours, xs, ys, PASSES)
    gc.collect()
    gc.disable()
    try:
        t_theirs_nogc = timed_passes(theirs, xs, ys, 3)
    finally:
        gc.enable()
        gc.collect()
    tanh_mlp = MLP(3, [16, 16, 1], nonlin="tanh")
    t_tanh = timed_passes(tanh_mlp, xs, ys, 5)

    ms_theirs, ms_ours = 1e3 * statistics.median(t_theirs), 1e3 * statistics.median(t_ours)
    print(f"median of {ROUNDS * PASSES} passes each, garbage collector on:")
    print(f"  micrograd 0.1.0  {ms_theirs:8.1f} ms per pass")
    print(f"  engine.Value     {ms_ours:8.1f} ms per pass")
    print(f"  speedup          {ms_theirs / ms_ours:8.1f}x")
    print(f"micrograd with the collector off: {1e3 * statistics.median(t_theirs_nogc):.1f} ms per pass")
    print(f"engine.Value, tanh hidden layers: {1e3 * statistics.median(t_tanh):.1f} ms per pass")
    return 0


if __name__ == "__main__":
    sys.exit(main())
