"""Layers and models built on ``Tensor``: ``Module``, ``Linear``, ``Embedding``, ``Dropout``, the recurrent
cells and the sequence models that run them (stacked, bidirectional, fused or unrolled), and the
initialisers in ``engine.nn.init``."""

from ..ops.rnn import FusedRNN
from . import init
from .dropout import Dropout
from .module import Embedding, Linear, Module
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell

__all__ = ["GRU", "LSTM", "RNN", "Dropout", "Embedding", "FusedRNN", "GRUCell", "LSTMCell", "Linear", "Module",
           "RNNCell", "init"]
