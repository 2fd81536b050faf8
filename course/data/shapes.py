"""Tiny synthetic images of shapes with captions: a one-to-many task (one image in, a word sequence out).

An image is 8 x 16 pixels: two 8 x 8 slots side by side, left and right. Each slot is empty or holds
one of four 5 x 5 shapes (``SHAPES``: square, plus, cross, diamond) at a random offset, plus a little
Gaussian noise. At least one slot is filled. The caption names what is there:

- two shapes, left to right: ``["square", "and", "cross"]``;
- one shape and where it is: ``["plus", "left"]`` or ``["diamond", "right"]``.

Example::

    >>> data = make_captioned_shapes(100, seed=0)
    >>> data.images.shape, data.captions[0]
    ((100, 8, 16), ['cross', 'right'])
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

HEIGHT, SLOT_WIDTH = 8, 8
WIDTH = 2 * SLOT_WIDTH


def _pattern(rows: str) -> np.ndarray:
    return np.array([[ch == "#" for ch in row] for row in rows.split()], dtype=np.float64)


SHAPES: dict[str, np.ndarray] = {
    "square": _pattern("##### #...# #...# #...# #####"),
    "plus": _pattern("..#.. ..#.. ##### ..#.. ..#.."),
    "cross": _pattern("#...# .#.#. ..#.. .#.#. #...#"),
    "diamond": _pattern("..#.. .#.#. #...# .#.#. ..#.."),
}
CAPTION_WORDS: tuple[str, ...] = (*SHAPES, "and", "left", "right")


class CaptionedImages(NamedTuple):
    """A captioned-shapes data set.

    Attributes:
        images: pixel intensities of shape ``(n, 8, 16)`` (float64, about 0 for background, 1 for ink).
        captions: ``n`` captions, each a list of words from ``CAPTION_WORDS``.
        layouts: ``n`` pairs ``(left, right)``: the shape in each slot, ``None`` for an empty slot.
    """

    images: np.ndarray
    captions: list[list[str]]
    layouts: list[tuple[str | None, str | None]]


def caption(left: str | None, right: str | None) -> list[str]:
    """The caption of a layout: ``("square", "cross") -> ["square", "and", "cross"]``,
    ``("plus", None) -> ["plus", "left"]``."""
    for s in (left, right):
        if s is not None and s not in SHAPES:
            raise ValueError(f"caption: unknown shape {s!r}; known: {list(SHAPES)}")
    if left is None and right is None:
        raise ValueError("caption: both slots are empty; an image holds at least one shape")
    if left is not None and right is not None:
        return [left, "and", right]
    return [left, "left"] if left is not None else [right, "right"]


def render(left: str | None, right: str | None, rng: np.random.Generator | None = None,
           noise: float = 0.0) -> np.ndarray:
    """Draw one 8 x 16 image: each named shape at a random offset in its slot, plus Gaussian noise.

    Args:
        left: the shape in the left slot, or ``None``.
        right: the shape in the right slot, or ``None``.
        rng: the generator of the offsets and noise; without one, shapes are drawn at offset (1, 1).
        noise: the standard deviation of the noise added to every pixel.

    Returns:
        An array of shape ``(8, 16)``.
    """
    caption(left, right)  # validates the layout
    if rng is None and noise:
        raise ValueError("render: noise needs an rng")
    image = np.zeros((HEIGHT, WIDTH))
    for slot, name in enumerate((left, right)):
        if name is None:
            continue
        pattern = SHAPES[name]
        h, w = pattern.shape
        r, c = (1, 1) if rng is None else rng.integers(0, [HEIGHT - h + 1, SLOT_WIDTH - w + 1])
        c0 = slot * SLOT_WIDTH + c
        image[r:r + h, c0:c0 + w] = pattern
    if noise:
        image += noise * rng.standard_normal(image.shape)
    return image


def make_captioned_shapes(n: int, seed: int = 0, noise: float = 0.1) -> CaptionedImages:
    """``n`` random images of one or two shapes with their captions.

    Two thirds of the images hold two shapes (each of the 16 pairs equally likely), one third a single
    shape in a random slot. The same seed gives the same shapes at the same places whatever ``noise``.

    Args:
        n: the number of images.
        seed: the seed of the generator; the same seed gives the same images.
        noise: the standard deviation of the pixel noise.

    Returns:
        ``CaptionedImages(images, captions, layouts)``.
    """
    if n < 0:
        raise ValueError(f"make_captioned_shapes: n must be >= 0, got {n}")
    rng = np.random.default_rng(seed)
    names = list(SHAPES)
    images = np.zeros((n, HEIGHT, WIDTH))
    captions, layouts = [], []
    for i in range(n):
        left, right = (str(rng.choice(names)) for _ in range(2))
        if rng.random() < 1 / 3:
            if rng.random() < 0.5:
                left = None
            else:
                right = None
        images[i] = render(left, right, rng)
        captions.append(caption(left, right))
        layouts.append((left, right))
    if noise:  # drawn after the layouts, so the same seed gives the same shapes at any noise level
        images += noise * rng.standard_normal(images.shape)
    return CaptionedImages(images, captions, layouts)
