"""Recurrent cells and sequence models: gradients, equations, padding, the fused path, dtypes, errors."""

import numpy as np
import pytest

import engine
from engine import Tensor, nn
from engine.ops.gru import FusedGRU
from engine.ops.lstm import FusedLSTM
from engine.ops.rnn import FusedRNN

B, T, I, H = 3, 5, 3, 4
LENGTHS = np.array([5, 2, 4])


def rand(*shape, seed=0, dtype=np.float64, scale=1.0):
    return scale * np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def make(kind, fused=False, nonlinearity="tanh", dtype=np.float64, seed=0):
    engine.seed(seed)
    if kind == "rnn":
        return nn.RNN(I, H, nonlinearity=nonlinearity, fused=fused, dtype=dtype)
    return {"lstm": nn.LSTM, "gru": nn.GRU}[kind](I, H, dtype=dtype, fused=fused)


def initial_state(kind, seed=1, dtype=np.float64):
    if kind == "lstm":
        return (Tensor(rand(B, H, seed=seed, dtype=dtype), requires_grad=True),
                Tensor(rand(B, H, seed=seed + 1, dtype=dtype), requires_grad=True))
    return Tensor(rand(B, H, seed=seed, dtype=dtype), requires_grad=True)


def flat(state):
    """The state's tensors as one list."""
    return list(state) if isinstance(state, tuple) else [state]


def set_param(module, dotted, tensor):
    *path, last = dotted.split(".")
    for name in path:
        module = getattr(module, name)
    setattr(module, last, tensor)


def everything(outputs, state):
    """Outputs and final state as one flat tensor, for gradcheck."""
    return engine.concat([outputs.reshape(-1)] + [s.reshape(-1) for s in flat(state)])


def gradcheck_model(model, call, *inputs, **kwargs):
    """gradcheck over every parameter of ``model`` and the given inputs; ``call(*inputs)`` runs the model."""
    names = [n for n, _ in model.named_parameters()]
    params = [p for _, p in model.named_parameters()]

    def fn(*args):
        for name, t in zip(names, args):
            set_param(model, name, t)
        return call(*args[len(names):])

    return engine.gradcheck(fn, *params, *inputs, **kwargs)


# ---- gradcheck of every cell and sequence model ------------------------------------------------------
CELLS = {"rnn": lambda: nn.RNNCell(I, H), "relu": lambda: nn.RNNCell(I, H, nonlinearity="relu"),
         "lstm": lambda: nn.LSTMCell(I, H), "gru": lambda: nn.GRUCell(I, H)}


@pytest.mark.parametrize("kind", CELLS)
def test_cell_gradcheck(kind):
    engine.seed(0)
    cell = CELLS[kind]()
    x = Tensor(rand(B, I, seed=2), requires_grad=True)
    state = initial_state("lstm" if kind == "lstm" else "rnn")
    if kind == "lstm":
        report = gradcheck_model(cell, lambda x, h, c: everything(*cell(x, (h, c))), x, *state)
    else:
        report = gradcheck_model(cell, lambda x, h: cell(x, h), x, state)
    assert report.ok and report.checked == sum(p.data.size for p in cell.parameters()) + x.data.size + sum(
        s.data.size for s in flat(state))


SEQ = [("rnn", False, "tanh"), ("rnn", True, "tanh"), ("rnn", False, "relu"), ("rnn", True, "relu"),
       ("lstm", False, "tanh"), ("lstm", True, "tanh"), ("gru", False, "tanh"), ("gru", True, "tanh")]
KINDS_FUSED = [("rnn", False), ("rnn", True), ("lstm", False), ("lstm", True), ("gru", False), ("gru", True)]


@pytest.mark.parametrize("lengths", [None, LENGTHS], ids=["full", "lengths"])
@pytest.mark.parametrize("kind,fused,nonlinearity", SEQ)
def test_sequence_gradcheck(kind, fused, nonlinearity, lengths):
    model = make(kind, fused, nonlinearity)
    xs = Tensor(rand(B, T, I, seed=3), requires_grad=True)
    state = initial_state(kind)

    def call(xs, *state):
        return everything(*model(xs, state if kind == "lstm" else state[0], lengths=lengths))

    assert gradcheck_model(model, call, xs, *flat(state)).ok


