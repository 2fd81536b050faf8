"""course.viz.graph.draw_graph: what is drawn matches the graph, for Values and Tensors."""

import subprocess
import sys

import matplotlib
import numpy as np
import pytest

from course.viz.graph import draw_graph
from engine.value import Value

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def drawn(ax) -> tuple[int, int, int]:
    """(boxes, operation circles, arrows) on the Axes."""
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

    count = lambda kind: sum(isinstance(p, kind) for p in ax.patches)
    return count(FancyBboxPatch), count(Circle), count(FancyArrowPatch)


def texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def neuron():
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2, b = Value(-3.0, label="w1"), Value(1.0, label="w2"), Value(6.8813735870195432, label="b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    o.backward()
    return o


def test_value_graph_counts_and_labels():
    ax = draw_graph(neuron())
    # 10 Values (5 leaves, 5 results); 5 ops (*, *, +, +, tanh); 2 + 2 + 2 + 2 + 1 inputs and 5 outputs
    assert drawn(ax) == (10, 5, 14)
    labels = texts(ax)
    assert "o\ndata 0.7071\ngrad 1" in labels and "x1\ndata 2\ngrad -1.5" in labels
    assert sorted(t for t in labels if "\n" not in t) == ["*", "*", "+", "+", "tanh"]


def test_counting_catches_a_missing_edge():
    a, b = Value(1.0), Value(2.0)
    assert drawn(draw_graph(a * b)) == (3, 1, 3)
    assert drawn(draw_graph(a.tanh())) != (3, 1, 3)


def test_input_used_twice_is_one_marked_edge():
    a = Value(3.0, label="a")
    y = a * a + a
    y.backward()
    ax = draw_graph(y)
    assert drawn(ax) == (3, 2, 5)  # a -> * (x2), * -> a*a, a*a -> +, a -> +, + -> y
    assert " x2" in texts(ax) and "a\ndata 3\ngrad 7" in texts(ax)


def test_show_grad_false_hides_gradients():
    ax = draw_graph(neuron(), show_grad=False)
    assert not any("grad" in t for t in texts(ax))
    assert "o\ndata 0.7071" in texts(ax)


def test_layers_run_from_leaves_to_root():
    a = Value(1.5, label="a")
    y = (a * 2).tanh()

    def centre(ax, start):  # a box's text sits at its centre
        (position,) = [t.get_position() for t in ax.texts if t.get_text().startswith(start)]
        return position

    lr = draw_graph(y, rankdir="LR")
    assert centre(lr, "a\n")[0] < centre(lr, "*")[0] < centre(lr, "data 0.9951")[0]
    assert centre(lr, "a\n")[0] == centre(lr, "data 2\n")[0]  # both leaves feed the first op
    tb = draw_graph(y, rankdir="TB")
    assert centre(tb, "a\n")[1] > centre(tb, "*")[1] > centre(tb, "data 0.9951")[1]
    rl = draw_graph(y, rankdir="RL")
    assert centre(rl, "a\n")[0] > centre(rl, "data 0.9951")[0]
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(y, rankdir="XY")
    with pytest.raises(TypeError, match="Value or a Tensor, got float"):
        draw_graph(1.5)


def test_too_many_nodes_is_a_clear_error():
    h = Value(0.5)
    for _ in range(100):
        h = h * 0.5  # each step: a leaf 0.5 and a product
    with pytest.raises(ValueError, match=r"201 nodes.*max_nodes=200"):
        draw_graph(h, max_nodes=200)
    assert drawn(draw_graph(h, max_nodes=201)) == (201, 100, 300)


def test_draws_on_a_given_axes():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    assert draw_graph(Value(1.0) + 2, ax=ax) is ax
    assert drawn(ax) == (3, 1, 3)


# ---- Tensor graphs: a stand-in with the tensor engine's attributes, then the real Tensor ----


class _Ctx:
    def __init__(self, fn, *parents):
        self.fn, self.parents = fn, parents


class MatMul: ...


class Tanh: ...


class FakeTensor:
    def __init__(self, shape, name=None, ctx=None):
        self.data = np.full(shape, 0.5)
        self.shape, self.name, self._ctx, self.grad = shape, name, ctx, np.ones(shape)


def test_tensor_like_graph():
    W, x = FakeTensor((3, 4), name="W"), FakeTensor((2, 3))
    y = FakeTensor((2, 4), ctx=_Ctx(MatMul, x, W))
    h = FakeTensor((2, 4), name="h", ctx=_Ctx(Tanh, y))
    ax = draw_graph(h)
    assert drawn(ax) == (4, 2, 5)
    labels = texts(ax)
    assert "MatMul" in labels and "Tanh" in labels
    assert "W\nshape (3, 4)\n|grad| 3.464" in labels and "shape (2, 3)\n|grad| 2.449" in labels
    assert any(t.startswith("h\nshape (2, 4)") for t in labels)


def test_real_tensor_graph():
    import engine

    W = engine.Tensor(np.eye(2), requires_grad=True)
    W.name = "W"
    h = engine.Tensor(np.zeros((1, 2)))
    for t in range(2):  # an unrolled recurrence: W is used at each step
        h = (h @ W + engine.Tensor([[t, 1.0]])).tanh()
    loss = h.sum()
    loss.backward()
    ax = draw_graph(loss)
    # Tensors: W, h0, 2 inputs, and per step h@W, +x, tanh (6), the sum: 11; ops: 3 per step + sum: 7;
    # arrows: per step 2 + 2 + 1 inputs, plus 1 sum input, and one output per op: 11 + 7
    assert drawn(ax) == (11, 7, 18)
    names = {n for n in texts(ax) if "\n" not in n and not n.startswith(" ")}
    assert {loss._ctx.fn.__name__, h._ctx.fn.__name__} <= names
    assert any(t.startswith("W\nshape (2, 2)") for t in texts(ax))
    assert f"shape ()\ndata {loss.item():.4g}" in texts(ax)  # an intermediate keeps no grad


def test_matplotlib_is_imported_only_when_drawing():
    code = "import sys, course.viz.graph; assert 'matplotlib' not in sys.modules, 'imported at import time'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_graph_text_is_never_below_the_house_minimum():
    import matplotlib.pyplot as plt

    from course.viz import style
    from course.viz.frames import min_font_size
    from engine import Value

    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    ax = draw_graph((a * b + a).tanh())
    assert min_font_size(ax.figure) >= style.MIN_FONT
    plt.close(ax.figure)
