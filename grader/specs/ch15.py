"""How the exercises of chapter 15 (real data) are tested."""

from __future__ import annotations

import numpy as np

from grader.spec import Mutant, Question

NOTEBOOK = "15_real_data"

WORDS = ("the", "sea", "was", "grey", "keeper", "lamp", "rocks", "wind", ".", ",", "<unk>", "boat")


def _naive_case(rng):
    n, period = int(rng.integers(25, 80)), int(rng.integers(1, 13))
    horizon = int(rng.integers(1, period + 1))
    t = np.arange(n)
    y = np.cumsum(rng.normal(size=n)) + 3 * np.sin(2 * np.pi * t / max(period, 2)) + rng.normal(size=n)
    valid = np.arange(period - 1, n - horizon)
    origins = np.sort(rng.choice(valid, size=int(rng.integers(1, min(len(valid), 12) + 1)), replace=False))
    return (np.round(y, 3), origins.astype(np.int64), horizon, period)


def _tokens_case(rng):
    T = int(rng.integers(0, 30))
    kind = rng.random()
    if kind < 0.15:  # no notes at all: only HOLD and REST
        tokens = rng.integers(0, 2, T)
    else:
        tokens = rng.choice(12, size=T, p=np.r_[0.45, 0.1, np.full(10, 0.045)])
    return (tokens.astype(np.int64), int(rng.integers(40, 70)))


def _mel_case(rng):
    sample_rate = float(rng.choice([8000, 16000, 22050]))
    n_fft = int(rng.choice([32, 64, 128, 256, 512]))
    n_mels = int(rng.integers(1, 30))
    f_min = float(rng.choice([0.0, rng.uniform(0, 300)]))
    f_max = float(rng.choice([sample_rate / 2, rng.uniform(2000, sample_rate / 2)]))
    return (n_mels, n_fft, sample_rate, f_min, f_max)


def _top_k_case(rng):
    V = len(WORDS)
    logits = rng.normal(size=V) * float(rng.choice([1.0, 3.0, 400.0]))
    if rng.random() < 0.4:  # ties: logits on a coarse grid
        logits = np.round(logits / 2) * 2
    return (logits, list(WORDS), int(rng.integers(1, V + 1)), float(rng.choice([0.5, 1.0, 2.0])))


