"""Tests of course.viz.unrolled: the chain read from the engine's graph, and its drawing."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course.viz.unrolled import UnrolledChain, draw_loop, draw_unrolled, trace_unrolled
from engine import Tensor, nn


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _run(T=3, wiring="chain"):
    cell, head = nn.RNNCell(2, 3), nn.Linear(3, 2)
    xs = [Tensor(np.full((1, 2), float(t))) for t in range(T)]
    h0 = Tensor(np.zeros((1, 3)))
    states, outputs, h, prev = [], [], h0, h0
    for x in xs:
        if wiring == "skip":  # h_t from h_{t-2}: a wrong loop
            h, prev = cell(x, prev), h
        elif wiring == "no_state":
            h = cell(x)
        else:
            h = cell(x, h)
        states.append(h)
        outputs.append(head(h))
    params = {"W_xh": cell.W_xh, "W_hh": cell.W_hh, "b_h": cell.b_h}
    return states, xs, params, h0, outputs, {"V": head.W, "c": head.b}


def test_trace_of_a_loop_over_the_cell_is_a_chain():
    states, xs, params, h0, outputs, oparams = _run()
    chain = trace_unrolled(states, xs, params, h0=h0, outputs=outputs, output_params=oparams)
    assert chain.T == 3 and chain.has_outputs and chain.is_chain()
    for s in chain.steps:
        assert s.states == (s.t - 1,) and s.inputs == (s.t,)
        assert s.params == ("W_xh", "W_hh", "b_h")
        assert s.ops == 5  # two MatMul, two Add, Tanh
        assert s.outputs_from == (s.t,) and s.output_params == ("V", "c")


def test_trace_shows_a_wrong_loop():
    states, xs, params, h0, *_ = _run(4, "skip")
    chain = trace_unrolled(states, xs, params, h0=h0)
    assert not chain.is_chain()
    assert [s.states for s in chain.steps] == [(0,), (0,), (1,), (2,)]
    chain = trace_unrolled(*_run(3, "no_state")[:3])
    assert [s.states for s in chain.steps] == [(), (), ()] and not chain.is_chain()


def test_trace_sees_which_parameters_a_step_used():
    cell = nn.RNNCell(1, 2)
    x1, x2 = Tensor([[1.0]]), Tensor([[2.0]])
    h1 = cell(x1)
    h2 = (x2 @ cell.W_xh + h1 @ cell.W_hh).tanh()  # no bias at step 2
    chain = trace_unrolled([h1, h2], [x1, x2], {"W_xh": cell.W_xh, "W_hh": cell.W_hh, "b_h": cell.b_h})
    assert chain.steps[0].params == ("W_xh", "W_hh", "b_h") and chain.steps[1].params == ("W_xh", "W_hh")
    assert not chain.is_chain()


def test_trace_names_bad_input():
    states, xs, params, *_ = _run()
    with pytest.raises(ValueError, match="3 states but 2 inputs"):
        trace_unrolled(states, xs[:2], params)
    with pytest.raises(TypeError, match=r"inputs\[0\] is a ndarray"):
        trace_unrolled(states, [x.data for x in xs], params)
    with pytest.raises(ValueError, match="2 outputs for 3 states"):
        trace_unrolled(states, xs, params, outputs=states[:2])


def test_schematic_and_drawing():
    chain = UnrolledChain.schematic(4, output_params=("V", "c"))
    assert chain.is_chain() and chain.has_outputs and chain.T == 4
    ax = draw_unrolled(chain, title="x")
    texts = [t.get_text() for t in ax.texts]
    for t in range(1, 5):
        assert f"$h_{{{t}}}$" in texts and f"$x_{{{t}}}$" in texts and f"$y_{{{t}}}$" in texts
    assert "$h_0$" in texts
    # four steps do not fit the column with the parameters in every box: named once, under the chain
    assert sum("W_xh, W_hh, b_h" in t for t in texts) == 1 and "every step uses W_xh, W_hh, b_h" in texts
    assert ax.figure.get_figwidth() <= 6.8 + 1e-9
    assert min(t.get_fontsize() for t in ax.texts) >= 9
    two = draw_unrolled(UnrolledChain.schematic(2))
    assert sum("W_xh, W_hh, b_h" in t.get_text() for t in two.texts) == 2  # fits: in each box
    assert len(ax.patches) == 1 + 4 * 4 + 4 * 4  # boxes h_0 and (cell, h, x, y) per step; 4 arrows per step
    assert ax.get_title() == "x"
    with pytest.raises(ValueError, match="at least 1"):
        UnrolledChain.schematic(0)
    with pytest.raises(TypeError, match="UnrolledChain"):
        draw_unrolled("chain")


def test_drawing_shows_each_dependency_found():
    states, xs, params, h0, *_ = _run(4, "skip")
    run = _run(4)
    good = draw_unrolled(trace_unrolled(*run[:3], h0=run[3]))
    bad = draw_unrolled(trace_unrolled(states, xs, params, h0=h0))
    arrows = lambda ax: [p for p in ax.patches if type(p).__name__ == "FancyArrowPatch"]
    red = lambda ax: [p for p in arrows(ax) if p.get_edgecolor()[:3] != arrows(ax)[0].get_edgecolor()[:3]]
    assert len(arrows(good)) == len(arrows(bad)) == 12 and red(good) == []
    assert len(red(bad)) == 3  # h_0 -> step 2, h_1 -> step 3, h_2 -> step 4 skip a step


def test_draw_loop():
    ax = draw_loop(output_params=("V", "c"))
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "$x_t$" in texts and "$h_t$" in texts and "$y_t$" in texts and "W_hh" in texts
