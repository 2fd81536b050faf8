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


def test_plot_steps_fits_the_column_and_keeps_text_readable():
    from course.viz import style
    from course.viz.frames import min_font_size

    for steps in ([1], [1, 2, 3], [1, 2, 3, 4]):
        fig = plot_steps(XS, HS, steps, unit_labels=["u", "v"])
        assert fig.get_figwidth() <= style.WIDTH  # 54 % in chapter 4 when it grew with the steps
        assert min_font_size(fig) >= style.MIN_FONT
        plt.close(fig)


def _link_targets(box):
    """The (source, target) pairs of the browser-side links in the widget state the page would embed."""
    from ipywidgets.embed import dependency_state

    state = dependency_state(box)
    return [(s["state"]["source"], s["state"]["target"]) for s in state.values()
            if s["model_name"] == "LinkModel"]


def test_stepper_precomputes_one_frame_per_step_linked_in_the_browser(monkeypatch):
    import course.viz.widgets as w

    drawn = []
    real = w.plot_step
    monkeypatch.setattr(w, "plot_step", lambda *a, **k: drawn.append(a[2]) or real(*a, **k))
    box = sequence_stepper(XS, HS, start=2)
    slider, stack = box.children
    assert sorted(drawn) == [1, 2, 3, 4]  # every frame drawn up front, none later
    assert list(slider.options) == [("1", 1), ("2", 2), ("3", 3), ("4", 4)]
    assert slider.value == 2 and stack.selected_index == 1
    frames = [f.value for f in stack.children]
    assert len(set(frames)) == 4  # each step's picture differs
    links = _link_targets(box)
    assert links == [(["IPY_MODEL_" + slider.model_id, "index"], ["IPY_MODEL_" + stack.model_id, "selected_index"])]
    plt.close("all")
    with pytest.raises(ValueError, match="start must be between 1 and 4"):
        sequence_stepper(XS, HS, start=9)
