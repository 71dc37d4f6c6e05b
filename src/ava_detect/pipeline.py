"""One clip's analysis: probe, the frame loop, audio, the detectors, the report.

:class:`Analyzer` owns every model (through :class:`~ava_detect.models.Models`), so a batch
worker analyses many clips with one set and closes them once; :func:`analyze` is the one-clip
shortcut. Data flows one way: file -> frames and audio -> landmarks -> per-frame arrays
(:class:`~ava_detect.signals.ClipSignals`) -> detectors -> :class:`~ava_detect.report.Report`.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from . import __version__
from .analysers import build as build_analysers
from .catalog import CHECK_NAMES
from .detectors import Detector, detector_for
from .errors import ConfigError, InputError
from .frame_loop import ProgressFn, run_frame_loop
from .media import probe, read_audio
from .media.mp4box import truncation_reason
from .models import Models
from .report import CheckResult, Report
from .settings import Settings
from .signals import ClipSignals
from .timing import StageTimes
from .types import ClipInfo

__all__ = ["Analysis", "Analyzer", "ProgressFn", "StageTimes", "analyze"]


@dataclass
class Analysis:
    """The result of one clip: the report, the signals it was made from, and stage timings."""

    report: Report
    signals: ClipSignals
    times: StageTimes


class Analyzer:
    """Analyses clips with one set of loaded models (loaded on first use, closed by :meth:`close`).

    The trackers are reset between clips, so tracking state never leaks from one clip into the
    next.
    """

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings()
        load_plugins(self.settings)
        one_library_thread()
        self.models = Models(self.settings.tracking)

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
        names = [name for d in active for name in d.analysers(settings)]
        signals = run_frame_loop(
            info,
            settings=settings,
            models=self.models,
            analysers=build_analysers(names, settings, self.models),
            need_hands=any(d.needs_hands for d in active),
            need_faces=any(d.needs_faces for d in active),
            times=times,
            progress=progress,
        )
        if any(d.needs_audio for d in active) and info.has_audio:
            _read_audio(signals, settings, times)
        if any(getattr(d, "needs_words", False) for d in active):
            signals.speech = _align_words(signals, user)
        start = time.perf_counter()
        checks = {
            mode: _run_check(detectors[mode], signals, settings)
            if mode in detectors
            else CheckResult("skipped", reason="not selected with --checks")
            for mode in CHECK_NAMES
        }
        times.detect_s = time.perf_counter() - start
        return Analysis(report=_report(info, signals, checks, settings, user), signals=signals,
                        times=times)

    def close(self) -> None:
        """Close every model this analyser loaded."""
        self.models.close()


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


def load_plugins(settings: Settings) -> None:
    """Import the modules of ``settings.plugins`` (each registers its detectors)."""
    for name in settings.plugins:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 - any failure is the plugin's, said in one line
            raise ConfigError(
                f"plugin module {name!r} could not be imported ({type(exc).__name__}: {exc}); "
                "check the plugins setting and that the module is on the Python path."
            ) from exc


def _read_audio(signals: ClipSignals, settings: Settings, times: StageTimes) -> None:
    start = time.perf_counter()
    try:
        signals.audio = read_audio(signals.info.path, sr=settings.audio_sample_rate)
    except InputError:
        signals.audio = None  # undecodable audio: lip sync reports it as skipped
    signals.audio_sr = settings.audio_sample_rate
    times.audio_s = time.perf_counter() - start


def _align_words(signals: ClipSignals, user: dict | None):
    """The clip's known words (transcript, or speech quoted in the prompt) aligned to its
    audio; None when no words are known."""
    from .speech import known_words

    known = known_words(user)
    if known is None:
        return None
    from .speech.aligner import align_known_words

    return align_known_words(signals.audio, signals.audio_sr, known)


def _report(info: ClipInfo, signals: ClipSignals, checks: dict, settings: Settings,
            user: dict | None) -> Report:
    return Report(
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


def one_library_thread() -> None:
    """Keep numpy's BLAS (OpenBLAS) and OpenCV to one thread each for the whole process.

    The analysis is parallel already (the hand and face lanes); the libraries' own worker
    threads only spin-wait between the small matrix products and crop-sized OpenCV calls the
    analysers make, and take the other core from the lane running there. Measured: BLAS
    threads, a 10 s 720p clip took 88 CPU s with them, about 52 without; OpenCV threads, the
    720p30 clip of benchmarks/speed.py (a face and two hands) 38.2 -> 35.4 CPU s and 22.5 ->
    21.2 s wall (two runs each, load 3-4), reports identical.
    """
    import cv2
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1, user_api="blas")
    cv2.setNumThreads(1)


MIN_FRAMES = 2  # every check compares frames over time


def _run_check(detector: Detector | None, signals: ClipSignals, settings: Settings) -> CheckResult:
    if detector is None:
        return CheckResult("skipped", reason="this version of ava-detect has no detector for it")
    if signals.n_frames < MIN_FRAMES:
        return CheckResult(
            "inconclusive",
            reason=f"the clip has only {signals.n_frames} frame; every check compares frames "
            "over time",
        )
    return detector.detect(signals, settings)


def _clip_dict(info: ClipInfo) -> dict:
    data = info.to_dict()
    data["path"] = str(Path(info.path))
    data["file_name"] = Path(info.path).name
    return data
