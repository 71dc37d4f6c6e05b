"""Peaks of a 1-D signal, by height, spacing and prominence (plain numpy).

The fingertip finder needs only this from SciPy's signal package, whose import alone costs
1.5 s per process; :func:`find_peaks` follows the definitions of ``scipy.signal.find_peaks``
for the three conditions used (a test compares the two).
"""

from __future__ import annotations

import numpy as np


def local_maxima(x: np.ndarray) -> np.ndarray:
    """(P,) indices of samples higher than both neighbours; a flat top counts once, at its
    middle (rounded down). The first and last samples are never maxima."""
    x = np.asarray(x, dtype=np.float64)
    out = []
    i, n = 1, len(x)
    while i < n - 1:
        if x[i - 1] < x[i]:
            j = i
            while j + 1 < n - 1 and x[j + 1] == x[i]:
                j += 1
            if x[j + 1] < x[i]:
                out.append((i + j) // 2)
            i = j + 1
        else:
            i += 1
    return np.asarray(out, dtype=np.intp)


def prominences(x: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """(P,) how far each peak stands above the higher of the two lowest points between it and
    the nearest higher sample on each side (or the signal's end)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty(len(peaks))
    for k, p in enumerate(peaks):
        left = p
        while left > 0 and x[left - 1] <= x[p]:
            left -= 1
        right = p
        while right < len(x) - 1 and x[right + 1] <= x[p]:
            right += 1
        out[k] = x[p] - max(x[left : p + 1].min(), x[p : right + 1].min())
    return out


def find_peaks(x: np.ndarray, *, height: float, prominence: float, distance: int
               ) -> np.ndarray:
    """Indices of the peaks of ``x`` at least ``height`` high, ``distance`` samples apart
    (the higher peak wins) and with at least ``prominence``, in increasing order.

    Parameters
    ----------
    x : (N,) float signal.
    height : least value at the peak.
    prominence : least prominence (:func:`prominences`).
    distance : least spacing in samples between kept peaks (>= 1).
    """
    x = np.asarray(x, dtype=np.float64)
    peaks = local_maxima(x)
    peaks = peaks[x[peaks] >= height]
    if distance > 1 and len(peaks) > 1:
        keep = np.ones(len(peaks), bool)
        for k in np.argsort(x[peaks])[::-1]:  # highest first (ties as SciPy orders them)
            if not keep[k]:
                continue
            near = np.abs(peaks - peaks[k]) < distance
            near[k] = False
            keep &= ~near
        peaks = peaks[keep]
    return peaks[prominences(x, peaks) >= prominence]
