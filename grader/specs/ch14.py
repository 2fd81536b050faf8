"""How the exercises of chapter 14 (applications) are tested."""

from __future__ import annotations

import numpy as np

from grader.cases import WrongAnswer
from grader.spec import Mutant, Question
from grader.specs.ch11 import accuracy_compare

NOTEBOOK = "14_applications"


def _mase_case(rng):
    period, n, k = int(rng.integers(1, 13)), int(rng.integers(30, 60)), int(rng.integers(1, 10))
    train = np.cumsum(rng.normal(size=n)) + np.sin(2 * np.pi * np.arange(n) / max(period, 2))
    return (rng.normal(size=k), rng.normal(size=k), train, period)


def _forecast_case(rng):
    H = int(rng.integers(1, 6))
    return (rng.normal(size=int(rng.integers(1, 12))), int(rng.integers(1, 7)), rng.normal(size=(1, H)),
            rng.normal(size=(H, H)) * 0.5, rng.normal(size=H) * 0.3, rng.normal(size=(H, 1)), rng.normal(size=1))


def opening_task(seed: int, n: int = 512, T: int = 25) -> tuple:
    """Sequences (n, T, 4): a one-hot symbol of 3 at step 1, noise in channel 4 after; class = the symbol."""
    rng = np.random.default_rng([seed, 14])
    z = rng.integers(0, 3, size=n)
    xs = np.zeros((n, T, 4))
    xs[np.arange(n), 0, z] = 1.0
    xs[:, 1:, 3] = rng.normal(size=(n, T - 1))
    return xs, z


def _seed_case(rng):
    return (int(rng.integers(2**31)),)


def _train_opening(fn, seed):
    """Train from engine.seed(seed); the predictions on held-out sequences."""
    import engine

    xs, z = opening_task(2 * seed)
    engine.seed(seed)
    predict = fn(xs, z)
    if not callable(predict):
        raise WrongAnswer("expected fit_opening_symbol to return a function predict(xs)")
    return np.asarray(predict(opening_task(2 * seed + 1)[0]))


def _confusion_case(rng):
    C, n = int(rng.integers(1, 5)), int(rng.integers(1, 30))
    return (rng.integers(C, size=n), rng.integers(C, size=n), C)


QUESTIONS = [
    Question(
        id="14.1", function="mase", points=2,
        public=[(np.array([3.0, 5.0]), np.array([2.0, 5.0]), np.array([1.0, 2.0, 4.0, 4.0]), 2)],
        hidden=_mase_case, rtol=1e-9, atol=1e-12, returns="MASE",
        hint="The scale comes from the training series only, comparing values one season apart.",
        mutants=(
            Mutant("scale from one-step differences", "train[period:] - train[:-period]", "train[1:] - train[:-1]"),
            Mutant("squared errors", "np.abs(np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)).mean()",
                   "((np.asarray(y_true, dtype=float) - np.asarray(y_pred, dtype=float)) ** 2).mean()", public=False),
            Mutant("the scale's mean over the whole series length",
                   "np.abs(train[period:] - train[:-period]).mean()",
                   "np.abs(train[period:] - train[:-period]).sum() / len(train)"),
        ),
    ),
    Question(
        id="14.2", function="rnn_forecast", points=2,
        public=_forecast_case, n_public=3, hidden=_forecast_case, rtol=1e-9, atol=1e-12, returns="forecasts",
        hint="The state after the whole history gives the first forecast; from then on the model reads "
             "its own forecasts, and its state carries on.",
        mutants=(
            Mutant("the state reset before forecasting", "    out = []\n", "    out = []\n    h = 0 * h\n"),
            Mutant("the last true value fed again", "h = np.tanh(y * W_xh[0]", "h = np.tanh(history[-1] * W_xh[0]"),
            Mutant("the last value of the history not read", "for x in history:", "for x in history[:-1]:"),
            Mutant("output bias forgotten", "h @ V[:, 0] + c[0]", "h @ V[:, 0]"),
        ),
    ),
    Question(
        id="14.3", function="confusion_matrix", points=1,
        public=[(np.array([0, 1, 1, 2]), np.array([0, 2, 1, 2]), 3)], hidden=_confusion_case, rtol=0, atol=0,
        returns="counts",
        hint="Rows are the true classes; a pair that occurs twice must count twice.",
        mutants=(
            Mutant("transposed", "(np.asarray(true), np.asarray(predicted))",
                   "(np.asarray(predicted), np.asarray(true))"),
            Mutant("repeated pairs counted once", "np.add.at(out, (np.asarray(true), np.asarray(predicted)), 1)",
                   "out[np.asarray(true), np.asarray(predicted)] += 1", public=False),
            Mutant("float counts", "dtype=np.int64", "dtype=float"),
        ),
    ),
    Question(
        id="14.4", function="fit_opening_symbol", points=3, kind="training",
        public=[(1,)], hidden=_seed_case, n_hidden=1, call=_train_opening, inputs=("seed",),
        compare=accuracy_compare(lambda seed: opening_task(2 * seed + 1)[1], floor=0.9, margin=0.1),
        timeout=30,
        returns="predicted classes",
        hint="Read the model at the last step; a few hundred minibatch steps of Adam are enough for a "
             "gated cell, and watch the accuracy on sequences you did not train on.",
        mutants=(
            Mutant("no optimizer step", "        opt.step()\n", ""),
            Mutant("a learning rate too small to learn in time", "lr=0.05", "lr=1e-5"),
            Mutant("trained on shifted classes", "F.cross_entropy(head(outputs[:, -1]), z[idx])",
                   "F.cross_entropy(head(outputs[:, -1]), (z[idx] + 1) % 3)"),
        ),
    ),
]
