"""Finger count from the pixels, as a frame analyser of the hand check.

For each hand slot it keeps a skin-colour model learned from the landmark region (refit every
few frames and blended, so it belongs to the tracked hand), cuts the hand's silhouette and
counts the finger protrusions (:func:`ava_detect.analysers.finger_silhouette.read_fingers`).

Output arrays (N, K), NaN where no hand was read: ``finger_count.count`` fingers seen,
``finger_count.tips_out`` landmark fingertips outside the palm on the silhouette,
``finger_count.unmatched`` protrusions without a landmark finger, ``finger_count.skin`` share of
the landmark region covered by the silhouette; and ``finger_count.ms`` (N,) ms per frame.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

from .finger_silhouette import (
    ColourModel,
    blend,
    hand_crop,
    learn_colour,
    read_fingers,
    skin_mask_points,
)
from .hand_presence import frame_scale

if TYPE_CHECKING:
    from ..types import ClipInfo, Frame, HandsInFrame

_FORGET_AFTER = 15  # frames without the hand before its colour model is dropped
# The colour model is refit every few frames (skin colour changes slowly; a fit costs about a
# third of a reading) and moves this far towards each new fit: 1 - 0.8 ** 3, the same pace
# as a 0.2 step every frame.
_LEARN_EVERY = 3
_BLEND_RATE = 1 - 0.8**_LEARN_EVERY
_FIELDS = ("count", "tips_out", "unmatched", "skin")


class FingerCountAnalyzer:
    """Counts fingers on a per-hand skin silhouette in every frame."""

    name = "finger_count"
    lane = "hands"

    def __init__(self, *, max_side: int = 1280):
        self._max_side = max_side
        self._full_size: tuple[int, int] | None = None
        self._models: dict[int, ColourModel | None] = {}
        self._unseen: dict[int, int] = {}
        self._since_learnt: dict[int, int] = {}  # frames since the colour model was refit
        self._rows: list[np.ndarray] = []
        self._ms: list[float] = []

    def begin(self, info: ClipInfo) -> None:
        self._full_size = info.display_size

    def update(self, frame: Frame, hands: HandsInFrame | None, faces) -> None:
        start = time.perf_counter()
        k_slots = hands.image.shape[0] if hands is not None else 0
        row = np.full((k_slots, len(_FIELDS)), np.nan, np.float32)
        scale = frame_scale(frame.rgb, self._full_size, self._max_side)
        if hands is not None and scale is not None:
            for k in range(k_slots):
                pts = hands.image[k]
                if np.isnan(pts[0, 0]):
                    self._unseen[k] = self._unseen.get(k, 0) + 1
                    if self._unseen[k] > _FORGET_AFTER:
                        self._models.pop(k, None)
                        self._since_learnt.pop(k, None)
                    continue
                self._unseen[k] = 0
                crop = hand_crop(frame.rgb, pts[:, :2].astype(np.float64) * scale)
                if crop is None:
                    continue
                model = self._models.get(k)
                since = self._since_learnt.get(k, _LEARN_EVERY)
                if model is None or since >= _LEARN_EVERY:
                    mask = skin_mask_points(crop.ycrcb.shape[:2], crop.points, crop.width)
                    model = blend(model, learn_colour(crop.ycrcb, mask), _BLEND_RATE)
                    self._models[k] = model
                    since = 0
                self._since_learnt[k] = since + 1
                if model is None:
                    continue
                reading = read_fingers(crop, model)
                row[k] = (reading.count, reading.tips_out, reading.unmatched,
                          reading.skin_fraction)
        self._rows.append(row)
        self._ms.append((time.perf_counter() - start) * 1000.0)

    def finish(self) -> dict[str, np.ndarray]:
        k = max((len(r) for r in self._rows), default=0)
        data = np.full((len(self._rows), k, len(_FIELDS)), np.nan, np.float32)
        for n, r in enumerate(self._rows):
            data[n, : len(r)] = r
        out = {f"{self.name}.{f}": data[:, :, i] for i, f in enumerate(_FIELDS)}
        out[f"{self.name}.ms"] = np.asarray(self._ms)
        return out
