"""What the trackers return per frame (the data types live in :mod:`ava_detect.types`)."""

from __future__ import annotations

import numpy as np

from ..types import N_FACE_POINTS, N_HAND_POINTS, FacesInFrame, HandsInFrame

__all__ = ["N_FACE_POINTS", "N_HAND_POINTS", "FacesInFrame", "HandsInFrame", "to_pixels"]


def to_pixels(landmarks, width: int, height: int) -> np.ndarray:
    """A MediaPipe normalized landmark list -> (P, 3) float32 pixels (z scaled like x)."""
    arr = np.array([(p.x, p.y, p.z) for p in landmarks.landmark], dtype=np.float32)
    arr[:, 0] *= width
    arr[:, 1] *= height
    arr[:, 2] *= width
    return arr
