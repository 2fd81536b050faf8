"""The tensor engine's differentiable operations, one ``Function`` subclass each, forward beside backward.

``elementwise`` (+ - * / pow tanh sigmoid relu exp log), ``linalg`` (matmul), ``reduce`` (sum mean max
softmax log_softmax), ``shape`` (reshape transpose indexing concat stack), ``loss`` (cross-entropy) and
``rnn`` (a whole Elman RNN sequence with hand-written BPTT). Ops see only numpy arrays; ``Tensor``
methods and ``engine.functional`` call them.
"""
