"""Tests of course.viz.frames: every frame drawn up front, switched in the browser by a jslink."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from ipywidgets.embed import dependency_state

from course.viz import style
from course.viz.frames import figure_png, frame_slider, min_font_size, render_frame


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _line(k):
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.plot(np.arange(5), np.arange(5) * k)
    ax.set_title(f"slope {k}")
    print(f"k = {k}")
    plt.show()  # harmless: the frame is saved, not shown


def _png_size_and_text(png):
    from PIL import Image

    im = Image.open(io.BytesIO(png))
    return im.size, im.text


def test_frames_differ_are_linked_and_show_what_was_printed():
    box = frame_slider(_line, [1, 2, 3], value=2, description="slope")
    slider, stack = box.children
    assert slider.index == stack.selected_index == 1 and slider.value == 2
    pngs = [frame.children[0].value for frame in stack.children]
    assert len(set(pngs)) == 3
    assert [frame.children[1].value.count("k = ") for frame in stack.children] == [1, 1, 1]
    assert "k = 3" in stack.children[2].children[1].value
    state = dependency_state(box)
    links = [s["state"] for s in state.values() if s["model_name"] == "LinkModel"]
    assert [(lk["source"][1], lk["target"][1]) for lk in links] == [("index", "selected_index")]
    assert plt.get_fignums() == []  # no figure left for the inline backend to show twice


def test_frame_is_the_figure_size_at_the_house_dpi_with_its_smallest_font():
    fig, ax = plt.subplots(figsize=(4, 2))
    ax.plot([0, 1])
    ax.set_xlabel("tiny", fontsize=6)
    (w, h), text = _png_size_and_text(figure_png(fig))
    assert (w, h) == (4 * style.DPI, 2 * style.DPI)
    assert float(text["MinFontPt"]) == 6
    assert min_font_size(style.enforce_min_font(fig)) == style.MIN_FONT


def test_render_frame_accepts_a_returned_axes_and_rejects_no_drawing():
    png, text = render_frame(lambda v: plt.subplots()[1].plot([v]) and None or plt.gca(), 1)
    assert png.startswith(b"\x89PNG") and text == ""
    with pytest.raises(ValueError, match="drew no figure"):
        render_frame(lambda v: None, 1)


@pytest.mark.parametrize("kwargs, message", [
    (dict(values=[]), "at least one value"),
    (dict(values=[1, 2], labels=["a"]), "1 labels for 2 values"),
    (dict(values=[1, 2], labels=["a", "a"]), "labels must differ"),
    (dict(values=[1, 2], value=5), "5 is not one of"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        frame_slider(_line, **kwargs)