QUESTIONS = [
    Question(
        id="15.1", function="naive_mse", points=2,
        public=[(np.array([1.0, 2.0, 4.0, 3.0, 5.0, 6.0, 8.0]), np.array([3, 4]), 2, 2),
                (np.arange(12.0) ** 1.5, np.array([4, 6, 8]), 3, 4)],
        hidden=_naive_case, rtol=1e-9, atol=1e-12, returns="mse",
        inputs=("y", "origins", "horizon", "period"),
        hint="Index the truth y[o + h] with o down the rows and h across the columns; average over origins.",
        mutants=(
            Mutant("persistence from the step before, y[o + h - 1]",
                   "persistence = np.broadcast_to(y[o], truth.shape)", "persistence = y[o + h - 1]"),
            Mutant("seasonal naive one step early, y[o + h - period - 1]",
                   "y[o + h - period]", "y[o + h - period - 1]"),
            Mutant("RMSE, not MSE", "((persistence - truth) ** 2).mean(axis=0)",
                   "np.sqrt(((persistence - truth) ** 2).mean(axis=0))",
                   more=(("((seasonal - truth) ** 2).mean(axis=0)",
                          "np.sqrt(((seasonal - truth) ** 2).mean(axis=0))"),)),
            Mutant("averaged over the horizon instead of the origins", ".mean(axis=0)", ".mean(axis=1)",
                   count=0),
            Mutant("rows swapped", "np.stack([((persistence - truth) ** 2).mean(axis=0),\n"
                   "                     ((seasonal - truth) ** 2).mean(axis=0)])",
                   "np.stack([((seasonal - truth) ** 2).mean(axis=0),\n"
                   "                     ((persistence - truth) ** 2).mean(axis=0)])"),
        ),
    ),
    Question(
        id="15.2", function="notes_from_tokens", points=2,
        public=[(np.array([2, 0, 1, 0, 4, 0, 0, 3]), 60), (np.array([0, 0, 7, 7, 0, 1]), 55)],
        hidden=_tokens_case, rtol=0, atol=0, returns="notes", inputs=("tokens", "low"),
        hint="Keep the note that is sounding; HOLD lengthens it only if no REST has ended it.",
        mutants=(
            Mutant("a HOLD after a REST lengthens the note before the rest",
                   "if notes and notes[-1][1] + notes[-1][2] == t:", "if notes:"),
            Mutant("pitch low + t instead of low + t - 2", "low + tok - 2", "low + tok"),
            Mutant("length counts only the HOLDs", "[low + tok - 2, t, 1]", "[low + tok - 2, t, 0]"),
            Mutant("REST read as a pitch", "elif tok >= 2:", "elif tok >= 1:"),
            Mutant("no notes gives shape (0,), not (0, 3)", ".reshape(-1, 3)", "", public=False),
        ),
    ),
    Question(
        id="15.3", function="mel_filterbank", points=3,
        public=[(4, 16, 8000.0, 0.0, 4000.0), (10, 256, 16000.0, 100.0, 7000.0)],
        hidden=_mel_case, rtol=1e-7, atol=1e-10, returns="filters",
        inputs=("n_mels", "n_fft", "sample_rate", "f_min", "f_max"),
        hint="n_mels + 2 edges evenly spaced in mels; each filter is min(rising, falling), clipped at 0.",
        mutants=(
            Mutant("n_mels edges instead of n_mels + 2", "n_mels + 2", "n_mels"),
            Mutant("natural log in the mel scale", "np.log10(1.0 + f / 700.0)", "np.log(1.0 + f / 700.0)"),
            Mutant("edges evenly spaced in hertz, not in mels",
                   "edges = 700.0 * (10.0 ** (mels / 2595.0) - 1.0)",
                   "edges = np.linspace(f_min, f_max, n_mels + 2)"),
            Mutant("bins at k * sample_rate / (n_fft // 2 + 1)", "* sample_rate / n_fft",
                   "* sample_rate / (n_fft // 2 + 1)"),
            Mutant("filters normalised to unit area (Slaney), not peak 1",
                   "return np.maximum(0.0, np.minimum(rising, falling))",
                   "return np.maximum(0.0, np.minimum(rising, falling)) * 2 / (hi - lo)"),
        ),
    ),
    Question(
        id="15.4", function="top_k_words", points=2,
        public=[(np.array([2.0, 1.0, 0.5, 3.0]), ["sea", "lamp", "boat", "wind"], 2, 1.0),
                (np.array([1000.0, 999.0, 0.0]), ["a", "b", "c"], 3, 2.0),
                (np.array([0.3, -1.2, 2.2, 0.9, 0.0]), ["the", "sea", "was", "grey", "."], 4, 0.5)],
        hidden=_top_k_case, rtol=1e-9, atol=1e-12, returns="suggestions",
        inputs=("logits", "vocab", "k", "temperature"),
        hint="Softmax over the whole vocabulary after dividing by the temperature; then sort, highest first.",
        mutants=(
            Mutant("temperature ignored", "np.float64) / temperature", "np.float64)"),
            Mutant("multiplied by the temperature", "np.float64) / temperature", "np.float64) * temperature"),
            Mutant("renormalised over the k shown", "float(p[i])", "float(p[i] / p[order].sum())"),
            Mutant("lowest first", "np.argsort(-p, kind=\"stable\")[:k]", "np.argsort(p, kind=\"stable\")[:k]"),
            Mutant("ties in reverse vocabulary order", "np.argsort(-p, kind=\"stable\")[:k]",
                   "np.argsort(p, kind=\"stable\")[::-1][:k]", public=False),
            Mutant("logits, not probabilities", "float(p[i])", "float(z[i])"),
        ),
    ),
]
