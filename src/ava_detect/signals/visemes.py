"""Lip closure at bilabial phones (p, b, m): pure numpy on the inner-lip gap and the audio.

The lips must meet for /p/, /b/ and /m/. Given the phones' times from a forced alignment and the
inner-lip gap per frame (``signals.mouth.lip_features`` column 0, eye-distance units), each
bilabial's window is searched for its most closed frame, and that frame's gap is put on the
clip's own scale: 0 at the clip's closed mouth (a low percentile of the gap), 1 at its open
mouth (a high percentile). Faces differ (thick lips never read 0 on the mesh), so the scale is
the clip's own, never an absolute gap.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BILABIALS = ("P", "B", "M")  # CMU (ARPAbet) phones made with both lips closed


@dataclass(frozen=True)
class MouthScale:
    """The clip's own closed and open inner-lip gap (eye-distance units)."""

    closed: float
    open: float

    @property
    def span(self) -> float:
        return self.open - self.closed


def mouth_scale(gap: np.ndarray, *, closed_percentile: float,
                open_percentile: float) -> MouthScale | None:
    """Closed and open levels of ``gap`` ((N,) float, NaN where no face); None if under 10
    frames are measured."""
    ok = np.asarray(gap, dtype=np.float64)
    ok = ok[np.isfinite(ok)]
    if ok.size < 10:
        return None
    return MouthScale(float(np.percentile(ok, closed_percentile)),
                      float(np.percentile(ok, open_percentile)))


@dataclass(frozen=True)
class Closure:
    """How far the lips closed in one phone's window.

    frame: index of the most closed frame in the window (-1 when no frame there has a face);
    gap: its inner-lip gap (eye-distance units, NaN if unmeasured); open_fraction: that gap on
    the clip's scale (0 closed, 1 open; may leave 0-1); frames: measured frames in the window.
    """

    frame: int
    gap: float
    open_fraction: float
    frames: int


def closure_at(t_s: np.ndarray, gap: np.ndarray, scale: MouthScale, start_s: float,
               end_s: float, *, lead_s: float, trail_s: float) -> Closure:
    """The most closed frame between ``start_s - lead_s`` and ``end_s + trail_s``.

    Parameters
    ----------
    t_s : (N,) float, frame times, seconds (already moved by any audio/video lag).
    gap : (N,) float, inner-lip gap per frame, eye-distance units, NaN where no face.
    scale : the clip's closed and open levels.
    start_s, end_s : the phone's span, seconds.
    lead_s, trail_s : how far before and after the phone the lips may close (they close
        before a stop's burst, and frames are 33-40 ms apart), seconds.

    The window always holds the frame nearest the phone's middle (when one is within a frame
    period), so a phone shorter than a frame period is still measured; a phone beyond the
    frames (moved past the clip's end by a lag) is unmeasured.
    """
    t = np.asarray(t_s, dtype=np.float64)
    g = np.asarray(gap, dtype=np.float64)
    inside = (t >= start_s - lead_s) & (t <= end_s + trail_s)
    mid = (start_s + end_s) / 2
    nearest = int(np.argmin(np.abs(t - mid)))
    step = float(np.median(np.diff(t))) if t.size > 1 else 0.04
    if abs(t[nearest] - mid) <= step:  # never a frame far away (a phone past the clip's end)
        inside[nearest] = True
    idx = np.flatnonzero(inside & np.isfinite(g))
    if idx.size == 0:
        return Closure(-1, float("nan"), float("nan"), 0)
    best = int(idx[np.argmin(g[idx])])
    frac = (g[best] - scale.closed) / scale.span if scale.span > 0 else float("nan")
    return Closure(best, float(g[best]), float(frac), int(idx.size))


def speech_outside_words(audio: np.ndarray, sr: int, spans: list[tuple[float, float]], *,
                         guard_s: float = 0.05) -> float | None:
    """Share of the clip's loud 10 ms frames that fall outside every aligned word.

    Parameters
    ----------
    audio : (S,) float, mono samples at ``sr`` Hz.
    spans : the words' (start_s, end_s), seconds.
    guard_s : each span is widened by this much on both sides, seconds.

    A frame is loud when its RMS level is past the middle between the noise floor (10th
    percentile, dB) and the speech level (95th percentile). A transcript that covers the
    speech leaves few loud frames outside its words; one that says only part of it (or other
    words squeezed into a corner) leaves many. None when the track has no such contrast
    (under 10 dB between floor and speech, or under 0.2 s of audio).
    """
    hop = int(sr * 0.01)
    n = len(audio) // hop if hop else 0
    if n < 20:
        return None
    frames = np.asarray(audio[: n * hop], dtype=np.float64).reshape(n, hop)
    db = 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    floor, level = np.percentile(db, 10), np.percentile(db, 95)
    if level - floor < 10:
        return None
    loud = db > (floor + level) / 2
    t = (np.arange(n) + 0.5) * 0.01
    covered = np.zeros(n, bool)
    for a, b in spans:
        covered |= (t >= a - guard_s) & (t <= b + guard_s)
    return float((loud & ~covered).sum() / max(loud.sum(), 1))
