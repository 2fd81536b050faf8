"""Tests of course.viz.widgets: the stepper shows step t's input and states, and its slider redraws."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course.viz.widgets import plot_step, plot_steps, sequence_stepper

XS = np.array([0.0, 1.0, 0.0, 1.0])
HS = np.array([[0.1, -0.1], [0.5, 0.2], [0.4, -0.3], [0.9, 0.7]])  # T = 4, H = 2


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_step_draws_states_up_to_t_from_h0():
    ax_x, ax_h = plot_step(XS, HS, 3, h0=np.array([0.2, 0.3]), unit_labels=["u", "v"])
    lines = ax_h.get_lines()
    assert len(lines) == 2
    np.testing.assert_array_equal(lines[0].get_xdata(), [0, 1, 2, 3])
    np.testing.assert_array_equal(lines[0].get_ydata(), [0.2, 0.1, 0.5, 0.4])  # h_0..h_3, not h_4
    np.testing.assert_array_equal(lines[1].get_ydata(), [0.3, -0.1, 0.2, -0.3])
    assert "h_t$ = [0.40, -0.30]" in ax_x.get_title() and "h_{t-1}$ = [0.50, 0.20]" in ax_x.get_title()
    bars = list(ax_x.containers[0])
    np.testing.assert_array_equal([b.get_height() for b in bars], XS)
    dark = [b.get_facecolor() for b in bars]
    assert dark[2] != dark[0] and dark[0] == dark[1] == dark[3]  # only x_3 is highlighted
    assert [t.get_text() for t in ax_h.get_legend().get_texts()] == ["u", "v"]


def test_plot_step_default_h0_is_zero():
    _, ax_h = plot_step(XS, HS[:, :1], 1)
    np.testing.assert_array_equal(ax_h.get_lines()[0].get_ydata(), [0.0, 0.1])
    assert ax_h.get_legend() is None


@pytest.mark.parametrize("t", [0, 5])
def test_plot_step_rejects_steps_out_of_range(t):
    with pytest.raises(ValueError, match="between 1 and 4"):
        plot_step(XS, HS, t)


def test_mismatched_lengths_are_named():
    with pytest.raises(ValueError, match="xs has 3 time steps but hs has 4"):
        plot_step(XS[:3], HS, 1)
    with pytest.raises(ValueError, match="h0 has 3 units"):
        plot_step(XS, HS, 1, h0=np.zeros(3))


def test_plot_steps_one_column_per_step():
    fig = plot_steps(XS, HS, [1, 4])
    axes = fig.get_axes()
    assert len(axes) == 4
    assert [a.get_title() for a in axes[:2]] == ["step t = 1", "step t = 4"]
    assert len(fig.legends) == 1
    with pytest.raises(ValueError, match="at least one step"):
        plot_steps(XS, HS, [])


def test_stepper_slider_covers_the_steps_and_redraws(monkeypatch):
    import course.viz.widgets as w

    drawn = []
    real = w.plot_step
    monkeypatch.setattr(w, "plot_step", lambda *a, **k: drawn.append(a[2]) or real(*a, **k))
    box = sequence_stepper(XS, HS, start=2)
    slider = box.children[0]
    assert (slider.min, slider.max, slider.value) == (1, 4, 2)
    slider.value = 4
    assert drawn[-1] == 4 and 2 in drawn
    with pytest.raises(ValueError, match="start must be between 1 and 4"):
        sequence_stepper(XS, HS, start=9)
