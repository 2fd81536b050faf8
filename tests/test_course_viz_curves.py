"""Tests of course.viz.curves: what is drawn is the data given, in the right place; bad input is named."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course.viz.curves import moving_average, plot_decision_boundary, plot_grad_norms, plot_loss
from engine import Tensor, Value


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_plot_loss_draws_the_losses_against_steps_from_one():
    losses = [2.0, 1.5, Tensor(0.75), Value(0.5), np.float64(0.25)]
    ax = plot_loss(losses, title="t")
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4, 5])
    np.testing.assert_array_equal(line.get_ydata(), [2.0, 1.5, 0.75, 0.5, 0.25])
    assert ax.get_title() == "t" and ax.get_ylabel() == "loss" and ax.get_yscale() == "linear"
    assert ax.get_legend() is None


def test_plot_loss_several_curves_legend_log_and_smoothing():
    fig, ax = plt.subplots()
    out = plot_loss({"sgd": [4.0, 2.0, 1.0], "adam": [4.0, 1.0, 0.5]}, ax=ax, logy=True, smooth=2)
    assert out is ax
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["sgd", "adam"]
    lines = ax.get_lines()  # raw and smoothed, per curve
    assert len(lines) == 4
    np.testing.assert_allclose(lines[1].get_ydata(), [4.0, 3.0, 1.5])
    np.testing.assert_allclose(lines[3].get_ydata(), [4.0, 2.5, 0.75])


def test_moving_average_is_the_mean_of_the_last_window_values():
    np.testing.assert_allclose(moving_average([1, 2, 3, 4, 5], 3), [1.0, 1.5, 2.0, 3.0, 4.0])
    np.testing.assert_allclose(moving_average([1, 2], 1), [1.0, 2.0])
    with pytest.raises(ValueError, match="window must be a positive integer"):
        moving_average([1, 2], 0)


def test_plot_grad_norms_log_scale_steps_and_zero_norms_left_out():
    ax = plot_grad_norms([1.0, 0.1, 0.0, 0.001], label="tanh")
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 4])
    np.testing.assert_array_equal(line.get_ydata(), [1.0, 0.1, 0.001])
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "time step $t$"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["tanh"]

    ax2 = plot_grad_norms({"a": [3.0, 2.0], "b": [1.0, 0.0]}, steps=[10, 20], logy=False)
    a, b = ax2.get_lines()
    np.testing.assert_array_equal(a.get_xdata(), [10, 20])
    np.testing.assert_array_equal(b.get_ydata(), [1.0, 0.0])
    assert ax2.get_yscale() == "linear"


@pytest.mark.parametrize("call, error, message", [
    (lambda: plot_loss([]), ValueError, "plot_loss: the curve is empty"),
    (lambda: plot_loss({}), ValueError, "plot_loss: got an empty mapping"),
    (lambda: plot_loss({"a": [1.0]}, label="x"), ValueError, "pass label only with a single curve"),
    (lambda: plot_loss([1.0, 0.0], logy=True), ValueError, "logy needs positive losses"),
    (lambda: plot_loss(np.ones((2, 3))), ValueError, r"one-dimensional, got an array of shape \(2, 3\)"),
    (lambda: plot_loss([np.ones(2)]), ValueError, r"each entry must be one number.*\(2,\)"),
    (lambda: plot_loss(3.0), TypeError, "a curve must be a sequence of numbers, got float"),
    (lambda: plot_grad_norms([1.0, -1.0]), ValueError, "norms must be finite and >= 0"),
    (lambda: plot_grad_norms([1.0, np.inf]), ValueError, "norms must be finite and >= 0"),
    (lambda: plot_grad_norms([1.0, 2.0], steps=[1]), ValueError, "got 1 steps for a curve of 2 norms"),
])
def test_curves_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


X = np.array([[-1.0, -1.0], [1.0, -0.5], [-0.5, 1.0], [1.0, 1.0]])
Y = np.array([0, 0, 1, 1])


def _above_axis(points):
    """Class 1 above the x-axis (x2 > 0): a rule that is not symmetric under transposing the grid."""
    return (points[:, 1] > 0).astype(np.int64)


def test_decision_boundary_image_holds_the_predicted_classes_in_place():
    ax = plot_decision_boundary(_above_axis, X, Y, resolution=50, margin=0.0, title="above")
    image = ax.get_images()[0]
    grid = np.asarray(image.get_array())
    assert grid.shape == (50, 50)
    ys = np.linspace(-1.0, 1.0, 50)
    expected = np.repeat((ys > 0).astype(int)[:, None], 50, axis=1)  # row i is the i-th y from the bottom
    np.testing.assert_array_equal(grid, expected)
    assert image.origin == "lower"
    assert tuple(image.get_extent()) == (-1.0, 1.0, -1.0, 1.0)
    # the data is drawn on top, one scatter per class, at the given points
    s0, s1 = ax.collections
    np.testing.assert_array_equal(s0.get_offsets(), X[:2])
    np.testing.assert_array_equal(s1.get_offsets(), X[2:])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    assert ax.get_title() == "above"


def test_decision_boundary_takes_the_argmax_of_scores_and_tensors():
    def scores(points):  # class 1 where x1 > 0, as a Tensor of logits
        return Tensor(np.column_stack([-points[:, 0], points[:, 0]]))

    ax = plot_decision_boundary(scores, X, Y, resolution=20, margin=0.0)
    grid = np.asarray(ax.get_images()[0].get_array())
    xs = np.linspace(-1.0, 1.0, 20)
    np.testing.assert_array_equal(grid, np.repeat((xs > 0).astype(int)[None, :], 20, axis=0))


def test_decision_boundary_margin_widens_the_grid():
    ax = plot_decision_boundary(_above_axis, X, Y, resolution=10, margin=0.5, class_names=["a", "b"])
    assert tuple(ax.get_images()[0].get_extent()) == (-2.0, 2.0, -2.0, 2.0)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]


@pytest.mark.parametrize("kwargs, message", [
    (dict(X=np.zeros((4, 3))), r"X must have shape \(n, 2\), got \(4, 3\)"),
    (dict(y=np.zeros(3, dtype=int)), r"y must have shape \(4,\) to match X, got \(3,\)"),
    (dict(y=np.array([0.0, 1.0, 0.0, 1.0])), "y must hold integer classes"),
    (dict(resolution=1), "resolution must be an integer >= 2"),
    (dict(predict_fn=lambda p: p[:, 0]), "returned a float vector"),
    (dict(predict_fn=lambda p: np.zeros(3, dtype=int)), r"shape \(3,\)"),
    (dict(predict_fn=lambda p: -np.ones(len(p), dtype=int)), "negative class"),
    (dict(predict_fn=lambda p: np.full(len(p), 12)), "at most 10 classes"),
    (dict(class_names=["only one"]), "got 1 class_names for 2 classes"),
])
def test_decision_boundary_bad_input_gets_a_clear_error(kwargs, message):
    args = dict(predict_fn=_above_axis, X=X, y=Y)
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        plot_decision_boundary(args.pop("predict_fn"), args.pop("X"), args.pop("y"), **args)