# ---- the sequence model is its cell in a loop --------------------------------------------------------
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_unrolled_equals_cell_in_a_loop(kind):
    model = make(kind)
    xs = rand(B, T, I, seed=4)
    state = initial_state(kind)
    outputs, final = model(xs, state)
    s = state
    for t in range(T):
        s = model.cell(xs[:, t], s)
        np.testing.assert_array_equal(outputs.data[:, t], flat(s)[0].data)
    for a, b in zip(flat(final), flat(s)):
        np.testing.assert_array_equal(a.data, b.data)
    assert [n for n, _ in model.named_parameters()] == [f"cell.{n}" for n, _ in model.cell.named_parameters()]


# ---- the gate equations against an independent numpy of PyTorch's formulas ---------------------------
def sig(z):
    return 1 / (1 + np.exp(-z))


def torch_rnn(x, h, W_ih, W_hh, b_ih, b_hh, act=np.tanh):
    """PyTorch's layout: weights (gates*H, in), two biases, x @ W_ih.T."""
    return act(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)


def torch_lstm(x, h, c, W_ih, W_hh, b_ih, b_hh):
    i, f, g, o = np.split(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh, 4, axis=1)
    c2 = sig(f) * c + sig(i) * np.tanh(g)
    return sig(o) * np.tanh(c2), c2


def torch_gru(x, h, W_ih, W_hh, b_ih, b_hh):
    xr, xz, xn = np.split(x @ W_ih.T + b_ih, 3, axis=1)
    hr, hz, hn = np.split(h @ W_hh.T + b_hh, 3, axis=1)
    r, z = sig(xr + hr), sig(xz + hz)
    n = np.tanh(xn + r * hn)
    return (1 - z) * n + z * h


def as_torch(cell):
    """The cell's parameters in PyTorch's layout (a zero second bias where the cell has one)."""
    W_ih, W_hh = cell.W_xh.data.T, cell.W_hh.data.T
    if isinstance(cell, nn.GRUCell):
        return W_ih, W_hh, cell.b_xh.data, cell.b_hh.data
    return W_ih, W_hh, cell.b_h.data, np.zeros_like(cell.b_h.data)


