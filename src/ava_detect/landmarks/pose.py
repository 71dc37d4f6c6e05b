"""Body pose per frame: MediaPipe's pose tracker (``pose_landmark_full.tflite``, in the wheel).

The hand landmark model gives up on hands that melt, smear or fuse: it finds no hand at all, or
one only in a few frames. MediaPipe's pose model keeps following the arm there (wrist, elbow and
three hand points per side), so the hand check can tell where a hand should be and look at that
region's own pixels. One person (the pose tracker follows the most prominent one).

:class:`PoseTracker` wraps ``mp.solutions.pose.Pose`` in tracking mode (the pose detector runs
only when tracking is lost; landmark smoothing on). Landmarks are pixels of the full-resolution
picture, like the hand and face trackers'.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ModelError
from ._mediapipe import import_mediapipe

N_POSE_POINTS = 33
# MediaPipe pose indices used by the hand check: per side (left, right as the model names
# them, i.e. the person's own left and right): elbow, wrist, pinky, index, thumb.
ARM_POINTS = {"left": (13, 15, 17, 19, 21), "right": (14, 16, 18, 20, 22)}


@dataclass
class PoseInFrame:
    """The body pose found in one frame.

    points: (33, 3) float32, pixels of the full-resolution picture (z: MediaPipe's relative
        depth times the width); NaN when no person was found.
    visibility: (33,) float32 in [0, 1], the model's visibility score per point; NaN when
        no person was found.
    """

    points: np.ndarray
    visibility: np.ndarray

    @classmethod
    def empty(cls) -> PoseInFrame:
        return cls(np.full((N_POSE_POINTS, 3), np.nan, np.float32),
                   np.full(N_POSE_POINTS, np.nan, np.float32))


class PoseTracker:
    """MediaPipe Pose in tracking mode: feed frames in order, get :class:`PoseInFrame`.

    ``process`` may skip frames (the caller decides when a pose is needed); after a skip the
    tracker re-uses its last region, or re-detects when the person moved too far.
    """

    def __init__(self, *, model_complexity: int = 1, min_detection_confidence: float = 0.5,
                 min_tracking_confidence: float = 0.5):
        mp = import_mediapipe()
        self.runs = 0  # landmark-model runs so far (a cost count)
        try:
            self._model = mp.solutions.pose.Pose(
                static_image_mode=False,
                model_complexity=model_complexity,
                smooth_landmarks=True,
                enable_segmentation=False,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
        except Exception as exc:  # noqa: BLE001 - any failure here means the model is unusable
            raise ModelError(f"MediaPipe pose model could not be loaded ({exc}).") from exc

    def process(self, rgb: np.ndarray, full_size: tuple[int, int]) -> PoseInFrame:
        """The pose in one RGB frame (H, W, 3) uint8; ``full_size`` is (width, height) px."""
        self.runs += 1
        result = self._model.process(np.ascontiguousarray(rgb))
        out = PoseInFrame.empty()
        if result.pose_landmarks is None:
            return out
        width, height = full_size
        marks = result.pose_landmarks.landmark
        out.points[:] = [(p.x * width, p.y * height, p.z * width) for p in marks]
        out.visibility[:] = [p.visibility for p in marks]
        return out

    def reset(self) -> None:
        """Forget the tracking state so the next frame starts a new clip."""
        self._model.reset()
        self.runs = 0

    def close(self) -> None:
        self._model.close()
