"""The rotated square crops the hand landmark model looks at (pure numpy and OpenCV).

MediaPipe's hand tracker cuts a rotated square around each hand and feeds it to the landmark
model at 224 x 224. The square comes from the palm detector for a hand found anew, and from the
hand's own landmarks for the next frame of a tracked hand (:func:`tracker_crop`). All crops
here are in pixels of the picture the models see (the analysis frame).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Landmarks the hand tracker uses to place its crop (wrist, thumb base, the knuckles and the
# joints above them), as in MediaPipe's landmarks-to-rectangle step.
_ROI_POINTS = (0, 1, 2, 3, 5, 6, 9, 10, 13, 14, 17, 18)
_ROI_SCALE = 2.0  # the crop is twice the hand's extent ...
_ROI_SHIFT_Y = -0.1  # ... moved a tenth of the hand's length towards the fingers
LANDMARK_INPUT = 224  # the landmark model's input side, pixels


@dataclass(frozen=True)
class Roi:
    """A rotated square in picture pixels: centre (x, y), side, rotation in radians.

    ``rotation`` turns the crop's up axis (wrist to fingers) to the picture's up axis; it is
    MediaPipe's ``NormalizedRect.rotation``.
    """

    x: float
    y: float
    side: float
    rotation: float

    def warp(self, n: int = LANDMARK_INPUT) -> tuple[np.ndarray, np.ndarray]:
        """(2, 2) matrix ``lin`` and (2,) ``shift``: picture point = lin @ crop point + shift."""
        cos, sin = np.cos(self.rotation), np.sin(self.rotation)
        k = self.side / n
        lin = np.array([[cos * k, -sin * k], [sin * k, cos * k]])
        shift = np.array([self.x, self.y]) - lin @ np.array([n / 2, n / 2])
        return lin, shift

    def cut(self, rgb: np.ndarray, n: int = LANDMARK_INPUT) -> np.ndarray:
        """The (n, n, 3) crop of ``rgb``, bilinear, edges repeated (as MediaPipe's CPU path)."""
        import cv2

        lin, shift = self.warp(n)
        return cv2.warpAffine(
            np.ascontiguousarray(rgb), np.hstack([lin, shift[:, None]]), (n, n),
            flags=cv2.WARP_INVERSE_MAP | cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE,
        )

    def scaled(self, factor: float) -> Roi:
        """The same square in a picture ``factor`` times as large."""
        return Roi(self.x * factor, self.y * factor, self.side * factor, self.rotation)


def tracker_crop(points: np.ndarray) -> tuple[np.ndarray, float, float]:
    """The rotated square crop MediaPipe's tracker cuts around a hand for the next frame.

    Matches MediaPipe's ``HandLandmarkLandmarksToRoi`` to 0.1 px (checked against the legacy
    graph's own ROI output): the box of the ROI points in the hand's rotated frame, shifted by
    a tenth of its height towards the fingers, squared on its long side and doubled.

    Parameters
    ----------
    points
        (21, 2+) landmarks, pixels.

    Returns
    -------
    centre (2,) pixels, side in pixels, rotation in radians (the crop's up axis points from the
    wrist to the knuckles).
    """
    p = np.asarray(points, dtype=np.float64)[:, :2]
    knuckles = ((p[5] + p[13]) / 2 + p[9]) / 2
    rot = np.pi / 2 - np.arctan2(-(knuckles[1] - p[0, 1]), knuckles[0] - p[0, 0])
    cos, sin = np.cos(rot), np.sin(rot)
    to_hand = np.array([[cos, sin], [-sin, cos]])
    sub = p[list(_ROI_POINTS)]
    mean = sub.mean(axis=0)
    local = (sub - mean) @ to_hand.T
    lo, hi = local.min(axis=0), local.max(axis=0)
    centre = mean + ((lo + hi) / 2) @ to_hand
    side = float(max(hi - lo) * _ROI_SCALE)
    centre = centre + np.array([-sin, cos]) * (_ROI_SHIFT_Y * (hi - lo)[1])
    return centre, side, float(rot)


def roi_from_landmarks(points: np.ndarray) -> Roi:
    """:func:`tracker_crop` as a :class:`Roi`."""
    centre, side, rot = tracker_crop(points)
    return Roi(float(centre[0]), float(centre[1]), side, rot)


def iou(a: Roi, b: Roi) -> float:
    """Intersection over union of the two squares' axis-aligned boxes (rotation ignored).

    This is how MediaPipe's association step compares hand rectangles.
    """
    w = min(a.x + a.side / 2, b.x + b.side / 2) - max(a.x - a.side / 2, b.x - b.side / 2)
    h = min(a.y + a.side / 2, b.y + b.side / 2) - max(a.y - a.side / 2, b.y - b.side / 2)
    inter = max(w, 0.0) * max(h, 0.0)
    union = a.side**2 + b.side**2 - inter
    return inter / union if union > 0 else 0.0


def associate(
    palms: list[Roi], tracked: list[Roi], min_iou: float = 0.5
) -> list[tuple[Roi, bool]]:
    """MediaPipe's association of palm-detection crops with tracked crops.

    Crops are added in order, palms first; each one added removes the crops already in the list
    that it overlaps by IoU > ``min_iou``. So a tracked hand wins over a palm found on it, and
    of two tracked crops on one hand the later stays. Returns ``(crop, from_palm)`` pairs in
    MediaPipe's order.
    """
    out: list[tuple[Roi, bool]] = []
    for roi, from_palm in [*((p, True) for p in palms), *((t, False) for t in tracked)]:
        out = [(r, f) for r, f in out if iou(roi, r) <= min_iou]
        out.append((roi, from_palm))
    return out
