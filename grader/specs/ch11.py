"""How the exercises of chapter 11 (training an RNN end to end) are tested."""

from __future__ import annotations

import numpy as np

from grader.cases import WrongAnswer
from grader.spec import Mutant, Question

NOTEBOOK = "11_training"


def _windows_case(rng):
    N, length = int(rng.integers(2, 30)), int(rng.integers(1, 6))
    length = min(length, N - 1)
    starts = rng.integers(0, N - length, size=int(rng.integers(1, 6)))
    starts[0] = N - length - 1  # the last possible window
    return (rng.integers(0, 27, size=N), starts, length)


def _logits_case(rng):
    N, V = int(rng.integers(1, 8)), int(rng.integers(2, 9))
    shift = rng.uniform(500, 2000, size=(N, 1)) if rng.random() < 0.4 else 0.0  # a naive exp overflows
    return (rng.normal(size=(N, V)) * 3.0 + shift, rng.integers(V, size=N))


def _temperature_case(rng):
    V = int(rng.integers(1, 9))
    return (rng.normal(size=V) * rng.choice([1.0, 1000.0]), float(10 ** rng.uniform(-1.5, 1)))


def _draw_case(rng):
    V = int(rng.integers(1, 8))
    p = rng.random(V) ** 2
    return (p / p.sum(), float(rng.random()))


# ---------------------------------------------------------------------------------------------------
# a training question: the grader retrains the learner's model and scores it on held-out data


def sign_task(seed: int, n: int = 512, T: int = 10) -> tuple:
    """Padded sequences (n, T, 1), their lengths (3..T) and classes: 1 when the real values sum above 0."""
    rng = np.random.default_rng([seed, 11])
    lengths = rng.integers(3, T + 1, size=n)
    xs = rng.normal(size=(n, T, 1))
    xs[np.arange(T)[None] >= lengths[:, None]] = 0.0
    return xs, lengths, (xs.sum(axis=(1, 2)) > 0).astype(np.int64)


def _seed_case(rng):
    return (int(rng.integers(2**31)),)


def _train_sign(fn, seed):
    """Train from engine.seed(seed) on the training data; the predictions on the held-out inputs."""
    import engine

    xs, lengths, z = sign_task(2 * seed)
    engine.seed(seed)
    predict = fn(xs, lengths, z)
    if not callable(predict):
        raise WrongAnswer("expected fit_sign_classifier to return a function predict(xs, lengths)")
    test_xs, test_lengths, _ = sign_task(2 * seed + 1)
    return np.asarray(predict(test_xs, test_lengths))


def accuracy_compare(held_out, floor: float, margin: float = 0.05):
    """A compare for a training question: the held-out accuracy must reach
    ``max(floor, reference accuracy - margin)``; ``held_out(seed)`` gives the held-out classes."""

    def compare(expected, got, args):
        z = held_out(args[0])
        if not isinstance(got, np.ndarray) or got.shape != z.shape or got.dtype.kind not in "iub":
            what = f"shape {got.shape}, {got.dtype}" if isinstance(got, np.ndarray) else type(got).__name__
            return f"expected {z.shape[0]} predicted classes (integers, shape {z.shape}), got {what}"
        accuracy, reference = float(np.mean(got == z)), float(np.mean(expected == z))
        bar = max(floor, reference - margin)
        if accuracy >= bar:
            return None
        return (f"held-out accuracy {accuracy:.3f}, below the bar of {bar:.3f} (the reference model "
                f"reaches {reference:.3f} on the same data)")

    return compare


