"""The one frame loop: decode each frame once and feed it to the model lanes and analysers.

A *model lane* (:class:`ModelLane`, one for hands, one for faces) runs one tracker on every
frame, keeps its per-frame rows and passes each frame with its landmarks to the frame analysers
of that lane. With ``parallel`` every model and every analyser runs in a thread of its own (see
:mod:`ava_detect.lanes`) while this thread decodes; analysers that need both landmarks of a
frame together (lane ``"both"``) make the loop serial.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from .errors import InputError
from .lanes import make_lane
from .media import iter_frames
from .signals import ClipSignals, FaceArrays, HandArrays
from .signals.tracks import SlotTracker
from .timing import StageTimes
from .types import DecodeStats

if TYPE_CHECKING:
    from .analysers import FrameAnalyzer
    from .types import ClipInfo, FacesInFrame, Frame, HandsInFrame

ProgressFn = Callable[[int, int], None]


class AnalyserLane:
    """One frame analyser in a lane of its own, timing its work."""

    def __init__(self, analyser: FrameAnalyzer, threaded: bool, times: StageTimes):
        self.analyser = analyser
        self.key = f"analyzer.{analyser.name}_s"
        times.extra[self.key] = 0.0
        self._times = times
        self.lane = make_lane(self.key, self._work, threaded)

    def _work(self, item) -> None:
        start = time.perf_counter()
        self.analyser.update(*item)
        self._times.extra[self.key] += time.perf_counter() - start  # only this lane writes


class ModelLane:
    """Tracks one kind of object (hands or faces) on every frame; keeps each frame's result
    with the objects in stable slots (:class:`~ava_detect.signals.tracks.SlotTracker`) and
    hands the frame and its objects to the analysers of this lane."""

    def __init__(self, name: str, tracker, k_slots: int, full_size,
                 analysers: list[AnalyserLane], threaded: bool, times: StageTimes):
        self.name = name  # "hands" or "faces"
        self._tracker = tracker
        self._slots = SlotTracker(k_slots)
        self._full_size = full_size
        self._analysers = analysers
        self._times = times
        self.rows: list[HandsInFrame | FacesInFrame] = []
        self.lane = make_lane(name, self._work, threaded)

    def _work(self, frame: Frame) -> None:
        start = time.perf_counter()
        found = self._tracker.process(frame.rgb, self._full_size)
        found = found.take(self._slots.update(_centres(found.image)))  # every field
        self.rows.append(found)
        stage = f"{self.name}_s"  # StageTimes.hands_s / faces_s; only this lane writes it
        setattr(self._times, stage, getattr(self._times, stage) + time.perf_counter() - start)
        # analysers see (frame, hands, faces): this lane's objects in their place
        item = (frame, found, None) if self.name == "hands" else (frame, None, found)
        for a in self._analysers:
            a.lane.put(item)

    def arrays(self) -> HandArrays | FaceArrays | None:
        """The rows stacked over the clip (see :class:`~ava_detect.signals.ClipSignals`)."""
        if not self.rows:
            return None
        if self.name == "faces":
            return FaceArrays(points=np.stack([f.points for f in self.rows]))
        return HandArrays(
            image=np.stack([h.image for h in self.rows]),
            world=np.stack([h.world for h in self.rows]),
            handedness=np.stack([h.handedness for h in self.rows]),
            score=np.stack([h.score for h in self.rows]),
        )


def run_frame_loop(info: ClipInfo, *, settings, models, analysers: list[FrameAnalyzer],
                   need_hands: bool, need_faces: bool, times: StageTimes,
                   progress: ProgressFn | None) -> ClipSignals:
    """Decode every frame of ``info``'s clip once; track, measure, and gather the signals.

    ``models`` (:class:`~ava_detect.models.Models`) gives the trackers; ``analysers`` run in
    the lane their ``lane`` names. Returns the clip's :class:`ClipSignals` with the landmark
    arrays and every analyser's ``finish()`` output in ``measured``.
    """
    both = [a for a in analysers if a.lane == "both"]
    threaded = settings.parallel_lanes and not both
    by_lane = {lane: [AnalyserLane(a, threaded, times) for a in analysers if a.lane == lane]
               for lane in ("hands", "faces")}
    full_size = info.display_size
    tracking = settings.tracking
    model_lanes: list[ModelLane] = []
    if need_hands:
        model_lanes.append(ModelLane("hands", models.hand_tracker(), tracking.max_hands,
                                     full_size, by_lane["hands"], threaded, times))
    if need_faces:
        model_lanes.append(ModelLane("faces", models.face_tracker(), tracking.max_faces,
                                     full_size, by_lane["faces"], threaded, times))
    # Model lanes first: they feed the analyser lanes, so they are finished first.
    lanes = [m.lane for m in model_lanes] + [a.lane for g in by_lane.values() for a in g]
    stats = DecodeStats()
    try:
        t_list = _decode_and_feed(info, settings, stats, model_lanes, both, lanes, analysers,
                                  times, progress)
        for lane in lanes:
            lane.finish()
    finally:
        for lane in lanes:
            lane.stop()
    if progress is not None and t_list:
        progress(len(t_list), info.frame_count)
    for lane_name in ("hands", "faces"):
        spent = sum((times.extra[a.key] for a in by_lane[lane_name]), 0.0)
        setattr(times, f"{lane_name[:-1]}_analyzers_s", spent)
    if not t_list:
        raise InputError(
            f"{info.path}: no frame of the video could be decoded. The file is damaged or "
            "uses an unsupported codec; re-export it as H.264 mp4."
        )
    return _gather(info, t_list, stats, model_lanes, analysers, times)


def _decode_and_feed(info, settings, stats, model_lanes, both, lanes, analysers, times,
                     progress) -> list[float]:
    """The decode loop: each frame to every model lane (and the serial analysers)."""
    frames = iter_frames(info.path, max_side=settings.analysis_max_side, rotation=info.rotation,
                         stats=stats)
    for analyser in analysers:
        analyser.begin(info)
    t_list: list[float] = []
    tick = time.perf_counter()
    for frame in frames:
        times.decode_s += time.perf_counter() - tick
        for m in model_lanes:
            m.lane.put(frame)
        if both:  # serial: the model lanes have just run on this frame
            hands = next((m.rows[-1] for m in model_lanes if m.name == "hands"), None)
            faces = next((m.rows[-1] for m in model_lanes if m.name == "faces"), None)
            start = time.perf_counter()
            for analyser in both:
                analyser.update(frame, hands, faces)
            times.both_analyzers_s += time.perf_counter() - start
        t_list.append(frame.t_s)
        if progress is not None:
            done = min((lane.done for lane in lanes), default=len(t_list))
            progress(done, info.frame_count)
        tick = time.perf_counter()
    times.decode_s += time.perf_counter() - tick
    return t_list


def _gather(info, t_list, stats, model_lanes, analysers, times) -> ClipSignals:
    signals = ClipSignals(info=info, t_s=np.asarray(t_list, dtype=np.float64),
                          frame_size=info.display_size, decode=stats)
    for m in model_lanes:
        if m.name == "hands":
            signals.hands = m.arrays()
        else:
            signals.faces = m.arrays()
    start = time.perf_counter()
    for analyser in analysers:
        signals.measured.update(analyser.finish())
    times.finish_s = time.perf_counter() - start
    return signals


def _centres(points: np.ndarray) -> np.ndarray:
    """(K, P, 3) landmarks -> (K, 2) mean x, y per object; NaN rows stay NaN."""
    out = np.full((points.shape[0], 2), np.nan)
    present = ~np.isnan(points[:, 0, 0])
    if present.any():
        out[present] = points[present, :, :2].mean(axis=1)
    return out
