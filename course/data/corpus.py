"""A small character corpus for language models, written for this project, and the tools to cut it up.

``TEXT`` is an original piece of prose (about 5,000 characters, lowercase letters, spaces, commas, full
stops and line breaks) about a lighthouse keeper and the sea. It was written for this course, so it
may be copied and changed freely. Its vocabulary is small and its sentences simple and often repeated
in shape ("the sea was grey. the sky was grey."), so a small character-level RNN trained for a few
seconds learns to spell its words and to string them into sentence-like lines.

- ``corpus_text()``: the text, checked to hold only ``ALPHABET``.
- ``train_test_split(text, test_fraction)``: the first part to train on, the last paragraphs held out.
- ``char_vocab(text)``: a ``Vocab`` of its characters (no special tokens: every id is a character).
- ``train_val_test_split(text, val_fraction, test_fraction)``: train, validation (for choosing weights) and
  test (touched once), each cut at a line break, in the text's order.
- ``random_windows(ids, batch_size, length, rng)``: a batch of (input, target) windows for next-character
  prediction, the target being the input shifted by one character.
- ``consecutive_windows(ids, batch_size, length, offset)``: the text cut into ``batch_size`` streams read
  window after window, for stateful truncated BPTT (the hidden state carried from one window to the next).

Example::

    >>> train, test = train_test_split(corpus_text(), test_fraction=0.1)
    >>> vocab = char_vocab(train + test)
    >>> ids = vocab.encode(train)
    >>> inputs, targets = random_windows(ids, 32, 50, np.random.default_rng(0))   # (32, 50) each
"""

from __future__ import annotations

import numpy as np

from .text import Vocab

#: every character the corpus may hold
ALPHABET: str = "\n ,.abcdefghijklmnopqrstuvwxyz"

TEXT: str = """\
the keeper lived in the lighthouse at the end of the land. every night he climbed the stairs and lit the lamp.
the lamp turned and turned, and its light went far out over the sea. the ships saw the light and kept away from the rocks.
in the morning he put out the lamp and went down the stairs. he made tea and sat by the window. he looked at the sea.
the sea was grey. the sky was grey. the rocks were black and wet, and the birds sat on the rocks and called to the wind.
the keeper had a small boat, a red boat with one oar missing. on calm days he rowed out to the rocks and back again.
he had a cat, a grey cat with white feet. the cat slept on the warm stones by the stove and did not care for the sea.
he had a book of the ships that passed. in the book he wrote the name of each ship, the day and the hour, and the wind.
the wind came from the west. the wind came from the north. some days the wind did not come at all, and the sea was still.
on still days the sea was like glass, and the keeper could see the fish under the water and the sand under the fish.
on wild days the waves were as high as a house. they broke on the rocks, and the white water ran up the walls.
then the keeper stayed in and kept the stove hot. he mended his nets and listened to the wind in the chimney.
at night the lamp turned and turned, and he sat by it, and he wrote in his book. no ship passed. the storm went on.

one winter a ship came too close to the rocks. it was a small ship with a green hull and two masts.
the night was dark and the rain was thick, and the light of the lamp was hard to see through the rain.
the keeper saw the ship from the top of the tower. he rang the bell. he rang it again and again, as loud as he could.
the ship heard the bell. it turned, slowly, slowly, and the rocks went past its side, so close that he held his breath.
then it was in the open sea again, and it went on into the dark, and he could not see it any more.
in the morning the sea was calm, and the keeper wrote in his book. a green ship, two masts, the night of the storm.
he did not know its name. he wrote, a green ship, and the bell, and the rocks, and the rain.

in the spring the birds came back to the rocks. they made their nests in the cracks of the stone and sang all day.
the keeper counted the birds. he counted one hundred and twelve. the next day he counted one hundred and forty.
the cat sat at the window and looked at the birds, and the birds looked at the cat, and nobody moved.
the days grew long and the nights grew short. the lamp burned for a few hours only, and the keeper slept more.
he painted the door of the lighthouse blue. he painted the boat red again. he found a new oar on the beach.
in the summer a girl came with the boat that brought his bread and oil. she was the daughter of the baker.
she asked him how the lamp turned. he showed her the clock that drove it, the weights and the chains and the wheels.
she asked him why he stayed alone at the end of the land. he said he was not alone. he had the cat and the sea.
she asked him if the sea was the same every day. he said no, the sea was never the same, and that was why he stayed.

in the autumn the storms came back. the sea grew grey and the sky grew grey, and the birds went away to the south.
one night the clock of the lamp stopped. the weights hung still and the light stood still and pointed at the sea.
the keeper climbed the stairs. he turned the wheel with his hands, round and round, all the night long.
his arms were tired and his hands were cold, but the light went round, and the ships saw it and kept away from the rocks.
in the morning the boat came with the bread and the oil, and the girl was in the boat, and her father the baker.
the baker mended the clock. it was a small thing, a broken pin. the lamp turned again by itself.
the keeper slept all day. the cat slept on his feet. the girl sat at the window and looked at the sea.

when the girl went home she took the book of ships with her, to read it by the fire. she read it all winter.
she read the names of the ships, and the days and the hours, and the winds. she read about the green ship.
in the spring she wrote a letter to the keeper. she said she had found the green ship. it was called the swallow.
it was a fishing boat from a town in the north, and its men still told the story of the bell in the rain.
the keeper read the letter by the window. then he took his book and wrote in it, the swallow, and smiled.
the sea was blue that day. the sky was blue. the birds sat on the rocks and called to the wind, and the wind came from the west.
"""


