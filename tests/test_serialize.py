"""engine/serialize.py: save and load parameters as .npz, never unpickling."""

import numpy as np
import pytest

import engine
from engine import Tensor, nn


def model(seed):
    engine.seed(seed)

    class Net(nn.Module):
        def __init__(self):
            self.rnn = nn.LSTM(3, 4, num_layers=2, bidirectional=True)
            self.head = nn.Linear(8, 2)

    return Net()


def test_round_trip_restores_every_parameter(tmp_path):
    a, b = model(0), model(1)
    path = tmp_path / "m.npz"
    engine.save(a, path)
    state = engine.load(path)
    assert list(state) == [n for n, _ in a.named_parameters()]
    assert "rnn.cell_l1_reverse.W_hh" in state and "head.W" in state
    assert not all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), b.parameters()))
    b.load_state_dict(state)
    for (n, p), (m, q) in zip(a.named_parameters(), b.named_parameters()):
        assert n == m and np.array_equal(p.data, q.data) and p.dtype == q.dtype


def test_save_accepts_a_dict_of_arrays_tensors_and_numbers(tmp_path):
    path = tmp_path / "d.npz"
    engine.save({"a": np.arange(3.0), "b": Tensor([1.0, 2.0]), "c": 5}, str(path))
    got = engine.load(path)
    np.testing.assert_array_equal(got["a"], [0, 1, 2])
    np.testing.assert_array_equal(got["b"], [1, 2])
    assert got["c"] == 5


def test_a_pickle_bearing_file_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, W=np.ones(3), payload=np.array([{"code": "anything"}], dtype=object))
    with pytest.raises(ValueError, match="'payload'.*pickle"):
        engine.load(path)
    with pytest.raises(TypeError, match="save.*'x'.*object"):
        engine.save({"x": np.array([None], dtype=object)}, tmp_path / "o.npz")


def test_bad_paths_and_files(tmp_path):
    with pytest.raises(ValueError, match="save.*npz"):
        engine.save({"a": np.ones(1)}, tmp_path / "m.pkl")
    with pytest.raises(ValueError, match="load.*npz"):
        engine.load(tmp_path / "m.pt")
    with pytest.raises(FileNotFoundError):
        engine.load(tmp_path / "missing.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip")
    with pytest.raises(ValueError, match="load"):
        engine.load(tmp_path / "junk.npz")
    with pytest.raises(TypeError, match="save.*Module or a dict"):
        engine.save([1, 2], tmp_path / "l.npz")
