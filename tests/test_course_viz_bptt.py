"""Tests of course.viz.bptt: the norms are the gradients given, split right; the drawing shows the steps the
backward pass has reached and no others; the slider starts at T; bad input is named."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course.viz.bptt import bptt_norms, bptt_stepper, plot_bptt_step, plot_bptt_steps
from engine import Tensor


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _grads(T=4, B=2, H=3, seed=0):
    rng = np.random.default_rng(seed)
    direct = rng.standard_normal((T, B, H))
    total = direct + rng.standard_normal((T, B, H))
    total[-1] = direct[-1]  # nothing is carried into the last step
    return direct, total


def test_bptt_norms_split_total_into_direct_and_carried():
    direct, total = _grads()
    norms = bptt_norms(direct, total)
    for t in range(4):
        assert norms["direct"][t] == pytest.approx(np.sqrt((direct[t] ** 2).sum()))
        assert norms["carried"][t] == pytest.approx(np.sqrt(((total[t] - direct[t]) ** 2).sum()))
        assert norms["total"][t] == pytest.approx(np.sqrt((total[t] ** 2).sum()))
    assert norms["carried"][-1] == 0
    # swapping the two arguments is caught: the carried part changes sign, the totals do not match
    swapped = bptt_norms(total, direct)
    assert not np.allclose(swapped["total"], norms["total"])


def test_bptt_norms_accept_lists_of_tensors_like_arrays():
    direct, total = _grads()
    from_lists = bptt_norms([Tensor(d) for d in direct], [Tensor(g) for g in total])
    from_arrays = bptt_norms(direct, total)
    for key in ("direct", "carried", "total"):
        np.testing.assert_array_equal(from_lists[key], from_arrays[key])


def test_plot_bptt_step_shows_only_the_steps_reached():
    direct, total = _grads(T=5)
    t = 3
    ax_map, ax_norm = plot_bptt_step(direct, total, t)
    (image,) = ax_map.get_images()
    shown = image.get_array()
    assert shown.shape == (6, 5)  # components x steps
    assert shown.mask[:, : t - 1].all() and not shown.mask[:, t - 1:].any()
    np.testing.assert_allclose(shown[:, t - 1:], total.reshape(5, -1).T[:, t - 1:])
    bars = ax_norm.patches
    heights = sorted(round(p.get_height(), 12) for p in bars if p.get_width() < 0.5)
    norms = bptt_norms(direct, total)
    expected = sorted(round(float(v), 12) for key in ("direct", "carried", "total") for v in norms[key][t - 1:])
    assert heights == expected  # 3 bars per step t..T, none for the steps not reached
    assert "t = 3" in ax_map.get_title() and f"{norms['total'][t - 1]:.3f}" in ax_map.get_title()


def test_plot_bptt_steps_one_column_per_step():
    direct, total = _grads(T=6)
    fig = plot_bptt_steps(direct, total, [6, 3, 1])
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["backward pass at t = 6", "backward pass at t = 3", "backward pass at t = 1"]
    assert len(fig.axes) == 6
    with pytest.raises(ValueError, match="at least one step"):
        plot_bptt_steps(direct, total, [])


def test_bptt_stepper_starts_at_the_last_step():
    direct, total = _grads(T=7)
    box = bptt_stepper(direct, total)
    slider, stack = box.children
    assert (slider.value, slider.options[0], slider.options[-1]) == (7, ("1", 1), ("7", 7))
    assert stack.selected_index == 6 and len({f.value for f in stack.children}) == 7
    assert bptt_stepper(direct, total, start=2).children[0].value == 2


def test_plot_bptt_steps_fits_the_column():
    from course.viz import style
    from course.viz.frames import min_font_size

    direct, total = _grads(T=9)
    fig = plot_bptt_steps(direct, total, [9, 6, 3, 1])
    assert fig.get_figwidth() <= style.WIDTH and min_font_size(fig) >= style.MIN_FONT


@pytest.mark.parametrize("call, message", [
    (lambda d, g: bptt_norms(d, g[:3]), "direct has 4 steps"),
    (lambda d, g: bptt_norms([], g), "empty list"),
    (lambda d, g: bptt_norms(d, np.full_like(g, np.nan)), "non-finite"),
    (lambda d, g: plot_bptt_step(d, g, 0), "between 1 and 4"),
    (lambda d, g: plot_bptt_step(d, g, 5), "between 1 and 4"),
    (lambda d, g: bptt_stepper(d, g, start=9), "between 1 and 4"),
])
def test_bad_input_is_named(call, message):
    direct, total = _grads()
    with pytest.raises(ValueError, match=message):
        call(direct, total)
