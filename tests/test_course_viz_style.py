"""The house style holds for every course.viz picture drawn with its defaults: no wider than the column
(style.WIDTH), no text under style.MIN_FONT, so nothing is shrunk below 9 CSS px in the book."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course.viz import bptt, curves, heatmap, sampling, style, unrolled, widgets
from course.viz.frames import min_font_size
from course.viz.graph import draw_graph
from engine.value import Value

RNG = np.random.default_rng(0)
XS, HS = RNG.standard_normal(9), np.tanh(RNG.standard_normal((9, 3)))
GRADS = RNG.standard_normal((9, 4))


def _figure(drawn):
    if isinstance(drawn, plt.Figure):
        return drawn
    return (drawn[0] if isinstance(drawn, (list, tuple, np.ndarray)) else drawn).figure


def _graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    return draw_graph((a * b + a).tanh(), rankdir="TB")


DRAWINGS = {
    "plot_step": lambda: widgets.plot_step(XS, HS, 4, unit_labels=["one", "two", "three"]),
    "plot_steps": lambda: widgets.plot_steps(XS, HS, [1, 4, 9], unit_labels=["one", "two", "three"]),
    "plot_bptt_step": lambda: bptt.plot_bptt_step(GRADS * 0.5, GRADS, 3),
    "plot_bptt_steps": lambda: bptt.plot_bptt_steps(GRADS * 0.5, GRADS, [9, 5, 1]),
    "plot_temperatures": lambda: sampling.plot_temperatures(RNG.standard_normal(10), list("abcdefghij"),
                                                            [0.5, 1.0, 2.0], title="next character"),
    "plot_hidden_states": lambda: heatmap.plot_hidden_states(np.tanh(RNG.standard_normal((20, 6)))),
    "plot_hidden_states_few": lambda: heatmap.plot_hidden_states(HS, xs=list("abcdefghi")),
    "draw_unrolled": lambda: unrolled.draw_unrolled(unrolled.UnrolledChain.schematic(5, output_params=("V", "c"))),
    "draw_loop": lambda: unrolled.draw_loop(output_params=("V", "c")),
    "plot_loss": lambda: curves.plot_loss({"a": np.linspace(2, 1, 50), "b": np.linspace(2, 0.5, 50)}),
    "plot_grad_norms": lambda: curves.plot_grad_norms({"tanh": np.geomspace(1, 1e-6, 30)}),
    "draw_graph": _graph,
}


@pytest.mark.parametrize("name", DRAWINGS)
def test_fits_the_column_with_readable_text(name):
    fig = _figure(DRAWINGS[name]())
    assert fig.get_figwidth() <= style.WIDTH + 1e-9, f"{name} is {fig.get_figwidth():.2f} in wide"
    assert min_font_size(fig) >= style.MIN_FONT, f"{name} has text at {min_font_size(fig)} pt"
    plt.close("all")
