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
    if len(x) < 3:
        return np.zeros(0, np.intp)
    starts = np.concatenate([[0], np.flatnonzero(np.diff(x) != 0) + 1])  # runs of equal values
    ends = np.concatenate([starts[1:] - 1, [len(x) - 1]])
    level = x[starts]
    top = np.zeros(len(starts), bool)
    top[1:-1] = (level[1:-1] > level[:-2]) & (level[1:-1] > level[2:])
    return ((starts[top] + ends[top]) // 2).astype(np.intp)


def prominences(x: np.ndarray, peaks: np.ndarray) -> np.ndarray:
    """(P,) how far each peak stands above the higher of the two lowest points between it and
    the nearest higher sample on each side (or the signal's end)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty(len(peaks))
    for k, p in enumerate(peaks):
        higher_left = np.flatnonzero(x[:p] > x[p])
        higher_right = np.flatnonzero(x[p + 1 :] > x[p])
        left = higher_left[-1] + 1 if len(higher_left) else 0
        right = p + higher_right[0] if len(higher_right) else len(x) - 1
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
