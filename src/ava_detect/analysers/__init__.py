"""Pixel work inside the frame loop: per-frame measurements that need the picture itself.

Detectors name the analysers they need (``Detector.analysers``); the pipeline builds them here
with the models it owns and runs them in the lane their landmarks come from. Each writes its
per-frame arrays into ``signals.measured`` as ``"<name>.<array>"``.

| name | module | lane | models |
|---|---|---|---|
| ``hand_presence`` | hand_presence.py | hands | hand landmark re-run |
| ``finger_count`` | finger_count.py (+ finger_silhouette.py) | hands | none |
| ``hand_change`` | hand_change.py | hands | none (optical flow) |
| ``hand_pose`` | hand_pose.py | hands | pose tracker |
| ``face`` | face_identity.py (+ face_pixels.py) | faces | face embedder |
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .base import FrameAnalyzer

if TYPE_CHECKING:
    from ..settings import Settings

#: name -> factory(settings, models) -> FrameAnalyzer. ``models`` is the pipeline's
#: :class:`~ava_detect.models.Models` (it loads each model once and closes it).
Factory = Callable[["Settings", Any], FrameAnalyzer]


def _hand_presence(settings: Settings, models: Any) -> FrameAnalyzer:
    from .hand_presence import PresenceAnalyzer

    return PresenceAnalyzer(models.hand_rerun, max_side=settings.analysis_max_side)


def _finger_count(settings: Settings, models: Any) -> FrameAnalyzer:
    from .finger_count import FingerCountAnalyzer

    return FingerCountAnalyzer(max_side=settings.analysis_max_side)


def _hand_change(settings: Settings, models: Any) -> FrameAnalyzer:
    from .hand_change import HandChangeAnalyzer

    return HandChangeAnalyzer(max_side=settings.analysis_max_side)


def _hand_pose(settings: Settings, models: Any) -> FrameAnalyzer:
    from .hand_pose import HandPoseAnalyzer

    hs = settings.hands
    return HandPoseAnalyzer(models.pose_tracker, every=hs.pose_every,
                            window_s=hs.melt_seen_before_s)


def _face(settings: Settings, models: Any) -> FrameAnalyzer:
    from .face_identity import FaceAnalyzer

    return FaceAnalyzer(settings.identity, settings.tracking.max_faces, models.embedder())


ANALYSERS: dict[str, Factory] = {
    "hand_presence": _hand_presence,
    "finger_count": _finger_count,
    "hand_change": _hand_change,
    "hand_pose": _hand_pose,
    "face": _face,
}


def build(names: list[str], settings: Settings, models: Any) -> list[FrameAnalyzer]:
    """The analysers named, in order, each built once."""
    unknown = [n for n in names if n not in ANALYSERS]
    if unknown:
        raise KeyError(f"no frame analyser named {', '.join(unknown)}")
    return [ANALYSERS[n](settings, models) for n in dict.fromkeys(names)]


__all__ = ["ANALYSERS", "FrameAnalyzer", "build"]