QUESTIONS = [
    Question(
        id="11.1", function="next_char_windows", points=2,
        public=[(np.arange(10), np.array([0, 6]), 3)],
        hidden=_windows_case, rtol=0, atol=0, returns=("inputs", "targets"),
        hint="At every step the target is the character that comes next in the text.",
        mutants=(
            Mutant("targets not shifted", "windows[:, :-1], windows[:, 1:]", "windows[:, :-1], windows[:, :-1]"),
            Mutant("inputs shifted too", "windows[:, :-1], windows[:, 1:]", "windows[:, 1:], windows[:, 1:]"),
            Mutant("windows one step short", "np.arange(length + 1)", "np.arange(length)"),
        ),
    ),
    Question(
        id="11.2", function="perplexity", points=3,
        public=[(np.zeros((4, 5)), np.array([0, 1, 2, 3])),
                (np.array([[2.0, 0.0], [0.0, 1.0]]), np.array([0, 0]))],
        hidden=_logits_case, rtol=1e-9, atol=1e-12, returns="perplexity",
        hint="Uniform logits over V classes must give perplexity V; the hidden logits are near a "
             "thousand.",
        mutants=(
            Mutant("no shift before exp", "z = logits - logits.max(axis=1, keepdims=True)", "z = logits",
                   public=False),
            Mutant("exp of the sum, not the mean", "].mean()))", "].sum()))"),
            Mutant("the cross-entropy, not its exp", "float(np.exp(-logp", "float((-logp"),
        ),
    ),
    Question(
        id="11.3", function="temperature_softmax", points=2,
        public=[(np.array([1.0, 2.0, 3.0]), 1.0), (np.array([1.0, 2.0, 3.0]), 0.5)],
        hidden=_temperature_case, n_hidden=20, rtol=1e-9, atol=1e-12, returns="p",
        hint="A low temperature must sharpen the distribution; large logits must not overflow.",
        mutants=(
            Mutant("multiplied by the temperature", "logits / temperature", "logits * temperature"),
            Mutant("no shift before exp", "np.exp(z - z.max())", "np.exp(z)", public=False),
            Mutant("the temperature ignored", "z = logits / temperature", "z = logits"),
        ),
    ),
    Question(
        id="11.4", function="draw", points=2,
        public=[(np.array([0.2, 0.5, 0.3]), 0.1), (np.array([0.2, 0.5, 0.3]), 0.2),
                (np.array([0.2, 0.5, 0.3]), 0.95)],
        hidden=_draw_case, rtol=0, atol=0, returns="index",
        hint="Walk the running sum of p; what happens when u equals one of its values exactly?",
        mutants=(
            Mutant("u on a boundary goes left", 'side="right"', 'side="left"'),
            Mutant("the running sum before the entry", "np.cumsum(p)", "(np.cumsum(p) - p)"),
            Mutant("greedy: the most likely index", 'int(min(np.searchsorted(np.cumsum(p), u, side="right"), '
                   'len(p) - 1))', "int(np.argmax(p))"),
        ),
    ),
    Question(
        id="11.5", function="fit_sign_classifier", points=3, kind="training",
        public=[(1,)], hidden=_seed_case, n_hidden=1, call=_train_sign, inputs=("seed",),
        compare=accuracy_compare(lambda seed: sign_task(2 * seed + 1)[2], floor=0.8), timeout=20,
        returns="predicted classes",
        hint="Read each sequence at its own last real step (lengths), train on minibatches for a "
             "few hundred steps, and check your accuracy on data you did not train on.",
        mutants=(
            Mutant("no optimizer step", "        opt.step()\n", ""),
            Mutant("trained on the flipped classes", "F.cross_entropy(head(h), z[idx])",
                   "F.cross_entropy(head(h), 1 - z[idx])"),
            Mutant("the first step's state, not the last real one",
                   "_, h = rnn(Tensor(xs[idx]), lengths=lengths[idx])",
                   "out, _ = rnn(Tensor(xs[idx]), lengths=lengths[idx])\n        h = out[:, 0]",
                   more=(("_, h = rnn(Tensor(xs), lengths=lengths)",
                          "out, _ = rnn(Tensor(xs), lengths=lengths)\n        h = out[:, 0]"),)),
        ),
    ),
]
