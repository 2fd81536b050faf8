"""Tests of course.data.echo: the targets are the inputs shifted by the delay; bad sizes are named."""

import numpy as np
import pytest

from course.data.echo import delayed_echo


def test_targets_are_the_inputs_delay_steps_back():
    xs, targets = delayed_echo(3, 20, 4, seed=1)
    assert xs.shape == targets.shape == (3, 20, 1) and xs.dtype == np.float64
    np.testing.assert_array_equal(targets[:, 4:], xs[:, :-4])
    # a shift by the wrong delay is not what the task holds
    assert not np.allclose(targets[:, 5:], xs[:, :-5])
    # the first targets come from before the stream: not copies of any input
    assert not np.isin(targets[:, :4], xs).any()


def test_zero_delay_copies_and_the_seed_fixes_the_data():
    xs, targets = delayed_echo(2, 5, 0, seed=3)
    np.testing.assert_array_equal(xs, targets)
    np.testing.assert_array_equal(delayed_echo(2, 5, 1, seed=3)[0], delayed_echo(2, 5, 1, seed=3)[0])
    assert not np.array_equal(delayed_echo(2, 5, 1, seed=3)[0], delayed_echo(2, 5, 1, seed=4)[0])


def test_the_inputs_are_standard_normal():
    xs, _ = delayed_echo(50, 200, 3)
    assert abs(xs.mean()) < 0.05 and abs(xs.std() - 1) < 0.05


@pytest.mark.parametrize("args, message", [
    ((0, 5, 1), "batch must be an integer >= 1"),
    ((2, 0, 0), "steps must be an integer >= 1"),
    ((2, 5, -1), "delay must be an integer >= 0"),
    ((2, 5, 5), "delay must be smaller than steps"),
    ((2, 5.0, 1), "steps must be an integer"),
])
def test_bad_sizes_are_named(args, message):
    with pytest.raises(ValueError, match=message):
        delayed_echo(*args)
