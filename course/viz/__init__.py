"""Pictures and widgets for the book, on top of the engine (matplotlib/ipywidgets, imported when used).

One concept per module: ``graph`` (the computation graph, ``draw_graph``), ``curves`` (loss and
gradient-norm curves), ``heatmap`` (hidden states, attention), ``unrolled`` (the RNN drawn as a
chain), ``widgets`` (interactive explorers with a static fallback), ``bptt`` (the gradient flowing
back through time), ``sampling`` (temperature); ``style`` holds the one palette.
"""

from .graph import draw_graph

__all__ = ["draw_graph"]
