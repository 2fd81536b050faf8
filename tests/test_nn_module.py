"""Module (parameter discovery, names, repr), Linear, Embedding and the initialisers."""

import numpy as np
import pytest

import engine
from engine import Tensor, nn
from engine.nn import init


class Two(nn.Module):
    def __init__(self):
        self.first = nn.Linear(2, 3)
        self.blocks = [nn.Linear(3, 3), nn.Linear(3, 1, bias=False)]
        self.shared = self.first  # the same module twice: its parameters are listed once
        self.scale = Tensor(np.ones(1), requires_grad=True)
        self.constant = Tensor(np.ones(1))  # requires_grad=False: not a parameter

    def forward(self, x):
        h = self.first(x).tanh()
        for block in self.blocks:
            h = block(h)
        return h * self.scale


def test_parameters_in_attribute_order_without_duplicates():
    m = Two()
    names = [n for n, _ in m.named_parameters()]
    assert names == ["first.W", "first.b", "blocks.0.W", "blocks.0.b", "blocks.1.W", "scale"]
    assert [id(p) for p in m.parameters()] == [id(p) for _, p in m.named_parameters()]
    m(np.ones((4, 2))).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_parameter_check_would_catch_a_duplicate():
    m = Two()
    ids = [id(p) for p in m.parameters()] + [id(m.first.W)]
    assert len(set(ids)) != len(ids)


def test_repr_is_a_tree_with_sizes():
    assert repr(Two()) == (
        "Two(\n"
        "  (first): Linear(in_features=2, out_features=3, bias=True)\n"
        "  (blocks.0): Linear(in_features=3, out_features=3, bias=True)\n"
        "  (blocks.1): Linear(in_features=3, out_features=1, bias=False)\n"
        "  (shared): Linear(in_features=2, out_features=3, bias=True)\n"
        ")")
    assert repr(nn.Embedding(65, 8, dtype=np.float32)) == "Embedding(65, 8, dtype=float32)"


def test_forward_not_defined():
    with pytest.raises(NotImplementedError, match="Module does not define forward"):
        nn.Module()(1)


def test_linear_computes_xW_plus_b_and_its_gradients():
    engine.seed(0)
    lin = nn.Linear(3, 2)
    x = np.random.default_rng(1).standard_normal((5, 3))
    np.testing.assert_array_equal(lin(x).data, x @ lin.W.data + lin.b.data)
    xs = np.random.default_rng(2).standard_normal((2, 4, 3))
    np.testing.assert_allclose(lin(xs).data, xs @ lin.W.data + lin.b.data, rtol=1e-14)
    assert engine.gradcheck(lambda x, W, b: _linear(lin, x, W, b),
                            Tensor(xs, requires_grad=True), lin.W, lin.b).ok
    bound = 1 / np.sqrt(3)
    assert np.abs(lin.W.data).max() <= bound and np.abs(lin.b.data).max() <= bound


def _linear(lin, x, W, b):
    lin.W, lin.b = W, b
    return lin(x)


def test_linear_errors_and_dtype():
    lin = nn.Linear(3, 2, dtype=np.float32)
    with pytest.raises(ValueError, match=r"Linear: expected inputs of shape \(\.\.\., 3\), got \(4, 2\)"):
        lin(np.ones((4, 2)))
    y = lin(np.ones((4, 3)))
    y.sum().backward()
    assert y.dtype == np.float32 and lin.W.grad.dtype == np.float32 and lin.b.grad.dtype == np.float32
    with pytest.raises(TypeError, match="Linear: the input is float64 but the module's parameters are float32"):
        lin(Tensor(np.ones((4, 3))))
    with pytest.raises(ValueError, match="Linear: in_features must be a positive integer, got 0"):
        nn.Linear(0, 2)
    with pytest.raises(TypeError, match="Linear: dtype must be float32 or float64, got int64"):
        nn.Linear(2, 2, dtype=np.int64)


def test_embedding_gathers_rows_and_sums_repeated_gradients():
    engine.seed(0)
    emb = nn.Embedding(5, 3)
    ids = np.array([[1, 4, 1], [0, 1, 2]])
    out = emb(ids)
    np.testing.assert_array_equal(out.data, emb.W.data[ids])
    np.testing.assert_array_equal(out.data, np.eye(5)[ids] @ emb.W.data)  # a one-hot matmul, without it
    g = np.random.default_rng(1).standard_normal(out.shape)
    out.backward(g)
    want = np.zeros((5, 3))
    for (b, t), i in np.ndenumerate(ids):
        want[i] += g[b, t]
    np.testing.assert_allclose(emb.W.grad, want, rtol=1e-15)
    assert want[1].any() and not want[3].any()
    assert engine.gradcheck(lambda W: _embed(emb, W, ids), emb.W).ok


def _embed(emb, W, ids):
    emb.W = W
    return emb(ids)


def test_embedding_errors():
    emb = nn.Embedding(5, 3)
    with pytest.raises(IndexError, match=r"Embedding: id 5 is out of range for 5 embeddings \(ids of shape \(2,\)\)"):
        emb([0, 5])
    with pytest.raises(TypeError, match="Embedding: ids must be integers, got dtype float64"):
        emb([0.5, 1])


# ---- initialisers ------------------------------------------------------------------------------------
def t(*shape):
    return Tensor(np.zeros(shape), requires_grad=True)


