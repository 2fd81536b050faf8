"""The held-out comparison of the training questions (14.4, and 11.5 with the same code) passes a model
that learned and fails one that did not, without ever sending the held-out classes to the student."""

from __future__ import annotations

import numpy as np

from grader.spec import find_question
from grader.specs.ch14 import opening_task


def _verdict(got, seed=3):
    q = find_question("14.4")
    z = opening_task(2 * seed + 1)[1]
    expected = z.copy()
    expected[:10] = (expected[:10] + 1) % 3  # a reference that gets about 98 % right
    return q.verdict(expected, got, (seed,)), z


def test_a_model_as_good_as_the_reference_passes():
    _, z = _verdict(np.zeros(1, dtype=np.int64))
    assert _verdict(z)[0] is None
    almost = z.copy()
    almost[:30] = (almost[:30] + 1) % 3  # 94 %: within 0.05 of the reference's 98 %
    assert _verdict(almost)[0] is None


def test_a_model_below_the_bar_fails_with_its_accuracy():
    _, z = _verdict(np.zeros(1, dtype=np.int64))
    reason = _verdict(np.zeros_like(z))[0]
    assert reason is not None and "held-out accuracy 0.3" in reason and "bar of 0.9" in reason


def test_wrong_shapes_and_types_fail():
    _, z = _verdict(np.zeros(1, dtype=np.int64))
    assert "predicted classes" in _verdict(z[:-1])[0]
    assert "predicted classes" in _verdict(z.astype(float))[0]
    assert "predicted classes" in _verdict([int(v) for v in z])[0]


def test_the_held_out_data_differ_from_the_training_data():
    train, held_out = opening_task(6), opening_task(7)
    assert not np.array_equal(train[0], held_out[0])


def test_the_reference_models_clear_their_own_bar_on_several_seeds():
    """A reference that failed to train on some seed would fail every right answer (and itself)."""
    from grader.reference import function
    from grader.specs.ch11 import _train_sign, sign_task
    from grader.specs.ch14 import _train_opening

    for seed in (77, 1234, 2**30):
        q = find_question("14.4")
        got = _train_opening(function(q), seed)
        assert float(np.mean(got == opening_task(2 * seed + 1)[1])) >= 0.95, seed
        q = find_question("11.5")
        got = _train_sign(function(q), seed)
        assert float(np.mean(got == sign_task(2 * seed + 1)[2])) >= 0.85, seed
