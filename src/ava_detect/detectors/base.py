"""What a detector is, and the hysteresis helper every detector uses to make segments.

A detector is pure: it receives the clip's :class:`~ava_detect.signals.ClipSignals` and the
settings and returns a :class:`~ava_detect.report.CheckResult`. It does no I/O and loads no
model. Work that needs the picture itself (a face embedding, a skin-colour silhouette) is done in
the frame loop by the :class:`FrameAnalyzer` objects the detector asks for; their per-frame
arrays arrive in ``signals.measured``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

if TYPE_CHECKING:
    from ..landmarks import FacesInFrame, HandsInFrame
    from ..media import Frame
    from ..report import CheckResult
    from ..settings import Settings
    from ..signals import ClipSignals


class FrameAnalyzer(Protocol):
    """Per-frame work that needs pixels, run inside the one frame loop.

    ``update`` sees every analysed frame in order with that frame's raw landmarks (``None`` for a
    model the selected checks did not need); ``finish`` returns (N, ...) arrays for
    ``signals.measured``, keyed ``"<name>.<array>"``. An analyser may also define
    ``begin(info: ClipInfo)``, called once before the clip's first frame: ``frame.rgb`` may be
    downscaled, while landmarks are in pixels of ``info.display_size``.
    """

    name: str

    def update(
        self, frame: Frame, hands: HandsInFrame | None, faces: FacesInFrame | None
    ) -> None: ...

    def finish(self) -> dict[str, np.ndarray]: ...


class Detector(Protocol):
    """One failure mode's check."""

    mode: str  # key in catalog.FAILURE_MODES
    needs_hands: bool
    needs_faces: bool
    needs_audio: bool

    def frame_analyzers(self, settings: Settings) -> list[FrameAnalyzer]: ...

    def detect(self, signals: ClipSignals, settings: Settings) -> CheckResult: ...


@dataclass(frozen=True)
class Segment:
    """A run of frames where a score was on.

    ``start``/``end`` are frame indices (``end`` inclusive); ``start_s`` is the first on-frame's
    time and ``end_s`` the time the last on-frame stops being shown (the next frame's time).
    ``peak`` is the index of the most extreme score inside the run.
    """

    start: int
    end: int
    start_s: float
    end_s: float
    peak: int
    peak_value: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def hysteresis_segments(
    scores: np.ndarray,
    t_s: np.ndarray,
    *,
    on: float,
    off: float,
    min_duration_s: float = 0.0,
    min_frames: int = 1,
    above: bool = True,
) -> list[Segment]:
    """Turn a per-frame score into timed segments with two thresholds.

    A segment starts at a frame whose score crosses ``on`` and lasts until the score falls back
    past ``off`` (so ``off`` must be on the quiet side of ``on``). NaN frames carry the current
    state but are never the start or end of a segment. Segments shorter than
    ``min_duration_s`` or with fewer than ``min_frames`` measured on-frames are dropped.

    Parameters
    ----------
    scores
        (N,) float, one score per frame; NaN where not measured.
    t_s
        (N,) float, frame times in seconds, increasing.
    on, off
        Thresholds. With ``above=True`` a segment is ``score >= on`` until ``score < off``;
        with ``above=False`` it is ``score <= on`` until ``score > off``.
    min_duration_s, min_frames
        The least a segment must last to count.

    Returns
    -------
    list of Segment, in time order.
    """
    scores = np.asarray(scores, dtype=np.float64)
    t_s = np.asarray(t_s, dtype=np.float64)
    if scores.shape != t_s.shape or scores.ndim != 1:
        raise ValueError("scores and t_s must be 1-D arrays of the same length")
    if (above and off > on) or (not above and off < on):
        raise ValueError("the off threshold must be on the quiet side of the on threshold")
    sign = 1.0 if above else -1.0
    s = scores * sign
    on_v, off_v = on * sign, off * sign
    frame_dur = float(np.median(np.diff(t_s))) if len(t_s) > 1 else 0.0

    segments: list[Segment] = []
    start = last_on = None
    for i, value in enumerate(s):
        if np.isnan(value):
            continue
        if start is None:
            if value >= on_v:
                start = last_on = i
        elif value < off_v:
            segments.append(_segment(scores, s, t_s, start, last_on, frame_dur))
            start = last_on = None
            if value >= on_v:  # cannot happen with off <= on, kept for clarity
                start = last_on = i
        else:
            last_on = i
    if start is not None:
        segments.append(_segment(scores, s, t_s, start, last_on, frame_dur))
    return [
        seg
        for seg in segments
        if seg.duration_s + 1e-9 >= min_duration_s
        and int(np.sum(~np.isnan(scores[seg.start : seg.end + 1]))) >= min_frames
    ]


def _segment(
    scores: np.ndarray, signed: np.ndarray, t_s: np.ndarray, start: int, end: int, frame_dur: float
) -> Segment:
    window = signed[start : end + 1]
    peak = start + int(np.nanargmax(window))
    end_s = float(t_s[end + 1]) if end + 1 < len(t_s) else float(t_s[end] + frame_dur)
    return Segment(
        start=start,
        end=end,
        start_s=float(t_s[start]),
        end_s=end_s,
        peak=peak,
        peak_value=float(scores[peak]),
    )
