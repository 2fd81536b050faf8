"""A recurrent network drawn as a loop and as a chain unrolled in time (matplotlib, imported when called).

``trace_unrolled`` reads the engine's own graph of an unrolled RNN: for every step it finds which earlier
states, which inputs and which parameters the new state was computed from. ``draw_unrolled`` draws that
chain (one box per step holding the parameters it used, so shared weights show as the same names in every
box); ``UnrolledChain.schematic(T)`` builds the ideal chain without a graph, and ``draw_loop`` draws the
folded unit with its loop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from engine.autograd import node_of, parents

from . import style

_CELL = style.OP
_STATE = style.STATE
_INPUT = style.INPUT
_OUTPUT = style.OUTPUT
_EDGE = style.EDGE


@dataclass(frozen=True)
class Step:
    """What one step of an unrolled network was computed from, as found in the graph.

    Attributes:
        t: the step, 1..T.
        states: the earlier states the new state h_t depends on directly (0 stands for h_0).
        inputs: the inputs it depends on directly (t for x_t).
        params: names of the parameters used, in the order they were given.
        ops: how many operations lie between those and h_t.
        outputs_from: for an output y_t: the states it was computed from (empty when no outputs traced).
        output_params: the parameters the output y_t used.
    """

    t: int
    states: tuple[int, ...]
    inputs: tuple[int, ...]
    params: tuple[str, ...]
    ops: int
    outputs_from: tuple[int, ...] = ()
    output_params: tuple[str, ...] = ()


@dataclass
class UnrolledChain:
    """An RNN unrolled over ``len(steps)`` time steps (see ``trace_unrolled`` and ``schematic``)."""

    steps: list[Step] = field(default_factory=list)
    has_outputs: bool = False

    @property
    def T(self) -> int:
        """The number of time steps."""
        return len(self.steps)

    def is_chain(self) -> bool:
        """Whether every h_t depends on exactly h_{t-1} and x_t, and every step uses the same parameters."""
        return all(s.states == (s.t - 1,) and s.inputs == (s.t,) for s in self.steps) and len(
            {s.params for s in self.steps}) <= 1

    @classmethod
    def schematic(cls, T: int, params: Sequence[str] = ("W_xh", "W_hh", "b_h"),
                  output_params: Sequence[str] | None = None) -> UnrolledChain:
        """The ideal chain of ``T`` steps (no graph needed); with ``output_params``, an output per step."""
        if T < 1:
            raise ValueError(f"UnrolledChain.schematic: T must be at least 1, got {T}")
        outs = tuple(output_params) if output_params is not None else ()
        steps = [Step(t, (t - 1,), (t,), tuple(params), 0, (t,) if output_params is not None else (), outs)
                 for t in range(1, T + 1)]
        return cls(steps, has_outputs=output_params is not None)


def _parents(node: Any) -> tuple:
    return parents(node_of(node))


def _key(t: Any) -> int:
    """The id of a tensor's node in the graph: its Context if an operation made it, else itself."""
    return id(node_of(t))


def _reach(start: Any, known: dict[int, Any]) -> tuple[set, int]:
    """The known tensors reached from ``start`` going towards the leaves without passing through one,
    and how many operations were crossed."""
    found, ops, seen = set(), 0, set()
    stack = list(_parents(start)) if getattr(start, "_ctx", None) is not None else []
    ops += 1 if stack else 0
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if id(node) in known:
            found.add(known[id(node)])
            continue
        parents = _parents(node)
        if parents:
            ops += 1
            stack.extend(parents)
    return found, ops


