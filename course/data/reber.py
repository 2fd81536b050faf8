"""The Reber grammar and the embedded Reber grammar: a classic test of memory for recurrent networks.

A Reber string is a walk through a small automaton, from ``B`` (begin) to ``E`` (end), over the symbols
``B T P S X V E``; where two edges leave a node each is taken with probability 1/2::

    node 0 --B--> 1
    node 1 --T--> 2      node 1 --P--> 3
    node 2 --S--> 2      node 2 --X--> 4
    node 3 --T--> 3      node 3 --V--> 5
    node 4 --X--> 3      node 4 --S--> 6
    node 5 --P--> 4      node 5 --V--> 6
    node 6 --E--> end

e.g. ``BTSSXXTVVE`` or ``BPVVE``. An *embedded* Reber string wraps one in ``B T ... T E`` or
``B P ... P E``: the symbol after the first ``B`` (T or P, chosen with probability 1/2) must be repeated
just before the final ``E``, so a network predicting the next symbol has to remember it across the whole
inner string (Hochreiter and Schmidhuber, 1997). The inner automaton alone never needs more than the
current node, so this one symbol is the only long-range dependency.

The task is next-symbol prediction: at step t the network has read ``s[:t + 1]`` and should give
probability to exactly the symbols that may come next (``next_symbols``). The 5 ``ALPHABET`` symbols
of the inner grammar and ``B``, ``E`` make 7 classes.

Example::

    >>> strings = make_embedded_reber(4, seed=0)
    >>> xs, targets, valid, lengths, mask = reber_batch(strings)   # one-hot inputs, next-symbol targets
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .sequences import pad_sequences

#: the symbols, in the order of their one-hot positions and class ids
ALPHABET: str = "BTPSXVE"
INDEX: dict[str, int] = {s: i for i, s in enumerate(ALPHABET)}

#: node -> ((symbol, next node), ...); node 6 emits E and stops (next node -1)
GRAPH: dict[int, tuple[tuple[str, int], ...]] = {
    0: (("B", 1),),
    1: (("T", 2), ("P", 3)),
    2: (("S", 2), ("X", 4)),
    3: (("T", 3), ("V", 5)),
    4: (("X", 3), ("S", 6)),
    5: (("P", 4), ("V", 6)),
    6: (("E", -1),),
}


def reber_string(rng: np.random.Generator) -> str:
    """One string of the Reber grammar drawn from ``rng``, e.g. ``"BTSSXXTVVE"``."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"reber_string: rng must be a numpy Generator, got {type(rng).__name__}")
    node, out = 0, []
    while node != -1:
        edges = GRAPH[node]
        symbol, node = edges[int(rng.integers(len(edges)))] if len(edges) > 1 else edges[0]
        out.append(symbol)
    return "".join(out)


