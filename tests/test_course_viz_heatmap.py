"""Tests of course.viz.heatmap: the map shows the states given, time along x, units along y."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course.viz.heatmap import as_time_by_unit, plot_hidden_states
from engine import Tensor


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_accepted_forms_give_time_by_unit():
    hs = np.arange(6.0).reshape(3, 2)
    for form in (hs, Tensor(hs), hs[None], [Tensor(h[None]) for h in hs], list(hs)):
        np.testing.assert_array_equal(as_time_by_unit(form), hs)
    np.testing.assert_array_equal(as_time_by_unit(np.array([1.0, 2.0])), [[1.0], [2.0]])


def test_map_is_units_by_time_with_labels_and_values():
    hs = np.array([[0.1, -0.2], [0.3, 0.9], [-0.5, 0.0]])  # T = 3, H = 2
    ax = plot_hidden_states(hs, xs=[1, 0, 1], unit_labels=["a", "b"], title="t")
    image = ax.get_images()[0]
    np.testing.assert_array_equal(image.get_array(), hs.T)
    assert image.get_clim() == (-1.0, 1.0)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "0", "1"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    assert sorted(t.get_text() for t in ax.texts) == sorted(f"{v:.2f}" for v in hs.ravel())
    assert ax.get_title() == "t"


def test_default_time_labels_colour_range_and_no_annotation():
    hs = np.full((30, 10), 2.5)
    hs[0, 0] = -3.0
    fig, ax = plt.subplots()
    assert plot_hidden_states(hs, ax=ax, colorbar=False) is ax
    assert ax.get_images()[0].get_clim() == (-3.0, 3.0)
    assert len(ax.texts) == 0  # 300 cells: too many to write
    assert ax.get_xticklabels()[0].get_text() == "1" and ax.get_xticklabels()[-1].get_text() == "30"


@pytest.mark.parametrize("kwargs, word", [({"xs": [1, 2]}, "3 time steps"), ({"unit_labels": ["a"]}, "2 hidden"),
                                          ({"time_labels": ["a"]}, "time_labels")])
def test_mismatched_labels_are_named(kwargs, word):
    with pytest.raises(ValueError, match=word):
        plot_hidden_states(np.zeros((3, 2)), **kwargs)


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match=r"plot_hidden_states: .*\(2, 3, 4\)"):
        plot_hidden_states(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match="different sizes"):
        plot_hidden_states([np.zeros(2), np.zeros(3)])
