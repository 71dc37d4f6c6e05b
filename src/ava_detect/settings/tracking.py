"""The hand and face trackers' options, shared by every check that reads landmarks."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ConfigError


@dataclass(frozen=True)
class TrackingSettings:
    """The hand and face trackers (MediaPipe), shared by every check that reads landmarks."""

    max_hands: int = 2
    max_faces: int = 2
    hand_model_complexity: int = 1  # MediaPipe Hands landmark model: 0 lite, 1 full
    hand_min_detection_confidence: float = 0.5  # palm detector score to start a hand
    hand_min_tracking_confidence: float = 0.5  # landmark model presence to keep tracking it
    face_min_detection_confidence: float = 0.5  # face detector score to start a face
    # While no hand is tracked, look for hands (MediaPipe's palm detector) only on every n-th
    # frame; once one is found, every frame is tracked, and while fewer than max_hands are
    # tracked the search for another runs on every n-th frame too. 1 = look on every frame. A
    # hand that comes into view is then found at most n-1 frames late.
    hand_search_every: int = 4
    # While some but fewer than max_faces faces are tracked, look for more faces (MediaPipe's
    # face detector) only on every n-th frame (and on a frame where a tracked face was lost);
    # with no face tracked, on every frame; tracked faces are followed on every frame. 1 = look
    # on every frame (as MediaPipe's FaceMesh). A second face coming into view is then found at
    # most n-1 frames late; a clip with one face pays for detection on every n-th frame only.
    face_search_every: int = 4

    def __post_init__(self) -> None:
        for name in ("hand_search_every", "face_search_every", "max_hands", "max_faces"):
            if getattr(self, name) < 1:
                raise ConfigError(f"tracking.{name} must be at least 1.")
        if self.hand_model_complexity not in (0, 1):
            raise ConfigError("tracking.hand_model_complexity must be 0 (lite) or 1 (full).")