def trace_unrolled(
    states: Sequence[Any],
    inputs: Sequence[Any],
    params: Mapping[str, Any],
    *,
    h0: Any = None,
    outputs: Sequence[Any] | None = None,
    output_params: Mapping[str, Any] | None = None,
) -> UnrolledChain:
    """Read the engine's graph of an unrolled RNN into an ``UnrolledChain``.

    Args:
        states: the hidden states h_1..h_T (Tensors from the forward pass, in order).
        inputs: the inputs x_1..x_T (the Tensors the forward pass was given).
        params: the parameters by name, e.g. ``{"W_xh": cell.W_xh, "W_hh": cell.W_hh, "b_h": cell.b_h}``.
        h0: the initial state tensor, when one was given (a state reached that is neither is not drawn).
        outputs: optional outputs y_1..y_T computed from the states.
        output_params: the output layer's parameters by name, e.g. ``{"V": head.W, "c": head.b}``.

    Returns:
        The chain: for every step, which states, inputs and parameters h_t (and y_t) were computed from.
    """
    if len(states) != len(inputs):
        raise ValueError(f"trace_unrolled: got {len(states)} states but {len(inputs)} inputs")
    if outputs is not None and len(outputs) != len(states):
        raise ValueError(f"trace_unrolled: got {len(outputs)} outputs for {len(states)} states")
    from engine.tensor import Tensor

    for name, group in (("states", states), ("inputs", inputs), ("outputs", outputs or [])):
        for i, t in enumerate(group):
            if not isinstance(t, Tensor):
                raise TypeError(f"trace_unrolled: {name}[{i}] is a {type(t).__name__}, not a Tensor")
    known: dict[int, tuple[str, Any]] = {}
    for name, p in params.items():
        known[_key(p)] = ("param", name)
    for name, p in (output_params or {}).items():
        known[_key(p)] = ("oparam", name)
    if h0 is not None:
        known[_key(h0)] = ("state", 0)
    for i, x in enumerate(inputs, start=1):
        known[_key(x)] = ("input", i)
    for i, h in enumerate(states, start=1):
        known[_key(h)] = ("state", i)
    order = list(params)
    out_order = list(output_params or {})
    steps = []
    for i, h in enumerate(states, start=1):
        found, ops = _reach(h, known)
        own = [f for f in found if f != ("state", i)]
        y_states: tuple[int, ...] = ()
        y_params: tuple[str, ...] = ()
        if outputs is not None:
            y_found, _ = _reach(outputs[i - 1], known)
            y_states = tuple(sorted(v for k, v in y_found if k == "state"))
            y_params = tuple(n for n in out_order if ("oparam", n) in y_found)
        steps.append(Step(
            t=i,
            states=tuple(sorted(v for k, v in own if k == "state")),
            inputs=tuple(sorted(v for k, v in own if k == "input")),
            params=tuple(n for n in order if ("param", n) in own),
            ops=ops,
            outputs_from=y_states,
            output_params=y_params,
        ))
    return UnrolledChain(steps, has_outputs=outputs is not None)


def _box(ax: Any, x: float, y: float, w: float, h: float, text: str, color: str,
         fontsize: float = style.TITLE_FONT) -> None:
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0,rounding_size=0.08",
                                facecolor=color, edgecolor=style.INK, lw=1.0, zorder=2))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, zorder=3)


def _arrow(ax: Any, start: tuple, end: tuple, label: str = "", rad: float = 0.0, color: str = _EDGE) -> None:
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, lw=1.2, color=color,
                                 connectionstyle=f"arc3,rad={rad}", shrinkA=0, shrinkB=0, zorder=1))
    if label:
        ax.text((start[0] + end[0]) / 2 + 0.1, (start[1] + end[1]) / 2, label, ha="left", va="center",
                fontsize=style.MIN_FONT, color=color, zorder=3)


