"""Stacked and bidirectional RNN/LSTM/GRU: against a hand-composed stack of the engine's own cells, fused
against unrolled, gradcheck, lengths in every combination, dropout between layers, state shapes, and
against stored PyTorch results (tests/fixtures/, see its README)."""

from pathlib import Path

import numpy as np
import pytest

import engine
from engine import Tensor, nn

B, T, I, H = 3, 5, 3, 4
LENGTHS = np.array([5, 2, 4])
FIXTURES = Path(__file__).parent / "fixtures"


def rand(*shape, seed=0, scale=1.0):
    return scale * np.random.default_rng(seed).standard_normal(shape)


def make(kind, layers, bidirectional, fused=True, dropout=0.0, seed=0, input_size=I):
    engine.seed(seed)
    cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
    return cls(input_size, H, num_layers=layers, bidirectional=bidirectional, fused=fused, dropout=dropout)


def flat(state):
    return list(state) if isinstance(state, tuple) else [state]


def start_state(kind, n, seed=30):
    parts = [rand(n, B, H, seed=seed + k) for k in range(2 if kind == "lstm" else 1)]
    return parts


def by_hand(model, kind, xs, state_parts, lengths):
    """Each sequence alone (cut to its length, no padding), through the model's cells in Python loops:
    layer by layer, the backward direction reading the sequence reversed."""
    D = 2 if model.bidirectional else 1
    outs = np.zeros((B, T, D * H))
    finals = [np.zeros_like(p) for p in state_parts]
    for b in range(B):
        n = T if lengths is None else lengths[b]
        inputs = xs[b:b + 1, :n]
        for layer in range(model.num_layers):
            per_dir = []
            for d in range(D):
                cell = getattr(model, model.cell_name(layer, d))
                k = layer * D + d
                s = tuple(Tensor(p[k, b:b + 1]) for p in state_parts)
                s = s if kind == "lstm" else s[0]
                seq = inputs if d == 0 else inputs[:, ::-1]
                hs = []
                for t in range(n):
                    s = cell(seq[:, t], s)
                    hs.append(flat(s)[0].data[0])
                hs = np.array(hs) if d == 0 else np.array(hs)[::-1]
                per_dir.append(hs)
                for f, part in zip(finals, flat(s)):
                    f[k, b] = part.data[0]
            inputs = np.concatenate(per_dir, axis=1)[None]
        outs[b, :n] = inputs[0]
    return outs, finals


CONFIGS = [(layers, bi) for layers in (1, 2, 3) for bi in (False, True) if layers > 1 or bi]


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "unrolled"])
@pytest.mark.parametrize("lengths", [None, LENGTHS], ids=["full", "lengths"])
@pytest.mark.parametrize("layers,bi", CONFIGS, ids=[f"L{n}{'-bi' if b else ''}" for n, b in CONFIGS])
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_equals_a_hand_composed_stack_of_cells(kind, layers, bi, lengths, fused):
    model = make(kind, layers, bi, fused)
    D = 2 if bi else 1
    xs = rand(B, T, I, seed=1)
    if lengths is not None:  # junk after each end: never read
        for b, n in enumerate(lengths):
            xs[b, n:] = np.nan
    parts = start_state(kind, layers * D)
    out, final = model(xs, tuple(parts) if kind == "lstm" else parts[0], lengths=lengths)
    want_out, want_final = by_hand(model, kind, np.nan_to_num(xs), parts, lengths)
    assert out.shape == (B, T, D * H)
    np.testing.assert_allclose(out.data, want_out, rtol=1e-12, atol=1e-14)
    for got, want in zip(flat(final), want_final):
        assert got.shape == (layers * D, B, H)
        np.testing.assert_allclose(got.data, want, rtol=1e-12, atol=1e-14)


def test_the_hand_composition_would_catch_a_backward_direction_that_reads_padding():
    """Reversing the whole padded row (not each sequence within its length) is caught."""
    from engine.nn import rnn as rnn_module

    original = rnn_module.reverse_index
    try:
        rnn_module.reverse_index = lambda batch, steps, lengths: original(batch, steps, None)
        with pytest.raises(AssertionError):
            test_equals_a_hand_composed_stack_of_cells("gru", 1, True, LENGTHS, True)
    finally:
        rnn_module.reverse_index = original


def run(model, kind, xs, parts, lengths):
    model.zero_grad()
    xs = Tensor(xs, requires_grad=True)
    st = [Tensor(p, requires_grad=True) for p in parts]
    out, final = model(xs, tuple(st) if kind == "lstm" else st[0], lengths=lengths)
    loss = (out * Tensor(rand(*out.shape, seed=40))).sum()
    for k, s in enumerate(flat(final)):
        loss = loss + (s * Tensor(rand(*s.shape, seed=41 + k))).sum()
    loss.backward()
    return [out.data, *[s.data for s in flat(final)], xs.grad, *[s.grad for s in st],
            *[p.grad for p in model.parameters()]]


