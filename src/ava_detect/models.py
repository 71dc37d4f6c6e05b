"""The models of one analysis process, each loaded once, handed out, and closed in one place.

:class:`Models` is owned by the pipeline's :class:`~ava_detect.pipeline.Analyzer`: it builds the
hand and face trackers, the hand landmark re-run model and the face embedder when first asked
for, resets the trackers between clips, and closes every one of them in :meth:`close`. A batch
worker that analyses many clips therefore holds one set of models (threads, child processes,
open files) however many clips it runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .embedding import FaceEmbedder
    from .landmarks import FaceTracker, HandLandmarkRerun, HandTracker
    from .landmarks.pose import PoseTracker
    from .settings import TrackingSettings


class Models:
    """Lazily loaded models for one set of tracking settings."""

    def __init__(self, tracking: TrackingSettings):
        self.tracking = tracking
        self._hands: HandTracker | None = None
        self._faces: FaceTracker | None = None
        self._rerun: HandLandmarkRerun | None = None
        self._embedder: FaceEmbedder | None = None
        self._pose: PoseTracker | None = None

    def hand_tracker(self) -> HandTracker:
        """The hand tracker, reset for a new clip."""
        from .landmarks import HandTracker

        t = self.tracking
        if self._hands is None:
            self._hands = HandTracker(
                max_hands=t.max_hands,
                model_complexity=t.hand_model_complexity,
                min_detection_confidence=t.hand_min_detection_confidence,
                min_tracking_confidence=t.hand_min_tracking_confidence,
                search_every=t.hand_search_every,
            )
        else:
            self._hands.reset()
        return self._hands

    def face_tracker(self) -> FaceTracker:
        """The face tracker, reset for a new clip."""
        from .landmarks import FaceTracker

        t = self.tracking
        if self._faces is None:
            self._faces = FaceTracker(
                max_faces=t.max_faces,
                min_detection_confidence=t.face_min_detection_confidence,
                search_every=t.face_search_every,
            )
        else:
            self._faces.reset()
        return self._faces

    def hand_rerun(self) -> HandLandmarkRerun:
        """The hand landmark model on a given crop (keeps no state between clips)."""
        from .landmarks import HandLandmarkRerun

        if self._rerun is None:
            self._rerun = HandLandmarkRerun(model_complexity=self.tracking.hand_model_complexity)
        return self._rerun

    def pose_tracker(self) -> PoseTracker:
        """The body pose tracker (arms for the hand check), reset for a new clip."""
        from .landmarks.pose import PoseTracker

        if self._pose is None:
            self._pose = PoseTracker()
        else:
            self._pose.reset()
        return self._pose

    def embedder(self) -> FaceEmbedder:
        """The face identity model (its descriptors run in a child process)."""
        from .embedding import DlibFaceEmbedder

        if self._embedder is None:
            self._embedder = DlibFaceEmbedder()
        return self._embedder

    def close(self) -> None:
        """Close every model that was loaded; the next request loads it again."""
        for model in (self._hands, self._faces, self._rerun, self._embedder, self._pose):
            if model is not None:
                model.close()
        self._hands = self._faces = self._rerun = self._embedder = self._pose = None
