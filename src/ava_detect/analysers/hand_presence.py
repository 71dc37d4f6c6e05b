"""The hand landmark model's hand-presence score of each hand, frame by frame.

:class:`PresenceAnalyzer` keeps the tracker's own score where it scored the hand's crop, else
re-runs the model (passed in by the pipeline, which owns it) on the crop the tracker used.
Writes (N, K) arrays aligned with ``signals.hands`` slots.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ..types import ClipInfo, Frame, HandsInFrame

# Frames after a hand was lost for which its last crop is still scored.
_SCORE_LOST_FRAMES = 3


def frame_scale(rgb: np.ndarray, full_size: tuple[int, int] | None, max_side: int) -> float | None:
    """``rgb`` pixels per full-resolution pixel, or None when it cannot be known.

    Without the clip's size (no ``begin`` call) the scale is 1 only when the picture is smaller
    than the analysis size, i.e. was not downscaled.
    """
    if full_size is not None:
        return rgb.shape[1] / full_size[0]
    return 1.0 if max(rgb.shape[:2]) < max_side else None


class PresenceAnalyzer:
    """Hand-presence score of each hand slot, frame by frame.

    A tracked hand gets the score the tracker gave the crop it judged it on
    (``HandsInFrame.presence``, the crop placed from the previous frame's landmarks): no extra
    model run. The landmark model is re-run only where the tracker did not score that crop:

    - a hand the tracker found with the palm detector this frame (``from_palm``): the palm's
      crop is looser and scores lower (by up to 0.24 on the real clips), so, as for every hand
      with the legacy tracker (which hides the score), the crop is placed from the previous
      frame's landmarks if the slot had a hand then (the crop the tracker dropped it on), else
      from the current ones;
    - for three frames after a hand disappears, its last crop, so a hand the tracker dropped
      gets the score that made it drop it.

    Output: ``hand_presence.score`` (N, K) in [0, 1], NaN where not scored;
    ``hand_presence.reruns`` (N,) landmark-model re-runs per frame;
    ``hand_presence.ms`` (N,) milliseconds spent per frame.
    """

    name = "hand_presence"
    lane = "hands"

    def __init__(self, rerun, *, max_side: int = 1280):
        """``rerun``: a zero-argument function giving the landmark re-run model (loaded by the
        pipeline's :class:`~ava_detect.models.Models` when first asked for, and closed there)."""
        self._get_model = rerun
        self._model = None
        self._max_side = max_side
        self._full_size: tuple[int, int] | None = None
        self._last: np.ndarray | None = None  # (K, 21, 3) last seen landmarks per slot
        self._age: np.ndarray | None = None  # (K,) frames since last seen
        self._scores: list[np.ndarray] = []
        self._reruns: list[int] = []
        self._ms: list[float] = []

    def begin(self, info: ClipInfo) -> None:
        self._full_size = info.display_size

    def _rerun(self, rgb: np.ndarray, points: np.ndarray, scale: float) -> float:
        if self._model is None:
            self._model = self._get_model()
        return self._model.run(rgb, points, scale).presence

    def update(self, frame: Frame, hands: HandsInFrame | None, faces) -> None:
        start = time.perf_counter()
        k_slots = hands.image.shape[0] if hands is not None else 0
        row = np.full(k_slots, np.nan, np.float32)
        reruns = 0
        scale = frame_scale(frame.rgb, self._full_size, self._max_side)
        if hands is not None and scale is not None:
            if self._last is None:
                self._last = np.full((k_slots, 21, 3), np.nan, np.float32)
                self._age = np.full(k_slots, 10**6)
            here = ~np.isnan(hands.image[:, 0, 0])
            for k in range(k_slots):
                if here[k] and not hands.from_palm[k] and not np.isnan(hands.presence[k]):
                    row[k] = hands.presence[k]  # the tracker scored the crop it judged
                    continue
                if here[k]:
                    # tracked since the previous frame: the crop came from that frame's
                    # landmarks; (re)found this frame: from the palm detector, near these
                    crop_from = self._last[k] if self._age[k] == 0 else hands.image[k]
                elif self._age[k] < _SCORE_LOST_FRAMES:
                    crop_from = self._last[k]  # lost: the crop the tracker last had
                else:
                    continue
                row[k] = self._rerun(frame.rgb, crop_from, scale)
                reruns += 1
            self._last[here] = hands.image[here]
            self._age[here] = 0
            self._age[~here] += 1
        self._scores.append(row)
        self._reruns.append(reruns)
        self._ms.append((time.perf_counter() - start) * 1000.0)

    def finish(self) -> dict[str, np.ndarray]:
        k = max((len(r) for r in self._scores), default=0)
        scores = np.full((len(self._scores), k), np.nan, np.float32)
        for n, r in enumerate(self._scores):
            scores[n, : len(r)] = r
        return {
            f"{self.name}.score": scores,
            f"{self.name}.reruns": np.asarray(self._reruns, dtype=np.int32),
            f"{self.name}.ms": np.asarray(self._ms),
        }
