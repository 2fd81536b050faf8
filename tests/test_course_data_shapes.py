"""Tests of course.data.shapes: tiny captioned images of shapes."""

from __future__ import annotations

import numpy as np
import pytest

from course.data.shapes import CAPTION_WORDS, SHAPES, SLOT_WIDTH, caption, make_captioned_shapes, render


def _read_slot(slot: np.ndarray) -> str | None:
    """An independent reading of a noiseless slot: the shape whose pattern matches some window exactly."""
    if not slot.any():
        return None
    for name, pattern in SHAPES.items():
        h, w = pattern.shape
        for r in range(slot.shape[0] - h + 1):
            for c in range(slot.shape[1] - w + 1):
                window = np.zeros_like(slot)
                window[r:r + h, c:c + w] = pattern
                if np.array_equal(window, slot):
                    return name
    raise AssertionError("slot holds no known shape")


def _read(image: np.ndarray) -> tuple[str | None, str | None]:
    return _read_slot(image[:, :SLOT_WIDTH]), _read_slot(image[:, SLOT_WIDTH:])


def test_patterns_are_distinct_5x5_bitmaps():
    assert all(p.shape == (5, 5) and set(np.unique(p)) == {0.0, 1.0} for p in SHAPES.values())
    flat = [p.tobytes() for p in SHAPES.values()]
    assert len(set(flat)) == len(flat)


def test_captions():
    assert caption("square", "cross") == ["square", "and", "cross"]
    assert caption("plus", None) == ["plus", "left"]
    assert caption(None, "diamond") == ["diamond", "right"]
    assert set(CAPTION_WORDS) == set(SHAPES) | {"and", "left", "right"}
    with pytest.raises(ValueError, match="both slots are empty"):
        caption(None, None)
    with pytest.raises(ValueError, match="unknown shape 'circle'"):
        caption("circle", None)


def test_render_draws_the_named_shapes_in_their_slots():
    rng = np.random.default_rng(0)
    for left in (*SHAPES, None):
        for right in (*SHAPES, None):
            if left is None and right is None:
                continue
            image = render(left, right, rng)
            assert image.shape == (8, 16)
            assert _read(image) == (left, right)
    assert _read(render("plus", "square")) != ("square", "plus")  # the reader tells layouts apart
    with pytest.raises(ValueError, match="noise needs an rng"):
        render("plus", None, noise=0.1)


def test_data_set_captions_match_the_images():
    clean = make_captioned_shapes(200, seed=5, noise=0.0)
    assert clean.images.shape == (200, 8, 16) and len(clean.captions) == len(clean.layouts) == 200
    for image, words, layout in zip(clean.images, clean.captions, clean.layouts):
        assert _read(image) == layout
        assert words == caption(*layout)
    singles = sum(None in layout for layout in clean.layouts)
    assert 40 < singles < 100  # about a third hold one shape


def test_data_set_is_seeded_and_noisy():
    a, b = make_captioned_shapes(50, seed=1), make_captioned_shapes(50, seed=1)
    assert np.array_equal(a.images, b.images) and a.captions == b.captions
    assert not np.array_equal(a.images, make_captioned_shapes(50, seed=2).images)
    clean = make_captioned_shapes(50, seed=1, noise=0.0)
    assert clean.layouts == a.layouts
    assert 0.05 < np.std(a.images - clean.images) < 0.15
    with pytest.raises(ValueError, match="n must be >= 0"):
        make_captioned_shapes(-3)
