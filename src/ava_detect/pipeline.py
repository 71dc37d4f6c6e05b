"""The one frame loop: decode once, track, measure, detect.

:class:`Analyzer` holds the loaded models so a batch worker can analyse many clips with one set;
:func:`analyze` is the one-clip shortcut. Data flows one way: file -> frames and audio ->
landmarks -> per-frame arrays (:class:`~ava_detect.signals.ClipSignals`) -> detectors ->
:class:`~ava_detect.report.Report`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from . import __version__
from .catalog import CHECK_NAMES
from .detectors import detector_for
from .detectors.base import Detector, FrameAnalyzer
from .errors import InputError
from .landmarks import FacesInFrame, FaceTracker, HandsInFrame, HandTracker
from .lanes import make_lane
from .media import ClipInfo, DecodeStats, iter_frames, probe, read_audio
from .media.mp4box import truncation_reason
from .report import CheckResult, Report
from .settings import Settings
from .signals import ClipSignals, FaceArrays, HandArrays
from .signals.tracks import SlotTracker

ProgressFn = Callable[[int, int], None]


@dataclass
class StageTimes:
    """Wall seconds spent per stage of one analysis (kept out of the JSON: it varies per run).

    Each stage's time is counted in the thread that ran it: with the hand and face lanes in
    parallel their stages overlap, so ``total_s`` (their sum) is more than the wall time of the
    analysis. ``extra`` holds ``analyzer.<name>_s`` per frame analyser, and the evidence-pack
    stages ``evidence_s``, ``pdf_s``, ``json_s`` when a pack is written.
    """

    decode_s: float = 0.0
    hands_s: float = 0.0
    faces_s: float = 0.0
    hand_analyzers_s: float = 0.0  # frame analysers run in the hand lane
    face_analyzers_s: float = 0.0  # ... in the face lane
    both_analyzers_s: float = 0.0  # ... that need both models (serial loop)
    finish_s: float = 0.0  # the analysers' finish() calls
    audio_s: float = 0.0
    detect_s: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def analyzers_s(self) -> float:
        """All frame analysers' time."""
        return (
            self.hand_analyzers_s + self.face_analyzers_s + self.both_analyzers_s + self.finish_s
        )

    @property
    def total_s(self) -> float:
        return (
            self.decode_s
            + self.hands_s
            + self.faces_s
            + self.analyzers_s
            + self.audio_s
            + self.detect_s
        )


@dataclass
class Analysis:
    """The result of one clip: the report, the signals it was made from, and stage timings."""

    report: Report
    signals: ClipSignals
    times: StageTimes


