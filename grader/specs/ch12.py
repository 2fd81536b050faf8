"""How the exercises of chapter 12 (gated cells) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Mutant, Question

NOTEBOOK = "12_gated_cells"


def _lstm_case(rng):
    B, n_in, H = int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 5))
    scale = 3.0 if rng.random() < 0.3 else 0.5  # sometimes saturated gates
    return (rng.normal(size=(B, n_in)), rng.normal(size=(B, H)), rng.normal(size=(B, H)),
            scale * rng.normal(size=(n_in, 4 * H)), scale * rng.normal(size=(H, 4 * H)), rng.normal(size=4 * H))


def _gru_case(rng):
    B, n_in, H = int(rng.integers(1, 4)), int(rng.integers(1, 5)), int(rng.integers(1, 5))
    return (rng.normal(size=(B, n_in)), rng.normal(size=(B, H)), rng.normal(size=(n_in, 3 * H)),
            rng.normal(size=(H, 3 * H)), rng.normal(size=3 * H), rng.normal(size=3 * H))


def _path_case(rng):
    T, H = int(rng.integers(1, 12)), int(rng.integers(1, 5))
    return (rng.normal(size=H), rng.uniform(0, 1, size=(T, H)))


def _count_case(rng):
    return (str(rng.choice(["rnn", "lstm", "gru"])), int(rng.integers(1, 100)), int(rng.integers(1, 100)))


def _as_tuple(fn, *args):
    h, c = fn(*args)
    return (np.asarray(h, dtype=float), np.asarray(c, dtype=float))


def _bias_case(rng):
    return (int(rng.integers(1, 200)), float(rng.uniform(0.01, 0.99)))


_ENGINE_12_1 = """    from engine import Tensor, nn
    cell = nn.LSTMCell(x.shape[1], h.shape[1])
    cell.W_xh.data[...], cell.W_hh.data[...], cell.b_h.data[...] = W_xh, W_hh, b_h
    h_new, c_new = cell(Tensor(x), (Tensor(h), Tensor(c)))
    return h_new.data, c_new.data
"""

QUESTIONS = [
    Question(
        id="12.1", function="lstm_step", points=3, public=_lstm_case, n_public=3, hidden=_lstm_case,
        call=_as_tuple, rtol=1e-9, atol=1e-12, returns=("h_new", "c_new"),
        forbidden=("engine.nn.LSTMCell", "engine.ops.lstm.FusedLSTM"),
        inputs=("x", "h", "c", "W_xh", "W_hh", "b_h"),
        hint="Four blocks of H columns, in the engine's order; three gates squash to (0, 1), the "
             "candidate to (-1, 1).",
        mutants=(
            Mutant("the engine's nn.LSTMCell does it", "    H = h.shape[1]\n    a = x @ W_xh",
                   _ENGINE_12_1 + "    H = h.shape[1]\n    a = x @ W_xh"),
            Mutant("h from c, without tanh", "o * np.tanh(c_new)", "o * c_new"),
            Mutant("forget and input gates swapped", "f * c + i * g", "i * c + f * g"),
            Mutant("gate order i, f, o, g", "np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])",
                   "np.tanh(a[:, 3 * H:]), sigmoid(a[:, 2 * H:3 * H])"),
        ),
    ),
    Question(
        id="12.2", function="gru_step", points=3, public=_gru_case, n_public=3, hidden=_gru_case,
        rtol=1e-9, atol=1e-12, returns="h_new",
        hint="The reset gate scales the whole recurrent part of the candidate, its bias included; "
             "z decides how much of the old state stays.",
        mutants=(
            Mutant("reset gate outside the recurrent bias", "r * gh[:, 2 * H:]",
                   "r * (h @ W_hh[:, 2 * H:]) + b_hh[2 * H:]"),
            Mutant("z and 1 - z swapped", "(1 - z) * n + z * h", "z * n + (1 - z) * h"),
            Mutant("gates r and z swapped", "r = sigmoid(gx[:, :H] + gh[:, :H])",
                   "r = sigmoid(gx[:, H:2 * H] + gh[:, H:2 * H])"),
        ),
    ),
    Question(
        id="12.3", function="cell_path_gradients", points=2,
        public=[(np.array([1.0, -2.0]), np.array([[0.5, 1.0], [0.5, 0.25]]))], hidden=_path_case,
        rtol=1e-12, atol=1e-15, returns="dc",
        hint="Going back one step multiplies by that step's forget gate; which row of f belongs to "
             "step t?",
        mutants=(
            Mutant("forget gates in the reverse order", "out[t] * f[t - 1]", "out[t] * f[f.shape[0] - t]"),
            Mutant("f_T applied to dc_T itself", "out[-1] = dc_T", "out[-1] = dc_T * f[-1]"),
            Mutant("added, not multiplied", "out[t] * f[t - 1]", "out[t] + f[t - 1]"),
        ),
    ),
    Question(
        id="12.4", function="count_parameters", points=1,
        public=[("rnn", 2, 3), ("lstm", 2, 3), ("gru", 2, 3)], hidden=_count_case, rtol=0, atol=0,
        returns="number of parameters",
        hint="Count the blocks of each weight matrix and the bias vectors of each cell.",
        mutants=(
            Mutant("the GRU with one bias vector", "biases = 2 if kind == \"gru\" else 1", "biases = 1"),
            Mutant("the LSTM with three blocks", '"lstm": 4', '"lstm": 3'),
            Mutant("W_hh forgotten", "n_in * H + H * H + biases * H", "n_in * H + biases * H"),
        ),
    ),
    Question(
        id="12.5", function="forget_bias_for", points=2, kind="choice",
        public=[(10, 0.5), (1, 0.5), (100, 0.9)], hidden=_bias_case, rtol=1e-9, atol=1e-12,
        returns="b_f",
        hint="First the forget gate f that keeps `keep` after T steps, then the bias whose sigmoid is f.",
        mutants=(
            Mutant("keep ** T, not its T-th root", "keep ** (1.0 / T)", "keep ** T"),
            Mutant("the gate, not its bias", "return float(np.log(f / (1.0 - f)))", "return float(f)"),
            Mutant("log(keep) / T", "return float(np.log(f / (1.0 - f)))", "return float(np.log(keep) / T)"),
        ),
    ),
]