@pytest.mark.parametrize("lengths", [None, LENGTHS], ids=["full", "lengths"])
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_fused_equals_unrolled_stacked_bidirectional(kind, lengths):
    fused, unrolled = make(kind, 2, True, True), make(kind, 2, True, False)
    parts = start_state(kind, 4)
    xs = rand(B, T, I, seed=2)
    for a, b in zip(run(fused, kind, xs, parts, lengths), run(unrolled, kind, xs, parts, lengths)):
        np.testing.assert_allclose(a, b, rtol=1e-11, atol=1e-13)


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "unrolled"])
@pytest.mark.parametrize("kind,lengths", [("rnn", LENGTHS), ("lstm", None), ("lstm", LENGTHS), ("gru", LENGTHS)])
def test_gradcheck_stacked_bidirectional(kind, lengths, fused):
    engine.seed(0)
    cls = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind]
    model = cls(2, 3, num_layers=2, bidirectional=True, fused=fused)
    names = [n for n, _ in model.named_parameters()]
    xs = Tensor(rand(B, 4, 2, seed=3), requires_grad=True)
    lens = None if lengths is None else np.array([4, 1, 3])

    def fn(*args):
        for name, t in zip(names, args):
            cell, attr = name.split(".")
            setattr(getattr(model, cell), attr, t)
        out, final = model(args[-1], lengths=lens)
        return engine.concat([out.reshape(-1)] + [s.reshape(-1) for s in flat(final)])

    assert engine.gradcheck(fn, *model.parameters(), xs).ok


# ---- padding is never read, in every combination -------------------------------------------------------
@pytest.mark.parametrize("fused", [True, False], ids=["fused", "unrolled"])
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_nan_padding_reaches_nothing_stacked_bidirectional(kind, fused):
    model = make(kind, 2, True, fused)
    parts = start_state(kind, 4)
    clean = rand(B, T, I, seed=4)
    dirty = clean.copy()
    for b, n in enumerate(LENGTHS):
        clean[b, n:], dirty[b, n:] = 0.0, np.inf
    got, want = run(model, kind, dirty, parts, LENGTHS), run(model, kind, clean, parts, LENGTHS)
    assert np.all(got[0][np.arange(T)[None, :] >= LENGTHS[:, None]] == 0)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


# ---- dropout between layers ------------------------------------------------------------------------------
def test_dropout_acts_between_layers_in_training_only():
    model = make("lstm", 2, False, dropout=0.5)
    xs = rand(B, T, I, seed=5)
    plain = make("lstm", 2, False, dropout=0.0)
    engine.seed(7)
    a = model(xs)[0].data
    engine.seed(7)
    b = model(xs)[0].data
    np.testing.assert_array_equal(a, b)  # the mask comes from engine.rng(): reproducible
    assert not np.allclose(a, plain(xs)[0].data)
    model.eval()
    np.testing.assert_array_equal(model(xs)[0].data, plain(xs)[0].data)
    one = make("gru", 1, False, dropout=0.5)  # one layer: nothing between layers, no effect
    np.testing.assert_array_equal(one(xs)[0].data, make("gru", 1, False)(xs)[0].data)


def test_dropout_mask_is_applied_to_the_upper_layers_input():
    """Training-mode output equals the hand-composed stack with the same mask applied to layer 1's input."""
    model = make("rnn", 2, False, dropout=0.4)
    xs = rand(B, T, I, seed=6)
    engine.seed(11)
    out = model(xs)[0].data
    engine.seed(11)
    mask = (engine.rng().random((B, T, H)) >= 0.4) / 0.6
    h0 = model.cell(Tensor(xs[:, 0]))
    lower = [h0]
    for t in range(1, T):
        lower.append(model.cell(Tensor(xs[:, t]), lower[-1]))
    upper_in = np.stack([h.data for h in lower], axis=1) * mask
    h = None
    for t in range(T):
        h = model.cell_l1(Tensor(upper_in[:, t]), h)
        np.testing.assert_allclose(out[:, t], h.data, rtol=1e-12, atol=1e-14)


# ---- state shapes, names, errors ---------------------------------------------------------------------------
def test_state_shapes_single_layer_kept_and_pytorch_shapes_otherwise():
    xs = rand(B, T, I)
    assert make("gru", 1, False)(xs)[1].shape == (B, H)
    assert [s.shape for s in make("lstm", 1, False)(xs)[1]] == [(B, H), (B, H)]
    assert make("gru", 2, False)(xs)[1].shape == (2, B, H)
    assert make("rnn", 1, True)(xs)[1].shape == (2, B, H)
    assert [s.shape for s in make("lstm", 3, True)(xs)[1]] == [(6, B, H), (6, B, H)]
    assert make("rnn", 2, True)(xs)[0].shape == (B, T, 2 * H)