class Analyzer:
    """Analyses clips with one set of loaded models.

    Models are created on first use and reset between clips, so tracking state never leaks
    from one clip into the next.
    """

    def __init__(self, settings: Settings | None = None, *, parallel: bool | None = None):
        self.settings = settings or Settings()
        _one_blas_thread()
        #: Hand and face lanes in two threads (see :mod:`ava_detect.lanes`); serial when False.
        #: Default: on, unless the environment variable AVA_SERIAL is set (for debugging).
        self.parallel = not os.environ.get("AVA_SERIAL") if parallel is None else parallel
        self._hands: HandTracker | None = None
        self._faces: FaceTracker | None = None

    def analyze(
        self,
        path: str | Path,
        *,
        user: dict | None = None,
        progress: ProgressFn | None = None,
    ) -> Analysis:
        """Analyse one clip with every selected check.

        Parameters
        ----------
        path
            The clip.
        user
            What the user told us about the clip (generation_id, platform, prompt): recorded.
        progress
            Called as ``progress(frames_done, frames_total)`` while frames are analysed.
        """
        settings = self.settings
        times = StageTimes()
        info = probe(path)
        detectors = {mode: detector_for(mode) for mode in settings.checks}
        active = [d for d in detectors.values() if d is not None]
        need_hands = any(d.needs_hands for d in active)
        need_faces = any(d.needs_faces for d in active)
        need_audio = any(d.needs_audio for d in active) and info.has_audio
        lanes_of: dict[str, list[FrameAnalyzer]] = {"hands": [], "faces": [], "both": []}
        for d in active:
            lane = {(True, False): "hands", (False, True): "faces"}.get(
                (d.needs_hands, d.needs_faces), "both"
            )
            lanes_of[lane].extend(d.frame_analyzers(settings))

        signals = self._frame_loop(info, need_hands, need_faces, lanes_of, times, progress)
        if need_audio:
            start = time.perf_counter()
            try:
                signals.audio = read_audio(info.path, sr=settings.audio_sample_rate)
            except InputError:
                signals.audio = None  # undecodable audio: lip sync reports it as skipped
            signals.audio_sr = settings.audio_sample_rate
            times.audio_s = time.perf_counter() - start

        start = time.perf_counter()
        checks = {
            mode: _run_check(mode, detectors[mode], signals, settings)
            if mode in detectors
            else CheckResult("skipped", reason="not selected with --checks")
            for mode in CHECK_NAMES
        }
        times.detect_s = time.perf_counter() - start
        report = Report(
            tool_version=__version__,
            clip=_clip_dict(info),
            checks=checks,
            created_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
            settings={"digest": settings.digest(), **settings.to_dict()},
            user={k: v for k, v in (user or {}).items() if v is not None},
            analysis={
                "frames_analyzed": signals.n_frames,
                "corrupt_packets_skipped": signals.decode.corrupt_packets,
                "frames_missing": max(
                    0, max(info.frame_count, signals.decode.frames_declared) - signals.n_frames
                ),
                "frames_dropped_bad_timestamp": signals.decode.bad_timestamps,
                "frames_dropped_empty": signals.decode.empty_frames,
                "read_stopped_early": signals.decode.read_stopped_early,
                "file_truncated": truncation_reason(info.path),
                "analysis_max_side": settings.analysis_max_side,
            },
        )
        return Analysis(report=report, signals=signals, times=times)

    def _frame_loop(
        self,
        info: ClipInfo,
        need_hands: bool,
        need_faces: bool,
        lanes_of: dict[str, list[FrameAnalyzer]],
        times: StageTimes,
        progress: ProgressFn | None,
    ) -> ClipSignals:
        """Decode every frame once and feed it to the hand lane and the face lane.

        ``lanes_of`` maps "hands", "faces" and "both" to the frame analysers of detectors that
        need only hands, only faces, or both (or neither). The hand lane tracks hands and passes
        each frame with its hands to the hand analysers (``faces=None``); the face lane likewise.
        With ``self.parallel`` every lane (each model, each analyser) runs in its own thread
        while this one decodes (see :mod:`ava_detect.lanes`), so the two cores share the work and
        the slowest lane sets the pace. "both" analysers need the two models' results of a frame
        together, so any of them makes the loop serial (and they get both landmarks).
        """
        settings = self.settings
        hand_slots = SlotTracker(settings.max_hands)
        face_slots = SlotTracker(settings.max_faces)
        full_size = info.display_size
        stats = DecodeStats()
        t_list: list[float] = []
        hand_rows: list[HandsInFrame] = []
        face_rows: list[FacesInFrame] = []
        analyzer_s: dict[str, float] = {}

        threaded = self.parallel and not lanes_of["both"]

        def analyzer_lane(analyzer: FrameAnalyzer):
            key = f"analyzer.{_name(analyzer)}_s"
            analyzer_s[key] = 0.0

            def work(item) -> None:
                start = time.perf_counter()
                analyzer.update(*item)
                analyzer_s[key] += time.perf_counter() - start  # only this lane writes key

            return make_lane(key, work, threaded)

        hands_model = self._hand_model() if need_hands else None
        faces_model = self._face_model() if need_faces else None
        hand_lanes = [analyzer_lane(a) for a in lanes_of["hands"]]
        face_lanes = [analyzer_lane(a) for a in lanes_of["faces"]]

        search_every = settings.hand_search_every
        no_hand: HandsInFrame | None = None  # the last frame's result, when it had no hand

        def hand_work(frame) -> None:
            nonlocal no_hand
            start = time.perf_counter()
            if no_hand is not None and len(hand_rows) % search_every:
                found = no_hand  # nothing tracked: skip this frame's palm search
            else:
                found = hands_model.process(frame.rgb, full_size)
                no_hand = found if found.count == 0 else None
            hands = found.take(hand_slots.update(_centres(found.image)))  # every field
            hand_rows.append(hands)
            times.hands_s += time.perf_counter() - start
            for lane in hand_lanes:
                lane.put((frame, hands, None))

        def face_work(frame) -> None:
            start = time.perf_counter()
            faces = faces_model.process(frame.rgb, full_size)
            faces.points = faces.points[face_slots.update(_centres(faces.points))]
            face_rows.append(faces)
            times.faces_s += time.perf_counter() - start
            for lane in face_lanes:
                lane.put((frame, None, faces))

        # Model lanes first: they feed the analyser lanes, so they are finished first.
        model_lanes = []
        if hands_model is not None:
            model_lanes.append(make_lane("hands", hand_work, threaded))
        if faces_model is not None:
            model_lanes.append(make_lane("faces", face_work, threaded))
        lanes = model_lanes + hand_lanes + face_lanes
        try:
            frames = iter_frames(
                info.path, max_side=settings.analysis_max_side, rotation=info.rotation, stats=stats
            )
            for analyzer in (a for group in lanes_of.values() for a in group):
                begin = getattr(analyzer, "begin", None)  # optional: the clip's size first
                if begin is not None:
                    begin(info)
            tick = time.perf_counter()
            for frame in frames:
                times.decode_s += time.perf_counter() - tick
                for lane in model_lanes:
                    lane.put(frame)
                if lanes_of["both"]:  # serial: the lanes above have just run on this frame
                    hands = hand_rows[-1] if hands_model is not None else None
                    faces = face_rows[-1] if faces_model is not None else None
                    start = time.perf_counter()
                    for analyzer in lanes_of["both"]:
                        analyzer.update(frame, hands, faces)
                    times.both_analyzers_s += time.perf_counter() - start
                t_list.append(frame.t_s)
                if progress is not None:
                    done = min((lane.done for lane in lanes), default=len(t_list))
                    progress(done, info.frame_count)
                tick = time.perf_counter()
            times.decode_s += time.perf_counter() - tick
            for lane in lanes:
                lane.finish()
        finally:
            for lane in lanes:
                lane.stop()
        if progress is not None and t_list:
            progress(len(t_list), info.frame_count)
        times.extra.update(analyzer_s)
        for lane_name in ("hands", "faces"):
            spent = sum((analyzer_s[f"analyzer.{_name(a)}_s"] for a in lanes_of[lane_name]), 0.0)
            setattr(times, f"{lane_name[:-1]}_analyzers_s", spent)

        if not t_list:
            raise InputError(
                f"{info.path}: no frame of the video could be decoded. The file is damaged or "
                "uses an unsupported codec; re-export it as H.264 mp4."
            )
        signals = ClipSignals(
            info=info, t_s=np.asarray(t_list, dtype=np.float64), frame_size=full_size, decode=stats
        )
        if hand_rows:
            signals.hands = HandArrays(
                image=np.stack([h.image for h in hand_rows]),
                world=np.stack([h.world for h in hand_rows]),
                handedness=np.stack([h.handedness for h in hand_rows]),
                score=np.stack([h.score for h in hand_rows]),
            )
        if face_rows:
            signals.faces = FaceArrays(points=np.stack([f.points for f in face_rows]))
        start = time.perf_counter()
        for analyzer in (a for group in lanes_of.values() for a in group):
            signals.measured.update(analyzer.finish())
        times.finish_s = time.perf_counter() - start
        return signals

    def _hand_model(self) -> HandTracker:
        """The hand tracker of ``hands.tracker``: ``"single_pass"`` (default) or ``"legacy"``."""
        from .landmarks import LegacyHandTracker

        s = self.settings
        if self._hands is None:
            options = dict(
                max_hands=s.max_hands,
                model_complexity=s.hands.model_complexity,
                min_detection_confidence=s.hands.min_detection_confidence,
                min_tracking_confidence=s.hands.min_tracking_confidence,
            )
            if s.hands.tracker == "legacy":
                self._hands = LegacyHandTracker(**options)
            else:
                self._hands = HandTracker(**options, search_every=s.hand_search_every)
        else:
            self._hands.reset()
        return self._hands

    def _face_model(self) -> FaceTracker:
        if self._faces is None:
            self._faces = FaceTracker(
                max_faces=self.settings.max_faces,
                min_detection_confidence=self.settings.identity.min_detection_confidence,
                search_every=self.settings.face_search_every,
            )
        else:
            self._faces.reset()
        return self._faces

    def close(self) -> None:
        for model in (self._hands, self._faces):
            if model is not None:
                model.close()
        self._hands = self._faces = None


