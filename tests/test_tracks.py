"""signals.tracks: slots follow objects by position when MediaPipe swaps their order."""

from __future__ import annotations

import numpy as np

from ava_detect.signals.tracks import SlotTracker


def assign_slots(centres: np.ndarray, *, max_gap: int = 15) -> np.ndarray:
    """(N, K, 2) centres -> (N, K) row order per frame, as the frame loop assigns them."""
    tracker = SlotTracker(centres.shape[1], max_gap=max_gap)
    return np.stack([tracker.update(c) for c in centres])

NAN = [np.nan, np.nan]


def test_swapped_detections_stay_in_their_slots():
    left, right = [100.0, 200.0], [500.0, 210.0]
    centres = np.array([[left, right], [right, left], [[505.0, 212.0], [98.0, 199.0]]])
    order = assign_slots(centres)
    placed = np.take_along_axis(centres, order[:, :, None].repeat(2, axis=2), axis=1)
    assert np.allclose(placed[:, 0, 0], [100, 100, 98])
    assert np.allclose(placed[:, 1, 0], [500, 500, 505])


def test_object_that_reappears_after_a_gap_keeps_its_slot():
    a, b = [100.0, 100.0], [400.0, 100.0]
    centres = np.array([[a, b], [NAN, b], [b, a]])  # a missing in frame 1, then listed second
    order = assign_slots(centres, max_gap=5)
    placed = np.take_along_axis(centres, order[:, :, None].repeat(2, axis=2), axis=1)
    assert np.allclose(placed[2, 0], a) and np.allclose(placed[2, 1], b)
    assert np.isnan(placed[1, 0, 0])
