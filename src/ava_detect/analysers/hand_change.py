"""Did the hand's picture really change? Motion-compensated change of each hand's region.

MediaPipe's landmarks can jump, flip or lose a hand while the picture hardly changes (jitter on
a hand near the face, at the frame edge, clasped hands). A finding the support agent cannot see
in the frames is worse than a miss, so every landmark event of the hand check must be confirmed
by the pixels: the hand's region in frame n against the same region in frame n-1 after
compensating the hand's own motion.

For every hand slot of frame m the region is the hand's landmark box (padded by a quarter of its
side, square), cut from frame m and from frame m+1 at the same place, resized to
``_SIDE`` px grey. Dense optical flow (Farneback) from m's crop to the later crop compensates
the motion; the residual is the mean absolute difference between m's crop and the later crop
warped back, over the inner part of the crop (a margin of ``_MARGIN`` of the side is left out:
flow is unreliable where content enters or leaves), divided by the contrast (standard deviation)
of m's crop. Pure landmark jitter reads about 0.02-0.09, hands that really broke 0.10-0.51 (the
issue's study of 24 findings); see docs/hands.md for the calibration.

Output arrays (N, K), aligned with ``signals.hands`` slots of frame m, NaN where not measured
(no hand in slot k at m, or m is one of the last frames):

- ``hand_change.next``: residual between frame m and m+1 in hand (m, k)'s region;
- ``hand_change.flows`` (N,): flow fields computed per frame (the cost, as a count: one per
  hand of the previous frame).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cv2
import numpy as np

from .hand_presence import frame_scale

if TYPE_CHECKING:
    from ..types import ClipInfo, Frame, HandsInFrame

_SIDE = 128  # crop side for the flow, px (the study used 128)
_PAD = 0.25  # the hand's landmark box grown by this share of its longer side on each side
_MARGIN = 0.12  # share of the crop side left out at each border when averaging the residual
_MIN_SIDE_PX = 12  # smaller regions (analysis px) are not measured


def region(points: np.ndarray, scale: float, size: tuple[int, int]
           ) -> tuple[int, int, int, int] | None:
    """(21, 2+) full-resolution landmarks -> square (x0, y0, x1, y1) in analysis pixels,
    clipped to the frame of ``size`` (width, height); None when too small or outside."""
    xy = np.asarray(points, np.float64)[:, :2] * scale
    if not np.isfinite(xy).all():
        return None
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    side = float(max(hi - lo)) * (1 + 2 * _PAD)
    cx, cy = (lo + hi) / 2
    w, h = size
    x0, y0 = int(max(0, cx - side / 2)), int(max(0, cy - side / 2))
    x1, y1 = int(min(w, cx + side / 2)), int(min(h, cy + side / 2))
    if min(x1 - x0, y1 - y0) < _MIN_SIDE_PX:
        return None
    return x0, y0, x1, y1


def compensated_change(a: np.ndarray, b: np.ndarray) -> float:
    """Residual change from crop ``a`` to crop ``b`` after compensating motion.

    a, b: (H, W) uint8 grey crops of the same place in two frames. Both are resized to
    ``_SIDE`` px; Farneback flow maps ``a`` into ``b``; ``b`` is warped back onto ``a``'s grid.
    Returns the mean absolute difference over the crop's inner part divided by ``a``'s standard
    deviation there (dimensionless; 0 = the same picture moved).
    """
    a = cv2.resize(a, (_SIDE, _SIDE), interpolation=cv2.INTER_AREA)
    b = cv2.resize(b, (_SIDE, _SIDE), interpolation=cv2.INTER_AREA)
    flow = cv2.calcOpticalFlowFarneback(a, b, None, 0.5, 3, 15, 3, 5, 1.2, 0)
    gx, gy = np.meshgrid(np.arange(_SIDE, dtype=np.float32), np.arange(_SIDE, dtype=np.float32))
    back = cv2.remap(b, gx + flow[..., 0], gy + flow[..., 1], cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_REPLICATE)
    m = int(round(_SIDE * _MARGIN))
    ia = a[m:-m, m:-m].astype(np.float32)
    ib = back[m:-m, m:-m].astype(np.float32)
    contrast = float(ia.std())
    return float(np.mean(np.abs(ia - ib)) / max(contrast, 4.0))


class HandChangeAnalyzer:
    """Motion-compensated change of every hand's region to the next frame."""

    name = "hand_change"
    lane = "hands"

    def __init__(self, *, max_side: int = 1280):
        self._max_side = max_side
        self._full_size: tuple[int, int] | None = None
        self._past: tuple[np.ndarray, list] | None = None  # (grey, regions) of the last frame
        self._next: list[np.ndarray] = []
        self._flows: list[int] = []

    def begin(self, info: ClipInfo) -> None:
        self._full_size = info.display_size

    def update(self, frame: Frame, hands: HandsInFrame | None, faces) -> None:
        grey = cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2GRAY)
        scale = frame_scale(frame.rgb, self._full_size, self._max_side)
        size = (grey.shape[1], grey.shape[0])
        k_slots = hands.image.shape[0] if hands is not None else 0
        regions = [None] * k_slots
        if hands is not None and scale is not None:
            regions = [region(hands.image[k], scale, size) for k in range(k_slots)]
        m = len(self._next)
        self._next.append(np.full(k_slots, np.nan, np.float32))
        self._flows.append(0)
        if self._past is not None:
            old, old_regions = self._past
            for k, box in enumerate(old_regions):
                if box is None:
                    continue
                x0, y0, x1, y1 = box
                self._next[m - 1][k] = compensated_change(old[y0:y1, x0:x1], grey[y0:y1, x0:x1])
                self._flows[m] += 1
        self._past = (grey, regions)

    def finish(self) -> dict[str, np.ndarray]:
        k = max((len(r) for r in self._next), default=0)
        data = np.full((len(self._next), k), np.nan, np.float32)
        for n, r in enumerate(self._next):
            data[n, : len(r)] = r
        return {f"{self.name}.next": data,
                f"{self.name}.flows": np.asarray(self._flows, np.float32)}
