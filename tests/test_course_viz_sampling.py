"""Tests of course.viz.sampling: temperature-scaled softmax, its bar charts and the slider explorer."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course.viz.sampling import plot_temperatures, temperature_explorer, temperature_probs

Z = np.array([2.0, 1.0, 0.0, -1.0])
LABELS = ["a", " ", "\n", "b"]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_probs_are_softmax_of_scaled_logits():
    for tau in (0.25, 1.0, 3.0):
        e = np.exp(Z / tau)
        np.testing.assert_allclose(temperature_probs(Z, tau), e / e.sum(), rtol=1e-14)
    assert not np.allclose(temperature_probs(Z, 2.0), temperature_probs(Z * 2.0, 2.0))  # tau is not ignored


def test_temperature_sharpens_and_flattens_and_is_stable():
    np.testing.assert_allclose(temperature_probs(Z, 1e-3), [1, 0, 0, 0], atol=1e-12)
    np.testing.assert_allclose(temperature_probs(Z, 1e6), 0.25, atol=1e-5)
    p = temperature_probs(np.array([[1000.0, 0.0], [0.0, 0.0]]), 0.5)  # no overflow, rows separately
    np.testing.assert_allclose(p, [[1, 0], [0.5, 0.5]])


@pytest.mark.parametrize("tau", [0, -1.0, float("nan"), "1"])
def test_bad_temperature_is_named(tau):
    with pytest.raises(ValueError, match="temperature must be a positive number"):
        temperature_probs(Z, tau)


def test_plot_draws_one_panel_per_temperature_with_visible_whitespace():
    fig = plot_temperatures(Z, LABELS, [0.5, 1.0, 2.0], top=3)
    axes = fig.axes
    assert len(axes) == 3 and axes[1].get_title() == "temperature 1"
    heights = [b.get_height() for b in axes[0].containers[0]]
    np.testing.assert_allclose(heights, temperature_probs(Z, 0.5)[:3])
    assert [t.get_text() for t in axes[0].get_xticklabels()] == ["a", " ", "\\n"]
    with pytest.raises(ValueError, match="3 labels for 4 logits"):
        plot_temperatures(Z, LABELS[:3], [1.0])


def test_explorer_precomputes_each_temperature_with_its_sample():
    calls = []
    box = temperature_explorer(Z, LABELS, lambda tau: calls.append(tau) or f"sample at {tau:.1f}", value=1.0,
                               low=0.5, high=1.5, step=0.5)
    slider, stack = box.children
    assert type(slider).__name__ == "SelectionSlider" and slider.value == 1.0
    assert calls == [0.5, 1.0, 1.5] and stack.selected_index == 1
    image, note = stack.children[2].children
    assert "sample at 1.5" in note.value and bytes(image.value).startswith(b"\x89PNG")
    assert slider.style.description_width == "initial"  # "temperature" is not cut to "temperat..."
    with pytest.raises(ValueError, match="low <= value <= high"):
        temperature_explorer(Z, LABELS, str, value=5.0)


def test_plot_temperatures_fits_the_column():
    from course.viz import style
    from course.viz.frames import min_font_size

    fig = plot_temperatures(Z, LABELS, [0.5, 1.0, 1.5, 2.0])
    assert fig.get_figwidth() <= style.WIDTH and min_font_size(fig) >= style.MIN_FONT
