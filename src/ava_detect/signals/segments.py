"""Per-frame scores into timed segments with hysteresis (an on and an off threshold).

Every detector makes its segments here, so one noisy frame is never a finding and a real failure
has a start and an end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


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
