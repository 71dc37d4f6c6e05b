"""The numpy peak finder against scipy.signal.find_peaks (the definitions it follows)."""

from __future__ import annotations

import numpy as np
import pytest

from ava_detect.signals.peaks import find_peaks, local_maxima, prominences

signal = pytest.importorskip("scipy.signal", reason="SciPy (test extra) is the reference")


@pytest.mark.parametrize("seed", range(40))
def test_same_peaks_as_scipy_on_random_outlines(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(20, 600))
    x = np.convolve(rng.standard_normal(n), np.ones(5) / 5, mode="same")
    if seed % 3 == 0:
        x = np.round(x, 1)  # flat tops
    height, prom, dist = float(rng.uniform(-0.5, 0.3)), float(rng.uniform(0, 0.6)), int(
        rng.integers(1, 12))
    ref, _ = signal.find_peaks(x, height=height, prominence=prom, distance=dist)
    assert find_peaks(x, height=height, prominence=prom, distance=dist).tolist() == ref.tolist()


def test_flat_top_counts_once_in_its_middle_and_ends_never_count():
    x = np.array([3.0, 1, 2, 2, 2, 2, 1, 0, 5])
    assert local_maxima(x).tolist() == [3]


def test_prominence_of_a_peak_between_higher_ones():
    x = np.array([0.0, 5, 1, 3, 2, 6, 0])
    assert prominences(x, np.array([3])).tolist() == [1.0]  # 3 above the higher valley, 2
    assert prominences(x, np.array([5])).tolist() == [6.0]  # the highest: down to the end
