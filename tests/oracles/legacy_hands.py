"""The legacy hand tracker: MediaPipe's ``mp.solutions.hands.Hands`` in tracking mode.

It hides the landmark model's hand-presence score (``presence`` stays NaN). A test oracle: the
package's own :class:`ava_detect.landmarks.HandTracker` is checked against it.
"""

from __future__ import annotations

import numpy as np

from ava_detect.errors import ModelError
from ava_detect.landmarks._mediapipe import import_mediapipe
from ava_detect.landmarks.frames import HandsInFrame, to_pixels


class LegacyHandTracker:
    """MediaPipe Hands in tracking mode: feed frames in order, get :class:`HandsInFrame`."""

    def __init__(
        self,
        *,
        max_hands: int = 2,
        model_complexity: int = 1,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ):
        mp = import_mediapipe()
        self.max_hands = max_hands
        try:
            self._model = mp.solutions.hands.Hands(
                static_image_mode=False,
                max_num_hands=max_hands,
                model_complexity=model_complexity,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
        except Exception as exc:  # noqa: BLE001 - any failure here means the model is unusable
            raise ModelError(f"MediaPipe hand model could not be loaded ({exc}).") from exc

    def process(self, rgb: np.ndarray, full_size: tuple[int, int]) -> HandsInFrame:
        """Landmarks for one RGB frame (H, W, 3) uint8; ``full_size`` is (width, height) px."""
        out = HandsInFrame.empty(self.max_hands)
        result = self._model.process(np.ascontiguousarray(rgb))
        if not result.multi_hand_landmarks:
            return out
        width, height = full_size
        worlds = result.multi_hand_world_landmarks or []
        labels = result.multi_handedness or []
        for k, marks in enumerate(result.multi_hand_landmarks[: self.max_hands]):
            out.image[k] = to_pixels(marks, width, height)
            if k < len(worlds):
                out.world[k] = np.array(
                    [(p.x, p.y, p.z) for p in worlds[k].landmark], dtype=np.float32
                )
            if k < len(labels):
                cls = labels[k].classification[0]
                out.handedness[k] = 1.0 if cls.label == "Right" else -1.0
                out.score[k] = cls.score
            else:
                out.score[k] = 0.0
        return out

    def reset(self) -> None:
        """Forget the tracking state so the next frame starts a new clip."""
        self._model.reset()

    def close(self) -> None:
        self._model.close()