def test_initialisers_are_reproducible_with_engine_seed():
    for fn in (lambda w: init.uniform_(w, -1, 1), init.xavier_uniform_, init.orthogonal_, init.normal_):
        engine.seed(7)
        a = fn(t(4, 6)).data.copy()
        engine.seed(7)
        b = fn(t(4, 6)).data.copy()
        c = fn(t(4, 6)).data.copy()
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c)


def test_uniform_and_xavier_bounds():
    engine.seed(0)
    w = init.uniform_(t(200, 50), -0.1, 0.3).data
    assert -0.1 <= w.min() < -0.09 and 0.29 < w.max() <= 0.3
    w = init.xavier_uniform_(t(20, 30)).data
    bound = np.sqrt(6 / 50)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound


@pytest.mark.parametrize("shape", [(6, 6), (4, 8), (8, 4)])
def test_orthogonal(shape):
    engine.seed(0)
    w = init.orthogonal_(t(*shape), gain=2.0).data
    small = min(shape)
    gram = w.T @ w if shape[0] >= shape[1] else w @ w.T
    np.testing.assert_allclose(gram, 4 * np.eye(small), atol=1e-12)
    # the check would catch a merely random matrix
    assert not np.allclose(np.random.default_rng(0).standard_normal((small, small)), np.eye(small), atol=1e-3)


def test_identity_for_irnn():
    cell = nn.RNNCell(3, 4)
    init.identity_(cell.W_hh)
    init.zeros_(cell.b_h)
    np.testing.assert_array_equal(cell.W_hh.data, np.eye(4))
    assert not cell.b_h.data.any()
    with pytest.raises(ValueError, match=r"init.identity_: needs a matrix, got a tensor of shape \(4,\)"):
        init.identity_(cell.b_h)
    with pytest.raises(TypeError, match="init.uniform_: expected a Tensor, got ndarray"):
        init.uniform_(np.zeros(3), 0, 1)


# ---- train/eval, state_dict/load_state_dict ----------------------------------------------------------
class Stack(nn.Module):
    def __init__(self):
        self.emb = nn.Embedding(5, 3)
        self.drop = nn.Dropout(0.5)
        self.layers = [nn.Linear(3, 4), nn.Linear(4, 2)]


def test_train_and_eval_reach_every_submodule():
    m = Stack()
    assert m.training and m.drop.training
    assert m.eval() is m
    assert [x.training for x in m.modules()] == [False] * 5
    m.train()
    assert all(x.training for x in m.modules())
    with pytest.raises(TypeError, match="train: mode"):
        m.train("no")


def test_state_dict_names_are_dotted_paths_and_values_are_copies():
    engine.seed(0)
    m = Stack()
    sd = m.state_dict()
    assert list(sd) == ["emb.W", "layers.0.W", "layers.0.b", "layers.1.W", "layers.1.b"]
    sd["emb.W"][...] = 7
    assert not (m.emb.W.data == 7).any()


def test_load_state_dict_copies_in_place_and_checks_names_and_shapes():
    engine.seed(0)
    a = Stack()
    engine.seed(1)
    b = Stack()
    W = b.layers[0].W
    b.load_state_dict(a.state_dict())
    assert b.layers[0].W is W  # same tensor: an optimizer holding it keeps working
    for p, q in zip(a.parameters(), b.parameters()):
        np.testing.assert_array_equal(p.data, q.data)
    sd = a.state_dict()
    del sd["layers.1.b"]
    sd["extra"] = np.ones(1)
    with pytest.raises(KeyError, match=r"missing \['layers.1.b'\], unexpected \['extra'\]"):
        b.load_state_dict(sd)
    b.load_state_dict(sd, strict=False)
    sd = a.state_dict()
    sd["layers.0.W"] = np.ones((4, 3))
    with pytest.raises(engine.ShapeError, match=r"'layers.0.W' has shape \(4, 3\).*\(3, 4\)"):
        b.load_state_dict(sd)
    with pytest.raises(TypeError, match="dict"):
        b.load_state_dict([1])


# ---- Embedding(padding_idx) ---------------------------------------------------------------------------
def test_embedding_padding_row_starts_at_zero_and_never_gets_a_gradient():
    engine.seed(0)
    emb = nn.Embedding(4, 3, padding_idx=0)
    assert not emb.W.data[0].any() and emb.W.data[1:].all()
    ids = np.array([[1, 0, 2, 0], [0, 0, 1, 3]])
    (emb(ids) * Tensor(np.arange(24.0).reshape(2, 4, 3))).sum().backward()
    assert not emb.W.grad[0].any()
    engine.seed(0)
    plain = nn.Embedding(4, 3)
    (plain(ids) * Tensor(np.arange(24.0).reshape(2, 4, 3))).sum().backward()
    np.testing.assert_array_equal(emb.W.grad[1:], plain.W.grad[1:])
    assert plain.W.grad[0].any()  # without padding_idx the row would learn: the check can fail
    assert nn.Embedding(4, 3, padding_idx=-1).padding_idx == 3
    assert "padding_idx=3" in repr(nn.Embedding(4, 3, padding_idx=-1))
    with pytest.raises(ValueError, match="padding_idx"):
        nn.Embedding(4, 3, padding_idx=4)