def corpus_text() -> str:
    """The corpus ``TEXT``, after checking that it holds only the characters of ``ALPHABET``."""
    extra = sorted(set(TEXT) - set(ALPHABET))
    if extra:
        raise ValueError(f"corpus_text: the corpus holds characters outside ALPHABET: {extra}")
    return TEXT


def train_test_split(text: str, test_fraction: float = 0.1) -> tuple[str, str]:
    """Split ``text`` at a line break so that about ``test_fraction`` of it, at the end, is held out.

    Args:
        text: the text to split.
        test_fraction: the share of characters to hold out, in (0, 1).

    Returns:
        ``(train, test)`` with ``train + test == text``; ``test`` starts at the beginning of a line.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"train_test_split: test_fraction must be in (0, 1), got {test_fraction!r}")
    cut = text.rfind("\n", 0, int(round(len(text) * (1 - test_fraction))))
    if cut <= 0 or cut + 1 >= len(text):
        raise ValueError(f"train_test_split: no line break to split at in a text of {len(text)} characters "
                         f"with test_fraction={test_fraction}")
    return text[: cut + 1], text[cut + 1:]


def train_val_test_split(text: str, val_fraction: float = 0.1,
                         test_fraction: float = 0.1) -> tuple[str, str, str]:
    """Split ``text`` into training, validation and test parts, in that order, each cut at a line break.

    The test part is ``train_test_split(text, test_fraction)``'s; the validation part is then cut from the
    end of the rest the same way, ``val_fraction`` of the rest. Choose weights on the validation part and
    measure the chosen model on the test part once.

    Returns:
        ``(train, val, test)`` with ``train + val + test == text``.
    """
    rest, test = train_test_split(text, test_fraction)
    train, val = train_test_split(rest, val_fraction)
    return train, val, test


def char_vocab(text: str) -> Vocab:
    """The vocabulary of the characters of ``text``, sorted, without special tokens."""
    if not text:
        raise ValueError("char_vocab: got an empty text")
    return Vocab(sorted(set(text)), specials=())


def random_windows(ids: np.ndarray, batch_size: int, length: int,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A batch of random windows of a token sequence for next-token prediction.

    Window ``b`` starts at a random position ``s``: its inputs are ``ids[s : s + length]`` and its
    targets ``ids[s + 1 : s + length + 1]``, the same characters one step later.

    Args:
        ids: the whole text as integer ids, shape (N,).
        batch_size: the number of windows.
        length: the number of steps of each window; needs ``length + 1 <= N``.
        rng: the numpy Generator that picks the start positions.

    Returns:
        ``(inputs, targets)``, two int64 arrays of shape (batch_size, length).
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(f"random_windows: ids must be a 1-D integer array, got shape {ids.shape} and "
                         f"dtype {ids.dtype}")
    if batch_size < 1 or length < 1:
        raise ValueError(f"random_windows: batch_size and length must be positive, got {batch_size} and {length}")
    if length + 1 > ids.size:
        raise ValueError(f"random_windows: windows of {length} steps need at least {length + 1} ids, "
                         f"got {ids.size}")
    starts = rng.integers(0, ids.size - length, size=batch_size)
    index = starts[:, None] + np.arange(length + 1)
    windows = ids[index].astype(np.int64)
    return windows[:, :-1], windows[:, 1:]


def consecutive_windows(ids: np.ndarray, batch_size: int, length: int,
                        offset: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The text as ``batch_size`` parallel streams, cut into consecutive windows (stateful truncated BPTT).

    ``ids[offset:]`` is cut into ``batch_size`` equal, contiguous streams (the tail that does not fill a
    window is dropped); window ``w`` of stream ``b`` follows window ``w - 1`` of the same stream in the
    text, so a model may carry its hidden state from one window to the next, as min-char-rnn carries
    ``hprev``. Targets are the inputs one character later.

    Args:
        ids: the whole text as integer ids, shape (N,).
        batch_size: the number of streams B read side by side.
        length: the number of steps per window.
        offset: how many ids to skip first (vary it between epochs to move the cuts).

    Returns:
        ``(inputs, targets)``, two int64 arrays of shape (W, B, length), W the number of windows per stream.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise ValueError(f"consecutive_windows: ids must be a 1-D integer array, got shape {ids.shape} and "
                         f"dtype {ids.dtype}")
    if batch_size < 1 or length < 1 or offset < 0:
        raise ValueError(f"consecutive_windows: batch_size and length must be positive and offset >= 0, got "
                         f"{batch_size}, {length} and {offset}")
    per_stream = (ids.size - offset - 1) // batch_size   # each stream needs one more id for its last target
    windows = per_stream // length
    if windows < 1:
        raise ValueError(f"consecutive_windows: {ids.size} ids with offset {offset} do not fill one window of "
                         f"{length} steps in each of {batch_size} streams")
    starts = offset + per_stream * np.arange(batch_size)
    index = starts[None, :, None] + length * np.arange(windows)[:, None, None] + np.arange(length)
    return ids[index].astype(np.int64), ids[index + 1].astype(np.int64)


__all__ = ["ALPHABET", "TEXT", "char_vocab", "consecutive_windows", "corpus_text", "random_windows",
           "train_test_split", "train_val_test_split"]
