"""engine/nn/dropout.py and F.dropout: inverted dropout, on in training mode, off in evaluation mode."""

import numpy as np
import pytest

import engine
from engine import F, Tensor, nn


def test_training_drops_about_p_and_scales_the_rest():
    engine.seed(0)
    drop = nn.Dropout(0.3)
    x = Tensor(np.ones((200, 50)), requires_grad=True)
    y = drop(x)
    kept = y.data != 0
    assert abs(1 - kept.mean() - 0.3) < 0.02
    np.testing.assert_allclose(y.data[kept], 1 / 0.7)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, kept / 0.7)  # the gradient takes the same mask


def test_eval_is_the_identity_and_the_mask_is_reproducible():
    x = Tensor(np.arange(12.0).reshape(3, 4))
    drop = nn.Dropout(0.5).eval()
    assert drop(x) is x
    engine.seed(3)
    a = F.dropout(x, 0.5)
    engine.seed(3)
    b = F.dropout(x, 0.5)
    np.testing.assert_array_equal(a.data, b.data)
    assert F.dropout(x, 0.0) is x


@pytest.mark.parametrize("p", [-0.1, 1.0, 2, True, "0.5"])
def test_bad_probabilities_are_refused(p):
    with pytest.raises(ValueError, match="p must lie in"):
        nn.Dropout(p)