def embedded_reber_string(rng: np.random.Generator) -> str:
    """One string of the embedded Reber grammar, ``"B" + a + reber + a + "E"`` with ``a`` T or P."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"embedded_reber_string: rng must be a numpy Generator, got {type(rng).__name__}")
    a = "TP"[int(rng.integers(2))]
    return "B" + a + reber_string(rng) + a + "E"


def _check_symbols(name: str, s: str) -> None:
    if not isinstance(s, str):
        raise TypeError(f"{name}: expected a string, got {type(s).__name__}")
    bad = sorted(set(s) - set(ALPHABET))
    if bad:
        raise ValueError(f"{name}: {s!r} has symbols {bad} outside the alphabet {ALPHABET!r}")


def _inner_next(s: str) -> list[set[str]] | None:
    """For a prefix-valid Reber string s, the set of symbols allowed after each prefix s[:t+1]; None if s
    leaves the grammar. The set after the final E is empty."""
    node, sets = 0, []
    for symbol in s:
        if node == -1:
            return None
        moves = dict(GRAPH[node])
        if symbol not in moves:
            return None
        node = moves[symbol]
        sets.append(set() if node == -1 else {sym for sym, _ in GRAPH[node]})
    return sets


def next_symbols(s: str, embedded: bool = True) -> np.ndarray:
    """The symbols allowed after each prefix of ``s``: a 0/1 array of shape ``(len(s), 7)``.

    Row t marks (in ``ALPHABET`` order) every symbol that may follow ``s[:t + 1]`` in the grammar; the row
    of the final ``E`` is all zeros. With ``embedded`` the row after the inner string's ``E`` has a single
    1, at the T or P that opened it: the one long-range prediction.

    Args:
        s: a complete string of the grammar.
        embedded: whether ``s`` is an embedded Reber string (default) or a plain one.

    Raises:
        ValueError: if ``s`` is not a complete string of the grammar.
    """
    _check_symbols("next_symbols", s)
    kind = "embedded Reber" if embedded else "Reber"
    if embedded:
        ok = len(s) >= 9 and s[0] == "B" and s[1] in "TP" and s[-2] == s[1] and s[-1] == "E"
        inner = _inner_next(s[2:-2]) if ok else None
        if inner is None or (inner and inner[-1]):
            raise ValueError(f"next_symbols: {s!r} is not a complete {kind} string")
        sets = [{"T", "P"}, {"B"}] + inner[:-1] + [{s[1]}, {"E"}, set()]
    else:
        sets = _inner_next(s)
        if sets is None or not sets or sets[-1]:
            raise ValueError(f"next_symbols: {s!r} is not a complete {kind} string")
    out = np.zeros((len(s), len(ALPHABET)))
    for t, allowed in enumerate(sets):
        for symbol in allowed:
            out[t, INDEX[symbol]] = 1.0
    return out


def is_valid(s: str, embedded: bool = True) -> bool:
    """Whether ``s`` is a complete string of the (embedded) Reber grammar."""
    try:
        next_symbols(s, embedded)
    except (ValueError, TypeError):
        return False
    return True


def _check_n(name: str, n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ValueError(f"{name}: n must be an integer >= 0, got {n!r}")


def make_reber(n: int, seed: int = 0) -> list[str]:
    """``n`` strings of the Reber grammar (5 symbols or more), drawn with ``seed``."""
    _check_n("make_reber", n)
    rng = np.random.default_rng(seed)
    return [reber_string(rng) for _ in range(n)]


def make_embedded_reber(n: int, seed: int = 0, max_length: int | None = None, min_length: int = 9) -> list[str]:
    """``n`` strings of the embedded Reber grammar (9 symbols or more), drawn with ``seed``.

    Args:
        n: the number of strings.
        seed: the seed of the generator; the same seed gives the same strings.
        max_length: if given (at least 9), strings longer than this are drawn again, so a batch stays short.
        min_length: strings shorter than this are drawn again (e.g. a test set of long strings, whose
            T or P must be remembered longer).

    Returns:
        A list of strings such as ``"BTBPVVETE"``.
    """
    _check_n("make_embedded_reber", n)
    if max_length is not None and (isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer))
                                   or max_length < 9):
        raise ValueError(f"make_embedded_reber: max_length must be an integer >= 9 (the shortest string), "
                         f"got {max_length!r}")
    if isinstance(min_length, bool) or not isinstance(min_length, (int, np.integer)) or not (
            9 <= min_length <= (max_length or min_length)) or min_length > 60:
        raise ValueError(f"make_embedded_reber: min_length must be an integer in [9, max_length] (and at most 60, "
                         f"or drawing would take too long), got {min_length!r} with max_length={max_length!r}")
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        s = embedded_reber_string(rng)
        if min_length <= len(s) and (max_length is None or len(s) <= max_length):
            out.append(s)
    return out


def encode(s: str) -> np.ndarray:
    """The class ids of the symbols of ``s`` (positions in ``ALPHABET``), int64 of shape ``(len(s),)``."""
    _check_symbols("encode", s)
    return np.array([INDEX[c] for c in s], dtype=np.int64)


def reber_batch(strings: Sequence[str], embedded: bool = True
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A padded batch for next-symbol prediction: the input is every symbol but the last.

    Args:
        strings: complete strings of the grammar.
        embedded: whether they are embedded Reber strings.

    Returns:
        ``(xs, targets, valid, lengths, mask)`` with T = the longest string's length - 1: ``xs`` float64
        one-hot inputs (B, T, 7) of ``s[:-1]``; ``targets`` int64 (B, T), the id of the actual next
        symbol ``s[t + 1]`` (0 at padding); ``valid`` float64 (B, T, 7), ``next_symbols`` without its last
        row (0 at padding); ``lengths`` (B,) = ``len(s) - 1``; ``mask`` (B, T), 1 at real steps.
    """
    if len(strings) == 0:
        raise ValueError("reber_batch: got no strings")
    eye = np.eye(len(ALPHABET))
    ids = [encode(s) for s in strings]
    xs, lengths, mask = pad_sequences([eye[i[:-1]] for i in ids])
    targets, _, _ = pad_sequences([i[1:] for i in ids], value=0)
    valid, _, _ = pad_sequences([next_symbols(s, embedded)[:-1] for s in strings])
    return xs, targets, valid, lengths, mask


__all__ = ["ALPHABET", "GRAPH", "INDEX", "embedded_reber_string", "encode", "is_valid", "make_embedded_reber",
           "make_reber", "next_symbols", "reber_batch", "reber_string"]
