"""Tests of course.data.speech: the shipped clips, mu-law decoding, noise and the voice split."""

from __future__ import annotations

import numpy as np

from course.data import speech


def test_clips_load_with_labels_and_metadata():
    d = speech.load_spoken_digits(snr_db=None)
    assert len(d.clips) == 360 and d.sample_rate == 8000 and d.words[3] == "three"
    assert np.array_equal(np.bincount(d.labels), np.full(10, 36))
    lengths = np.array([len(x) for x in d.clips]) / d.sample_rate
    assert 0.15 < lengths.min() and lengths.max() < 1.2
    peaks = np.array([np.abs(x).max() for x in d.clips])
    assert np.allclose(peaks, 0.9, atol=0.02)    # scaled to 0.9 before encoding
    assert set(d.variant) >= set(speech.VAL_VARIANTS + speech.TEST_VARIANTS)


def test_mu_law_decode_inverts_the_encoder_curve():
    x = np.linspace(-1, 1, 1001)
    y = np.sign(x) * np.log1p(255 * np.abs(x)) / np.log1p(255)
    codes = np.round((y + 1) / 2 * 255).astype(np.uint8)
    back = speech.mu_law_decode(codes)
    assert (np.abs(back - x) <= 0.025 * np.abs(x) + 1e-3).all()   # a relative error of 2.5% at most
    assert np.abs(back - x)[np.abs(x) < 0.01].max() < 0.001     # fine steps near zero
    assert np.allclose(speech.mu_law_decode(np.array([0, 255])), [-1.0, 1.0], rtol=0, atol=1e-12)


def test_noise_has_the_asked_snr_and_is_seeded():
    x = np.sin(np.arange(80000) / 5.0)
    noisy = speech.add_noise(x, 10.0, np.random.default_rng(0))
    snr = 10 * np.log10(np.mean(x ** 2) / np.mean((noisy - x) ** 2))
    assert abs(snr - 10.0) < 0.1
    a, b = speech.load_spoken_digits(20, seed=1), speech.load_spoken_digits(20, seed=1)
    c = speech.load_spoken_digits(20, seed=2)
    assert np.array_equal(a.clips[5], b.clips[5]) and not np.array_equal(a.clips[5], c.clips[5])


def test_voice_split_keeps_held_out_voices_out_of_training():
    d = speech.load_spoken_digits(snr_db=None)
    train, val, test = speech.voice_split(d)
    assert len(train) + len(val) + len(test) == 360
    assert not set(d.variant[train]) & set(d.variant[val]) and not set(d.variant[train]) & set(d.variant[test])
    assert set(d.variant[test]) == set(speech.TEST_VARIANTS)
