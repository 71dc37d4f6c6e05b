"""MediaPipe's legacy Face Mesh with iris (478 points) in tracking mode: face detection on every
frame while fewer than ``max_faces`` faces are tracked (kept to compare the tracker with)."""

from __future__ import annotations

import numpy as np

from ava_detect.errors import ModelError
from ava_detect.landmarks._mediapipe import import_mediapipe
from ava_detect.landmarks.frames import N_FACE_POINTS, FacesInFrame, to_pixels


class LegacyFaceTracker:
    """MediaPipe Face Mesh with iris (478 points) in tracking mode."""

    def __init__(
        self,
        *,
        max_faces: int = 2,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ):
        mp = import_mediapipe()
        self.max_faces = max_faces
        try:
            self._model = mp.solutions.face_mesh.FaceMesh(
                static_image_mode=False,
                max_num_faces=max_faces,
                refine_landmarks=True,
                min_detection_confidence=min_detection_confidence,
                min_tracking_confidence=min_tracking_confidence,
            )
        except Exception as exc:  # noqa: BLE001
            raise ModelError(f"MediaPipe face mesh could not be loaded ({exc}).") from exc

    def process(self, rgb: np.ndarray, full_size: tuple[int, int]) -> FacesInFrame:
        """Landmarks for one RGB frame (H, W, 3) uint8; ``full_size`` is (width, height) px."""
        out = FacesInFrame(points=np.full((self.max_faces, N_FACE_POINTS, 3), np.nan, np.float32))
        result = self._model.process(np.ascontiguousarray(rgb))
        if not result.multi_face_landmarks:
            return out
        width, height = full_size
        for k, marks in enumerate(result.multi_face_landmarks[: self.max_faces]):
            out.points[k] = to_pixels(marks, width, height)
        return out

    def reset(self) -> None:
        """Forget the tracking state so the next frame starts a new clip."""
        self._model.reset()

    def close(self) -> None:
        self._model.close()
