"""signals.rhythm: the 2-7 Hz syllable-rhythm lag on built signals."""

from __future__ import annotations

import numpy as np

from ava_detect.signals.rhythm import bandpass, rhythm_lag


def _syllables(n: int, step: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    t = 0
    while t < n:
        t += int(rng.integers(4, 9))  # a syllable every 160-320 ms at 25 fps
        if t < n:
            x[t] = 1.0
    return np.convolve(x, np.hanning(7), mode="same")


def test_rhythm_lag_recovers_a_built_lag_with_gaps():
    step = 0.04
    voice = _syllables(100, step)
    mouth = np.roll(voice, 3)  # the mouth trails by 3 frames: +120 ms
    mouth[40:45] = np.nan  # no face for a moment
    lag, r = rhythm_lag(mouth, 20 * voice - 40, step, 0.6)
    assert abs(lag - 0.12) < 1e-9 and r > 0.8


def test_bandpass_keeps_the_syllable_band_only():
    step = 0.04
    t = np.arange(200) * step
    slow, syllable = np.sin(2 * np.pi * 0.5 * t), np.sin(2 * np.pi * 4.0 * t)
    out = bandpass(slow + syllable, step)
    assert np.corrcoef(out[20:-20], syllable[20:-20])[0, 1] > 0.95
    assert rhythm_lag(np.full(50, np.nan), np.zeros(50), step, 0.4) is None  # no face