def analyze(
    path: str | Path,
    settings: Settings | None = None,
    *,
    user: dict | None = None,
    progress: ProgressFn | None = None,
) -> Analysis:
    """Analyse one clip with fresh models (see :class:`Analyzer` to reuse them)."""
    analyzer = Analyzer(settings)
    try:
        return analyzer.analyze(path, user=user, progress=progress)
    finally:
        analyzer.close()


def _one_blas_thread() -> None:
    """Keep numpy's BLAS (OpenBLAS) to one thread for the whole process.

    The analysis is parallel already (the hand and face lanes); BLAS's own worker threads
    only spin-wait between the small matrix products the checks make and take the other
    core from the lane running there (measured: a 10 s 720p clip took 88 CPU s with them,
    about 52 without).
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")


def _name(analyzer: FrameAnalyzer) -> str:
    return getattr(analyzer, "name", type(analyzer).__name__)


def _centres(points: np.ndarray) -> np.ndarray:
    """(K, P, 3) landmarks -> (K, 2) mean x, y per object; NaN rows stay NaN."""
    out = np.full((points.shape[0], 2), np.nan)
    present = ~np.isnan(points[:, 0, 0])
    if present.any():
        out[present] = points[present, :, :2].mean(axis=1)
    return out


def _run_check(
    mode: str, detector: Detector | None, signals: ClipSignals, settings: Settings
) -> CheckResult:
    if detector is None:
        return CheckResult("skipped", reason="this version of ava-detect has no detector for it")
    return detector.detect(signals, settings)


def _clip_dict(info: ClipInfo) -> dict:
    data = info.to_dict()
    data["path"] = str(Path(info.path))
    data["file_name"] = Path(info.path).name
    return data
