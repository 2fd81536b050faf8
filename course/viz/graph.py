"""Draw the computation graph behind a ``Value`` or a ``Tensor`` with matplotlib alone (no Graphviz).

Each Value or Tensor is a rounded box; each operation is a small circle between its inputs and its
result. Columns (rows for ``rankdir="TB"``) are layers: an operation sits one layer after its deepest
input, its result one layer after it, and a leaf one layer before the first operation that uses it.
"""

from __future__ import annotations

from typing import Any

from engine.autograd import node_of, parents, topological_order

from . import style

_FONT = style.MIN_FONT  # the house minimum: the picture is shown at its natural size when it fits WIDTH
_PITCH = 0.28 * _FONT / 8  # height of a line of text in a box, in data units (one unit is _INCH inches)
_INCH = 0.9
_CHAR = 0.075 * _FONT / 8  # width of a monospace character at _FONT points
_RADIUS = 0.32  # of an operation's circle
_GAP = 0.35  # between neighbouring shapes
_MAX_INCHES = 40.0


def draw_graph(
    root: Any, *, ax: Any = None, show_grad: bool = True, max_nodes: int = 300, rankdir: str = "LR"
) -> Any:
    """Draw the graph of operations that computed ``root``, from the leaves to ``root``.

    Args:
        root: A ``Value`` (boxes show label, data and grad) or a ``Tensor`` (name, shape, and data and
            grad when it holds one number, the grad's norm otherwise).
        ax: matplotlib Axes to draw on; by default a new figure sized to the graph.
        show_grad: Whether boxes show gradients.
        max_nodes: Refuse graphs with more Values/Tensors than this (a drawing of thousands is unreadable).
        rankdir: Direction from leaves to root: "LR" (left to right), "RL", "TB" (top to bottom) or "BT".

    Returns:
        The matplotlib Axes drawn on.

    Raises:
        TypeError: If ``root`` is neither a Value nor a Tensor.
        ValueError: If the graph has more than ``max_nodes`` nodes, or ``rankdir`` is unknown.
    """
    if not (hasattr(root, "_prev") or hasattr(root, "_ctx")):
        raise TypeError(f"draw_graph: expected a Value or a Tensor, got {type(root).__name__}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_graph: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    nodes = topological_order(root, _parents)
    if len(nodes) > max_nodes:
        raise ValueError(
            f"draw_graph: the graph has {len(nodes)} nodes, more than max_nodes={max_nodes}; "
            "draw a smaller expression or pass a larger max_nodes"
        )
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

    # The drawn graph: a box per node, a circle per operation, and edges between them (an input used
    # twice by one operation, as in a * a, is one edge marked x2).
    texts = {id(n): _box_text(n, show_grad) for n in nodes}
    ops = {id(n): ("op", id(n)) for n in nodes if _parents(n)}
    edges: dict[tuple, int] = {}
    for n in nodes:
        if id(n) in ops:
            for p in _parents(n):
                edges[(id(p), ops[id(n)])] = edges.get((id(p), ops[id(n)]), 0) + 1
            edges[(ops[id(n)], id(n))] = 1

    # Layers: longest path from the leaves, then each leaf moved up to just before its first use.
    layer: dict[Any, int] = {}
    for n in nodes:
        if id(n) in ops:
            layer[ops[id(n)]] = 1 + max(layer[id(p)] for p in _parents(n))
            layer[id(n)] = layer[ops[id(n)]] + 1
        else:
            layer[id(n)] = 0
    first_use: dict[int, int] = {}
    for src, dst in edges:
        if src in texts and src not in ops:
            first_use[src] = min(first_use.get(src, layer[dst]), layer[dst])
    for key, lay in first_use.items():
        layer[key] = lay - 1
    order = _order_within_layers(layer, list(edges))

    # Sizes in data units; values and operations alternate layers (values even, operations odd).
    lines = max(len(t.splitlines()) for t in texts.values())
    width = max(_CHAR * len(line) for t in texts.values() for line in t.splitlines()) + 0.3
    height = _PITCH * lines + 0.2
    across_pitch, along_half = (height, width / 2) if rankdir in ("LR", "RL") else (width, height / 2)
    across_pitch += _GAP
    along_pitch = along_half + _GAP + _RADIUS
    sign = -1 if rankdir in ("RL", "TB") else 1  # TB: the leaves at the top, y decreasing
    pos = {}
    for key, (lay, i, count) in order.items():
        along, across = sign * lay * along_pitch, (i - (count - 1) / 2) * across_pitch
        pos[key] = (along, -across) if rankdir in ("LR", "RL") else (across, along)

    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    mid_x, mid_y = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    x0, x1 = min(xs) - width / 2, max(xs) + width / 2
    y0, y1 = min(ys) - height / 2, max(ys) + height / 2
    arrows = []
    for (src, dst), count in edges.items():
        start = _clip(pos[src], pos[dst], src in texts, width, height)
        end = _clip(pos[dst], pos[src], dst in texts, width, height)
        bend = 0.0
        if layer[dst] - layer[src] > 1:  # bow a long edge around the shapes between, away from the middle
            dx, dy = end[0] - start[0], end[1] - start[1]
            length = (dx * dx + dy * dy) ** 0.5
            mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
            bulge = 0.6 * across_pitch * (1 if (mx - mid_x) * dy - (my - mid_y) * dx >= 0 else -1)
            bend = 2 * bulge / length  # matplotlib's arc3 puts the curve's apex at rad/2 * (dy, -dx)
            apex_x, apex_y = mx + bulge * dy / length, my - bulge * dx / length
            x0, x1, y0, y1 = min(x0, apex_x), max(x1, apex_x), min(y0, apex_y), max(y1, apex_y)
        arrows.append((start, end, bend, count))
    x0, x1, y0, y1 = x0 - 0.2, x1 + 0.2, y0 - 0.2, y1 + 0.2
    scale = min(1.0, _MAX_INCHES / (_INCH * max(x1 - x0, y1 - y0)))
    if ax is None:
        fig = plt.figure(figsize=(_INCH * scale * (x1 - x0), _INCH * scale * (y1 - y0)))
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    font = max(3.0, _FONT * scale)

    for n in nodes:
        x, y = pos[id(n)]
        leaf = id(n) not in ops
        ax.add_patch(FancyBboxPatch(
            (x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0,rounding_size=0.08",
            facecolor=style.STATE if leaf else style.NODE, edgecolor=style.INK, linewidth=0.8, zorder=2,
        ))
        ax.text(x, y, texts[id(n)], ha="center", va="center", fontsize=font, family="monospace", zorder=3)
        if not leaf:
            cx, cy = pos[ops[id(n)]]
            label = _op_label(n)
            small = 1.0 if scale >= 1 else min(1.0, 5.0 / max(len(label), 1))  # never under MIN_FONT at full size
            ax.add_patch(Circle((cx, cy), _RADIUS, facecolor=style.OP, edgecolor=style.OP_EDGE, lw=0.8,
                                zorder=2))
            ax.text(cx, cy, label, ha="center", va="center", fontsize=font * small, zorder=3)
    for start, end, bend, count in arrows:
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=8 * scale, shrinkA=0,
                                     shrinkB=0, connectionstyle=f"arc3,rad={bend}", color=style.EDGE, lw=0.8,
                                     zorder=1))
        if count > 1:
            ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2, f" x{count}", fontsize=font,
                    ha="left", va="center", color=style.EDGE, zorder=3)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax


