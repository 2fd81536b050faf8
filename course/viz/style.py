"""The book's one palette: every figure takes its colours from here, so a concept keeps its colour.

(The house style for sizes and fonts lives here too, as it grows.)
"""

from __future__ import annotations

OP = "#fde9c9"          # an operation, a cell, the highlighted step
OP_EDGE = "#a0692b"
STATE = "#dbe9f6"       # a hidden state, a leaf value
INPUT = "#e3f1dc"       # an input x_t
OUTPUT = "#f3e0ef"      # an output y_t
NODE = "#f4f4f4"        # an intermediate value
INK = "#3b5b7a"         # outlines, the total gradient, the current step
PALE = "#9db4cc"        # the direct gradient, the other steps
CARRIED = "#f4a261"     # the gradient carried back through time
EDGE = "#555555"        # arrows and their labels
RECURRENT = "#b03a2e"   # the recurrent edge h_{t-1} -> h_t
# matplotlib's tab10, so classes keep their colour across figures
CLASSES = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf"]