@pytest.mark.parametrize("kind", ["rnn", "relu", "lstm", "gru"])
def test_cell_equations_match_pytorch_formulas(kind):
    engine.seed(5)
    cell = CELLS[kind]()
    for p in cell.parameters():  # make every gate matter: large, distinct weights
        p.data[...] = rand(*p.shape, seed=p.data.size, scale=0.8)
    x, h, c = rand(B, I, seed=6), rand(B, H, seed=7), rand(B, H, seed=8)
    if kind == "lstm":
        got = cell(x, (h, c))
        want = torch_lstm(x, h, c, *as_torch(cell))
        np.testing.assert_allclose(got[0].data, want[0], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(got[1].data, want[1], rtol=1e-13, atol=1e-15)
    elif kind == "gru":
        np.testing.assert_allclose(cell(x, h).data, torch_gru(x, h, *as_torch(cell)), rtol=1e-13, atol=1e-15)
    else:
        act = np.tanh if kind == "rnn" else (lambda a: np.maximum(a, 0))
        np.testing.assert_allclose(cell(x, h).data, torch_rnn(x, h, *as_torch(cell), act=act), rtol=1e-13,
                                   atol=1e-15)


def test_gate_order_is_checked():
    """The equation test would catch a cell with two gates swapped (f and i)."""
    engine.seed(5)
    cell = nn.LSTMCell(I, H)
    x, h, c = rand(B, I, seed=6), rand(B, H, seed=7), rand(B, H, seed=8)
    W_ih, W_hh, b_ih, b_hh = as_torch(cell)
    swap = np.r_[H:2 * H, 0:H, 2 * H:4 * H]  # i <-> f
    wrong = torch_lstm(x, h, c, W_ih[swap], W_hh[swap], b_ih[swap], b_hh[swap])
    with pytest.raises(AssertionError):
        np.testing.assert_allclose(cell(x, (h, c))[0].data, wrong[0], rtol=1e-13, atol=1e-15)


# ---- padding: a padded batch is each sequence run alone -----------------------------------------------
def run(model, kind, xs, state, lengths=None):
    """Outputs, final state and every gradient, for loss = sum(out * P) + sum(state * Q)."""
    model.zero_grad()
    xs = Tensor(xs, requires_grad=True)
    state = [Tensor(s, requires_grad=True) for s in state]
    out, final = model(xs, tuple(state) if kind == "lstm" else state[0], lengths=lengths)
    P = rand(*out.shape, seed=10)
    loss = (out * P).sum()
    for k, s in enumerate(flat(final)):
        loss = loss + (s * rand(*s.shape, seed=11 + k)).sum()
    loss.backward()
    return {"out": out.data, "final": [s.data for s in flat(final)], "xs": xs.grad,
            "state": [s.grad for s in state], "params": [p.grad.copy() for p in model.parameters()],
            "P": P}


@pytest.mark.parametrize("kind,fused", KINDS_FUSED)
def test_padded_batch_equals_each_sequence_alone(kind, fused):
    model = make(kind, fused)
    xs = rand(B, T, I, seed=12)
    state = [rand(B, H, seed=13 + k) for k in range(2 if kind == "lstm" else 1)]
    for b, n in enumerate(LENGTHS):  # junk after the end of each sequence
        xs[b, n:] = rand(T - n, I, seed=100 + b, scale=50.0)
    batch = run(model, kind, xs, state, LENGTHS)
    param_sum = [np.zeros_like(g) for g in batch["params"]]
    for b, n in enumerate(LENGTHS):
        P_b = batch["P"][b:b + 1, :n]
        model.zero_grad()
        xs_b = Tensor(xs[b:b + 1, :n], requires_grad=True)
        st = [Tensor(s[b:b + 1], requires_grad=True) for s in state]
        out, final = model(xs_b, tuple(st) if kind == "lstm" else st[0])
        loss = (out * P_b).sum()
        for k, s in enumerate(flat(final)):
            loss = loss + (s * rand(B, H, seed=11 + k)[b:b + 1]).sum()
        loss.backward()
        np.testing.assert_allclose(batch["out"][b, :n], out.data[0], rtol=1e-13, atol=1e-15)
        assert not batch["out"][b, n:].any()
        for got, want in zip(batch["final"], flat(final)):
            np.testing.assert_allclose(got[b], want.data[0], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(batch["xs"][b, :n], xs_b.grad[0], rtol=1e-12, atol=1e-14)
        assert not batch["xs"][b, n:].any()  # padded steps receive no gradient
        for got, s in zip(batch["state"], st):
            np.testing.assert_allclose(got[b], s.grad[0], rtol=1e-12, atol=1e-14)
        for acc, p in zip(param_sum, model.parameters()):
            acc += p.grad
    for got, want in zip(batch["params"], param_sum):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


# ---- padding is never read: NaN or inf after the end of a sequence reaches nothing --------------------
NAN_CASES = KINDS_FUSED


def run_with_junk(kind, fused, junk):
    model = make(kind, fused)
    xs = rand(B, T, I, seed=12)
    for b, n in enumerate(LENGTHS):
        xs[b, n:] = junk
    state = [rand(B, H, seed=13 + k) for k in range(2 if kind == "lstm" else 1)]
    return run(model, kind, xs, state, LENGTHS)


@pytest.mark.parametrize("junk", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("kind,fused", NAN_CASES)
def test_padding_is_never_read(kind, fused, junk):
    """Junk in the padded steps changes nothing: outputs, final states and every gradient equal those with
    zeros there, and the padded outputs are exactly 0 (a 0/1 mask multiplied in would give 0 * NaN = NaN)."""
    clean, dirty = run_with_junk(kind, fused, 0.0), run_with_junk(kind, fused, junk)
    pad = np.arange(T)[None, :] >= LENGTHS[:, None]
    assert np.all(dirty["out"][pad] == 0)
    for key in ("out", "xs"):
        np.testing.assert_array_equal(dirty[key], clean[key])
    for a, b in zip(dirty["final"] + dirty["state"] + dirty["params"],
                    clean["final"] + clean["state"] + clean["params"]):
        np.testing.assert_array_equal(a, b)


# ---- fused == unrolled, and a wrong fused backward is caught -----------------------------------------
def assert_fused_equals_unrolled(nonlinearity="tanh", lengths=None, kind="rnn"):
    fused = make(kind, fused=True, nonlinearity=nonlinearity)
    unrolled = make(kind, fused=False, nonlinearity=nonlinearity)
    unrolled.cell = fused.cell
    n = 2 if kind == "lstm" else 1
    xs, state = rand(B, T, I, seed=20), [rand(B, H, seed=21 + k) for k in range(n)]
    a, b = run(fused, kind, xs, state, lengths), run(unrolled, kind, xs, state, lengths)
    np.testing.assert_allclose(a["out"], b["out"], rtol=1e-13, atol=1e-15)
    for fa, fb in zip(a["final"], b["final"]):
        np.testing.assert_allclose(fa, fb, rtol=1e-13, atol=1e-15)
    for ga, gb in zip([a["xs"], *a["state"], *a["params"]], [b["xs"], *b["state"], *b["params"]]):
        np.testing.assert_allclose(ga, gb, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("lengths", [None, LENGTHS], ids=["full", "lengths"])
@pytest.mark.parametrize("kind,nonlinearity", [("rnn", "tanh"), ("rnn", "relu"), ("lstm", "tanh"), ("gru", "tanh")])
def test_fused_equals_unrolled(kind, nonlinearity, lengths):
    assert_fused_equals_unrolled(nonlinearity, lengths, kind)


@pytest.mark.parametrize("kind,op", [("rnn", FusedRNN), ("lstm", FusedLSTM), ("gru", FusedGRU)])
def test_fused_is_the_default_and_one_node(kind, op):
    model = make(kind, fused=True)
    default = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](I, H)
    assert default.fused and not make(kind, fused=False).fused
    out, _ = model(Tensor(rand(B, T, I), requires_grad=True))
    nodes = engine.autograd.topological_order(out._ctx, engine.autograd.parents)
    assert [n.fn for n in nodes if isinstance(n, engine.Context)].count(op) == 1
    assert len([n for n in nodes if isinstance(n, engine.Context)]) <= 3  # the op, and a slice and reshape
    unrolled_out = make(kind, fused=False)(rand(B, T, I))[0]
    assert unrolled_out._ctx.fn is not op


def _buggy_backward(ctx, grad):
    """The real backward with the recurrent weight's gradient off by one step's worth (2%)."""
    grads = list(_real_backward(ctx, grad))
    grads[3] = grads[3] * 1.02
    return tuple(grads)


_real_backward = FusedRNN.backward


def test_wrong_fused_backward_is_caught(monkeypatch):
    monkeypatch.setattr(FusedRNN, "backward", staticmethod(_buggy_backward))
    with pytest.raises(AssertionError):
        assert_fused_equals_unrolled()
    model = make("rnn", fused=True)
    xs = Tensor(rand(B, T, I, seed=3))
    with pytest.raises(engine.GradcheckError):
        gradcheck_model(model, lambda xs: model(xs)[0], xs)


@pytest.mark.parametrize("kind,op,w_hh", [("lstm", FusedLSTM, 4), ("gru", FusedGRU, 3)])
def test_wrong_fused_gated_backward_is_caught(monkeypatch, kind, op, w_hh):
    real = op.backward

    def buggy(ctx, grad):  # dW_hh 2% off
        grads = list(real(ctx, grad))
        grads[w_hh] = grads[w_hh] * 1.02
        return tuple(grads)

    monkeypatch.setattr(op, "backward", staticmethod(buggy))
    with pytest.raises(AssertionError):
        assert_fused_equals_unrolled(kind=kind)


def test_padding_check_catches_a_leak(monkeypatch):
    """If padded steps changed the state, the padded-batch test would fail."""
    from engine.nn import rnn as rnn_module

    monkeypatch.setattr(rnn_module, "_select", lambda keep, new, old: new)
    with pytest.raises(AssertionError):
        test_padded_batch_equals_each_sequence_alone("gru", False)


# ---- float32 end to end ------------------------------------------------------------------------------
@pytest.mark.parametrize("kind,fused", KINDS_FUSED)
def test_float32_end_to_end(kind, fused):
    model = make(kind, fused, dtype=np.float32)
    assert all(p.dtype == np.float32 for p in model.parameters())
    xs = Tensor(rand(B, T, I, dtype=np.float32), requires_grad=True)
    out, final = model(xs, lengths=LENGTHS)
    assert out.dtype == np.float32 and all(s.dtype == np.float32 for s in flat(final))
    (out.sum() + sum(s.sum() for s in flat(final))).backward()
    assert xs.grad.dtype == np.float32
    assert all(p.grad is not None and p.grad.dtype == np.float32 for p in model.parameters())
    with pytest.raises(TypeError, match=r"float64.*float32"):
        model(Tensor(rand(B, T, I)))


# ---- errors name the module and the shapes ----------------------------------------------------------
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_sequence_errors(kind):
    model = make(kind)
    name = type(model).__name__
    with pytest.raises(ValueError, match=rf"{name}: xs must have shape \(batch, time, 3\), got \(2, 3\)"):
        model(rand(2, 3))
    with pytest.raises(ValueError, match=rf"{name}: xs must have shape \(batch, time, 3\), got \(2, 5, 7\)"):
        model(rand(2, 5, 7))
    with pytest.raises(ValueError, match=rf"{name}: lengths must lie in \[1, 5\].*min 0"):
        model(rand(3, 5, 3), lengths=[0, 5, 5])
    with pytest.raises(ValueError, match=rf"{name}: lengths must lie in \[1, 5\].*max 6"):
        model(rand(3, 5, 3), lengths=[1, 6, 5])
    with pytest.raises(ValueError, match=rf"{name}: lengths must have shape \(batch,\) = \(3,\), got \(2,\)"):
        model(rand(3, 5, 3), lengths=[1, 2])
    with pytest.raises(TypeError, match=rf"{name}: lengths must be integers"):
        model(rand(3, 5, 3), lengths=[1.5, 2, 3])
    bad_state = (rand(3, 5), rand(3, 4)) if kind == "lstm" else rand(3, 5)
    with pytest.raises(ValueError, match=rf"{name}: each state tensor must have shape .* \(3, 4\), got \(3, 5\)"):
        model(rand(3, 5, 3), bad_state)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_cell_errors(kind):
    cell = CELLS[kind]()
    name = type(cell).__name__
    with pytest.raises(ValueError, match=rf"{name}: x must have shape \(batch, 3\), got \(2, 4\)"):
        cell(rand(2, 4))
    if kind == "lstm":
        with pytest.raises(TypeError, match=r"LSTMCell: the state must be \(h, c\)"):
            cell(rand(2, 3), rand(2, 4))
    with pytest.raises(ValueError, match=r"RNNCell: nonlinearity must be 'tanh' or 'relu', got 'sigmoid'"):
        nn.RNNCell(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match=rf"{name}: hidden_size must be a positive integer, got 0"):
        type(cell)(3, 0)


def test_zero_state_default_and_repr():
    model = make("lstm")
    xs = rand(B, T, I)
    zeros = (np.zeros((B, H)), np.zeros((B, H)))
    out1, _ = model(xs)
    out2, _ = model(xs, zeros)
    np.testing.assert_array_equal(out1.data, out2.data)
    assert repr(nn.RNN(3, 4, nonlinearity="relu", fused=False)) == (
        "RNN(\n  fused=False\n  (cell): RNNCell(input_size=3, hidden_size=4, nonlinearity='relu')\n)")
    assert repr(nn.GRU(3, 4, dtype=np.float32)) == (
        "GRU(\n  (cell): GRUCell(input_size=3, hidden_size=4, dtype=float32)\n)")


def test_initialisation_as_pytorch_and_reproducible():
    engine.seed(3)
    a = nn.LSTM(3, 16)
    engine.seed(3)
    b = nn.LSTM(3, 16)
    for (_name, p), q in zip(a.named_parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
        assert np.abs(p.data).max() <= 1 / 4  # U(-1/sqrt(H), 1/sqrt(H))
        assert np.abs(p.data).max() > 0.2
    assert [n for n, _ in a.named_parameters()] == ["cell.W_xh", "cell.W_hh", "cell.b_h"]
    assert a.cell.W_xh.shape == (3, 64) and a.cell.W_hh.shape == (16, 64) and a.cell.b_h.shape == (64,)
    g = nn.GRU(3, 16)
    assert [(n, p.shape) for n, p in g.named_parameters()] == [
        ("cell.W_xh", (3, 48)), ("cell.W_hh", (16, 48)), ("cell.b_xh", (48,)), ("cell.b_hh", (48,))]


def test_lstm_forget_bias_sets_only_the_forget_slice():
    engine.seed(5)
    plain = nn.LSTM(3, 4)
    engine.seed(5)
    biased = nn.LSTM(3, 4, forget_bias=1.0)
    b0, b1 = plain.cell.b_h.data, biased.cell.b_h.data
    np.testing.assert_array_equal(b1[4:8], np.ones(4))
    np.testing.assert_array_equal(np.delete(b1, np.s_[4:8]), np.delete(b0, np.s_[4:8]))
    assert not np.allclose(b0[4:8], 1.0)  # the test would see a no-op option
    with pytest.raises(ValueError, match="LSTMCell: forget_bias must be a finite number"):
        nn.LSTMCell(3, 4, forget_bias=float("nan"))
