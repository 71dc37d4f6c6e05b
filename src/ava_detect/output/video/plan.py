"""What an evidence clip shows, in numbers: which clip times, at which speeds, which region.

No pixels here: the span of the clip a finding's video covers, the output frame times of each
pass, the frame on screen at each of them, the region to box at any time (from the analysis's
own landmarks, else from the evidence boxes), and the traces the lip-sync panel draws.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from ...report import Finding
from ...settings import EvidenceVideoSettings
from ...signals import ClipSignals
from ...signals.hands import track_hands
from ...signals.mouth import lip_features, mouth_box

SPEEDS = (1.0, 0.5)  # normal speed, then half speed


@dataclass(frozen=True)
class Plan:
    """The clip times one evidence video covers.

    ``start_s``: clip time shown by the first frame (about ``context_s`` before the failure);
    ``end_s``: clip time where the normal-speed pass ends; ``fps``: output frame rate (the
    clip's own); ``n_frames``: frames of the normal-speed pass (``(end_s - start_s) * fps``).
    """

    start_s: float
    end_s: float
    fps: Fraction
    n_frames: int

    def times(self, speed: float) -> np.ndarray:
        """(F,) clip time shown by each output frame of a pass at ``speed`` (1.0 or 0.5)."""
        n = int(round(self.n_frames / speed))
        return self.start_s + np.arange(n) * (speed / float(self.fps))

    @property
    def pass_s(self) -> float:
        """Duration of the normal-speed pass, seconds."""
        return self.n_frames / float(self.fps)

    def passes(self) -> list[dict]:
        """Each pass's speed and where it sits in the evidence clip (seconds)."""
        out, at = [], 0.0
        for speed in SPEEDS:
            length = int(round(self.n_frames / speed)) / float(self.fps)
            out.append({"speed": speed, "start_s": round(at, 6), "end_s": round(at + length, 6)})
            at += length
        return out


def plan_for(finding: Finding, clip: dict, cfg: EvidenceVideoSettings) -> Plan | None:
    """The span of ``finding`` to show: ``context_s`` before it, at most ``max_span_s`` of it.

    ``clip`` is the report's clip dict (``fps``, ``duration_s``, ``start_s``). Returns None
    when the clip has no usable frame rate or the span is empty.
    """
    fps_value = float(clip.get("fps") or 0)
    duration = float(clip.get("duration_s") or 0)
    if not (math.isfinite(fps_value) and fps_value > 0 and duration > 0):
        return None
    fps = Fraction(fps_value).limit_denominator(1001)
    begin = min(finding.start_s, finding.first_s)
    # whole frame periods before the first failure, so one output frame falls exactly on it
    back = min(int(round((finding.first_s - begin + cfg.context_s) * fps_value)),
               int(math.floor(finding.first_s * fps_value + 1e-6)))
    start = max(0.0, finding.first_s - back / fps_value)
    end = min(max(finding.end_s, finding.first_s + 1.0 / fps_value), begin + cfg.max_span_s)
    end = min(max(end, finding.first_s + 0.5), duration)  # at least half a second of failure
    n = int(math.ceil((end - start) * fps_value - 1e-6))
    if n < 1:
        return None
    return Plan(start_s=round(start, 6), end_s=round(start + n / fps_value, 6), fps=fps,
                n_frames=n)


def on_screen(frame_times: np.ndarray, times: np.ndarray) -> np.ndarray:
    """(F,) index into ``frame_times`` of the frame on screen at each of ``times``.

    The frame on screen at ``t`` is the last one whose own time is <= t (the first frame when
    ``t`` is before all of them). ``frame_times`` must be increasing.
    """
    idx = np.searchsorted(frame_times, np.asarray(times) + 1e-6, side="right") - 1
    return np.clip(idx, 0, len(frame_times) - 1)


class Regions:
    """The finding's region (x0, y0, x1, y1 in full-frame px) at any clip time.

    From the analysis's landmarks of the finding's track where it has them (hands: the 21
    points of the detector's hand track, as the evidence frames draw them; identity: the face
    mesh; lip sync: the mouth box), smoothed over five frames;
    otherwise from the finding's evidence boxes, nearest in time.
    """

    def __init__(self, finding: Finding, signals: ClipSignals | None, span: tuple[float, float]):
        self.t, self.boxes = _landmark_boxes(finding, signals, span)
        ev = [(e.t_s, e.box) for e in finding.evidence if e.box is not None]
        self.ev_t = np.array([t for t, _ in ev], dtype=float)
        self.ev_boxes = np.array([b for _, b in ev], dtype=float).reshape(-1, 4)

    def at(self, t_s: float) -> tuple[float, float, float, float] | None:
        if self.t.size:
            ok = np.isfinite(self.boxes).all(axis=1)
            if ok.any():
                i = np.flatnonzero(ok)[np.argmin(np.abs(self.t[ok] - t_s))]
                return tuple(float(v) for v in self.boxes[i])
        if self.ev_t.size:
            return tuple(float(v) for v in self.ev_boxes[np.argmin(np.abs(self.ev_t - t_s))])
        return None


def _landmark_boxes(finding: Finding, signals: ClipSignals | None,
                    span: tuple[float, float]) -> tuple[np.ndarray, np.ndarray]:
    empty = np.zeros(0), np.zeros((0, 4))
    if signals is None or finding.track is None or not signals.n_frames:
        return empty
    k = finding.track
    sel = np.flatnonzero((signals.t_s >= span[0] - 0.5) & (signals.t_s <= span[1] + 0.5))
    if not sel.size:
        return empty
    if finding.mode == "hands":
        # the finding's track is the detector's hand track (as in the evidence frames), not a
        # landmark slot: slot k can hold the other hand. Arm findings (hand_melt, track < 0)
        # have no hand landmarks: their evidence boxes (the pose's hand region) are used.
        if signals.hands is None or k < 0:
            return empty
        tracks = track_hands(signals.hands)
        if k >= tracks.n_tracks:
            return empty
        pts = tracks.points[sel, k, :, :2].astype(float)
        boxes = np.concatenate([pts.min(axis=1), pts.max(axis=1)], axis=1)
    elif signals.faces is not None and k < signals.faces.points.shape[1]:
        if finding.mode == "lipsync":
            boxes = np.array([mouth_box(signals.faces.points[i, k]) or (np.nan,) * 4
                              for i in sel], dtype=float)
        else:
            pts = signals.faces.points[sel, k, :468, :2].astype(float)
            boxes = np.concatenate([pts.min(axis=1), pts.max(axis=1)], axis=1)
    else:
        return empty
    return signals.t_s[sel], _smooth(boxes)


def _smooth(boxes: np.ndarray, half: int = 2) -> np.ndarray:
    """Mean over +-``half`` frames of the finite boxes (keeps the zoom from shaking)."""
    out = np.full_like(boxes, np.nan)
    ok = np.isfinite(boxes).all(axis=1)
    for i in np.flatnonzero(ok):
        lo, hi = max(0, i - half), min(len(boxes), i + half + 1)
        out[i] = boxes[lo:hi][ok[lo:hi]].mean(axis=0)
    return out


def mouth_trace(finding: Finding, signals: ClipSignals | None,
                details: dict) -> tuple[np.ndarray, np.ndarray] | None:
    """(t_s, openness) of the speaker's mouth: the detector's own plotted series when the
    report has it, else the inner-lip gap from the analysis's face mesh (eye-distance units).
    None when neither is available."""
    series = (details.get("signals") or {}).get("mouth_openness")
    if series and series.get("t_s"):
        t = np.asarray(series["t_s"], dtype=float)
        v = np.asarray([np.nan if x is None else x for x in series["values"]], dtype=float)
        return t, v
    if signals is None or signals.faces is None or finding.track is None:
        return None
    if finding.track >= signals.faces.points.shape[1]:
        return None
    return signals.t_s, lip_features(signals.faces.points[:, finding.track])[:, 0]


def envelope(samples: np.ndarray, sr: int, t0: float, px_per_s: float,
             n_cols: int) -> np.ndarray:
    """(n_cols, 2) min and max of the audio in each column of ``1 / px_per_s`` seconds from
    ``t0`` (clip time); 0 outside the track. ``samples`` is mono at ``sr`` Hz (sample i plays
    at i / sr s)."""
    edges = np.round((t0 + np.arange(n_cols + 1) / px_per_s) * sr).astype(np.int64)
    out = np.zeros((n_cols, 2), np.float32)
    for c in range(n_cols):
        a, b = max(edges[c], 0), min(edges[c + 1], len(samples))
        if b > a:
            chunk = samples[a:b]
            out[c] = chunk.min(), chunk.max()
    return out