def _parents(node: Any) -> tuple:
    """The inputs of a drawn node: the root stays a Value or Tensor (its data is shown), the rest are
    graph nodes (``engine.autograd``'s protocol)."""
    return parents(node_of(node))


def _op_label(node: Any) -> str:
    if hasattr(node, "_prev"):
        return node._op
    fn = node_of(node).fn
    return fn.__name__ if fn is not None else "?"


def _box_text(node: Any, show_grad: bool) -> str:
    if hasattr(node, "_prev"):
        lines = [node.label] if node.label else []
        lines.append(f"data {node.data:.4g}")
        if show_grad:
            lines.append(f"grad {node.grad:.4g}")
        return "\n".join(lines)
    lines = [node.name] if getattr(node, "name", None) else []
    shape = tuple(node.out_shape if hasattr(node, "out_shape") else node.shape)
    lines.append(f"shape {shape}")
    grad = getattr(node, "grad", None)
    data = getattr(node, "data", None)  # an operation's node (a Context) keeps no data
    if _size(shape) == 1 and data is not None:
        lines.append(f"data {float(data.reshape(-1)[0]):.4g}")
        if show_grad and grad is not None:
            lines.append(f"grad {float(grad.reshape(-1)[0]):.4g}")
    elif show_grad and grad is not None:
        lines.append(f"|grad| {float((grad * grad).sum()) ** 0.5:.4g}")
    return "\n".join(lines)


def _size(shape: tuple) -> int:
    size = 1
    for n in shape:
        size *= n
    return size


def _order_within_layers(layer: dict, edges: list[tuple]) -> dict:
    """Position of each item in its layer: a few sweeps of the barycenter heuristic against crossings."""
    by_layer: dict[int, list] = {}
    for key, lay in layer.items():  # insertion order: topological, a good start
        by_layer.setdefault(lay, []).append(key)
    preds: dict[Any, list] = {k: [] for k in layer}
    succs: dict[Any, list] = {k: [] for k in layer}
    for src, dst in edges:
        succs[src].append(dst)
        preds[dst].append(src)
    place: dict[Any, float] = {}  # position across the layer, centred on 0

    def centre(items: list) -> None:
        place.update((k, i - (len(items) - 1) / 2) for i, k in enumerate(items))

    layers = sorted(by_layer)
    for lay in layers:
        centre(by_layer[lay])
    for sweep in range(4):  # forwards against the inputs, backwards against the users, twice
        neighbours = preds if sweep % 2 == 0 else succs
        for lay in layers if sweep % 2 == 0 else reversed(layers):
            items = by_layer[lay]
            mean = {k: sum(place[m] for m in nb) / len(nb) for k in items if (nb := neighbours[k])}
            items.sort(key=lambda k: (mean.get(k, place[k]), place[k]))
            centre(items)
    return {k: (lay, i, len(by_layer[lay])) for lay in layers for i, k in enumerate(by_layer[lay])}


def _clip(centre: tuple, towards: tuple, is_box: bool, width: float, height: float) -> tuple:
    """Where the segment from ``centre`` to ``towards`` leaves the box or circle drawn at ``centre``."""
    dx, dy = towards[0] - centre[0], towards[1] - centre[1]
    if is_box:
        t = min(width / 2 / abs(dx) if dx else float("inf"), height / 2 / abs(dy) if dy else float("inf"))
    else:
        t = _RADIUS / ((dx * dx + dy * dy) ** 0.5 or 1.0)
    return centre[0] + t * dx, centre[1] + t * dy