def test_parameter_names_follow_pytorchs_suffixes():
    names = [n for n, _ in make("lstm", 2, True).named_parameters()]
    assert names == [f"{c}.{w}" for c in ("cell", "cell_l0_reverse", "cell_l1", "cell_l1_reverse")
                     for w in ("W_xh", "W_hh", "b_h")]
    model = make("gru", 2, True)
    assert model.cell_l1.W_xh.shape == (2 * H, 3 * H)  # layer 1 reads both directions of layer 0
    assert "num_layers=2, bidirectional=True" in repr(model)


def test_forget_bias_reaches_every_cell():
    engine.seed(0)
    model = nn.LSTM(I, H, forget_bias=1.0, num_layers=2, bidirectional=True)
    for name in ("cell", "cell_l0_reverse", "cell_l1", "cell_l1_reverse"):
        np.testing.assert_array_equal(getattr(model, name).b_h.data[H:2 * H], 1.0)


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_errors_name_the_expected_state_shape(kind):
    model = make(kind, 2, True)
    bad = np.zeros((2, B, H))
    with pytest.raises(engine.ShapeError, match=r"\(num_layers \* num_directions, batch, hidden\) = \(4, 3, 4\)"):
        model(rand(B, T, I), (bad, bad) if kind == "lstm" else bad)
    with pytest.raises(ValueError, match="num_layers"):
        make(kind, 0, False)
    with pytest.raises(TypeError, match="bidirectional"):
        {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[kind](I, H, bidirectional=1)
    with pytest.raises(ValueError, match="dropout"):
        make(kind, 2, False, dropout=1.5)


# ---- stored PyTorch results --------------------------------------------------------------------------------
def load_case(kind, lengths):
    with np.load(FIXTURES / "torch_stacked_rnn.npz", allow_pickle=False) as z:
        prefix = f"{kind}_{'lengths' if lengths else 'full'}_"
        return {k[len(prefix):]: z[k] for k in z.files if k.startswith(prefix)}


def engine_from_torch(kind, case):
    """An engine model with the PyTorch weights: W_xh = weight_ih.T, W_hh = weight_hh.T, biases summed
    (RNN, LSTM) or kept apart (GRU)."""
    model = make(kind, 2, True, input_size=case["xs"].shape[2])
    for layer in range(2):
        for d in range(2):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            cell = getattr(model, model.cell_name(layer, d))
            cell.W_xh.data[...] = case["weight_ih" + sfx].T
            cell.W_hh.data[...] = case["weight_hh" + sfx].T
            if kind == "gru":
                cell.b_xh.data[...], cell.b_hh.data[...] = case["bias_ih" + sfx], case["bias_hh" + sfx]
            else:
                cell.b_h.data[...] = case["bias_ih" + sfx] + case["bias_hh" + sfx]
    return model


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "unrolled"])
@pytest.mark.parametrize("lengths", [False, True], ids=["full", "lengths"])
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_matches_pytorch_fixtures(kind, lengths, fused):
    case = load_case(kind, lengths)
    model = engine_from_torch(kind, case)
    model.fused = fused
    xs = Tensor(case["xs"], requires_grad=True)
    st = [Tensor(case[n], requires_grad=True) for n in (("h0", "c0") if kind == "lstm" else ("h0",))]
    out, final = model(xs, tuple(st) if kind == "lstm" else st[0], lengths=case.get("lengths"))
    np.testing.assert_allclose(out.data, case["out"], rtol=1e-10, atol=1e-12)
    names = ("h", "c") if kind == "lstm" else ("h",)
    loss = (out * Tensor(case["P"])).sum()
    for n, s in zip(names, flat(final)):
        np.testing.assert_allclose(s.data, case[n], rtol=1e-10, atol=1e-12)
        loss = loss + (s * Tensor(case["Q_" + n])).sum()
    loss.backward()
    np.testing.assert_allclose(xs.grad, case["grad_xs"], rtol=1e-9, atol=1e-11)
    for n, s in zip(("h0", "c0"), st):
        np.testing.assert_allclose(s.grad, case["grad_" + n], rtol=1e-9, atol=1e-11)
    for layer in range(2):
        for d in range(2):
            sfx = f"_l{layer}" + ("_reverse" if d else "")
            cell = getattr(model, model.cell_name(layer, d))
            np.testing.assert_allclose(cell.W_xh.grad, case["grad_weight_ih" + sfx].T, rtol=1e-9, atol=1e-11)
            np.testing.assert_allclose(cell.W_hh.grad, case["grad_weight_hh" + sfx].T, rtol=1e-9, atol=1e-11)
            if kind == "gru":
                np.testing.assert_allclose(cell.b_hh.grad, case["grad_bias_hh" + sfx], rtol=1e-9, atol=1e-11)
            else:  # b_h = bias_ih + bias_hh: each of PyTorch's two biases gets the same gradient as b_h
                np.testing.assert_allclose(cell.b_h.grad, case["grad_bias_ih" + sfx], rtol=1e-9, atol=1e-11)