def draw_unrolled(chain: UnrolledChain | int, ax: Any = None, *, title: str | None = None,
                  show_ops: bool = True) -> Any:
    """Draw an unrolled RNN as a chain: h_0 -> [step 1] -> h_1 -> ... with x_t below and y_t above.

    Every dependency found in the graph is drawn: an arrow from each earlier state (curved when it skips
    steps) and each input into the step box, whose text lists the parameters that step used.

    Args:
        chain: an ``UnrolledChain`` (from ``trace_unrolled`` or ``UnrolledChain.schematic``), or a number
            of steps T for the schematic chain.
        ax: matplotlib Axes; by default a new figure sized to T.
        title: the Axes title.
        show_ops: write in each step box how many operations the graph has there.

    Returns:
        The matplotlib Axes drawn on.
    """
    import matplotlib.pyplot as plt

    if isinstance(chain, int):
        chain = UnrolledChain.schematic(chain)
    if not isinstance(chain, UnrolledChain):
        raise TypeError(f"draw_unrolled: expected an UnrolledChain or a number of steps, got "
                        f"{type(chain).__name__}")
    T = chain.T
    if T < 1:
        raise ValueError("draw_unrolled: the chain has no steps")
    pitch, bw, bh = 3.2, 0.7, 0.5
    cw, ch = 1.75, 0.95
    height = 4.4 if chain.has_outputs else 3.0
    # At 0.8 inch per unit a chain of T steps is 0.8 (3.2 T + 1.4) inches; one wider than the column
    # (style.WIDTH) gets narrow step boxes that name the parameters once, under the chain, not in every box.
    shared = {s.params for s in chain.steps}
    compact = 0.8 * (pitch * T + 1.4) > style.WIDTH and len(shared) == 1
    if compact:
        pitch, cw = 2.3, 1.0
    unit = min(0.8, style.WIDTH / (pitch * T + 1.4))
    if ax is None:
        _, ax = plt.subplots(figsize=(unit * (pitch * T + 1.4), unit * (height + (0.5 if compact else 0))))

    def state_x(i: int) -> float:
        return i * pitch

    def cell_x(t: int) -> float:
        return (t - 0.5) * pitch

    y_state, y_input, y_out = 0.0, -1.6, 1.6
    _box(ax, state_x(0), y_state, bw, bh, "$h_0$", _STATE)
    for s in chain.steps:
        t = s.t
        lines = [f"step {t}"]
        if not compact:
            lines.append(", ".join(s.params) if s.params else "(no parameters)")
        if show_ops and s.ops:
            lines.append(f"{s.ops} ops")
        _box(ax, cell_x(t), y_state, cw, ch, "\n".join(lines), _CELL, fontsize=style.MIN_FONT)
        _box(ax, state_x(t), y_state, bw, bh, f"$h_{{{t}}}$", _STATE)
        _box(ax, cell_x(t), y_input, bw, bh, f"$x_{{{t}}}$", _INPUT)
        _arrow(ax, (cell_x(t) + cw / 2, y_state), (state_x(t) - bw / 2, y_state))
        for i in s.inputs:
            _arrow(ax, (cell_x(i), y_input + bh / 2), (cell_x(t), y_state - ch / 2),
                   rad=0.0 if i == t else 0.25)
        for j in s.states:
            if j == t - 1:
                _arrow(ax, (state_x(j) + bw / 2, y_state), (cell_x(t) - cw / 2, y_state))
            else:
                _arrow(ax, (state_x(j), y_state + bh / 2), (cell_x(t), y_state + ch / 2), rad=-0.4,
                       color=style.RECURRENT)
        if chain.has_outputs:
            _box(ax, state_x(t), y_out, bw, bh, f"$y_{{{t}}}$", _OUTPUT)
            for j in s.outputs_from:
                _arrow(ax, (state_x(j), y_state + bh / 2), (state_x(t), y_out - bh / 2),
                       label=", ".join(s.output_params) if j == t else "", rad=0.0 if j == t else 0.3)
    bottom = y_input - 0.6
    if compact:
        params = chain.steps[0].params
        note = "every step uses " + (", ".join(params) if params else "no parameters")
        ax.text(state_x(T) / 2, y_input - 0.55, note, ha="center", va="top", fontsize=style.MIN_FONT, color=_EDGE)
        bottom -= 0.5
    ax.set_xlim(-0.7, state_x(T) + 0.7)
    ax.set_ylim(bottom, (y_out if chain.has_outputs else y_state + ch / 2) + 0.6)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def draw_loop(ax: Any = None, *, params: Sequence[str] = ("W_xh", "W_hh", "b_h"),
              output_params: Sequence[str] | None = None, title: str | None = None) -> Any:
    """Draw the folded recurrent unit: x_t into the cell, h_t out of it, and h_t fed back as h_{t-1}.

    Args:
        ax: matplotlib Axes; by default a new figure.
        params: the cell's parameters, written in its box.
        output_params: when given, an output y_t above h_t computed with these parameters.
        title: the Axes title.

    Returns:
        The matplotlib Axes drawn on.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(3.4, 4.0 if output_params is not None else 3.0))
    bw, bh, cw, ch = 0.8, 0.5, 1.9, 0.8
    _box(ax, 0, -1.5, bw, bh, "$x_t$", _INPUT)
    _box(ax, 0, 0, cw, ch, "cell\n" + ", ".join(params), _CELL, fontsize=style.MIN_FONT)
    _box(ax, 0, 1.4, bw, bh, "$h_t$", _STATE)
    _arrow(ax, (0, -1.5 + bh / 2), (0, -ch / 2))
    _arrow(ax, (0, ch / 2), (0, 1.4 - bh / 2))
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(FancyArrowPatch((bw / 2, 1.4), (cw / 2, 0), arrowstyle="-|>", mutation_scale=12, lw=1.2,
                                 color=style.RECURRENT, connectionstyle="arc,angleA=0,angleB=0,armA=45,armB=45,rad=8",
                                 zorder=1))
    ax.text(cw / 2 + 0.75, 0.7, "fed back:\n$h_{t-1}$ of\nthe next step", fontsize=style.MIN_FONT,
            color=style.RECURRENT, va="center")
    top = 1.4 + bh / 2
    if output_params is not None:
        _box(ax, 0, 2.8, bw, bh, "$y_t$", _OUTPUT)
        _arrow(ax, (0, 1.4 + bh / 2), (0, 2.8 - bh / 2))
        ax.text(0.1, 2.1, ", ".join(output_params), fontsize=style.MIN_FONT, color=_EDGE, va="center")
        top = 2.8 + bh / 2
    ax.set_xlim(-1.2, 2.9)
    ax.set_ylim(-1.5 - bh / 2 - 0.3, top + 0.3)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax
